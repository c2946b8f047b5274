"""The run's per-site tallies: what each site cost, what was found on it, and how it ended.

One object, handed to the spider and read by the pipeline (the `sites` row and the summary)
and by `nianbao discover`. A distributed worker keeps the same tallies where they must be
shared (Redis) by overriding the spider's counting methods.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class SiteTally:
    pending: int = 0                  # requests issued and not yet answered
    answered: int = 0                 # pages that answered (the site is reachable)
    listed: int = 0                   # list/column pages answered (0 at the end: the site failed)
    pages: int = 0                    # catalogue and list pages requested (the per-site budget)
    outcome: str | None = None        # failed | blocked (ok otherwise)
    reason: str | None = None
    done: bool = False
    visited: set[str] = field(default_factory=set)          # canonical URLs of pages asked for
    columns: dict[str, dict] = field(default_factory=dict)  # column url -> {organ, name, family}
    families: Counter = field(default_factory=Counter)       # CMS family of each list page read
    listed_reports: list[dict] = field(default_factory=list)  # discover: what the lists show

    @property
    def organs(self) -> set[str]:
        return {c["organ"] for c in self.columns.values() if c.get("organ")}


class RunLedger:
    """Per-site tallies of one run, keyed by site id."""

    def __init__(self, site_ids=()) -> None:
        self.sites: dict[str, SiteTally] = {sid: SiteTally() for sid in site_ids}

    def __getitem__(self, site_id: str) -> SiteTally:
        if site_id not in self.sites:
            self.sites[site_id] = SiteTally()
        return self.sites[site_id]

    def problem(self, site_id: str, status: str, reason: str) -> None:
        """A failed or blocked fetch: a blocked host blocks the site; the first reason is kept."""
        t = self[site_id]
        if status == "blocked":
            t.outcome = "blocked"
        if t.reason is None:
            t.reason = reason

    def finish(self) -> None:
        """At the end of a run: a site none of whose list pages answered has failed."""
        for t in self.sites.values():
            if not t.listed and t.outcome is None:
                t.outcome = "failed"

    def counts(self) -> dict[str, int]:
        """The run summary's site figures."""
        out = [t.outcome for t in self.sites.values()]
        failed, blocked = out.count("failed"), out.count("blocked")
        return {"sites_total": len(self.sites), "sites_done": sum(t.done for t in self.sites.values()),
                "sites_ok": len(self.sites) - failed - blocked, "sites_failed": failed, "sites_blocked": blocked,
                "columns_found": sum(len(t.columns) for t in self.sites.values()),
                "organs_found": sum(len(t.organs) for t in self.sites.values())}
