"""What a distributed crawl shares in Redis: key names, the acknowledged request queue, worker
heartbeats and the run descriptor. The other modules of crawler.scaleout build the roles on it.

Keys (one crawl per Redis database: redis://HOST:PORT/N; every key starts with `nianbao:`):

  run                   hash: id, mode, years, revalidate, sites (JSON), seeded, seeder, finished, db_run_id
  requests              zset: the scrapy-redis priority queue (member: pickled request, score: -priority)
  dupefilter            set: request fingerprints of this run (scrapy-redis RFPDupeFilter)
  workers               set: worker ids; `alive:<id>` is a key with a TTL the worker keeps refreshing
  processing:<id>       hash: ack id -> "score\\nrequest", what the worker popped and has not finished
  ackseq                counter for ack ids
  items, items:ingesting  lists: shipped items (JSON), and the ones `nianbao ingest` is storing
  known:<site id>       set: URLs that need no fetch (stored reports, judged pages), mirrored from the DB
  blocked, listed, list_pages, outcome, reason   per-site crawl state every worker shares
  stats, counts         hashes: workers' download counters, the ingester's outcome counters
  ingester              key with a TTL while `nianbao ingest` runs
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from typing import Any

from scrapy_redis.queue import PriorityQueue

log = logging.getLogger(__name__)

PREFIX = "nianbao:"
RUN = PREFIX + "run"
REQUESTS = PREFIX + "requests"
DUPEFILTER = PREFIX + "dupefilter"
WORKERS = PREFIX + "workers"
ACKSEQ = PREFIX + "ackseq"
ITEMS = PREFIX + "items"
INGESTING = PREFIX + "items:ingesting"
BLOCKED = PREFIX + "blocked"
LISTED = PREFIX + "listed"
LIST_PAGES = PREFIX + "list_pages"
OUTCOME = PREFIX + "outcome"
REASON = PREFIX + "reason"
STATS = PREFIX + "stats"
COUNTS = PREFIX + "counts"
INGESTER = PREFIX + "ingester"
# cleared when a new run is seeded (with known:*)
RUN_KEYS = (REQUESTS, DUPEFILTER, BLOCKED, LISTED, LIST_PAGES, OUTCOME, REASON, STATS, COUNTS)

ACK = "_nianbao_ack"   # request.meta key: the id of the request's entry in its worker's processing hash


def alive_key(worker: str) -> str:
    return f"{PREFIX}alive:{worker}"


def processing_key(worker: str) -> str:
    return f"{PREFIX}processing:{worker}"


def known_key(site_id: str) -> str:
    return f"{PREFIX}known:{site_id}"


def text(v: Any) -> str | None:
    return v.decode("utf-8") if isinstance(v, bytes) else v


# Pop the highest-priority request and park it in the worker's processing hash, in one step: a
# worker killed right after the pop still has the request on record. Returns the run id too, so
# a worker notices a new run before it handles the run's first request.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, r[2] .. '\\n' .. r[1])
redis.call('SADD', KEYS[4], ARGV[1])
return {tostring(id), r[1], redis.call('HGET', KEYS[5], 'id') or ''}
"""

_REQUEUE = """
local function requeue(h)
  local n = 0
  for _, e in ipairs(redis.call('HVALS', h)) do
    local nl = string.find(e, '\\n', 1, true)
    redis.call('ZADD', KEYS[2], string.sub(e, 1, nl - 1), string.sub(e, nl + 1))
    n = n + 1
  end
  redis.call('DEL', h)
  return n
end
"""

# Put back the entries of every worker whose heartbeat expired (straight into the queue: the
# dupefilter has seen them already). Checked and moved inside one script, so two reapers never
# requeue the same entry twice.
_REAP = _REQUEUE + """
local moved = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. w) == 0 then
    moved = moved + requeue(ARGV[1] .. 'processing:' .. w)
    redis.call('SREM', KEYS[1], w)
  end
end
return moved
"""

# A worker leaving (closed with requests in flight) hands its entries back itself.
_RELEASE = _REQUEUE + "return requeue(KEYS[1])"


class Shared:
    """One process's handle on the shared crawl: heartbeats, acks, reaping, progress."""

    def __init__(self, server, worker: str | None = None) -> None:
        self.server = server
        self.worker = worker
        self._reap = server.register_script(_REAP)
        self._release = server.register_script(_RELEASE)

    def ack(self, ack_id: str | None) -> None:
        if ack_id and self.worker:
            self.server.hdel(processing_key(self.worker), ack_id)

    def beat(self, ttl: float) -> None:
        """Announce the worker alive for `ttl` seconds (registered before it pops anything)."""
        pipe = self.server.pipeline()
        pipe.sadd(WORKERS, self.worker)
        pipe.set(alive_key(self.worker), "1", px=int(ttl * 1000))
        pipe.execute()

    def leave(self) -> int:
        """Requeue what this worker still holds and deregister; returns how many it gave back."""
        n = self._release(keys=[processing_key(self.worker), REQUESTS])
        pipe = self.server.pipeline()
        pipe.delete(alive_key(self.worker))
        pipe.srem(WORKERS, self.worker)
        pipe.execute()
        return int(n or 0)

    def reap(self) -> int:
        """Requeue the in-flight requests of dead workers; returns how many."""
        n = int(self._reap(keys=[WORKERS, REQUESTS], args=[PREFIX]) or 0)
        if n:
            log.warning("requeued %d in-flight requests of workers that stopped answering", n)
        return n

    def progress(self) -> dict:
        """Queued requests, in-flight requests (live workers, and dead ones not reaped yet), items
        waiting for the ingester, live workers, whether the run is seeded and finished."""
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(REQUESTS)
        pipe.smembers(WORKERS)
        pipe.llen(ITEMS)
        pipe.llen(INGESTING)
        pipe.hmget(RUN, ["id", "seeded", "seeder", "finished"])
        pipe.exists(INGESTER)
        queued, workers, items, ingesting, run, ingester = pipe.execute()
        workers = sorted(text(w) for w in workers)
        pipe = self.server.pipeline(transaction=False)
        for w in workers:
            pipe.hlen(processing_key(w))
            pipe.exists(alive_key(w))
        res = pipe.execute()
        held = dict(zip(workers, res[0::2]))
        alive = [w for w, a in zip(workers, res[1::2]) if a]
        run_id, seeded, seeder, finished = (text(v) for v in run)
        seeding = bool(run_id) and seeded != "1" and bool(seeder) and seeder in alive
        return {"queued": queued, "in_flight": sum(held.values()), "held": held, "items": items + ingesting,
                "workers": alive, "ingester": bool(ingester), "run": run_id, "seeding": seeding,
                "finished": finished == "1"}


def read_run(server) -> dict | None:
    """The run descriptor, sites decoded; None before anything was seeded."""
    raw = {text(k): text(v) for k, v in server.hgetall(RUN).items()}
    if not raw.get("id"):
        return None
    raw["sites"] = json.loads(raw.get("sites") or "[]")
    raw["revalidate"] = raw.get("revalidate") == "1"
    raw["rediscover"] = raw.get("rediscover") == "1"
    return raw


class Heartbeat(threading.Thread):
    """Keeps a key alive from a thread of its own, so a long parse holding the reactor does not
    make a worker look dead (which would requeue its requests and fetch them twice)."""

    def __init__(self, beat, interval: float) -> None:
        super().__init__(name="nianbao-heartbeat", daemon=True)
        self.beat, self.interval = beat, interval
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            try:
                self.beat()
            except Exception as e:  # noqa: BLE001 - Redis away for a moment: try again next beat
                log.warning("heartbeat failed: %s", e)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=5)


class AckPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue with acknowledgements: a popped request stays in the worker's
    processing hash until its response or failure has been handled (crawler.scaleout.worker.AckMiddleware
    acks it), so a killed worker's requests are requeued by whoever notices its heartbeat expired.

    A request pushed while it carries an ack id (a retry or redirect of a popped request) replaces
    that entry in the same transaction: the follow-up is queued before the original is let go.

    Equal priorities are ordered at random, not by the pickled bytes (that is, by URL): a worker
    popping a batch then gets many hosts rather than one host's pages, which per-host politeness
    would serialise (and which several workers would all be sent to at once)."""

    def __init__(self, server, spider, key, serializer=None) -> None:
        super().__init__(server, spider, key, serializer)
        self.worker = spider.worker_id     # a crawler.scaleout.worker.WorkerSpider
        if not self.worker:
            raise ValueError("AckPriorityQueue needs a worker id (NIANBAO_WORKER_ID)")
        self.processing = processing_key(self.worker)
        self._pop = server.register_script(_POP)

    def _encode_request(self, request) -> bytes:
        obj = request.to_dict(spider=self.spider)
        obj["meta"] = {k: v for k, v in obj["meta"].items() if k != ACK}
        return self.serializer.dumps(obj)

    def push(self, request) -> None:
        pipe = self.server.pipeline()   # MULTI/EXEC
        pipe.zadd(self.key, {self._encode_request(request): -request.priority + random.random() * 0.5})
        if request.meta.get(ACK):
            pipe.hdel(self.processing, request.meta[ACK])
        pipe.execute()

    def pop(self, timeout: int = 0):
        res = self._pop(keys=[self.key, self.processing, ACKSEQ, WORKERS, RUN], args=[self.worker])
        if not res:
            return None
        ack_id, data, run_id = (text(x) if i != 1 else x for i, x in enumerate(res))
        self.spider.follow_run(run_id)
        request = self._decode_request(data)
        request.meta[ACK] = ack_id
        return request


class SharedSet:
    """A set kept in Redis, read through a local copy refreshed every `refresh` seconds (the hosts
    that answered with a challenge: one worker's discovery blocks the host for all). Asked before
    every request, so not a round trip each time; a second late only means one more challenge."""

    def __init__(self, server, key: str, refresh: float = 2.0) -> None:
        self.server, self.key, self.refresh = server, key, refresh
        self.local: set[str] = set()
        self.read_at = float("-inf")

    def __contains__(self, value: str) -> bool:
        if time.monotonic() - self.read_at >= self.refresh:
            self.local |= {text(v) for v in self.server.smembers(self.key)}
            self.read_at = time.monotonic()
        return value in self.local

    def add(self, value: str) -> None:
        self.local.add(value)
        self.server.sadd(self.key, value)
