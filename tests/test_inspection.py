"""parsers.inspect_page: a fetched page is decoded and extracted once. The parser reuses an
inspection instead of doing the work again, with the same result; a crawl of a fixture site
decodes and extracts each HTML page once (counted in the crawl's own process)."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import inspect_page, parse_bytes  # noqa: E402
from tests.portal import content as c  # noqa: E402
from tests.portal.families import write_sites  # noqa: E402
from tests.portal.server import Portal  # noqa: E402
from tests.test_crawl import FAST  # noqa: E402

SEEDS = ("seeds/000_61f4a806a08c13ab", "seeds/001_213733622d4d3974", "seeds/003_85236c9e0b1ec5a3")


def _pages(corpus: Path) -> list[tuple[str, bytes]]:
    """Report pages as portals serve them: UTF-8 with chrome, GBK without a charset, and the
    real portal pages of the corpus."""
    out = []
    for i, key in enumerate(SEEDS):
        doc = c.load(corpus, key)
        enc, charset = ("gbk", None) if i == 1 else ("utf-8", "utf-8")
        out.append((f"http://portal.test/nb/{i}.html", c.report_page(doc, charset=charset).encode(enc)))
    for f in sorted((corpus / "portal").glob("*.htm*")):
        out.append((f"http://portal.test/portal/{f.name}", f.read_bytes()))
    return out


def test_parse_reuses_the_inspection_with_the_same_result(corpus, monkeypatch):
    import parsers.decode
    import parsers.extract
    import parsers.report

    pages = _pages(corpus)
    fresh = {}
    for url, data in pages:
        try:
            fresh[url] = parse_bytes(data, url=url)
        except Exception as e:  # noqa: BLE001 - compared below: the reuse must fail the same way
            fresh[url] = repr(e)
    inspections = {url: inspect_page(data, url) for url, data in pages}
    assert all(i.kind == "html" and i.extraction is not None for i in inspections.values())

    def again(*_a, **_k):
        raise AssertionError("decoded or extracted again")

    monkeypatch.setattr(parsers.extract, "extract_page", again)
    monkeypatch.setattr(parsers.report, "decode", again)
    for url, data in pages:
        try:
            reused = parse_bytes(data, url=url, inspection=inspections[url])
        except AssertionError:
            raise
        except Exception as e:  # noqa: BLE001
            reused = repr(e)
        assert reused == fresh[url], url
    parsed = [r for r in fresh.values() if isinstance(r, dict) and r["status"] == "parsed"]
    assert len(parsed) >= len(SEEDS)


def test_an_inspection_of_other_bytes_is_not_used(corpus):
    (url, data), (_, other) = _pages(corpus)[:2]
    wrong = inspect_page(other, url)
    assert parse_bytes(data, url=url, inspection=wrong) == parse_bytes(data, url=url)


def test_unreadable_bytes_give_a_reason_not_an_exception():
    assert inspect_page(b"", "http://x/a.html").error == "empty file"
    assert "binary" in inspect_page(b"\x00\x01\x02" * 100, "http://x/a.html").error


# --- the crawl: counted inside the crawling process ------------------------------------------

COUNTING = r"""
import atexit, hashlib, json, sys
import crawler.cli, crawler.middlewares, crawler.pipelines, crawler.spiders.reports  # noqa: F401
import parsers.decode, parsers.extract, parsers.inspection, parsers.limits, parsers.report  # noqa: F401
import scrapy.http.response.text as scrapy_text

counts = {"extract": {}, "decode": {}, "stores": []}


def count(module, name, label, key):
    original = getattr(module, name)

    def counted(*args, **kwargs):
        k = key(*args, **kwargs)
        counts[label][k] = counts[label].get(k, 0) + 1
        return original(*args, **kwargs)

    for m in list(sys.modules.values()):      # every module that imported the name
        if getattr(m, name, None) is original:
            setattr(m, name, counted)


sha = lambda b: hashlib.sha256(bytes(b)).hexdigest()
count(parsers.extract, "extract_page", "extract", lambda html, url=None: url)
count(parsers.decode, "decode", "decode", lambda data, declared=None: sha(data))
count(scrapy_text, "html_to_unicode", "decode", lambda ctype, body, *a, **k: sha(body))
import storage.store  # noqa: E402

_store_init = storage.store.Store.__init__


def _counted_store(self, path, *args, **kwargs):     # every Store the crawl opens, and how
    counts["stores"].append("readonly" if kwargs.get("_readonly") else "write")
    return _store_init(self, path, *args, **kwargs)


storage.store.Store.__init__ = _counted_store
atexit.register(lambda: json.dump(counts, open(sys.argv[1], "w")))
sys.exit(crawler.cli.main(sys.argv[2:]))
"""


def _blank_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def counted_crawl(corpus, tmp_path_factory):
    work = tmp_path_factory.mktemp("inspect")
    p = Portal()
    site = p.site("pages")
    served: dict[str, bytes] = {}
    items = []
    for i, key in enumerate(SEEDS):
        doc = c.load(corpus, key)
        gbk = i == 1        # a GBK page with no charset anywhere
        body = c.report_page(doc, charset=None if gbk else "utf-8").encode("gbk" if gbk else "utf-8")
        path = f"/nb/{i}.html"
        site.page(path, body, ctype="text/html" if gbk else "text/html; charset=utf-8")
        served[site.url(path)] = body
        items.append((f"{i}.html", doc.title, "2022-01-14"))
    pdf_title = "某县2024年政府信息公开工作年度报告"
    att = c.attachment_page(pdf_title, "/files/report.pdf", "年报.pdf").encode("utf-8")
    site.page("/nb/att.html", att)
    served[site.url("/nb/att.html")] = att
    site.page("/files/report.pdf", (corpus / "huaian" / "szfgs2024.pdf").read_bytes(), ctype="application/pdf")
    items.append(("att.html", pdf_title, "2024-01-20"))
    # a 图片版 page: its inspection waits in the spider while the pictures are fetched (blank ones:
    # OCR reads nothing, so the report stays image_only)
    pic_title = "某县2023年政府信息公开工作年度报告"
    pic = c.image_page(pic_title, ["/pics/p1.png", "/pics/p2.png"]).encode("utf-8")
    site.page("/nb/pic.html", pic)
    served[site.url("/nb/pic.html")] = pic
    for name in ("p1", "p2"):
        site.page(f"/pics/{name}.png", _blank_png(), ctype="image/png")
    items.append(("pic.html", pic_title, "2023-01-20"))
    site.page("/nb/", c.list_page("年度报告", items))
    sites = write_sites(work / "s.csv", [("某县", "county", "320813", site.url("/nb/"))])
    db, out = work / "nb.db", work / "counts.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run([sys.executable, "-c", COUNTING, str(out), "crawl", "--sites", str(sites), "--db", str(db),
                               *FAST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        yield proc, served, json.loads(out.read_text()), db
    finally:
        p.stop()


def test_a_crawled_page_is_decoded_and_extracted_once(counted_crawl):
    import hashlib

    proc, served, counts, db = counted_crawl
    assert proc.returncode == 0, proc.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT url, status FROM reports"))
    # every report found: the three pages parsed from their inspection, the PDF behind the fourth,
    # the 图片版 page with its pictures
    assert sorted(stored.values()) == ["image_only"] + ["parsed"] * 4, stored
    for url, body in served.items():
        assert counts["extract"].get(url) == 1, (url, counts["extract"])
        assert counts["decode"].get(hashlib.sha256(body).hexdigest()) == 1, url


def test_a_crawl_opens_the_database_once(counted_crawl):
    """One Store, one connection, in the crawling process: the pipeline opens it under the
    writer's lock and the spider reads the crawl state through it (issue 14: there were four)."""
    proc, _served, counts, _db = counted_crawl
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert counts["stores"] == ["write"]
