"""Crawl benchmark on a loopback portal of N sites (default 200; TRS, Hanweb, VSB and generic
pagers in turn, each with reports and distractors over two list pages).

Prints, for the first crawl (backfill): pages per second, requests per report found, those
requests against the minimum a perfect crawler needs (list pages + report pages + attachments),
peak memory of the crawl process; then for a nightly run with nothing changed: requests per
site besides robots.txt.

    .venv/bin/python bench/bench_crawl.py [--sites 200] [--organs 60] [--polite] [--workers 1,2,4]

--organs N (default 60) then crawls an organ-tree county from its home page (tests/portal/
counties.py: home -> 政务公开 -> 部门信息公开 / 乡镇（街道） -> N organs' catalogue pages -> each
organ's 年报 column), against a perfect crawler that asks only the catalogue and list pages on
the way to the reports plus one request per report, then a no-change night per known column.

--polite keeps the shipped delays (DOWNLOAD_DELAY, AutoThrottle start); without it they are
zeroed so the figure measures the crawler, not the politeness.

--workers 1,2,4 then crawls the same portal as a shared crawl (README "Scale-out") once per
count: a redis-server on loopback, the seeder plus N-1 more workers, one ingester, each into a
fresh database, after a single-process crawl under the same settings for comparison. Wall time
runs from starting them until every page is crawled, parsed and stored (nothing queued, in
flight or waiting for the ingester); the workers' idle wait before exiting is not counted.
Without --polite these runs also switch AutoThrottle off: on loopback its delay follows the
latency the crawler itself causes while parsing, so it would measure the throttle, not the workers.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portal import content as c  # noqa: E402
from tests.portal.families import DISTRACTORS, write_sites  # noqa: E402
from tests.portal.server import Portal  # noqa: E402

CORPUS = Path(os.environ.get("NIANBAO_SHARED", ROOT.parent / "shared")) / "corpus"
SEEDS = ["seeds/000_61f4a806a08c13ab", "seeds/002_51a7ac9068d409eb", "seeds/003_85236c9e0b1ec5a3",
         "seeds/004_fd2255dcef9b15cd"]


def build(n: int, tmp: Path) -> tuple[Portal, Path, int]:
    """N sites; returns (portal, sites csv, minimum requests for a perfect first crawl)."""
    docs = [c.load(CORPUS, k) for k in SEEDS]
    portal = Portal()
    rows, minimum = [], 0
    for i in range(n):
        fam = ("trs", "hanweb", "vsb", "generic")[i % 4]
        s = portal.site(f"s{i}")
        reports = []
        for j in range(3):
            doc = docs[(i + j) % len(docs)]
            title = doc.title.replace(str(doc.year), str(2019 + j)) if str(doc.year) in doc.title else doc.title
            reports.append((f"/nb/r{j}.html", title, c.report_page(doc).replace(doc.title, title)))
        items = [(p, t) for p, t, _ in reports] + [(f"/nb/x{k}.html", DISTRACTORS[(i + k) % len(DISTRACTORS)]) for k in range(2)]
        for p, _, body in reports:
            s.page(p, body)
        for p, t in items[3:]:
            s.page(p, c.page(t, "<p>通知</p>"))
        first, second = items[:3], items[3:]
        if fam == "trs":
            for k, chunk in enumerate((first, second)):
                s.page("/nb/index.html" if k == 0 else "/nb/index_1.html",
                       c.list_page("年报", [(p, t, "2022-01-01") for p, t in chunk],
                                   f'<script>createPageHTML(2, {k}, "index", "html")</script>'))
            entry = "/nb/index.html"
            minimum += 2 + 3
        elif fam == "vsb":
            s.page("/nb.htm", c.list_page("年报", [(p[1:], t, "") for p, t in first], '<a href="nb/1.htm">下页</a>'))
            s.page("/nb/1.htm", c.list_page("年报", [(".." + p, t, "") for p, t in second], ""))
            entry = "/nb.htm"
            minimum += 2 + 3
        elif fam == "generic":
            s.page("/", '<html><body><a href="/xxgk/">信息公开</a><a href="/nb/list.html">政府信息公开年报</a></body></html>')
            s.page("/nb/list.html", c.list_page("年报", [(p, t, "") for p, t in first], '<a href="list_2.html">下一页</a>'))
            s.page("/nb/list_2.html", c.list_page("年报", [(p, t, "") for p, t in second], ""))
            entry = "/"
            minimum += 1 + 2 + 3
        else:
            recs = "".join(f'<record><![CDATA[<li><a href="{p}">{t}</a></li>]]></record>' for p, t in items[:2])
            s.page("/col/col1/index.html", f'<html><body><script type="text/xml"><datastore><recordset>{recs}</recordset>'
                   f'</datastore></script><script>perpage:2 /*<totalrecord>5</totalrecord>*/ unitid:9 webid:1</script></body></html>')
            def proxy(query, items=items, **_):
                lo, hi = int(query["startrecord"]), int(query["endrecord"])
                recs = "".join(f'<record><![CDATA[<li><a href="{p}">{t}</a></li>]]></record>' for p, t in items[lo - 1:hi])
                xml = f"<datastore><totalrecord>5</totalrecord><recordset>{recs}</recordset></datastore>"
                return 200, {"Content-Type": "text/xml"}, xml.encode()
            s.fn("/module/web/jpage/dataproxy.jsp", proxy)
            entry = "/col/col1/index.html"
            minimum += 1 + 2 + 3   # the column, two proxy groups (3-4, 5), three reports
        rows.append((f"测试{i}县", "county", "410311", s.url(entry)))
    return portal, write_sites(tmp / "sites.csv", rows), minimum


def crawl(sites: Path, db: Path, extra: list[str]) -> tuple[float, subprocess.CompletedProcess, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites), "--db", str(db),
                           "-s", "LOG_LEVEL=WARNING", *extra], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux; max over children
    if proc.returncode != 0:
        sys.exit(f"crawl failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.time() - t0, proc, max(peak, before)


def start_redis() -> tuple[subprocess.Popen, int]:
    """A throwaway redis-server on loopback, no persistence."""
    server = shutil.which("redis-server")
    if not server:
        sys.exit("--workers needs redis-server (apt-get install redis-server)")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            return proc, port
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def shared_crawl(url: str, sites: Path, db: Path, workers: int, extra: list[str]) -> float:
    """Seconds until a shared crawl (seeder + workers-1 + ingester) has crawled, parsed and stored everything."""
    import redis

    from crawler.scaleout.redis_state import Shared

    redis.Redis.from_url(url).flushdb()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    quick = ["-s", "LOG_LEVEL=WARNING", "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=2", "-s", "NIANBAO_IDLE_POLL=0.2", *extra]
    cmd = [sys.executable, "-m", "crawler.cli"]
    t0 = time.time()
    procs = [subprocess.Popen([*cmd, "crawl", "--redis", url, "--seed", "--sites", str(sites), "--db", str(db),
                               "--mode", "backfill", *quick], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)]
    procs += [subprocess.Popen([*cmd, "crawl", "--redis", url, "--db", str(db), *quick], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(workers - 1)]
    procs.append(subprocess.Popen([*cmd, "ingest", "--redis", url, "--db", str(db), "--idle-timeout", "2"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    shared = Shared(redis.Redis.from_url(url))
    done = None
    while any(p.poll() is None for p in procs):
        if done is None:
            p = shared.progress()
            if p["run"] and shared.server.hget("nianbao:run", "seeded") == b"1" and not (
                    p["queued"] or p["in_flight"] or p["items"]):
                done = time.time() - t0
        time.sleep(0.05)
    errors = [p.stderr.read()[-2000:] for p in procs if p.returncode != 0]
    if errors:
        sys.exit("shared crawl failed:\n" + "\n".join(errors))
    return done if done is not None else time.time() - t0


def bench_workers(counts: list[int], portal: Portal, sites: Path, tmp: Path, n_sites: int, fast: list[str]) -> None:
    redis_proc, port = start_redis()

    def row(label: str, secs: float, db: Path) -> None:
        hits = [h for h in portal.log if h.path != "/robots.txt"]
        with sqlite3.connect(db) as conn:
            found = conn.execute("SELECT count(*) FROM reports WHERE content_sha256 IS NOT NULL").fetchone()[0]
        robots = len(portal.log) - len(hits)   # each worker reads a host's robots.txt itself
        print(f"  {label:>16}  {secs:>6.1f}  {len(hits) / secs:>7.1f}  {found:>7}  {len(hits) / max(found, 1):>15.2f}"
              f"  {robots:>10}")

    try:
        print(f"shared crawl (backfill), {n_sites} sites, redis-server on loopback, {os.cpu_count()} CPUs"
              f"{'' if fast == [] else ', AutoThrottle off'}:")
        print(f"  {'':>16}  {'wall s':>6}  {'pages/s':>7}  {'reports':>7}  {'requests/report':>15}  {'robots.txt':>10}")
        print("  (pages/s and requests/report without robots.txt)")
        portal.reset_log()
        secs, _, _ = crawl(sites, tmp / "single.db", ["--mode", "backfill", *fast])
        row("single process", secs, tmp / "single.db")
        for n in counts:
            portal.reset_log()
            db = tmp / f"shared-{n}.db"
            secs = shared_crawl(f"redis://127.0.0.1:{port}/0", sites, db, n, fast)
            row(f"{n} worker{'s' if n > 1 else ''}", secs, db)
    finally:
        redis_proc.terminate()
        redis_proc.wait(10)


def bench_organ_tree(n_organs: int, tmp: Path, fast: list[str]) -> None:
    from tests.portal.counties import Builder, organ_tree

    portal = Portal()
    try:
        b = Builder(CORPUS)
        site, row = organ_tree(portal, b, n_organs=n_organs)
        sites = write_sites(tmp / "tree.csv", [row])
        reports = len(b.ex.reports)
        # home, 政务公开, 部门信息公开, 乡镇（街道）, the county's column (2 pages), then per organ its
        # catalogue page and its column, and one request per report
        minimum = 4 + 2 + 2 * n_organs + reports
        db = tmp / "tree.db"
        secs, proc, peak = crawl(sites, db, fast)
        hits = [h for h in portal.log if h.path != "/robots.txt"]
        with sqlite3.connect(db) as conn:
            found = conn.execute("SELECT count(*) FROM reports WHERE content_sha256 IS NOT NULL").fetchone()[0]
            organs = conn.execute("SELECT count(DISTINCT organ) FROM reports WHERE content_sha256 IS NOT NULL").fetchone()[0]
            columns = conn.execute("SELECT count(*) FROM crawl_state WHERE what = 'column'").fetchone()[0]
        print(f"organ-tree county, {n_organs} organs, first crawl from the home page ({secs:.1f} s):")
        print(f"  reports found              {found} of {reports}, {organs} organs, {columns} columns")
        print(f"  vs perfect crawler         {len(hits) / minimum:.2f}x ({len(hits)} requests, minimum {minimum})")
        portal.reset_log()
        secs, proc, _ = crawl(sites, db, fast)
        hits = [h for h in portal.log if h.path != "/robots.txt"]
        print(f"  no-change night            {len(hits) / max(columns, 1):.2f} requests per known column "
              f"({len(hits)} requests, {sum(h.conditional for h in hits)} conditional, {secs:.1f} s)")
    finally:
        portal.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--organs", type=int, default=60, help="organs of the organ-tree county (0: skip it)")
    ap.add_argument("--polite", action="store_true")
    ap.add_argument("--workers", help="also run a shared crawl with each number of workers, e.g. 1,2,4")
    a = ap.parse_args()
    counts = [int(x) for x in a.workers.split(",")] if a.workers else []
    fast = [] if a.polite else ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        portal, sites, minimum = build(a.sites, tmp)
        try:
            db = tmp / "bench.db"
            secs, proc, peak = crawl(sites, db, ["--mode", "backfill", *fast])
            hits = [h for h in portal.log if h.path != "/robots.txt"]
            robots = len(portal.log) - len(hits)
            with sqlite3.connect(db) as conn:
                found = conn.execute("SELECT count(*) FROM reports WHERE content_sha256 IS NOT NULL").fetchone()[0]
            print(f"first crawl (backfill), {a.sites} sites{' (polite delays)' if a.polite else ''}:")
            print(f"  reports found              {found} (expected {3 * a.sites})")
            print(f"  wall time                  {secs:.1f} s")
            print(f"  pages per second           {len(portal.log) / secs:.1f}")
            print(f"  requests per report        {len(hits) / max(found, 1):.2f} (+ {robots} robots.txt)")
            print(f"  vs perfect crawler         {len(hits) / minimum:.2f}x ({len(hits)} requests, minimum {minimum})")
            print(f"  peak memory (crawl proc)   {peak / 1024:.0f} MiB")
            portal.reset_log()
            secs, proc, _ = crawl(sites, db, ["--mode", "nightly", *fast])
            hits = [h for h in portal.log if h.path != "/robots.txt"]
            print(f"no-change night ({secs:.1f} s):")
            print(f"  requests per site          {len(hits) / a.sites:.2f} besides robots.txt "
                  f"({sum(h.conditional for h in hits)} of {len(hits)} conditional)")
            if a.organs:
                bench_organ_tree(a.organs, tmp, fast)
            if counts:
                bench_workers(counts, portal, sites, tmp, a.sites, fast + (["-s", "AUTOTHROTTLE_ENABLED=False"] if fast else []))
        finally:
            portal.stop()


if __name__ == "__main__":
    main()
