"""The run ledger of a shared crawl: what every worker must see is kept in Redis.

Pages listed per site, the per-site page budget, failures and blocks, and the hosts that answered
with a challenge are shared; each worker's own requests (pending, visited pages) stay local, since
the shared duplicate filter is the cross-worker guard. A site's requests are spread over workers,
so no worker decides an outcome: the ingester reads the shared tallies at the end (`read_outcomes`)
and writes them as a single-process crawl does.
"""
from __future__ import annotations

from crawler.ledger import RunLedger
from crawler.scaleout import redis_state as rs
from crawler.runtime import parse_years


class RedisLedger(RunLedger):
    """RunLedger of one run (`redis_state.read_run`) with the shared tallies in Redis."""

    def __init__(self, server, run: dict) -> None:
        super().__init__(run["sites"], mode=run["mode"], years=parse_years(run.get("years") or None),
                         revalidate=bool(run["revalidate"]), rediscover=bool(run.get("rediscover")))
        self.server = server
        self.run_id = run["id"]
        self.blocked_hosts = rs.SharedSet(server, rs.BLOCKED)   # one worker's challenge blocks the host for all
        self._listed_here: set[str] = set()

    def listed(self, site_id: str) -> None:
        super().listed(site_id)
        if site_id not in self._listed_here:      # one round trip per site and worker
            self._listed_here.add(site_id)
            self.server.sadd(rs.LISTED, site_id)

    def list_page(self, site_id: str) -> int:
        """The per-site page budget, shared by every worker."""
        return int(self.server.hincrby(rs.LIST_PAGES, site_id, 1))

    def problem(self, site_id: str, status: str, reason: str) -> None:
        self.errors += 1
        pipe = self.server.pipeline()
        if status == "blocked":
            pipe.hset(rs.OUTCOME, site_id, "blocked")
        pipe.hsetnx(rs.REASON, site_id, reason)
        pipe.execute()

    def settle(self, site_id: str) -> bool:
        """A site's requests are spread over workers: no worker sees its last one."""
        return False

    def finish(self, reason: str | None = "finished") -> None:
        """A worker's end decides nothing: the ingester reads the outcomes once the run is complete."""

    def read_outcomes(self) -> None:
        """The run is complete (the ingester): every site's outcome and reason from what the
        workers shared; a site none of whose list pages answered has failed."""
        outcome = {rs.text(k): rs.text(v) for k, v in self.server.hgetall(rs.OUTCOME).items()}
        listed = {rs.text(s) for s in self.server.smembers(rs.LISTED)}
        reasons = {rs.text(k): rs.text(v) for k, v in self.server.hgetall(rs.REASON).items()}
        for sid in self.by_id:
            t = self[sid]
            t.listed = int(sid in listed)
            t.outcome = outcome.get(sid)
            t.reason = reasons.get(sid)
            t.done = True
        super().finish("finished")
