"""The front end over a database crawled from the fixture county platforms (not built by hand):
a department's report page and its body page in headless Chromium show the organ, the official
labels and the figures of the report that was served."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_datasette_browser import CHROMEDRIVER, CHROMIUM, Browser, serving  # noqa: E402
from tests.portal.counties import RESOLVER, build_counties  # noqa: E402
from tests.test_crawl import crawl  # noqa: E402


@pytest.fixture(scope="module")
def crawled(corpus, tmp_path_factory):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium/chromedriver not installed")
    work = tmp_path_factory.mktemp("browse-crawled")
    portal, expect = build_counties(corpus, work)
    db = work / "nianbao.db"
    try:
        proc = crawl("--sites", str(expect.sites_csv), "--db", str(db), *RESOLVER)
        assert proc.returncode == 0, proc.stderr[-3000:]
    finally:
        portal.stop()
    return db, expect


def test_department_report_and_body_pages_from_a_crawl(crawled, tmp_path):
    db, expect = crawled
    # a department's report with tables: 洛川县教育局's, listed in its own column of the organ tree
    exp = next(e for e in expect.reports if e.organ == "洛川县教育局" and e.doc and e.doc.truth.get("tables"))
    with sqlite3.connect(db) as conn:
        rid, body_key = conn.execute("SELECT id, body_key FROM reports WHERE url = ?", [exp.url]).fetchone()
    received = exp.doc.truth["tables"]["applications"]["received_new"]["total"]
    with serving(db) as (base, _):
        b = Browser(base, tmp_path / "profile")
        try:
            text = b.open(f"/nianbao/reports/{rid}")
            assert "洛川县教育局" in text and str(exp.year) in text
            assert "本年新收政府信息公开申请数量" in text and str(received) in text
            text = b.open("/-/body?key=" + quote(body_key))
            assert "洛川县教育局" in text and str(exp.year) in text
        finally:
            b.close()
