"""Scale-out: `nianbao crawl --redis URL [--seed]` (a worker) and `nianbao ingest --redis URL --db PATH`
(the one writer), on scrapy-redis.

- The seeder (`--seed`, run beside the database) starts a run: it mirrors what a nightly needs from
  the database (known report URLs and judged pages per site; remembered columns and their
  validators go into the start requests) and pushes the start requests through the shared
  duplicate filter into the shared queue. Then it works like any other worker.
- A worker takes the sites and options of the run from Redis, crawls with the scrapy-redis
  scheduler (crawler/settings/worker.py), acknowledges each request once its response or failure
  has been handled (crawler.redis_state.AckPriorityQueue), parses reports and ships every item
  with its raw bytes to a Redis list. It exits when nothing is queued or in flight anywhere for
  MAX_IDLE_TIME_BEFORE_CLOSE seconds.
- The ingester moves items to a processing list, stores them with StorePipeline (the code a
  single-process crawl uses) and drops them only after the SQLite commit; it writes the run row
  and the sites' outcome when the run is complete, and exits after --idle-timeout seconds with
  no item and no live worker.
"""
from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import socket
import sys
import time
import uuid

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request

from crawler import redis_state as rs
from crawler.items import CrawlItem
from crawler.ledger import RunLedger
from crawler.pipelines import StorePipeline, parse_report
from crawler.spiders.reports import ReportsSpider, parse_years

log = logging.getLogger(__name__)

# what workers add up in Redis for the run row (the rest of the summary is the ingester's)
SHARED_STATS = ("downloader/request_count", "downloader/response_bytes", "nianbao/revalidated_unchanged")
COUNT_KEYS = ("new", "changed", "unchanged", "parse_failures", "identity_failures", "not_reports",
              "image_only", "failed_pages", "blocked_pages", "reports_found")


def redis_from_url(url: str):
    from scrapy_redis.connection import get_redis

    return get_redis(url=url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)


# --- items on the wire -------------------------------------------------------------------

def encode_item(item: CrawlItem, report: dict | None) -> bytes:
    """JSON with the body in base64: any worker, any Python, and readable with redis-cli."""
    fields = dict(item)
    if fields.get("body") is not None:
        fields["body"] = base64.b64encode(bytes(fields["body"])).decode("ascii")
    if fields.get("images"):     # a 图片版 page's pictures, kept by the ingester for reparse
        fields["images"] = [base64.b64encode(bytes(b)).decode("ascii") for b in fields["images"]]
    try:
        return json.dumps({"item": fields, "report": report}, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        # a parse result JSON cannot carry: ship the bytes only, the ingester parses them itself
        log.warning("parse of %s not serialisable; shipped for the ingester to parse", item.get("url"))
        return json.dumps({"item": fields, "report": None}, ensure_ascii=False).encode("utf-8")


def decode_item(raw: bytes) -> tuple[CrawlItem, dict | None]:
    data = json.loads(raw)
    fields = data["item"]
    if fields.get("body") is not None:
        fields["body"] = base64.b64decode(fields["body"])
    if fields.get("images"):
        fields["images"] = [base64.b64decode(b) for b in fields["images"]]
    return CrawlItem(**fields), data.get("report")


# --- the worker's Scrapy components ------------------------------------------------------------

async def _emit(crawler, output, response) -> None:
    """What Scrapy's scraper does with one callback output, awaited to the end."""
    if isinstance(output, Request):
        crawler.engine.crawl(output)          # -> scheduler -> dupefilter + shared queue
    elif output is not None:
        await crawler.engine.scraper.start_itemproc_async(output, response=response)


class WorkerSpider(ReportsSpider):
    """The reports spider as a worker of a shared crawl: sites and options come from the run in
    Redis, per-site state (list pages seen, blocked hosts, outcome) is shared there, known URLs are
    the seeder's mirror of the database. Nothing here opens SQLite."""
    track_unfinished = False   # the acknowledged queue recovers a killed worker's requests

    def _setup(self, settings) -> None:
        from scrapy_redis.connection import get_redis_from_settings

        self._limits(settings)
        self.server = get_redis_from_settings(settings)
        self.worker_id = settings.get("NIANBAO_WORKER_ID")
        self.shared = rs.Shared(self.server, self.worker_id)
        self.store = self.state = None
        self.errors = 0
        self.run_id = None
        run = rs.read_run(self.server)
        if run is None:
            raise ValueError("nothing seeded in Redis (start one worker with --seed)")
        self.use_run(run)

    def use_run(self, run: dict) -> None:
        """Take the sites and options of a run (again when a worker outlives one run into the next)."""
        self.run_id = run["id"]
        self.mode = run["mode"]
        self.years = parse_years(run.get("years") or None)
        self.revalidate = bool(run["revalidate"])
        self.sites = run["sites"]
        self._hosts(self.sites)
        self.blocked_netlocs = rs.SharedSet(self.server, rs.BLOCKED)
        self.by_id = {s["id"]: s for s in self.sites}
        self.known: dict[str, set[str]] = {}
        self._listed_here: set[str] = set()
        # the base spider's per-process tallies: catalogue pages visited here (the shared
        # duplicate filter is the cross-worker guard); outcomes are the ingester's to decide
        self.ledger = RunLedger(self.by_id)

    def follow_run(self, run_id: str | None) -> None:
        """Called by the queue with the run id of each popped request."""
        if run_id and run_id != self.run_id:
            run = rs.read_run(self.server)
            if run is not None:
                log.info("joining run %s", run["id"])
                self.use_run(run)

    async def start(self):
        """Nothing: the seeder pushed the run's start requests into the shared queue."""
        return
        yield

    # shared per-site state ------------------------------------------------------------------
    def _known(self, site_id: str) -> set[str]:
        if site_id not in self.known:
            self.known[site_id] = {rs.text(u) for u in self.server.smembers(rs.known_key(site_id))}
        return self.known[site_id]

    def _count_listed(self, site_id: str) -> None:
        if site_id not in self._listed_here:
            self._listed_here.add(site_id)
            self.server.sadd(rs.LISTED, site_id)

    def _count_list_page(self, site_id: str) -> int:
        """The per-site page budget, shared by every worker."""
        return int(self.server.hincrby(rs.LIST_PAGES, site_id, 1))

    def _site_problem(self, site_id: str, status: str, reason: str) -> None:
        pipe = self.server.pipeline()
        if status == "blocked":
            pipe.hset(rs.OUTCOME, site_id, "blocked")
        pipe.hsetnx(rs.REASON, site_id, reason)
        pipe.execute()

    def _settle(self, site_id: str) -> None:
        """A site's requests are spread over workers: its outcome is decided by the ingester at the end."""

    def _dropped(self, request: Request, spider=None) -> None:
        # a redirect or retry the duplicate filter refused: the request it replaces is done
        self.shared.ack(request.meta.get(rs.ACK))

    def _closed(self, spider=None, reason=None) -> None:
        pass

    # download failures reach the errback without passing the spider middlewares: this one
    # handles its items itself and then acks (AckMiddleware does it for everything else)
    async def on_error(self, failure):
        for output in super().on_error(failure):
            await _emit(self.crawler, output, failure)
        self.shared.ack(failure.request.meta.get(rs.ACK))
        return
        yield  # an async generator, like the callbacks' output


class AckMiddleware:
    """Spider middleware (lowest order, so it sees the final output): hands every output of a
    callback on and waits for it (requests in the shared queue, items shipped), then acknowledges
    the request. Acking earlier would let a worker killed in between lose the items."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _ack(self, response) -> None:
        request = getattr(response, "request", None)
        if request is not None:
            self.crawler.spider.shared.ack(request.meta.get(rs.ACK))

    async def process_spider_output(self, response, result):
        try:
            async for output in result:
                await _emit(self.crawler, output, response)
        except Exception:
            self._ack(response)   # the spider error is logged by Scrapy; the request is done
            raise
        self._ack(response)
        return
        yield


class ShipPipeline:
    """The worker's end of the one-writer store: parse reports here (CPU is what scales) and push
    every item, raw bytes included, to Redis for `nianbao ingest`."""

    def __init__(self, server, stats) -> None:
        self.server, self.stats = server, stats

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy_redis.connection import get_redis_from_settings

        return cls(get_redis_from_settings(crawler.settings), crawler.stats)

    def process_item(self, item: CrawlItem, spider=None) -> CrawlItem:
        report = parse_report(item) if item["kind"] == "report" else None
        self.server.lpush(rs.ITEMS, encode_item(item, report))
        self.stats.inc_value("nianbao/shipped")
        return item


class WorkerExtension:
    """Keeps a worker open while the shared crawl has work (queued anywhere, or in flight at another
    worker, whose output may queue more), closes it after MAX_IDLE_TIME_BEFORE_CLOSE seconds
    without, and adds its download counters to the run's."""

    def __init__(self, crawler) -> None:
        from scrapy_redis.connection import get_redis_from_settings

        s = crawler.settings
        self.crawler = crawler
        self.shared = rs.Shared(get_redis_from_settings(s), s.get("NIANBAO_WORKER_ID"))
        self.max_idle = s.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 30)
        self.poll = s.getfloat("NIANBAO_IDLE_POLL", 0.5)
        self.idle_since: float | None = None
        self.pushed: dict[str, int] = {}
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NIANBAO_WORKER_ID"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider=None) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.push_stats)
        self.loop.start(5.0, now=False)

    def push_stats(self) -> None:
        stats = self.crawler.stats
        pipe = self.shared.server.pipeline()
        for key in SHARED_STATS:
            value = stats.get_value(key, 0)
            if value != self.pushed.get(key, 0):
                pipe.hincrby(rs.STATS, key, value - self.pushed.get(key, 0))
                self.pushed[key] = value
        pipe.execute()

    def idle(self, spider=None) -> None:
        self.push_stats()
        p = self.shared.progress()
        own = p["held"].get(self.shared.worker, 0)
        if own:
            # idle means nothing is in flight here: an entry left over was never acked (a path
            # that dropped a request silently); requeue it rather than lose it
            log.warning("%d unacknowledged requests held while idle: requeued", own)
            self.shared.leave()
            self.shared.beat(self.crawler.settings.getfloat("NIANBAO_WORKER_TTL", 30))
        busy = p["queued"] or p["in_flight"] - own or p["seeding"]
        now = time.monotonic()
        if busy:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = now
        if self.idle_since is not None and now - self.idle_since >= self.max_idle:
            return   # nothing anywhere for long enough: let the spider close
        # look again soon (the engine's own heartbeat is 5 s); degrade to it if Scrapy changes
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule(self.poll)
        raise DontCloseSpider

    def closed(self, spider=None, reason=None) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.push_stats()


# --- seeding -------------------------------------------------------------------------------

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
    """(state, store): the database read-only, as one Store (it holds the crawl state too): the
    seeder runs beside a live ingester, the one writer."""
    from storage import Store

    if not os.path.exists(path):
        return _NoState(), _NoState()
    store = Store.open_readonly(path)
    if not store.has_tables("reports", "pages", "crawl_state"):   # being created right now: nothing stored yet
        store.close()
        return _NoState(), _NoState()
    return store, store


def seed(server, args: argparse.Namespace, worker_id: str) -> str | None:
    """Start a run from the sites file: returns its id, or None when the current run is unfinished
    (the caller joins it as a worker instead). Raises SitesError/ValueError on bad input."""
    from scrapy_redis.dupefilter import RFPDupeFilter

    from crawler.sitesfile import load_sites
    from storage.store import now, site_id_for

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
        run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        stale = list(rs.RUN_KEYS) + [rs.RUN] + list(server.scan_iter(rs.PREFIX + "known:*"))
        server.delete(*stale)   # a new run: its own fingerprints, so list pages are fetched again
        server.hset(rs.RUN, mapping={
            "id": run_id, "mode": args.mode, "years": f"{years[0]}-{years[1]}" if years else "",
            "revalidate": "1" if args.revalidate else "0", "sites": json.dumps(sites, ensure_ascii=False),
            "seeded": "0", "seeder": worker_id, "finished": "0", "started_at": now()})

        from scrapy.settings import Settings

        spider = WorkerSpider(sites=args.sites, mode=args.mode, years=args.years)
        spider.mode, spider.years, spider.revalidate, spider.sites = args.mode, years, bool(args.revalidate), sites
        spider.rediscover = bool(getattr(args, "rediscover", False))
        spider._limits(Settings(dict(pair.split("=", 1) for pair in getattr(args, "set", None) or [] if "=" in pair)))
        spider._hosts(sites)
        spider.by_id = {s["id"]: s for s in sites}
        spider.ledger = RunLedger(spider.by_id)
        spider.server = server
        spider.worker_id = worker_id
        spider.state, spider.store = _stored_state(args.db)
        try:
            pipe = server.pipeline(transaction=False)
            for s in sites:
                known = spider.state.known_urls(s["id"])
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
            spider.state.close()
        server.hset(rs.RUN, "seeded", "1")
        log.info("seeded run %s: %d sites, %d start requests (%s)", run_id, len(sites), n, args.mode)
        return run_id
    finally:
        server.delete(rs.PREFIX + "seeding")


# --- `nianbao crawl --redis URL` -------------------------------------------------------------

def worker_settings(args: argparse.Namespace):
    """Project settings (+ production if selected) with the worker overlay; `-s` still wins."""
    from crawler.run import build_settings
    from crawler.settings import worker

    settings = build_settings(args)
    for name in (n for n in dir(worker) if n.isupper()):
        value = getattr(worker, name)
        if name in ("ITEM_PIPELINES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "DOWNLOADER_MIDDLEWARES"):
            value = {**settings.getdict(name), **value}
        settings.set(name, value, priority="project")
    settings.set("REDIS_URL", args.redis, priority="cmdline")
    return settings


def run_worker(args: argparse.Namespace) -> int:
    from crawler.run import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _err
    from crawler.sitesfile import SitesError

    try:
        settings = worker_settings(args)
    except ValueError as e:
        _err(str(e))
        return EXIT_USAGE
    worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:4]}"
    settings.set("NIANBAO_WORKER_ID", worker_id, priority="cmdline")
    try:
        server = redis_from_url(args.redis)
        server.ping()
    except Exception as e:  # noqa: BLE001 - bad URL or nobody listening: say which
        _err(f"cannot use Redis at {args.redis}: {e}")
        return EXIT_FAILED
    shared = rs.Shared(server, worker_id)
    ttl = settings.getfloat("NIANBAO_WORKER_TTL", 30)
    shared.beat(ttl)   # registered before anything is popped, so a crash is always noticed
    heart = rs.Heartbeat(lambda: (shared.beat(ttl), shared.reap()), settings.getfloat("NIANBAO_HEARTBEAT", 5))
    heart.start()
    try:
        if args.seed:
            try:
                seed(server, args, worker_id)
            except (SitesError, ValueError) as e:
                _err(f"bad sites file: {e}" if isinstance(e, SitesError) else str(e))
                return EXIT_USAGE
        elif args.sites:
            log.warning("--sites is read by the seeder only (crawl --redis ... --seed); ignored")
        # wait for a seeded run (a worker may start before the seeder)
        deadline = time.monotonic() + settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 30)
        while True:
            p = shared.progress()
            if p["run"] and not p["seeding"] and (server.hget(rs.RUN, "seeded") == b"1"):
                break
            if time.monotonic() > deadline:
                print(f"worker {worker_id}: nothing seeded in {args.redis}; exiting")
                return EXIT_OK
            time.sleep(0.5)

        from scrapy.crawler import CrawlerProcess

        process = CrawlerProcess(settings)
        crawler = process.create_crawler(WorkerSpider)
        process.crawl(crawler)
        process.start()
        stats = crawler.stats.get_stats()
        reason = stats.get("finish_reason")
        print(f"worker {worker_id}: {stats.get('downloader/request_count', 0)} requests, "
              f"{stats.get('nianbao/shipped', 0)} items shipped ({reason})")
        if reason not in ("finished", "shutdown", None):
            _err(f"worker ended early: {reason}")
            return EXIT_FAILED
        return EXIT_OK
    finally:
        heart.stop()
        handed = shared.leave()
        if handed:
            print(f"worker {worker_id}: handed {handed} unfinished requests back to the queue", file=sys.stderr)


# --- `nianbao ingest --redis URL --db PATH` -------------------------------------------------------

class Ingester:
    """Stores what the workers ship, through StorePipeline, one item at a time; an item leaves
    Redis only after its SQLite commit (a killed ingester stores it again: storing is idempotent)."""

    def __init__(self, server, db: str, url: str = "URL") -> None:
        self.server, self.url = server, url
        self.shared = rs.Shared(server)
        self.db = db
        self.pipeline = StorePipeline(crawler=None)
        self.pipeline.open_store(db)
        self.store = self.pipeline.store
        self.run: dict | None = None
        self.summary: dict | None = None
        self.stored = 0

    def close(self) -> None:
        self.pipeline.close_store()

    def bind(self) -> dict | None:
        """Follow the current run: its sites rows and its runs row are written once."""
        run_id = rs.text(self.server.hget(rs.RUN, "id"))
        if not run_id:
            return None
        if self.run is None or self.run["id"] != run_id:
            run = rs.read_run(self.server)
            if run is None:
                return None
            self.store.upsert_sites([{k: v for k, v in s.items() if k not in ("id", "netloc")} for s in run["sites"]])
            if not run.get("db_run_id"):
                db_run_id = self.store.start_run(run["mode"], sites=len(run["sites"]), years=run.get("years") or None,
                                                 revalidate=bool(run["revalidate"]))
                if not self.server.hsetnx(rs.RUN, "db_run_id", db_run_id):
                    log.warning("run %s already had a runs row", run_id)
                run["db_run_id"] = rs.text(self.server.hget(rs.RUN, "db_run_id"))
            self.pipeline.years = parse_years(run.get("years") or None)
            self.run = run
            log.info("ingesting run %s (runs row %s)", run_id, run["db_run_id"])
        return self.run

    def store_one(self, raw: bytes) -> None:
        try:
            item, report = decode_item(raw)
            before = dict(self.pipeline.counts)
            self.pipeline.store_item(item, report)
        except Exception:  # noqa: BLE001 - one bad item must not stop the writer (nor come back forever)
            log.exception("cannot store an item; kept in %s", rs.INGESTING + ":failed")
            tx = self.server.pipeline()
            tx.lpush(rs.INGESTING + ":failed", raw)
            tx.lrem(rs.INGESTING, 1, raw)
            tx.execute()
            return
        tx = self.server.pipeline()   # counters and the ack in one transaction
        for k, v in self.pipeline.counts.items():
            if v != before.get(k, 0):
                tx.hincrby(rs.COUNTS, k, v - before.get(k, 0))
        tx.lrem(rs.INGESTING, 1, raw)
        tx.execute()
        self.stored += 1

    def finish(self) -> dict:
        """The run is complete: the sites' outcome and the runs row, as a single-process crawl writes them."""
        run = self.run
        outcome = {rs.text(k): rs.text(v) for k, v in self.server.hgetall(rs.OUTCOME).items()}
        listed = {rs.text(s) for s in self.server.smembers(rs.LISTED)}
        reasons = {rs.text(k): rs.text(v) for k, v in self.server.hgetall(rs.REASON).items()}
        for s in run["sites"]:
            if s["id"] not in listed and s["id"] not in outcome:
                outcome[s["id"]] = "failed"   # not one list page: as the single-process spider decides
        counts = {rs.text(k): int(v) for k, v in self.server.hgetall(rs.COUNTS).items()}
        stats = {rs.text(k): int(v) for k, v in self.server.hgetall(rs.STATS).items()}
        failed = sum(1 for v in outcome.values() if v == "failed")
        blocked = sum(1 for v in outcome.values() if v == "blocked")
        summary = {k: counts.get(k, 0) for k in COUNT_KEYS}
        summary.update(sites_ok=len(run["sites"]) - failed - blocked, sites_failed=failed, sites_blocked=blocked,
                       requests=stats.get("downloader/request_count", 0), bytes=stats.get("downloader/response_bytes", 0),
                       status="finished")
        summary["unchanged"] += stats.get("nianbao/revalidated_unchanged", 0)
        ledger = RunLedger(s["id"] for s in run["sites"])
        for sid, o in outcome.items():
            ledger[sid].outcome = o
        for sid, r in reasons.items():
            ledger[sid].reason = r
        self.pipeline.record_sites(run["sites"], ledger)
        self.store.finish_run(int(run["db_run_id"]), **summary)
        self.server.hset(rs.RUN, "finished", "1")
        years = run.get("years")
        summary["mode"] = run["mode"] + (f" {years}" if years else "") + (" +revalidate" if run["revalidate"] else "")
        log.info("run %s finished", run["id"])
        return summary

    def loop(self, idle_timeout: float) -> int:
        from crawler.run import EXIT_FAILED, EXIT_OK, _err, format_summary

        while self.server.lmove(rs.INGESTING, rs.ITEMS, "LEFT", "RIGHT"):
            pass   # a killed ingester's unfinished items go first, in their order
        last = time.monotonic()
        while True:
            run = self.bind()
            raw = self.server.blmove(rs.ITEMS, rs.INGESTING, 1, "RIGHT", "LEFT") if run else None
            if raw is not None:
                self.store_one(raw)
                last = time.monotonic()
                continue
            if run is None:
                time.sleep(0.5)
            p = self.shared.progress()
            complete = (run is not None and not p["seeding"] and not (p["queued"] or p["in_flight"] or p["items"])
                        and not p["workers"])
            if complete and not p["finished"]:
                self.summary = self.finish()
                print(format_summary(self.summary))
            if time.monotonic() - last >= idle_timeout and not p["workers"] and not p["items"]:
                break
        if run is not None and not (complete or p["finished"]):
            _err(f"run {run['id']} is unfinished ({p['queued']} requests queued, {p['in_flight']} in flight) "
                 f"and no worker is alive: start workers (nianbao crawl --redis {self.url}) and ingest again")
            return EXIT_FAILED
        if run is None:
            print("nianbao ingest: nothing was seeded; nothing to store")
        return EXIT_OK


def run_ingest(args: argparse.Namespace) -> int:
    from crawler.run import EXIT_FAILED, _err, claim_db

    try:
        server = redis_from_url(args.redis)
        server.ping()
    except Exception as e:  # noqa: BLE001
        _err(f"cannot use Redis at {args.redis}: {e}")
        return EXIT_FAILED
    lock, status = claim_db(args.db)
    if lock is None:
        return status
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    ttl = 30.0
    shared = rs.Shared(server)
    server.set(rs.INGESTER, str(os.getpid()), px=int(ttl * 1000))
    heart = rs.Heartbeat(lambda: (server.set(rs.INGESTER, str(os.getpid()), px=int(ttl * 1000)), shared.reap()), 5.0)
    heart.start()
    ingester = Ingester(server, args.db, args.redis)
    try:
        return ingester.loop(args.idle_timeout)
    finally:
        heart.stop()
        server.delete(rs.INGESTER)
        ingester.close()
        lock.release()
