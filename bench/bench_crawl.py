"""Crawl benchmark on a loopback portal of N sites (default 200; TRS, Hanweb, VSB and generic
pagers in turn, each with reports and distractors over two list pages).

Prints, for the first crawl (backfill): pages per second, requests per report found, those
requests against the minimum a perfect crawler needs (list pages + report pages + attachments),
peak memory of the crawl process; then for a nightly run with nothing changed: requests per
site besides robots.txt.

    .venv/bin/python bench/bench_crawl.py [--sites 200] [--polite]

--polite keeps the shipped delays (DOWNLOAD_DELAY, AutoThrottle start); without it they are
zeroed so the figure measures the crawler, not the politeness.
"""
from __future__ import annotations

import argparse
import os
import resource
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--polite", action="store_true")
    a = ap.parse_args()
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
        finally:
            portal.stop()


if __name__ == "__main__":
    main()
