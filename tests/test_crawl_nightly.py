"""Nightly vs backfill on the loopback portal: conditional requests, stopping at the first page
with nothing new, --revalidate keeping old versions, no duplicates, SIGKILL-and-resume, the lock."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portal import content as c  # noqa: E402
from tests.portal.families import write_sites  # noqa: E402
from tests.portal.server import Portal  # noqa: E402
from tests.test_crawl import FAST, crawl  # noqa: E402

SEEDS = ["seeds/004_fd2255dcef9b15cd", "seeds/002_51a7ac9068d409eb", "seeds/003_85236c9e0b1ec5a3",
         "seeds/000_61f4a806a08c13ab"]


class TrsColumn:
    """A TRS column paged two items a page; its pages are rebuilt from `items` on each change."""

    def __init__(self, site, items: list[tuple[str, str]], per_page: int = 2) -> None:
        self.site, self.items, self.per_page = site, items, per_page
        self.publish()

    def publish(self) -> None:
        pages = [self.items[i:i + self.per_page] for i in range(0, len(self.items), self.per_page)] or [[]]
        for i in range(10):
            self.site.remove(f"/nb/index_{i}.html")
        for i, chunk in enumerate(pages):
            name = "index.html" if i == 0 else f"index_{i}.html"
            html = c.list_page("政府信息公开年报", [(f"./{h}", t, "2022-01-01") for h, t in chunk],
                               f'<script>createPageHTML({len(pages)}, {i}, "index", "html");</script>')
            self.site.page(f"/nb/{name}", html)


def slow_column(site, docs: list, n: int, *, per_page: int, delay: float, offset: int = 0) -> TrsColumn:
    """A TRS column of n reports (years 2000 …, at /nb/2022/t2022_{i}.html) whose pages answer
    after `delay` seconds each, so a crawl of it can be killed halfway. `offset` rotates the docs."""
    items = []
    for i in range(n):
        doc = docs[(offset + i) % len(docs)]
        path = f"/nb/2022/t2022_{i}.html"
        title = doc.title.replace(str(doc.year), str(2000 + i))
        body = c.report_page(doc).replace(doc.title, title).encode()

        def slow(body=body, **_):
            time.sleep(delay)
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body
        site.fn(path, slow)
        items.append((f".{path[3:]}", title))
    return TrsColumn(site, items, per_page=per_page)


def _db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture()
def portal(corpus, tmp_path):
    p = Portal()
    site = p.site("county")
    docs = [c.load(corpus, k) for k in SEEDS]
    paths = [f"202201/t2022011{i}_{500 + i}.html" for i in range(len(docs))]
    for path, doc in zip(paths, docs):
        site.page(f"/nb/{path}", c.report_page(doc))
    # backfill sees three reports over two pages; the fourth is published later
    col = TrsColumn(site, [(paths[i], docs[i].title) for i in range(3)])
    sites = write_sites(tmp_path / "sites.csv", [("测试县", "county", "410311", site.url("/nb/index.html"))])
    yield p, site, col, docs, paths, sites
    p.stop()


def test_backfill_then_nightly_then_revalidate(portal, tmp_path):
    p, site, col, docs, paths, sites = portal
    db = tmp_path / "nb.db"
    r = crawl("--sites", str(sites), "--db", str(db), "--mode", "backfill")
    assert r.returncode == 0, r.stderr[-3000:]
    with _db(db) as conn:
        assert conn.execute("SELECT count(*) FROM reports WHERE content_sha256 IS NOT NULL").fetchone()[0] == 3, r.stderr[-5000:]

    # the portal changes: a new report on page 1 pushes others to page 2, one is corrected,
    # one is removed
    p.reset_log()
    col.items = [(paths[3], docs[3].title), (paths[0], docs[0].title), (paths[1], docs[1].title)]
    col.publish()
    corrected = c.report_page(replace(docs[0], text=docs[0].text + "\n（2022年3月更正：第三部分数据有误，已更正。）"))
    site.page(f"/nb/{paths[0]}", corrected)
    site.remove(f"/nb/{paths[2]}")

    r = crawl("--sites", str(sites), "--db", str(db), "--mode", "nightly")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "new" in r.stdout
    hits = {h.path: h for h in p.log}
    assert f"/nb/{paths[3]}" in hits, "the new report was not fetched"
    for path in paths[:3]:
        assert f"/nb/{path}" not in hits, f"{path} downloaded again on a nightly run"
    assert hits["/nb/index.html"].conditional, "the column was not asked conditionally"
    with _db(db) as conn:
        urls = [row[0] for row in conn.execute("SELECT url FROM reports WHERE content_sha256 IS NOT NULL")]
        assert len(urls) == len(set(urls)) == 4
        run = conn.execute("SELECT * FROM runs ORDER BY id DESC").fetchone()
        assert run["mode"] == "nightly" and run["new"] == 1

    # --revalidate: stored reports re-checked conditionally; the corrected one is caught
    p.reset_log()
    r = crawl("--sites", str(sites), "--db", str(db), "--mode", "nightly", "--revalidate")
    assert r.returncode == 0, r.stderr[-3000:]
    reval = [h for h in p.log if h.path in {f"/nb/{x}" for x in paths}]
    assert reval and all(h.conditional for h in reval)
    with _db(db) as conn:
        a = conn.execute("SELECT * FROM reports WHERE url=?", [site.url(f"/nb/{paths[0]}")]).fetchone()
        assert a["version"] == 2 and "更正" in a["text"]
        old = conn.execute("SELECT * FROM report_versions WHERE report_id=?", [a["id"]]).fetchall()
        assert len(old) == 1 and "更正" not in (old[0]["text"] or "")
        gone = conn.execute("SELECT * FROM reports WHERE url=?", [site.url(f"/nb/{paths[2]}")]).fetchone()
        assert gone["content_sha256"], "a removed report must keep its stored data"
        urls = [row[0] for row in conn.execute("SELECT url FROM reports")]
        assert len(urls) == len(set(urls))
        run = conn.execute("SELECT * FROM runs ORDER BY id DESC").fetchone()
        assert run["changed"] == 1

    # a night with no change: robots.txt plus one conditional request answered 304
    p.reset_log()
    r = crawl("--sites", str(sites), "--db", str(db))
    assert r.returncode == 0
    assert [h.path for h in p.log if h.path != "/robots.txt"] == ["/nb/index.html"]


def test_kill_and_resume(corpus, tmp_path):
    p = Portal()
    try:
        site = p.site("slow")
        slow_column(site, [c.load(corpus, k) for k in SEEDS], 16, per_page=4, delay=0.4)
        sites = write_sites(tmp_path / "sites.csv", [("慢县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites), "--db", str(db),
                "--mode", "backfill", *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        proc = subprocess.Popen(args, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stored_before: set[str] = set()
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.2)
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        stored_before = {r[0] for r in conn.execute("SELECT url FROM reports WHERE content_sha256 IS NOT NULL")}
                except sqlite3.Error:
                    continue
                if len(stored_before) >= 4:
                    break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 4 <= len(stored_before) < 16, "the crawl must be killed halfway"
        with sqlite3.connect(db) as conn:
            stored_before = {r[0] for r in conn.execute("SELECT url FROM reports WHERE content_sha256 IS NOT NULL")}
        p.reset_log()
        r = crawl("--sites", str(sites), "--db", str(db), "--mode", "backfill")
        assert r.returncode == 0, r.stderr[-3000:]
        refetched = {site.url(h.path) for h in p.log} & stored_before
        assert not refetched, f"stored reports fetched again: {refetched}"
        with sqlite3.connect(db) as conn:
            urls = [r[0] for r in conn.execute("SELECT url FROM reports")]
        assert len(urls) == len(set(urls)) == 16
    finally:
        p.stop()


def test_second_run_is_refused_while_one_holds_the_lock(tmp_path):
    from crawler.runtime import Lock

    sites = write_sites(tmp_path / "sites.csv", [("x", "county", "1", "http://127.0.0.1:9/")])
    db = tmp_path / "nb.db"
    lock = Lock(str(db))
    assert lock.acquire() is None
    try:
        r = crawl("--sites", str(sites), "--db", str(db))
        assert r.returncode != 0 and "another crawl is running" in r.stderr
    finally:
        lock.release()


def test_backfill_keeps_only_the_years_asked_for(portal, tmp_path):
    p, site, col, docs, paths, sites = portal
    db = tmp_path / "nb.db"
    r = crawl("--sites", str(sites), "--db", str(db), "--mode", "backfill", "--years", "2023-2024")
    assert r.returncode == 0, r.stderr[-3000:]
    with _db(db) as conn:
        years = [row[0] for row in conn.execute("SELECT year FROM reports WHERE content_sha256 IS NOT NULL")]
    assert years == [2023]   # seed 003 (淮源镇 2023); the 2021 reports are left out
