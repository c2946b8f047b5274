"""A 图片版 report on the fixture portal: the page's pictures (a real report's pages) are fetched
from the same site, read by OCR and stored with their tables; an off-site picture is never
fetched; reparse reads the stored pictures again; -s NIANBAO_OCR=0 leaves the report image_only."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import ocr_fixtures as F  # noqa: E402
from tests.portal import content as c  # noqa: E402
from tests.portal.families import write_sites  # noqa: E402
from tests.portal.server import Portal  # noqa: E402
from tests.test_crawl import crawl  # noqa: E402

TITLE = "淮安市洪泽区人民政府2023年政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def picture_site(corpus):
    pages = [F.png(p) for p in F.pdf_pages(corpus / "huaian" / "hzq2023_working.pdf", 200)]
    truth = json.loads((corpus / "huaian" / "hzq2023_working.truth.json").read_text(encoding="utf-8"))
    p = Portal()
    site, elsewhere = p.site("pictures"), p.site("elsewhere")
    for i, data in enumerate(pages, start=1):
        site.page(f"/uploadfile/2024/p{i}.png", data, ctype="image/png")
    elsewhere.page("/ad.png", pages[0], ctype="image/png")
    srcs = [f"/uploadfile/2024/p{i}.png" for i in range(1, len(pages) + 1)] + [elsewhere.url("/ad.png")]
    site.page("/info/1050/7001.htm", c.image_page(TITLE, srcs, family="vsb", site_name="淮安市洪泽区人民政府"))
    site.page("/xxgk/ndbg.htm", c.list_page("年度报告", [("../info/1050/7001.htm", TITLE, "2024-01-20")]))
    yield p, site, elsewhere, truth, len(pages)
    p.stop()


def _cells(db: Path, url: str) -> dict:
    with sqlite3.connect(db) as conn:
        rid = conn.execute("SELECT id FROM reports WHERE url = ?", [url]).fetchone()[0]
        return {(t, r, k): (v, conf) for t, r, k, v, conf in conn.execute(
            "SELECT table_key, row_key, col_key, value, confidence FROM cells WHERE report_id = ?", [rid])}


def test_image_only_report_crawled_read_by_ocr_and_stored(picture_site, tmp_path):
    p, site, elsewhere, truth, n = picture_site
    sites = write_sites(tmp_path / "s.csv", [("洪泽区", "county", "320813", site.url("/xxgk/ndbg.htm"))])
    db = tmp_path / "nb.db"
    r = crawl("--sites", str(sites), "--db", str(db), timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    url = site.url("/info/1050/7001.htm")
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM reports WHERE url = ?", [url]).fetchone()
        kept = conn.execute("SELECT count(*) FROM pages WHERE kind = 'image' AND content_sha256 IS NOT NULL").fetchone()[0]
    assert row["status"] == "parsed" and row["source_type"] == "image", (row["status"], row["reason"])
    assert row["organ"] == truth["organ"] and row["year"] == truth["year"] and row["format"] == truth["format"]
    assert 0.8 < row["ocr_confidence"] <= 1
    cells = _cells(db, url)
    want = {(t, rk, ck): v for t, rows in truth["tables"].items() for rk, cols in rows.items() for ck, v in cols.items()}
    right = sum(1 for k, v in want.items() if k in cells and cells[k][0] == v)
    assert right == len(want), f"{right} of {len(want)} cells right"
    assert any(conf for _, conf in cells.values())
    assert kept == n                                          # every picture kept for reparse
    assert not elsewhere.hits(), "an off-site picture was fetched"

    # reparse reads the stored pictures again: the same cells, nothing changed
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", "--db", str(db)], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    assert {k: v for k, (v, _) in _cells(db, url).items()} == {k: v for k, (v, _) in cells.items()}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM reports WHERE url = ?", [url]).fetchone()[0] == "parsed"


def test_ocr_turned_off_leaves_the_report_image_only(picture_site, tmp_path):
    p, site, elsewhere, truth, n = picture_site
    sites = write_sites(tmp_path / "s.csv", [("洪泽区", "county", "320813", site.url("/xxgk/ndbg.htm"))])
    db = tmp_path / "nb.db"
    p.reset_log()
    r = crawl("--sites", str(sites), "--db", str(db), "-s", "NIANBAO_OCR=0")
    assert r.returncode == 0, r.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        status = conn.execute("SELECT status FROM reports WHERE url = ?", [site.url("/info/1050/7001.htm")]).fetchone()[0]
    assert status == "image_only"
    assert not [h for h in p.log if h.path.endswith(".png")]
