"""Overlay for `nianbao crawl --redis URL`: the same crawl as one worker of a shared crawl.

crawler.scaleout.commands.run_worker applies it over the base or production settings (component dicts
are merged, `-s` still wins): scrapy-redis keeps the request queue and the duplicate filter in
Redis, requests are acknowledged once handled (a killed worker's are requeued), and items are
parsed here and shipped to Redis for `nianbao ingest`, the database's one writer.
"""
from crawler.scaleout.redis_state import DUPEFILTER, REQUESTS

SCHEDULER = "scrapy_redis.scheduler.Scheduler"
SCHEDULER_QUEUE_CLASS = "crawler.scaleout.redis_state.AckPriorityQueue"
SCHEDULER_QUEUE_KEY = REQUESTS
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
SCHEDULER_DUPEFILTER_KEY = DUPEFILTER
SCHEDULER_PERSIST = True              # queue and fingerprints belong to the crawl: a leaving worker keeps them
SCHEDULER_FLUSH_ON_START = False

MAX_IDLE_TIME_BEFORE_CLOSE = 30       # seconds with nothing queued or in flight anywhere before a worker exits
NIANBAO_WORKER_TTL = 30               # a worker silent this long is dead: its in-flight requests are requeued
NIANBAO_HEARTBEAT = 5                 # seconds between heartbeats (from a thread: a long parse does not stop them)
NIANBAO_IDLE_POLL = 0.5               # an idle worker looks at the shared queue this often

# merged into the base dicts (None switches a component off)
ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": None,          # no SQLite on a worker
    "crawler.scaleout.worker.ShipPipeline": 500,          # parse here, push to Redis
}
SPIDER_MIDDLEWARES = {"crawler.scaleout.worker.AckMiddleware": 10}   # lowest: sees the final output
EXTENSIONS = {
    "crawler.progress.Progress": None,                # N workers on one terminal would garble it
    "crawler.scaleout.worker.WorkerExtension": 500,
}
