"""Entry points of the scale-out roles: `nianbao crawl --redis URL [--seed]` (a worker, the
seeder first when asked) and `nianbao ingest --redis URL --db PATH` (the one writer)."""
from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
import uuid

from crawler.runtime import EXIT_FAILED, EXIT_OK, EXIT_USAGE, claim_db, error
from crawler.scaleout import redis_state as rs
from crawler.scaleout.ingester import Ingester
from crawler.scaleout.seeder import seed
from crawler.scaleout.worker import WorkerSpider, worker_settings

log = logging.getLogger(__name__)


def redis_from_url(url: str):
    from scrapy_redis.connection import get_redis

    return get_redis(url=url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)


def run_worker(args: argparse.Namespace) -> int:
    from crawler.sitesfile import SitesError

    try:
        settings = worker_settings(args)
    except ValueError as e:
        error(str(e))
        return EXIT_USAGE
    worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:4]}"
    settings.set("NIANBAO_WORKER_ID", worker_id, priority="cmdline")
    try:
        server = redis_from_url(args.redis)
        server.ping()
    except Exception as e:  # noqa: BLE001 - bad URL or nobody listening: say which
        error(f"cannot use Redis at {args.redis}: {e}")
        return EXIT_FAILED
    shared = rs.Shared(server, worker_id)
    ttl = settings.getfloat("NIANBAO_WORKER_TTL", 30)
    shared.beat(ttl)   # registered before anything is popped, so a crash is always noticed
    heart = rs.Heartbeat(lambda: (shared.beat(ttl), shared.reap()), settings.getfloat("NIANBAO_HEARTBEAT", 5))
    heart.start()
    try:
        if args.seed:
            try:
                seed(server, args, worker_id, settings)
            except (SitesError, ValueError) as e:
                error(f"bad sites file: {e}" if isinstance(e, SitesError) else str(e))
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
            error(f"worker ended early: {reason}")
            return EXIT_FAILED
        return EXIT_OK
    finally:
        heart.stop()
        handed = shared.leave()
        if handed:
            print(f"worker {worker_id}: handed {handed} unfinished requests back to the queue", file=sys.stderr)


def run_ingest(args: argparse.Namespace) -> int:
    try:
        server = redis_from_url(args.redis)
        server.ping()
    except Exception as e:  # noqa: BLE001
        error(f"cannot use Redis at {args.redis}: {e}", "ingest")
        return EXIT_FAILED
    lock, status = claim_db(args.db, "ingest")
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
