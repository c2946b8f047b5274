"""Scale-out on scrapy-redis: a real redis-server on loopback, workers (`nianbao crawl --redis`) and
the ingester (`nianbao ingest`) as subprocesses against the loopback fixture portal.

- two workers + the ingester end with the same database as a single-process crawl, and no page is
  fetched more often than the single-process crawl fetches it (the fixture server counts);
- a worker SIGKILLed mid-crawl loses nothing: its in-flight requests are requeued and fetched by
  the other worker, and only those are fetched twice;
- a distributed nightly skips what the database holds and fetches the column again (the
  duplicate filter is per run);
- the acknowledged queue itself: pop parks, ack removes, a dead worker's entries come back.
"""
from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portal import content as c  # noqa: E402
from tests.portal.families import _once, build_portal, write_sites  # noqa: E402
from tests.portal.server import Portal  # noqa: E402
from tests.test_crawl import FAST, crawl  # noqa: E402
from tests.test_crawl_nightly import SEEDS, TrsColumn, slow_column  # noqa: E402

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed "
                                "(apt-get install redis-server; scripts/test.sh installs it when run as root)")

# short timeouts so workers and the ingester notice the end (and a dead worker) quickly
SHORT = ["-s", "MAX_IDLE_TIME_BEFORE_CLOSE=2", "-s", "NIANBAO_WORKER_TTL=3", "-s", "NIANBAO_HEARTBEAT=0.5",
         "-s", "NIANBAO_IDLE_POLL=0.2"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def redis_server():
    """A throwaway redis-server on loopback (no persistence); each test takes its own database."""
    port = _free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--databases", "16"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    dbs = iter(range(16))

    def fresh() -> str:
        n = next(dbs)
        redis.Redis(host="127.0.0.1", port=port, db=n).flushdb()
        return f"redis://127.0.0.1:{port}/{n}"
    yield fresh
    proc.terminate()
    proc.wait(10)


def worker(url: str, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--redis", url, *args, *FAST, *SHORT],
                            cwd=ROOT, env=ENV, stdout=open(log.with_suffix(".out"), "w"), stderr=open(log, "w"))


def ingester(url: str, db: Path, log: Path, idle: float = 3) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "ingest", "--redis", url, "--db", str(db),
                             "--idle-timeout", str(idle)],
                            cwd=ROOT, env=ENV, stdout=open(log.with_suffix(".out"), "w"), stderr=open(log, "w"))


def shared_crawl(url: str, sites: Path, db: Path, work: Path, *args: str, workers: int = 2,
                 extra: tuple[str, ...] = ()) -> list[int]:
    """Seeder (a worker too) + workers-1 more + the ingester; returns their exit statuses."""
    procs = [worker(url, "--seed", "--sites", str(sites), "--db", str(db), *args, *extra, log=work / "w0.log")]
    # a worker started without --seed has no database
    procs += [worker(url, *extra, log=work / f"w{i}.log") for i in range(1, workers)]
    procs.append(ingester(url, db, work / "ingest.log"))
    return [p.wait(300) for p in procs]


def _logs(work: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(work.glob("*.log")))


def _hits(portal: Portal) -> Counter:
    """Requests per (site, method, path) besides robots.txt (each worker reads it once per host)."""
    return Counter((h.site, h.method, h.path, h.body) for h in portal.log if h.path != "/robots.txt")


# --- the database a crawl leaves, without what differs from run to run (ids, times, run counters) ---

QUERIES = {
    "reports": "SELECT * FROM reports",
    "cells": "SELECT r.url, c.table_key, c.row_key, c.col_key, c.value, c.raw, c.inferred FROM cells c JOIN reports r ON r.id = c.report_id",
    "checks": "SELECT r.url, k.rule, k.ok, k.detail FROM checks k JOIN reports r ON r.id = k.report_id",
    "figures": "SELECT r.url, f.* FROM figures f JOIN reports r ON r.id = f.report_id",
    "pages": "SELECT * FROM pages",
    "blobs": "SELECT sha256, size, compression FROM blobs",
    "failures": "SELECT url, site_id, status, reason FROM failures",
    "crawl_state": "SELECT site_id, url, what FROM crawl_state",
    "sites": "SELECT * FROM sites",
    "report_versions": "SELECT * FROM report_versions",
}
VOLATILE = {"id", "report_id", "fetched_at", "first_fetched_at", "first_seen_at", "updated_at", "added_at",
            "crawled_at", "at", "superseded_at", "retry_at"}


def snapshot(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = {}
    for name, sql in QUERIES.items():
        rows = [tuple((k, r[k]) for k in r.keys() if k not in VOLATILE) for r in conn.execute(sql)]
        out[name] = sorted(rows, key=repr)
    conn.close()
    return out


def _rearm(portal: Portal, expect) -> None:
    """The quirks site fails once (500, then 429 + Retry-After): make it fail once again."""
    q = portal["quirks"]
    pdf = next(e for e in expect.reports if e.url.endswith("/files/szfgs2024.pdf"))
    page = next(e for e in expect.reports if e.url.endswith("/ndbg/2021.html"))
    q.fn("/files/szfgs2024.pdf", _once(500, pdf.body, "application/pdf"))
    q.fn("/ndbg/2021.html", _once(429, page.body, "text/html; charset=utf-8", {"Retry-After": "1"}))


@pytest.fixture(scope="module")
def both(tmp_path_factory, corpus, redis_server):
    """The family portal crawled by one process, then (quirks re-armed) by two workers + the ingester."""
    work = tmp_path_factory.mktemp("dist")
    portal, expect = build_portal(corpus, work)
    try:
        single_db = work / "single.db"
        proc = crawl("--sites", str(expect.sites_csv), "--db", str(single_db), "--mode", "backfill")
        assert proc.returncode == 1, proc.stderr[-3000:]   # 1: the portal has a blocked and an unreachable site
        single_hits = _hits(portal)
        _rearm(portal, expect)
        portal.reset_log()
        dist_db = work / "dist.db"
        url = redis_server()
        # two requests at a time per worker, so both take part on this small portal
        statuses = shared_crawl(url, expect.sites_csv, dist_db, work, "--mode", "backfill",
                                extra=("-s", "CONCURRENT_REQUESTS=2"))
        yield {"work": work, "portal": portal, "expect": expect, "statuses": statuses, "redis": url,
               "single": single_db, "dist": dist_db, "single_hits": single_hits, "dist_hits": _hits(portal)}
    finally:
        portal.stop()


def test_workers_and_ingester_exit_0(both):
    assert both["statuses"] == [0, 0, 0], _logs(both["work"])
    out = (both["work"] / "ingest.out").read_text()
    assert "reports found" in out and "backfill" in out


def test_both_workers_took_part(both):
    for i in (0, 1):
        out = (both["work"] / f"w{i}.out").read_text()
        requests = int(out.split(": ", 1)[1].split(" requests")[0])
        assert requests > 1, out   # more than robots.txt


def test_database_identical_to_a_single_process_crawl(both):
    single, dist = snapshot(both["single"]), snapshot(both["dist"])
    assert single["reports"], "the single-process crawl stored nothing"
    for table in QUERIES:
        assert dist[table] == single[table], f"{table} differs:\n" + "\n".join(
            repr(r) for r in sorted(set(dist[table]) ^ set(single[table]), key=repr)[:6])


def test_run_row_matches_the_single_process_one(both):
    cols = ("mode", "status", "sites", "sites_ok", "sites_failed", "sites_blocked", "reports_found", "new",
            "changed", "unchanged", "image_only", "not_reports", "parse_failures", "failed_pages", "blocked_pages")
    rows = []
    for db in (both["single"], both["dist"]):
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        run = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        assert run["finished_at"] and run["requests"] > 0
        rows.append({k: run[k] for k in cols})
    assert rows[1] == rows[0]


def test_no_page_fetched_more_often_than_by_one_process(both):
    single, dist = both["single_hits"], both["dist_hits"]
    assert dist == single, {k: (single.get(k), dist.get(k)) for k in set(single) | set(dist) if single.get(k) != dist.get(k)}
    report_paths = {e.url.split("/", 3)[3] for e in both["expect"].reports}
    for (site, method, path, body), n in dist.items():
        if path.lstrip("/") in report_paths and path not in ("/files/szfgs2024.pdf", "/ndbg/2021.html"):
            assert n == 1, (site, path, n)
    # the two pages that fail once were retried by a worker, exactly as by one process
    assert len(both["portal"]["quirks"].hits("/ndbg/2021.html")) == 2


def test_redis_is_left_clean(both):
    import redis

    r = redis.Redis.from_url(both["redis"])
    assert r.hget("nianbao:run", "finished") == b"1"
    assert r.zcard("nianbao:requests") == 0 and r.llen("nianbao:items") == 0 and r.llen("nianbao:items:ingesting") == 0
    assert not list(r.scan_iter("nianbao:processing:*")) and not list(r.scan_iter("nianbao:alive:*"))


# --- a worker killed halfway -----------------------------------------------------------------

def _slow_portal(corpus, n_sites: int = 3, per_site: int = 8, delay: float = 0.3):
    p = Portal()
    docs = [c.load(corpus, k) for k in SEEDS]
    rows, urls = [], []
    for s_i in range(n_sites):
        site = p.site(f"slow{s_i}")
        slow_column(site, docs, per_site, per_page=4, delay=delay, offset=s_i)
        urls += [site.url(f"/nb/2022/t2022_{i}.html") for i in range(per_site)]
        rows.append((f"慢{s_i}县", "county", "410311", site.url("/nb/index.html")))
    return p, rows, urls


def test_a_worker_killed_halfway_loses_nothing(corpus, tmp_path, redis_server):
    import redis as redis_lib

    url = redis_server()
    r = redis_lib.Redis.from_url(url)
    p, rows, report_urls = _slow_portal(corpus)
    sites = write_sites(tmp_path / "sites.csv", rows)
    db = tmp_path / "nb.db"
    extra = ("-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    try:
        w0 = worker(url, "--seed", "--sites", str(sites), "--db", str(db), "--mode", "backfill", *extra, log=tmp_path / "w0.log")
        w1 = worker(url, *extra, log=tmp_path / "w1.log")
        ing = ingester(url, db, tmp_path / "ingest.log")
        # wait until the second worker holds requests and about a third of the reports are shipped
        held: list[bytes] = []
        deadline = time.time() + 90
        while time.time() < deadline:
            time.sleep(0.1)
            keys = [k for k in r.scan_iter(f"nianbao:processing:*:{w1.pid}:*")]
            shipped = r.hget("nianbao:counts", "reports_found")
            if keys and r.hlen(keys[0]) and int(shipped or 0) >= len(report_urls) // 3:
                os.kill(w1.pid, signal.SIGSTOP)      # freeze it: what it holds is now exact
                held = list(r.hvals(keys[0]))
                os.kill(w1.pid, signal.SIGKILL)
                w1.wait()
                break
        assert held, "the second worker never held a request\n" + _logs(tmp_path)
        stored_at_kill = int(r.hget("nianbao:counts", "reports_found") or 0)
        assert stored_at_kill < len(report_urls), "killed too late to mean anything"
        held_urls = {pickle.loads(e.split(b"\n", 1)[1])["url"] for e in held}
        assert w0.wait(120) == 0, _logs(tmp_path)
        assert ing.wait(120) == 0, _logs(tmp_path)
        with sqlite3.connect(db) as conn:
            urls = [u for (u,) in conn.execute("SELECT url FROM reports WHERE content_sha256 IS NOT NULL")]
            run = conn.execute("SELECT status, new, sites_ok FROM runs").fetchone()
        assert len(urls) == len(set(urls)) == len(report_urls), _logs(tmp_path)
        assert set(urls) == set(report_urls)
        assert run == ("finished", len(report_urls), len(rows))
        counts = Counter(f"http://{p[h.site].netloc}{h.path}" for h in p.log if h.path != "/robots.txt")
        twice = {u for u, n in counts.items() if n > 1}
        assert twice <= held_urls, f"fetched twice though not in flight at the killed worker: {twice - held_urls}"
        assert max(counts.values()) <= 2
        logs = _logs(tmp_path)
        assert "requeued" in logs, "nobody requeued the killed worker's requests"
        assert r.zcard("nianbao:requests") == 0 and r.llen("nianbao:items") == 0
        assert not list(r.scan_iter("nianbao:processing:*"))
    finally:
        p.stop()


# --- nightly across machines ---------------------------------------------------------------------

def test_distributed_nightly_skips_what_is_stored(corpus, tmp_path, redis_server):
    p = Portal()
    try:
        site = p.site("county")
        docs = [c.load(corpus, k) for k in SEEDS]
        paths = [f"202201/t2022011{i}_{500 + i}.html" for i in range(len(docs))]
        for path, doc in zip(paths, docs):
            site.page(f"/nb/{path}", c.report_page(doc))
        col = TrsColumn(site, [(paths[i], docs[i].title) for i in range(3)])
        sites = write_sites(tmp_path / "sites.csv", [("测试县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        url = redis_server()
        assert shared_crawl(url, sites, db, tmp_path, "--mode", "backfill") == [0, 0, 0], _logs(tmp_path)

        # a new report on page 1; the night's run (same Redis, a new run) fetches only it
        p.reset_log()
        col.items = [(paths[3], docs[3].title), (paths[0], docs[0].title), (paths[1], docs[1].title), (paths[2], docs[2].title)]
        col.publish()
        assert shared_crawl(url, sites, db, tmp_path, "--mode", "nightly") == [0, 0, 0], _logs(tmp_path)
        hits = Counter(h.path for h in p.log if h.path != "/robots.txt")
        assert hits[f"/nb/{paths[3]}"] == 1, "the new report was not fetched"
        for path in paths[:3]:
            assert hits[f"/nb/{path}"] == 0, f"{path} downloaded again on a nightly run"
        col_hits = [h for h in p.log if h.path == "/nb/index.html"]
        assert len(col_hits) == 1 and col_hits[0].conditional, "the column was not asked (conditionally) again"
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM reports WHERE content_sha256 IS NOT NULL").fetchone()[0] == 4
            assert conn.execute("SELECT mode, new FROM runs ORDER BY id DESC").fetchone() == ("nightly", 1)

        # a night with no change: one conditional request answered 304
        p.reset_log()
        assert shared_crawl(url, sites, db, tmp_path) == [0, 0, 0], _logs(tmp_path)
        assert [h.path for h in p.log if h.path != "/robots.txt"] == ["/nb/index.html"]
    finally:
        p.stop()


# --- the acknowledged queue --------------------------------------------------------------------------

class _Spider:
    name = "reports"
    worker_id = "w-test"

    def parse(self, response):  # a callback the queue can name
        pass

    def follow_run(self, run_id):  # the queue tells the worker the run of each popped request
        pass


def test_ack_queue_parks_acks_and_requeues_a_dead_workers_requests(redis_server):
    import redis as redis_lib
    from scrapy import Request

    from crawler.scaleout import redis_state as rs

    server = redis_lib.Redis.from_url(redis_server())
    spider = _Spider()
    q = rs.AckPriorityQueue(server, spider, rs.REQUESTS)
    shared = rs.Shared(server, spider.worker_id)
    shared.beat(60)
    for i, prio in enumerate((0, 10, 20)):
        q.push(Request(f"http://127.0.0.1:9/{i}", callback=spider.parse, priority=prio))
    first = q.pop()
    assert first.url.endswith("/2") and first.callback == spider.parse       # highest priority first
    assert server.hlen(rs.processing_key("w-test")) == 1 and len(q) == 2      # parked, not gone
    shared.ack(first.meta[rs.ACK])
    assert server.hlen(rs.processing_key("w-test")) == 0

    second = q.pop()
    retry = second.replace(priority=second.priority)                         # a retry keeps the meta
    q.push(retry)                                                            # replaces the parked entry
    assert server.hlen(rs.processing_key("w-test")) == 0 and len(q) == 2
    assert rs.ACK not in pickle.loads(server.zrange(rs.REQUESTS, 0, 0)[0])["meta"]

    held = q.pop()
    assert shared.reap() == 0                                                # alive: nothing to do
    server.delete(rs.alive_key("w-test"))                                    # the worker died
    assert shared.reap() == 1 and len(q) == 2                                # its request is back
    assert server.hlen(rs.processing_key("w-test")) == 0
    assert {q.pop().url, q.pop().url} == {held.url, "http://127.0.0.1:9/0"}


def test_seed_joins_an_unfinished_run_instead_of_replacing_it(redis_server, tmp_path):
    import argparse

    import redis as redis_lib

    from crawler.scaleout import redis_state as rs
    from crawler.scaleout.seeder import seed

    url = redis_server()
    server = redis_lib.Redis.from_url(url)
    sites = write_sites(tmp_path / "s.csv", [("x", "county", "1", "http://127.0.0.1:9/")])
    args = argparse.Namespace(sites=str(sites), db=str(tmp_path / "nb.db"), mode="backfill", years=None, revalidate=False,
                              redis=url)
    first = seed(server, args, "seeder-1")
    assert first and server.zcard(rs.REQUESTS) == 1 and not (tmp_path / "nb.db").exists()
    assert seed(server, args, "seeder-2") is None                      # one request still queued
    assert rs.text(server.hget(rs.RUN, "id")) == first
    server.delete(rs.REQUESTS)
    server.hset(rs.RUN, "finished", "1")
    second = seed(server, args, "seeder-3")
    assert second and second != first and server.zcard(rs.REQUESTS) == 1    # fingerprints were per run


def test_nothing_seeded_ingester_and_worker_exit_0(redis_server, tmp_path):
    url = redis_server()
    ing = ingester(url, tmp_path / "nb.db", tmp_path / "ingest.log", idle=1)
    w = worker(url, "--db", str(tmp_path / "nb.db"), log=tmp_path / "w.log")
    assert ing.wait(60) == 0 and "nothing was seeded" in (tmp_path / "ingest.out").read_text()
    assert w.wait(60) == 0 and "nothing seeded" in (tmp_path / "w.out").read_text()


def test_ingester_stores_what_a_killed_ingester_left_then_finishes_the_run(redis_server, tmp_path):
    import redis as redis_lib

    from crawler.scaleout import redis_state as rs
    from crawler.scaleout.ingester import Ingester
    from crawler.scaleout.wire import encode_item
    from crawler.items import CrawlItem

    from storage.store import site_id_for

    server = redis_lib.Redis.from_url(redis_server())
    sid = site_id_for("http://127.0.0.1:9/")
    site = {"name": "x县", "level": "county", "region_code": "410311", "url": "http://127.0.0.1:9/", "netloc": "127.0.0.1:9",
            "id": sid}
    server.hset(rs.RUN, mapping={"id": "r1", "mode": "backfill", "years": "", "revalidate": "0", "seeded": "1",
                                 "finished": "0", "sites": __import__("json").dumps([site])})
    page = CrawlItem(kind="page", site_id=sid, url="http://127.0.0.1:9/nb/", page_kind="column", http_status=200,
                     headers={"ETag": '"e1"'}, body=b"<html>\x00\xff</html>", fetched_at="2024-01-01T00:00:00+00:00")
    server.lpush(rs.INGESTING, encode_item(page, None))    # taken by an ingester that was then killed
    server.sadd(rs.LISTED, sid)
    ingester = Ingester(server, str(tmp_path / "nb.db"))
    try:
        assert ingester.loop(idle_timeout=0.5) == 0
    finally:
        ingester.close()
    assert server.llen(rs.INGESTING) == 0 and server.llen(rs.ITEMS) == 0
    assert server.llen(rs.INGESTING + ":failed") == 0
    assert server.hget(rs.RUN, "finished") == b"1"
    with sqlite3.connect(tmp_path / "nb.db") as conn:
        assert conn.execute("SELECT etag, kind FROM pages").fetchall() == [('"e1"', "column")]
        assert conn.execute("SELECT url FROM crawl_state WHERE what = 'column'").fetchall() == [("http://127.0.0.1:9/nb/",)]
        assert conn.execute("SELECT mode, status, sites_ok FROM runs").fetchall() == [("backfill", "finished", 1)]
        assert conn.execute("SELECT crawl_status FROM sites").fetchall() == [("ok",)]


def test_redis_ledger_shares_budget_problems_and_blocks_between_workers(redis_server):
    import redis as redis_lib

    from crawler.scaleout.ledger import RedisLedger

    server = redis_lib.Redis.from_url(redis_server())
    sites = [{"id": sid, "url": f"http://{sid}.gov.cn/"} for sid in ("a", "b", "c")]
    run = {"id": "r1", "mode": "backfill", "years": "2020-2022", "revalidate": False, "sites": sites}
    w1, w2 = RedisLedger(server, run), RedisLedger(server, run)
    assert w1.years == (2020, 2022) and w1.mode == "backfill"
    assert [w1.list_page("a"), w2.list_page("a"), w1.list_page("a")] == [1, 2, 3]   # one budget for all
    w1.requested("a")
    assert not w1.settle("a")               # no worker sees a site's last request
    w1.listed("a")
    w2.listed("b")
    w2.problem("b", "failed", "http://b.gov.cn/x: HTTP 404")
    w1.problem("c", "blocked", "http://c.gov.cn/: HTTP 412")
    w1.block_host("c.gov.cn")
    assert w2.is_blocked("c.gov.cn")
    w1.finish("finished")                   # a worker's end decides nothing
    assert w1["c"].outcome is None
    ingester = RedisLedger(server, run)
    ingester.read_outcomes()
    assert [ingester[s].outcome for s in ("a", "b", "c")] == [None, None, "blocked"]
    assert ingester["b"].reason == "http://b.gov.cn/x: HTTP 404"
    assert ingester.counts()["sites_ok"] == 2 and ingester.counts()["sites_blocked"] == 1
    server.srem("nianbao:listed", "a")      # a site none of whose list pages answered has failed
    ingester.read_outcomes()
    assert ingester["a"].outcome == "failed" and ingester.counts()["sites_failed"] == 1


def test_ingester_stores_in_batches_and_keeps_a_bad_item_aside(redis_server, tmp_path):
    """250 queued items (2 real corpus reports among list pages) and one that cannot be decoded:
    stored in two transactions (200 + the rest, Store.batch), not one each; the bad item lands
    in `…:failed` and its neighbours are stored; every item is acknowledged after its commit."""
    import json

    import redis as redis_lib

    from conftest import CORPUS
    from crawler.items import CrawlItem
    from crawler.pipelines import parse_report
    from crawler.scaleout import redis_state as rs
    from crawler.scaleout.ingester import BATCH_ITEMS, Ingester
    from crawler.scaleout.wire import encode_item
    from storage.store import site_id_for

    server = redis_lib.Redis.from_url(redis_server())
    server.flushdb()
    sid = site_id_for("http://127.0.0.1:9/")
    site = {"name": "x县", "level": "county", "region_code": "410311", "url": "http://127.0.0.1:9/",
            "netloc": "127.0.0.1:9", "id": sid}
    server.hset(rs.RUN, mapping={"id": "r2", "mode": "backfill", "years": "", "revalidate": "0", "seeded": "1",
                                 "finished": "0", "sites": json.dumps([site])})
    server.sadd(rs.LISTED, sid)
    raws = []
    for n in range(248):
        page = CrawlItem(kind="page", site_id=sid, url=f"http://127.0.0.1:9/nb/{n}.html", page_kind="column",
                         http_status=200, headers={}, body=f"<html>{n}</html>".encode(),
                         fetched_at="2024-01-01T00:00:00+00:00")
        raws.append(encode_item(page, None))
    for n, src in enumerate(sorted((CORPUS / "seeds").glob("*.txt"))[:2]):
        item = CrawlItem(kind="report", site_id=sid, url=f"http://127.0.0.1:9/nb/r{n}.txt", http_status=200,
                         headers={}, body=src.read_bytes(), fetched_at="2024-01-01T00:00:00+00:00")
        raws.append(encode_item(item, parse_report(item)))
    raws.insert(100, b"not an item")
    for raw in raws:
        server.lpush(rs.ITEMS, raw)      # taken from the right: in this order
    ingester = Ingester(server, str(tmp_path / "nb.db"))
    batches = []
    real_batch = ingester.store.batch
    ingester.store.batch = lambda: (batches.append(1), real_batch())[1]
    try:
        assert ingester.loop(idle_timeout=0.5) == 0
    finally:
        ingester.close()
    assert len(batches) == 2 and BATCH_ITEMS == 200
    assert server.lrange(rs.INGESTING + ":failed", 0, -1) == [b"not an item"]
    assert server.llen(rs.INGESTING) == 0 and server.llen(rs.ITEMS) == 0
    with sqlite3.connect(tmp_path / "nb.db") as conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE kind = 'column'").fetchone() == (248,)
        assert conn.execute("SELECT count(*) FROM reports WHERE status = 'parsed'").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM cells").fetchone()[0] > 100
