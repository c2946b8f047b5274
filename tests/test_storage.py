"""Store API, region resolution, deadlines, WAL and crash safety (no parser needed except
where a real report is stored)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage import Store
from storage.deadlines import days_late, deadline
from storage.divisions import normalize_code, resolve
from storage.store import site_id_for

ROOT = Path(__file__).resolve().parents[1]


def fake_parse(organ="桐柏县淮源镇人民政府", year=2023, received=5, publish_date="2024-01-20") -> dict:
    """A parse result in the parser's shape (for API tests that are not about the parser)."""
    cells = [{"table": "applications", "row": "received_new", "col": "total", "value": received, "raw": str(received),
              "inferred": False},
             {"table": "applications", "row": "carried_forward", "col": "total", "value": 1, "raw": "1", "inferred": False},
             {"table": "active_disclosure", "row": "fees", "col": "amount_wan_yuan", "value": 0.5, "raw": "0.5",
              "inferred": False}]
    return {"title": f"{organ}{year}年政府信息公开工作年度报告", "organ": organ, "year": year, "format": "2021",
            "metadata": {"publish_date": publish_date, "source": None}, "sections": {"overview": "总体情况"},
            "tables": {}, "checks": [{"rule": "applications.balance", "ok": True, "detail": "5 = 5"}],
            "cells": cells, "text": f"{organ}报告正文", "source_type": "html", "status": "parsed",
            "attachments": [], "images": []}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "t.db")
    yield s
    s.close()


# -- region codes ---------------------------------------------------------------------

@pytest.mark.parametrize("name,hint,expect", [
    ("桐柏县淮源镇人民政府", None, ("河南省", "南阳市", "桐柏县", "淮源镇", "411330108", "township")),
    ("湟源县人民政府办公室", None, ("青海省", "西宁市", "湟源县", None, "630123", "department")),
    ("淮安市洪泽区人民政府", None, ("江苏省", "淮安市", "洪泽区", None, "320813", "government")),
    ("绵阳市游仙区信义镇", None, ("四川省", "绵阳市", "游仙区", "信义镇", "510704122", "township")),
    ("龙湖镇", "410184", ("河南省", "郑州市", "新郑市", "龙湖镇", "410184109", "township")),
    ("龙湖镇", None, (None, None, None, None, None, None)),            # seven 龙湖镇 in China
    ("财政局", "411330000000", ("河南省", "南阳市", "桐柏县", None, "411330", "department")),
    ("北京市朝阳区人民政府", None, ("北京市", "北京市", "朝阳区", None, "110105", "government")),
    ("平潭综合实验区管委会", None, ("福建省", "福州市", "平潭县", None, "350128", "government")),
    ("河南省南阳市桐柏县人民政府", None, ("河南省", "南阳市", "桐柏县", None, "411330", "government")),
])
def test_resolve(name, hint, expect):
    r = resolve(name, hint)
    assert (r.province, r.city, r.county, r.township, r.region_code, r.kind) == expect


def test_same_body_under_two_names():
    assert resolve("洪泽区人民政府").body_key == resolve("淮安市洪泽区人民政府").body_key == "320813"
    assert resolve("湟源县人民政府办公室").body_key == "630123/人民政府办公室"
    assert resolve("平潭综合实验区").body_key != resolve("平潭县人民政府").body_key


def test_ambiguous_name_keeps_common_levels():
    r = resolve("朝阳区人民政府")                    # 北京 and 长春 both have one
    assert r.region_code is None and set(r.candidates) == {"110105", "220104"}
    assert resolve("朝阳区人民政府", "2201").county == "朝阳区"


def test_normalize_code():
    assert normalize_code("411330108000") == "411330108"
    assert normalize_code("411330000000") == "411330"
    assert normalize_code("410000") == "41"
    assert normalize_code("") is None and normalize_code("12") == "12"


def test_deadlines():
    assert deadline(2021, "government", "411330") == "2022-03-31"
    assert deadline(2021, "department", "411330") == "2022-01-31"
    assert deadline(2021, "township", "411330108") is None      # 第四十九条 names none
    assert deadline(2013, "department", "350128") == "2014-03-31"  # 2008 条例: 3月31日 for all
    assert days_late("2022-02-03", "2022-01-31") == 3
    assert days_late("2022-01-03", "2022-01-31") == 0
    assert days_late(None, "2022-01-31") is None


# -- sites ---------------------------------------------------------------------------

def test_upsert_sites(store):
    rows = [{"name": "桐柏县淮源镇人民政府", "level": "town", "region_code": "", "url": "http://www.tongbai.gov.cn/hyz/",
             "phone": "0377-1"},
            {"name": "龙湖镇", "level": "town", "region_code": "410184", "url": "http://lhz.example.cn",
             "extras": {"note": "郑州"}}]
    ids = store.upsert_sites(rows)
    assert ids == [site_id_for("http://www.tongbai.gov.cn/hyz/"), site_id_for("HTTP://LHZ.example.cn/")]
    assert store.upsert_sites(rows) == ids                                # stable, no duplicates
    got = {r["name"]: r for r in store.db.query("SELECT * FROM sites")}
    assert len(got) == 2
    assert (got["龙湖镇"]["county"], got["龙湖镇"]["township_code"], got["龙湖镇"]["note"]) == ("新郑市", "410184109", "郑州")
    assert got["桐柏县淮源镇人民政府"]["phone"] == "0377-1"
    assert got["桐柏县淮源镇人民政府"]["resolved_from"] == "name"


# -- pages ---------------------------------------------------------------------------

def test_record_page_keeps_validators_and_bytes(store):
    body = "<html>报告</html>".encode("utf-8")
    digest = store.record_page("http://a/r.html", site_id=None, status=200, body=body, kind="report",
                               headers={"ETag": '"abc"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT",
                                        "Content-Type": "text/html"})
    assert store.page_validators("http://a/r.html") == {"etag": '"abc"', "last_modified": "Wed, 01 Jan 2025 00:00:00 GMT",
                                                         "content_sha256": digest}
    # a 304 keeps what the last good fetch stored
    store.record_page("http://a/r.html", site_id=None, status=304, kind="report")
    row = next(store.db.query("SELECT status, etag, content_sha256, fetch_count FROM pages WHERE url='http://a/r.html'"))
    assert row == {"status": 304, "etag": '"abc"', "content_sha256": digest, "fetch_count": 2}
    assert store.blob(digest) == body
    stored = store.db.execute("SELECT length(data), size FROM blobs").fetchone()
    assert stored[1] == len(body)
    store.record_page("http://a/missing", site_id=None, status=None, error="timeout")
    assert store.page_validators("http://a/missing") is None
    assert store.page_validators("http://never/") is None


# -- reports -------------------------------------------------------------------------

def test_store_report_outcomes(store):
    rid, outcome = store.store_report(fake_parse(), url="http://a/1", site_id=None, content=b"v1", source_type="html")
    assert outcome == "new"
    assert store.store_report(fake_parse(), url="http://a/1", site_id=None, content=b"v1", source_type="html") == (rid, "unchanged")
    assert store.store_report(fake_parse(received=7), url="http://a/1", site_id=None, content=b"v2",
                              source_type="html") == (rid, "changed")
    assert store.db.execute("SELECT value FROM cells WHERE report_id=? AND row_key='received_new'", [rid]).fetchone()[0] == 7
    assert store.db.execute("SELECT version, cells FROM report_versions").fetchone()[0] == 1
    assert store.db.execute("SELECT count(*) FROM pages WHERE url='http://a/1'").fetchone()[0] == 1
    assert store.report_urls() == {"http://a/1"}
    r = store.report(rid)
    assert (r["deadline"], r["days_late"], r["checks_ok"], r["version"]) == (None, None, 1, 2)  # township: no deadline


def test_failures_never_delete(store):
    rid, _ = store.store_report(fake_parse(), url="http://a/1", site_id=None, content=b"v1", source_type="html")
    store.record_failure("http://a/1", site_id=None, status="blocked", reason="403")
    assert store.report(rid)["status"] == "parsed"
    assert store.db.execute("SELECT count(*) FROM cells WHERE report_id=?", [rid]).fetchone()[0] == 3
    store.record_failure("http://a/2", site_id=None, status="image_only", reason="scanned PDF, no text layer")
    row = next(store.db.query("SELECT status, reason FROM reports WHERE url='http://a/2'"))
    assert row == {"status": "image_only", "reason": "scanned PDF, no text layer"}
    assert store.db.execute("SELECT count(*) FROM failures").fetchone()[0] == 2
    assert store.report_urls() == {"http://a/1"}
    assert store.report_urls(include_failures=True) == {"http://a/1", "http://a/2"}
    # content arriving later for a failed URL makes it a new report, without a version to keep
    assert store.store_report(fake_parse(), url="http://a/2", site_id=None, content=b"x", source_type="pdf")[1] == "new"
    assert store.db.execute("SELECT count(*) FROM report_versions").fetchone()[0] == 0


def test_report_urls_by_site(store):
    a, b = store.upsert_sites([{"name": "A", "url": "http://a/"}, {"name": "B", "url": "http://b/"}])
    store.store_report(fake_parse(), url="http://a/1", site_id=a, content=b"1", source_type="html")
    store.store_report(fake_parse(), url="http://b/1", site_id=b, content=b"2", source_type="html")
    assert store.report_urls(a) == {"http://a/1"}


def test_department_deadline_and_late(store):
    rid, _ = store.store_report(fake_parse(organ="桐柏县财政局", year=2021, publish_date="2022-02-10"),
                                url="http://a/c", site_id=None, content=b"c", source_type="html")
    r = store.report(rid)
    assert (r["body_kind"], r["deadline"], r["days_late"]) == ("department", "2022-01-31", 10)
    assert store.db.execute("SELECT report_id FROM late_reports").fetchall() == [(rid,)]


def test_runs(store):
    run = store.start_run("nightly", sites=12, years=[2023, 2024])
    store.finish_run(run, sites_ok=11, sites_failed=1, requests=300, bytes=123456, new=4, changed=1, unchanged=20,
                     parse_failures=0, identity_failures=2)
    row = next(store.db.query("SELECT * FROM runs"))
    assert (row["mode"], row["status"], row["sites"], row["years"], row["new"], row["identity_failures"]) == \
        ("nightly", "finished", 12, "[2023, 2024]", 4, 2)
    assert row["finished_at"] >= row["started_at"]


# -- database ------------------------------------------------------------------------

def test_wal_and_reader_during_write(tmp_path):
    path = tmp_path / "w.db"
    with Store(path) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.store_report(fake_parse(), url="http://a/1", site_id=None, content=b"1", source_type="html")
        store.db.execute("BEGIN IMMEDIATE")          # a writer mid-transaction ...
        store.db.execute("DELETE FROM cells")
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        assert reader.execute("SELECT count(*) FROM cells").fetchone()[0] == 3   # ... does not block a reader
        store.db.rollback()
        reader.close()


def test_migrates_an_older_database(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE reports (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, title TEXT)")
        c.execute("INSERT INTO reports (url, title) VALUES ('http://a/old', '旧报告')")
    with Store(path) as store:
        cols = store.db["reports"].columns_dict
        assert "body_key" in cols and "section_overview" in cols
        assert store.report_urls(include_failures=True) == {"http://a/old"}
        store.store_report(fake_parse(), url="http://a/old", site_id=None, content=b"1", source_type="html")
        assert store.report(1)["organ"] == "桐柏县淮源镇人民政府"


def test_crash_mid_write_loses_nothing_committed(tmp_path):
    """A writer killed with SIGKILL in the middle of its work: every report it reported as
    stored is there, and the database is intact."""
    path = tmp_path / "crash.db"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_storage import fake_parse
        from storage import Store
        store = Store({str(path)!r})
        for i in range(100000):
            store.store_report(fake_parse(received=i), url=f"http://a/{{i}}", site_id=None,
                               content=str(i).encode() * 5000, source_type="html")
            print(i, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    last = -1
    for line in proc.stdout:
        last = int(line)
        if last >= 30:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = c.execute("SELECT count(*) FROM reports").fetchone()[0]
        assert n >= last + 1
        # each committed report is whole: its cells and figures came in the same transaction
        assert c.execute("SELECT count(*) FROM cells").fetchone()[0] == 3 * n
        assert c.execute("SELECT count(*) FROM figures").fetchone()[0] == n
