"""The run ledger: one object holds the run (its sites and options) and, per site, what the run
cost, what it found and how it ended; plus the hosts that answered with a challenge and the
pages that failed.

The spider creates it and attaches it to its crawler (`attach`); the middlewares, the pipeline,
the progress line and `nianbao discover` take it from there (`of`). Nobody reads the run's state
off the spider. `RunLedger` keeps everything in this process; a distributed crawl's workers and
ingester use `crawler.scaleout.ledger.RedisLedger`, which keeps what every worker must see
(pages listed, the page budget, outcomes, blocked hosts) in Redis.
"""
from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.hosts import HostRules, registered_domain


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
    """The run's sites (each with its `id`) and options, and its per-site tallies, in this process."""

    def __init__(self, sites=(), *, mode: str = "nightly", years: tuple[int, int] | None = None,
                 revalidate: bool = False, rediscover: bool = False) -> None:
        self.sites: list[dict] = list(sites)
        self.by_id: dict[str, dict] = {s["id"]: s for s in self.sites}
        self.mode, self.years, self.revalidate, self.rediscover = mode, years, revalidate, rediscover
        self.tallies: dict[str, SiteTally] = {sid: SiteTally() for sid in self.by_id}
        # only the sites' hosts are contacted: a site's registered domain, or the exact IP:port
        self.host_rules = HostRules([s["url"] for s in self.sites])
        self.domains = sorted({registered_domain(urlsplit(s["url"]).hostname or "") for s in self.sites})
        self.blocked_hosts: set[str] = set()
        self.errors = 0                   # pages that failed or were blocked (the progress line's)
        # the run's database (storage.Store), opened by the store pipeline once it holds the
        # writer's lock: the spider reads the crawl state on that same connection
        self.store = None

    def __getitem__(self, site_id: str) -> SiteTally:
        if site_id not in self.tallies:
            self.tallies[site_id] = SiteTally()
        return self.tallies[site_id]

    # --- what the spider counts ---------------------------------------------------------------

    def requested(self, site_id: str) -> None:
        """A request of the site was issued; `settle` is called once it has answered or failed."""
        self[site_id].pending += 1

    def settle(self, site_id: str) -> bool:
        """A request of the site answered or failed; True when that was the site's last one (the
        site is done: a site none of whose list pages answered has failed)."""
        t = self[site_id]
        t.pending -= 1
        if t.pending <= 0 and not t.done:
            t.done = True
            if not t.listed and t.outcome is None:
                t.outcome = "failed"
            return True
        return False

    def answered(self, site_id: str) -> None:
        """A page of the site answered (it is reachable)."""
        self[site_id].answered += 1

    def listed(self, site_id: str) -> None:
        """A list or column page of the site answered."""
        self[site_id].listed += 1

    def list_page(self, site_id: str) -> int:
        """Count a catalogue or list page requested for the site; returns how many so far (the
        per-site budget, also the guard against endless pagers)."""
        t = self[site_id]
        t.pages += 1
        return t.pages

    def first_visit(self, site_id: str, key: str) -> bool:
        """True the first time a page (by its canonical URL `key`) is asked for in this run."""
        seen = self[site_id].visited
        if key in seen:
            return False
        seen.add(key)
        return True

    def problem(self, site_id: str, status: str, reason: str) -> None:
        """A failed or blocked fetch: a blocked host blocks the site; the first reason is kept."""
        self.errors += 1
        t = self[site_id]
        if status == "blocked":
            t.outcome = "blocked"
        if t.reason is None:
            t.reason = reason

    # --- hosts --------------------------------------------------------------------------------

    def allows(self, url: str) -> bool:
        """Whether the URL's host belongs to a site of the run."""
        return self.host_rules.allows(url)

    def block_host(self, netloc: str) -> None:
        """The host answered with a challenge: nothing more is asked of it in this run."""
        self.blocked_hosts.add(netloc)

    def is_blocked(self, netloc: str) -> bool:
        return netloc in self.blocked_hosts

    # --- the end ------------------------------------------------------------------------------

    def finish(self, reason: str | None = "finished") -> None:
        """At the end of a run: a site none of whose list pages answered has failed; a run that
        ended early (timeout, start error, shutdown) did not finish some sites: they failed, and
        say why, instead of counting as ok. Calling it again changes nothing."""
        for t in self.tallies.values():
            if not t.listed and t.outcome is None:
                t.outcome = "failed"
        if reason in ("finished", None):
            return
        for t in self.tallies.values():
            if not t.done and t.outcome in (None, "failed"):
                t.outcome = "failed"
                if t.reason is None:
                    t.reason = f"the run ended early ({reason}) before the site was done"

    def counts(self) -> dict[str, int]:
        """The run summary's site figures."""
        tallies = [self[sid] for sid in self.by_id] or list(self.tallies.values())
        out = [t.outcome for t in tallies]
        failed, blocked = out.count("failed"), out.count("blocked")
        return {"sites_total": len(tallies), "sites_done": sum(t.done for t in tallies),
                "sites_ok": len(tallies) - failed - blocked, "sites_failed": failed, "sites_blocked": blocked,
                "columns_found": sum(len(t.columns) for t in tallies),
                "organs_found": sum(len(t.organs) for t in tallies)}


# the ledger of each crawler: handed to components through the crawler, not the spider
_BY_CRAWLER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def attach(crawler, ledger: RunLedger) -> RunLedger:
    """Make `ledger` the run ledger of `crawler` (the spider does, when it sets the run up)."""
    _BY_CRAWLER[crawler] = ledger
    return ledger


def of(crawler) -> RunLedger:
    """The run ledger attached to `crawler`; LookupError when no spider attached one."""
    try:
        return _BY_CRAWLER[crawler]
    except (KeyError, TypeError):
        raise LookupError("no run ledger on this crawler (the reports spider attaches one)") from None
