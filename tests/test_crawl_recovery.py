"""Nothing lost: a killed nightly run is recovered by the next nightly run, a report that failed is
asked again on a back-off, and one malformed link does not cost the reports around it."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.store import retry_delay  # noqa: E402
from tests.portal import content as c  # noqa: E402
from tests.portal.families import write_sites  # noqa: E402
from tests.portal.server import Portal  # noqa: E402
from tests.test_crawl import FAST, crawl  # noqa: E402
from tests.test_crawl_nightly import SEEDS, TrsColumn, slow_column  # noqa: E402


def _stored(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT url FROM reports WHERE content_sha256 IS NOT NULL")}


def test_a_killed_nightly_run_is_recovered_by_the_next_nightly_run(corpus, tmp_path):
    p = Portal()
    try:
        site = p.site("slow")
        slow_column(site, [c.load(corpus, k) for k in SEEDS], 15, per_page=5, delay=0.3)
        sites = write_sites(tmp_path / "sites.csv", [("慢县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites), "--db", str(db),
                *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        proc = subprocess.Popen(args, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 90
        while time.time() < deadline:
            time.sleep(0.2)
            try:
                if db.exists() and len(_stored(db)) >= 3:
                    break
            except sqlite3.Error:
                continue
        os.kill(proc.pid, signal.SIGKILL)       # a nightly run killed halfway (timeout, OOM, reboot)
        proc.wait()
        killed_at = len(_stored(db))
        assert 3 <= killed_at < 15, "the run must be killed halfway"
        r = crawl("--sites", str(sites), "--db", str(db))
        assert r.returncode == 0, r.stderr[-3000:]
        assert len(_stored(db)) == 15, f"{len(_stored(db))} of 15 after the next nightly run (killed at {killed_at})"
        with sqlite3.connect(db) as conn:
            runs = [tuple(r) for r in conn.execute("SELECT status, new FROM runs ORDER BY id")]
        assert runs[-1] == ("finished", 15 - killed_at)
        # once recovered, nights are cheap again: the column answers 304 to its validators
        p.reset_log()
        r = crawl("--sites", str(sites), "--db", str(db))
        hits = [h for h in p.log if h.path != "/robots.txt"]
        assert [(h.path, h.conditional) for h in hits] == [("/nb/index.html", True)], [h.path for h in hits]
    finally:
        p.stop()


def test_a_failed_report_is_retried_with_a_back_off(corpus, tmp_path):
    assert [retry_delay(n).days for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    p = Portal()
    try:
        site = p.site("flaky")
        docs = [c.load(corpus, k) for k in SEEDS[:2]]
        state = {"up": False}
        body = c.report_page(docs[1]).encode()

        def flaky(**_):
            if state["up"]:
                return 200, {"Content-Type": "text/html; charset=utf-8"}, body
            return 503, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>busy</body></html>"
        site.page("/nb/a.html", c.report_page(docs[0]))
        site.fn("/nb/b.html", flaky)
        TrsColumn(site, [("./a.html", docs[0].title), ("./b.html", docs[1].title)])
        sites = write_sites(tmp_path / "sites.csv", [("忙县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        fast = ["-s", "RETRY_TIMES=1"]
        r = crawl("--sites", str(sites), "--db", str(db), *fast)
        url = site.url("/nb/b.html")
        with sqlite3.connect(db) as conn:
            status, attempts, retry_at = conn.execute("SELECT status, attempts, retry_at FROM reports WHERE url=?", [url]).fetchone()
        assert status == "failed" and attempts == 1
        due = datetime.fromisoformat(retry_at) - datetime.now(timezone.utc)
        assert timedelta(hours=22) < due <= timedelta(days=1), retry_at
        state["up"] = True
        # the same night again: not due yet, and the column has not changed
        p.reset_log()
        r = crawl("--sites", str(sites), "--db", str(db), *fast)
        assert not [h for h in p.log if h.path == "/nb/b.html"]
        # the next night: asked again although the column answers 304
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE reports SET retry_at = ? WHERE url = ?",
                         [(datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(), url])
        p.reset_log()
        r = crawl("--sites", str(sites), "--db", str(db), *fast)
        assert r.returncode == 0, r.stderr[-2000:]
        assert [h.conditional for h in p.log if h.path == "/nb/index.html"] == [True]
        assert len([h for h in p.log if h.path == "/nb/b.html"]) == 1
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT status, attempts, retry_at, content_sha256 FROM reports WHERE url=?", [url]).fetchone()
        assert row[0] == "parsed" and row[1] == 1 and row[3], row
    finally:
        p.stop()


def test_malformed_links_are_skipped_and_their_neighbours_fetched(corpus, tmp_path):
    p = Portal()
    try:
        site = p.site("messy")
        docs = [c.load(corpus, k) for k in SEEDS[:3]]
        for i, d in enumerate(docs):
            site.page(f"/nb/{i}.html", c.report_page(d))
        items = [("/nb/0.html", docs[0].title, ""),
                 ("http://127.0.0.1:99999/nb/x.html", "2020年政府信息公开工作年度报告", ""),
                 ("/nb/1.html", docs[1].title, ""),
                 ("http://[::1/nb/y.html", "2019年政府信息公开工作年度报告", ""),
                 ("/nb/2.html", docs[2].title, "")]
        site.page("/nb/index.html", c.list_page("政府信息公开年报", items))
        sites = write_sites(tmp_path / "sites.csv", [("乱县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        r = crawl("--sites", str(sites), "--db", str(db))
        assert r.returncode == 0, r.stderr[-3000:]
        assert _stored(db) == {site.url(f"/nb/{i}.html") for i in range(3)}
        assert "malformed link skipped" in r.stderr and "Traceback" not in r.stderr
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT crawl_status FROM sites").fetchone()[0] == "ok"
    finally:
        p.stop()
