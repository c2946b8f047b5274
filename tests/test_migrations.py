"""Schema migrations (storage/migrations.py): a database written by the first release's schema
(tests/files/schema-first-release.sql) opens, is migrated once, keeps its rows and then works
like a new one."""
from __future__ import annotations

import re
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlite_utils

from storage import Store
from storage.migrations import MIGRATIONS
from storage.store import DatabaseLocked, site_id_for

OLD_DDL = Path(__file__).resolve().parent / "files" / "schema-first-release.sql"
URL = "http://www.tongbai.gov.cn/hyz/2022.html"


def old_database(path: Path) -> Path:
    """A database as the first release left it: its DDL, a site, a report with cells and a
    check, and a remembered column (crawl_state without organ/name/family)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_DDL.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO sites (id, name, level, url) VALUES ('s1', '桐柏县淮源镇人民政府', 'town', "
                     "'http://www.tongbai.gov.cn/hyz/')")
        conn.execute("INSERT INTO reports (id, url, site_id, title, organ, year, status, text, content_sha256) "
                     "VALUES (1, ?, 's1', '淮源镇2022年政府信息公开工作年度报告', '淮源镇', 2022, 'parsed', "
                     "'一、总体情况 本机关依申请公开政府信息', NULL)", [URL])
        conn.execute("INSERT INTO cells (report_id, table_key, row_key, col_key, value, raw, inferred) "
                     "VALUES (1, 'applications', 'received_new', 'total', 7, '7', 0)")
        conn.execute("INSERT INTO checks (report_id, rule, ok, detail) VALUES (1, 'applications.balance', 1, 'ok')")
        conn.execute("INSERT INTO crawl_state (site_id, url, what, at) VALUES ('s1', 'http://www.tongbai.gov.cn/hyz/nb/', "
                     "'column', 1.0)")
    return path


def columns(path: Path) -> dict[str, set[str]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'reports_fts%' AND name NOT LIKE 'sqlite_%'")]
        return {t: {r[1] for r in conn.execute(f"PRAGMA table_info([{t}])")} for t in tables}


def test_old_database_is_migrated_and_keeps_its_rows(tmp_path, corpus):
    db = old_database(tmp_path / "old.db")
    before = columns(db)
    assert "column_organ" not in before["reports"] and "organ" not in before["crawl_state"]

    with Store.open_readonly(db) as ro:       # read-only: says what is pending, changes nothing
        assert ro.pending_migrations() == ["m001_baseline", "m002_runs_note", "m003_search_index_by_batch",
                                         "m004_search_index_settings", "m005_crawl_state_iso_time",
                           "m006_province_index_for_facets"]
    assert columns(db) == before

    with Store(db) as store:
        applied = [(m.name) for m in MIGRATIONS.applied(store.db)]
        assert applied == ["m001_baseline", "m002_runs_note", "m003_search_index_by_batch",
                           "m004_search_index_settings", "m005_crawl_state_iso_time",
                           "m006_province_index_for_facets"]
        row = store.report(1)
        assert row["organ"] == "淮源镇" and row["column_organ"] is None and row["ocr_confidence"] is None
        assert [r[0] for r in store.db.execute(
            "SELECT value FROM cells WHERE report_id = 1 AND row_key = 'received_new'")] == [7]
        # the search index built by the old triggers still answers; the views are the current ones
        assert [r[0] for r in store.db.execute(
            "SELECT rowid FROM reports_fts WHERE reports_fts MATCH '\"依申请公开\"'")] == [1]
        assert store.db.execute("SELECT count(*) FROM reports_wide").fetchone()[0] == 1
        assert "normative_in_force" in {r[1] for r in store.db.execute("PRAGMA table_info(reports_wide)")}
        # the crawl state of the old crawler, with the columns added since
        assert store.columns("s1") == [{"url": "http://www.tongbai.gov.cn/hyz/nb/", "organ": None, "name": None,
                                        "family": None}]
        assert store.when("s1", "http://www.tongbai.gov.cn/hyz/nb/", "column") == "1970-01-01T00:00:01+00:00"
        store.remember("s1", "http://www.tongbai.gov.cn/hyz/nb2/", "column", organ="淮源镇", name="年报", family="trs")
        assert store.columns("s1")[1]["organ"] == "淮源镇"
        # and it stores reports as a new database does
        from storage.files import store_bytes

        data = (corpus / "seeds/003_85236c9e0b1ec5a3.txt").read_bytes()
        rid, outcome = store_bytes(store, data, url="http://www.tongbai.gov.cn/hyz/2023.txt", site_id="s1",
                                   name="2023.txt")
        assert outcome == "new"
        assert store.db.execute("SELECT count(*) FROM cells WHERE report_id = ?", [rid]).fetchone()[0] > 100
        store.close_abandoned_runs()        # used to add runs.note on the fly

    # the migrated database has every table and column a new one has
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()
    assert columns(db) == columns(fresh)


def test_migrations_run_once(tmp_path):
    db = old_database(tmp_path / "old.db")
    Store(db).close()
    with Store(db) as store:
        assert store.pending_migrations() == []
        assert len(MIGRATIONS.applied(store.db)) == 6
    with Store.open_readonly(db) as ro:
        assert ro.pending_migrations() == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 6


def test_a_writer_holds_the_lock_a_reader_does_not_need_it(tmp_path):
    db = tmp_path / "nb.db"
    import subprocess
    import sys
    # another process opens the database for writing and holds it
    child = subprocess.Popen([sys.executable, "-c", f"import sys, time; sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
                              f"from storage import Store\ns = Store({str(db)!r})\nprint('open', flush=True)\ntime.sleep(60)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseLocked, match="another crawl is running"):
            Store(db)
        # a reparse started meanwhile says so in one line and exits 75, as a second crawl does
        proc = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", "--db", str(db)],
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
        assert proc.returncode == 75 and proc.stderr.count("\n") == 1, proc.stderr
        assert "another crawl is running on this database (pid" in proc.stderr
        with Store.open_readonly(db) as ro:
            assert ro.has_tables("reports", "crawl_state") and ro.report_urls() == set()
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                ro.remember("s", "u", "column")
    finally:
        child.kill()
        child.wait()
    Store(db).close()           # the lock died with its holder


def previous_release_database(path: Path, marks: list[tuple[str, str, str, float, str | None]]) -> Path:
    """A database as the release before m005 left it: the schema up to m004 and crawl_state rows
    (site_id, url, what, at, organ) whose `at` is REAL epoch seconds, inserted as its
    `time.time()` stamps were."""
    db = sqlite_utils.Database(path)
    MIGRATIONS.apply(db, stop_before="m005_crawl_state_iso_time")
    assert db["crawl_state"].columns_dict["at"] is float
    with db.conn:
        db.conn.executemany("INSERT INTO crawl_state (site_id, url, what, at, organ) VALUES (?,?,?,?,?)", marks)
    db.close()
    return path


def test_epoch_crawl_state_becomes_iso_and_keeps_its_meaning(tmp_path):
    two, eight = "http://127.0.0.1:9/two/", "http://127.0.0.1:9/eight/"
    sid2, sid8 = site_id_for(two), site_id_for(eight)
    t = time.time()
    day = 86400.0
    base = float(int(t - 30 * day))      # a whole second, so the ties below fall in one second
    marks = [
        (sid2, "", "discovered", t - 2 * day, None), (sid8, "", "discovered", t - 8 * day, None),
        # columns found in this order; c and b in one second, b's stamp earlier than c's though
        # inserted after it (the clock stepped back): `columns()` reads a, b, c, d
        (sid2, two + "a/", "column", base + 0.5, "甲局"), (sid2, two + "c/", "column", base + 1.7, "丙局"),
        (sid2, two + "b/", "column", base + 1.2, "乙局"), (sid2, two + "d/", "column", base + 2.0, "丁局"),
        (sid8, eight + "nb/", "column", base + 3.0, "戊局"),
        (sid2, two + "2023.html", "report_page", base + 4.25, None),
    ]
    db = previous_release_database(tmp_path / "prev.db", marks)
    order_sql = "SELECT url FROM crawl_state WHERE site_id=? AND what='column' ORDER BY at, rowid"
    with sqlite3.connect(db) as conn:
        before = [r[0] for r in conn.execute(order_sql, [sid2])]
    assert before == [two + "a/", two + "b/", two + "c/", two + "d/"]

    with Store(db) as store:
        assert "m005_crawl_state_iso_time" in [m.name for m in MIGRATIONS.applied(store.db)]
        assert store.db["crawl_state"].columns_dict["at"] is str
        stamps = {(r[0], r[1], r[2]): r[3] for r in store.db.execute(
            "SELECT site_id, url, what, at, typeof(at) FROM crawl_state")}
        assert len(stamps) == len(marks)
        for sid, url, what, at, _ in marks:    # each epoch value is now its UTC ISO second
            iso = stamps[(sid, url, what)]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", iso), iso
            assert iso == datetime.fromtimestamp(int(at), timezone.utc).isoformat()
            assert store.when(sid, url, what) == iso
        assert [c["url"] for c in store.columns(sid2)] == before
        assert [c["organ"] for c in store.columns(sid2)] == ["甲局", "乙局", "丙局", "丁局"]
        # a new column found now comes last
        store.remember(sid2, two + "e/", "column", organ="己局")
        assert [c["url"] for c in store.columns(sid2)] == before + [two + "e/"]

        # the nightly run reads the converted marks: discovered 2 days ago is not due again
        # (NIANBAO_REDISCOVER_DAYS 7), 8 days ago is; both ask their known columns
        asked = nightly_start_urls(store, tmp_path, [two, eight])
        assert eight in asked and two not in asked, asked
        assert {two + "a/", two + "e/", eight + "nb/"} <= asked
        store.remember(sid8, "", "discovered")      # as the pipeline does once the entry is walked
        assert eight not in nightly_start_urls(store, tmp_path, [two, eight])


def nightly_start_urls(store: Store, tmp_path: Path, urls: list[str]) -> set[str]:
    """The URLs a nightly run over these sites asks first (the spider's start requests, on `store`)."""
    from scrapy.utils.test import get_crawler

    from crawler.spiders.reports import ReportsSpider

    sites = tmp_path / "sites.csv"
    sites.write_text("name,level,region_code,url\n" + "".join(f"site {i},county,,{u}\n" for i, u in enumerate(urls)),
                     encoding="utf-8")
    spider = ReportsSpider.from_crawler(get_crawler(ReportsSpider), sites=str(sites), mode="nightly")
    spider.store = store
    return {r.url for r in spider.start_requests_for_sites()}


def test_the_province_facet_reads_an_index_not_the_report_rows(tmp_path):
    """Datasette's default facet of reports_wide (by province) and a province's reports by year
    are answered from reports(province, year, site_id) (m006), without reading report rows."""
    facet = ("select province as value, count(*) as count from (select * from reports_wide order by year desc) "
             "where province is not null group by province order by count desc, value limit 31")
    listing = "select * from reports_wide where province = '河南省' order by year desc limit 51"
    with Store(tmp_path / "f.db") as store:
        def plan(sql: str) -> str:
            return " / ".join(r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql))
        assert "SEARCH r USING COVERING INDEX idx_reports_province_year_site_id" in plan(facet), plan(facet)
        assert "SEARCH r USING INDEX idx_reports_province_year_site_id (province=?)" in plan(listing), plan(listing)
        assert "TEMP B-TREE FOR ORDER BY" not in plan(listing).split(" / ")[0]
