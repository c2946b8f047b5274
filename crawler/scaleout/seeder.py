"""The seeder: starts a run of a shared crawl from the sites file and what the database knows
(read-only: the ingester is the one writer), pushing the start requests into the shared queue."""
from __future__ import annotations

import argparse
import json
import logging
import os
import time
import uuid

from crawler.scaleout import redis_state as rs
from crawler.scaleout.worker import WorkerSpider, worker_settings
from crawler.runtime import parse_years
from parsers.vocabulary import now, run_id_stamp

log = logging.getLogger(__name__)


class _NoState:
    """The database does not exist yet: nothing known, no columns, no validators."""

    def columns(self, site_id):
        return []

    def when(self, site_id, url, what):
        return None

    def due_retries(self, site_id):
        return []

    def known_urls(self, site_id):
        return set()

    def report_urls(self, site_id=None):
        return set()

    def page_validators(self, url):
        return None

    def close(self):
        pass


def _stored_state(path: str):
    """The database read-only, as one Store (it holds the crawl state too): the seeder runs
    beside a live ingester, the one writer. _NoState while there is nothing stored yet."""
    from storage import Store

    if not os.path.exists(path):
        return _NoState()
    store = Store.open_readonly(path)
    if not store.has_tables("reports", "pages", "crawl_state"):   # being created right now: nothing stored yet
        store.close()
        return _NoState()
    return store


def seed(server, args: argparse.Namespace, worker_id: str, settings=None) -> str | None:
    """Start a run from the sites file: returns its id, or None when the current run is unfinished
    (the caller joins it as a worker instead). `settings` are the worker's (worker_settings(args)
    with NIANBAO_WORKER_ID when not given). Raises SitesError/ValueError on bad input."""
    from scrapy.crawler import Crawler
    from scrapy_redis.dupefilter import RFPDupeFilter

    from crawler.sitesfile import load_sites
    from storage.store import site_id_for

    sites = load_sites(args.sites)
    years = parse_years(args.years)
    shared = rs.Shared(server, worker_id)
    if not server.set(rs.PREFIX + "seeding", worker_id, nx=True, ex=600):
        log.warning("another seeder is at work: joining its run")
        return None
    try:
        def state() -> tuple[dict, list[str]]:
            p = shared.progress()
            return p, [w for w in p["workers"] if w != worker_id]

        p, others = state()
        deadline = time.monotonic() + 60
        while (p["run"] and not p["finished"] and p["ingester"] and not others
               and not (p["queued"] or p["in_flight"] or p["items"]) and time.monotonic() < deadline):
            time.sleep(0.5)   # the ingester is about to write the finished run's row: let it
            p, others = state()
        if p["run"] and not p["finished"] and (p["queued"] or p["in_flight"] or p["items"] or others
                                               or p["ingester"]):
            log.warning("run %s is unfinished (%d queued, %d in flight, %d items to store, %d other workers): "
                        "joining it instead of seeding", p["run"], p["queued"], p["in_flight"], p["items"],
                        len(others))
            return None
        for s in sites:
            s["id"] = site_id_for(s["url"])
        run_id = run_id_stamp() + "-" + uuid.uuid4().hex[:6]
        stale = list(rs.RUN_KEYS) + [rs.RUN] + list(server.scan_iter(rs.PREFIX + "known:*"))
        server.delete(*stale)   # a new run: its own fingerprints, so list pages are fetched again
        server.hset(rs.RUN, mapping={
            "id": run_id, "mode": args.mode, "years": f"{years[0]}-{years[1]}" if years else "",
            "revalidate": "1" if args.revalidate else "0",
            "rediscover": "1" if getattr(args, "rediscover", False) else "0", "sites": json.dumps(sites, ensure_ascii=False),
            "seeded": "0", "seeder": worker_id, "finished": "0", "started_at": now()})

        if settings is None:
            settings = worker_settings(args)
            settings.set("NIANBAO_WORKER_ID", worker_id, priority="cmdline")
        # a worker spider on a crawler of its own that never runs: it takes the run just written
        # (sites, options, its ledger) from Redis; its start requests are the run's
        spider = WorkerSpider.from_crawler(Crawler(WorkerSpider, settings))
        spider.store = _stored_state(args.db)
        try:
            pipe = server.pipeline(transaction=False)
            for s in sites:
                known = spider.store.known_urls(s["id"])
                if known:
                    pipe.sadd(rs.known_key(s["id"]), *sorted(known))
            pipe.execute()
            queue = rs.AckPriorityQueue(server, spider, rs.REQUESTS)
            seen = RFPDupeFilter(server, rs.DUPEFILTER)
            n = 0
            for request in spider.start_requests_for_sites():
                if request.dont_filter or not seen.request_seen(request):
                    queue.push(request)
                    n += 1
        finally:
            spider.store.close()
        server.hset(rs.RUN, "seeded", "1")
        log.info("seeded run %s: %d sites, %d start requests (%s)", run_id, len(sites), n, args.mode)
        return run_id
    finally:
        server.delete(rs.PREFIX + "seeding")
