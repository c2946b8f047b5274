"""Scale-out (crawler.scaleout, one module per role): `nianbao crawl --redis URL [--seed]` (a worker) and `nianbao ingest --redis URL --db PATH`
(the one writer), on scrapy-redis.

- The seeder (`--seed`, run beside the database) starts a run: it mirrors what a nightly needs from
  the database (known report URLs and judged pages per site; remembered columns and their
  validators go into the start requests) and pushes the start requests through the shared
  duplicate filter into the shared queue. Then it works like any other worker.
- A worker takes the sites and options of the run from Redis, crawls with the scrapy-redis
  scheduler (crawler/settings/worker.py), acknowledges each request once its response or failure
  has been handled (crawler.scaleout.redis_state.AckPriorityQueue), parses reports and ships every item
  with its raw bytes to a Redis list. It exits when nothing is queued or in flight anywhere for
  MAX_IDLE_TIME_BEFORE_CLOSE seconds.
- The ingester moves items to a processing list, stores them with StorePipeline (the code a
  single-process crawl uses) and drops them only after the SQLite commit; it writes the run row
  and the sites' outcome when the run is complete, and exits after --idle-timeout seconds with
  no item and no live worker.

Modules: `redis_state` (key names, the acknowledged queue, heartbeats, the run descriptor),
`wire` (items as JSON on a Redis list), `worker` (the worker's Scrapy components), `seeder`,
`ingester`, `commands` (the `nianbao crawl --redis` and `nianbao ingest` entry points).
"""
