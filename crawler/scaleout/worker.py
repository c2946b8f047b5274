"""The worker's Scrapy components: the reports spider as one worker of a shared crawl, the
middleware that acknowledges each request once its output is handed on, the pipeline that ships
parsed items to Redis, and the extension that keeps a worker open while the shared crawl has work."""
from __future__ import annotations

import argparse
import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request

from crawler.items import CrawlItem
from crawler.pipelines import parse_report
from crawler.runtime import build_settings
from crawler.scaleout import redis_state as rs
from crawler.scaleout.ledger import RedisLedger
from crawler.scaleout.wire import encode_item
from crawler.spiders.reports import ReportsSpider

log = logging.getLogger(__name__)

# what workers add up in Redis for the run row (the rest of the summary is the ingester's)
SHARED_STATS = ("downloader/request_count", "downloader/response_bytes", "nianbao/revalidated_unchanged")


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
        self.store = None
        run = rs.read_run(self.server)
        if run is None:
            raise ValueError("nothing seeded in Redis (start one worker with --seed)")
        self.use_run(run)

    def use_run(self, run: dict) -> None:
        """Take the sites and options of a run (again when a worker outlives one run into the next)."""
        self.known: dict[str, set[str]] = {}
        self.use_ledger(RedisLedger(self.server, run))

    def follow_run(self, run_id: str | None) -> None:
        """Called by the queue with the run id of each popped request."""
        if run_id and run_id != self.ledger.run_id:
            run = rs.read_run(self.server)
            if run is not None:
                log.info("joining run %s", run["id"])
                self.use_run(run)

    async def start(self):
        """Nothing: the seeder pushed the run's start requests into the shared queue."""
        return
        yield

    def _known(self, site_id: str) -> set[str]:
        """The seeder's mirror of what the database knows for the site."""
        if site_id not in self.known:
            self.known[site_id] = {rs.text(u) for u in self.server.smembers(rs.known_key(site_id))}
        return self.known[site_id]

    def _dropped(self, request: Request, spider=None) -> None:
        # a redirect or retry the duplicate filter refused: the request it replaces is done
        self.shared.ack(request.meta.get(rs.ACK))

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
        from scrapy_redis.connection import get_redis_from_settings

        self.crawler = crawler
        self.shared = rs.Shared(get_redis_from_settings(crawler.settings), crawler.settings.get("NIANBAO_WORKER_ID"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _ack(self, response) -> None:
        request = getattr(response, "request", None)
        if request is not None:
            self.shared.ack(request.meta.get(rs.ACK))

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


def worker_settings(args: argparse.Namespace):
    """Project settings (+ production if selected) with the worker overlay; `-s` still wins."""
    from crawler.settings import worker as overlay

    settings = build_settings(args)
    for name in (n for n in dir(overlay) if n.isupper()):
        value = getattr(overlay, name)
        if name in ("ITEM_PIPELINES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "DOWNLOADER_MIDDLEWARES"):
            value = {**settings.getdict(name), **value}
        settings.set(name, value, priority="project")
    settings.set("REDIS_URL", args.redis, priority="cmdline")
    return settings
