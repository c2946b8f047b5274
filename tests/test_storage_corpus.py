"""The storage layer on the real corpus: a database built the way a crawl builds it
(record_page -> parsers.parse_bytes -> store_report), read back with SQL.

build_corpus_db() is also used by tests/test_datasette.py.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storage import Store
from storage.files import store_bytes
from storage.reparse import reparse

FETCHED = "2025-03-01T00:00:00+00:00"

# Portals of the corpus's bodies (URLs made up, names and codes real), plus one body with no report.
SITES = [
    {"name": "桐柏县淮源镇人民政府", "level": "town", "region_code": "", "url": "http://www.tongbai.gov.cn/hyz/"},
    {"name": "龙湖镇", "level": "town", "region_code": "410184", "url": "http://www.xinzheng.gov.cn/lhz/"},
    {"name": "绵阳市游仙区信义镇", "level": "town", "region_code": "", "url": "http://www.youxian.gov.cn/xyz/"},
    {"name": "湟源县人民政府办公室", "level": "county", "region_code": "630123000000", "url": "http://www.huangyuan.gov.cn/"},
    {"name": "洛阳市洛龙区人民政府办公室", "level": "county", "region_code": "410311", "url": "http://www.luolong.gov.cn/"},
    {"name": "淮安市洪泽区人民政府", "level": "county", "region_code": "320813", "url": "http://www.hongze.gov.cn/"},
    {"name": "淮安市人民政府", "level": "city", "region_code": "320800", "url": "http://www.huaian.gov.cn/"},
    {"name": "平潭综合实验区", "level": "county", "region_code": "", "url": "http://www.pingtan.gov.cn/"},
    {"name": "桐柏县人民政府", "level": "county", "region_code": "411330", "url": "http://www.tongbai.gov.cn/",
     "extras": {"note": "no report in the corpus"}},
]
# corpus file -> index in SITES
FILES = {
    "seeds/000_61f4a806a08c13ab.txt": 1,
    "seeds/001_213733622d4d3974.txt": 2,
    "seeds/002_51a7ac9068d409eb.txt": 3,
    "seeds/003_85236c9e0b1ec5a3.txt": 0,
    "seeds/004_fd2255dcef9b15cd.txt": 4,
    "huaian/hzq2023_working.pdf": 5,
    "huaian/hzq2024_working.pdf": 5,
    "huaian/szfgs2024.pdf": 6,
    "legacy/pingtan-county-2012.txt": 7,
    "legacy/pingtan-local-tax-bureau-2013.txt": 7,
    "legacy/pingtan-zone-2011.txt": 7,
    "legacy/pingtan-zone-2014.txt": 7,
    "legacy/pingtan-zone-2016.txt": 7,
    "legacy/pingtan-zone-2018.txt": 7,
}
NONREPORT = "portal/pingtan-nonreport-in-report-column-2014.txt"
HUAIYUAN_2022 = "http://www.tongbai.gov.cn/hyz/huaiyuan-2022.txt"


def url_for(rel: str) -> str:
    return SITES[FILES[rel]]["url"] + Path(rel).name


def huaiyuan_2022(corpus: Path) -> bytes:
    """The 淮源镇 2023 report rewritten as its 2022 report, which carries 3 applications forward
    (so 2023's 上年结转 0 does not match, and its own identity fails)."""
    text = (corpus / "seeds/003_85236c9e0b1ec5a3.txt").read_text(encoding="utf-8")
    text = text.replace("2024", "2023").replace("2023", "2022")
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.strip() == "四、结转下年度继续办理")
    values = [n for n in range(i + 1, i + 9) if lines[n].strip() == "0"]
    lines[values[0]] = "\t3"     # 自然人
    lines[values[6]] = "\t3"     # 总计
    return "\n".join(lines).encode("utf-8")


def build_corpus_db(corpus: Path, path: Path) -> Path:
    with Store(path) as store:
        ids = store.upsert_sites(SITES)
        for rel, site in FILES.items():
            store_bytes(store, (corpus / rel).read_bytes(), url=url_for(rel), site_id=ids[site],
                        name=Path(rel).name, fetched_at=FETCHED)
        store_bytes(store, huaiyuan_2022(corpus), url=HUAIYUAN_2022, site_id=ids[0], name="huaiyuan-2022.txt",
                    fetched_at=FETCHED)
        store_bytes(store, (corpus / NONREPORT).read_bytes(), url="http://www.pingtan.gov.cn/" + Path(NONREPORT).name,
                    site_id=ids[7], name=Path(NONREPORT).name, fetched_at=FETCHED)
    return path


@pytest.fixture(scope="module")
def corpus_db(corpus, tmp_path_factory) -> Path:
    return build_corpus_db(corpus, tmp_path_factory.mktemp("corpus") / "nianbao.db")


@pytest.fixture
def db_copy(corpus_db, tmp_path) -> Path:
    """A private copy of the corpus database for tests that write."""
    dst = tmp_path / "copy.db"
    with sqlite3.connect(corpus_db) as src, sqlite3.connect(dst) as out:
        src.backup(out)
    return dst


def q(path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(path) as c:
        return c.execute(sql, params).fetchall()


def report_id(path: Path, rel_or_url: str) -> int:
    url = rel_or_url if rel_or_url.startswith("http") else url_for(rel_or_url)
    return q(path, "SELECT id FROM reports WHERE url = ?", [url])[0][0]


def cell(path: Path, rid: int, table: str, row: str, col: str):
    rows = q(path, "SELECT value FROM cells WHERE report_id=? AND table_key=? AND row_key=? AND col_key=?",
             [rid, table, row, col])
    return rows[0][0] if rows else "missing"


def dump(path: Path, tables=("reports", "cells", "checks", "figures", "report_versions")) -> dict:
    out = {}
    with sqlite3.connect(path) as c:
        for t in tables:
            cols = [r[1] for r in c.execute(f"PRAGMA table_info([{t}])") if r[1] != "updated_at"]
            out[t] = c.execute(f"SELECT {', '.join(cols)} FROM [{t}] ORDER BY 1, 2, 3").fetchall()
    return out


# -- read back ------------------------------------------------------------------------

def test_every_file_stored_once(corpus_db):
    assert q(corpus_db, "SELECT count(*) FROM reports")[0][0] == len(FILES) + 2
    assert q(corpus_db, "SELECT count(*) FROM reports WHERE status = 'parsed'")[0][0] == len(FILES) + 1
    # the 函 in the report column is not a report: a failure row with the parser's reason
    status, reason = q(corpus_db, "SELECT status, reason FROM reports WHERE url LIKE '%nonreport%'")[0]
    assert status == "failed" and "no report" in reason


def test_cells_read_back_equal_parse(corpus, corpus_db):
    import parsers
    for rel in FILES:
        parsed = parsers.parse_bytes((corpus / rel).read_bytes(), name=Path(rel).name, url=url_for(rel))
        rid = report_id(corpus_db, rel)
        got = {(t, r, c): (v, raw) for t, r, c, v, raw in
               q(corpus_db, "SELECT table_key, row_key, col_key, value, raw FROM cells WHERE report_id = ?", [rid])}
        want = {(c["table"], c["row"], c["col"]): (c["value"], c["raw"]) for c in parsed["cells"]}
        assert got == want, rel


def test_cell_values_match_the_truth(corpus_db):
    lh = report_id(corpus_db, "seeds/000_61f4a806a08c13ab.txt")
    assert cell(corpus_db, lh, "applications", "received_new", "natural_person") == 2
    assert cell(corpus_db, lh, "applications", "received_new", "total") == 2
    assert cell(corpus_db, lh, "active_disclosure", "normative_documents", "in_force") == 1
    hz23 = report_id(corpus_db, "huaian/hzq2023_working.pdf")
    fee = cell(corpus_db, hz23, "active_disclosure", "fees", "amount_wan_yuan")
    assert fee == 7730.28 and isinstance(fee, float)            # 万元 keep their decimals
    assert cell(corpus_db, hz23, "active_disclosure", "penalty", "decisions") == 4119
    assert cell(corpus_db, hz23, "review_litigation", "review", "maintained") == 10
    # integers are stored as integers (NUMERIC), not 2.0
    assert q(corpus_db, "SELECT typeof(value) FROM cells WHERE report_id=? AND row_key='received_new' "
                        "AND col_key='total'", [lh])[0][0] == "integer"


def test_report_row(corpus_db):
    rid = report_id(corpus_db, "seeds/003_85236c9e0b1ec5a3.txt")
    row = dict(zip(["organ", "year", "format", "source_type", "province", "city", "county", "township",
                    "township_code", "body_kind", "checks_ok", "fetched_at"],
                   q(corpus_db, "SELECT organ, year, format, source_type, province, city, county, township, "
                                "township_code, body_kind, checks_ok, fetched_at FROM reports WHERE id=?", [rid])[0]))
    assert row == {"organ": "桐柏县淮源镇人民政府", "year": 2023, "format": "2021", "source_type": "text",
                   "province": "河南省", "city": "南阳市", "county": "桐柏县", "township": "淮源镇",
                   "township_code": "411330108", "body_kind": "township", "checks_ok": 1, "fetched_at": FETCHED}
    text, overview, problems = q(corpus_db, "SELECT text, section_overview, section_problems FROM reports "
                                            "WHERE id=?", [rid])[0]
    assert "淮源镇在县委、县政府的正确领导下" in text and "淮源镇在县委、县政府的正确领导下" in overview
    assert "网络安全管理和舆情监测" in problems
    # 湟源县人民政府办公室 resolves through the site's region code and its own name
    assert q(corpus_db, "SELECT province, city, county, body_kind FROM reports WHERE url = ?",
             [url_for("seeds/002_51a7ac9068d409eb.txt")])[0] == ("青海省", "西宁市", "湟源县", "department")


def test_checks_rows(corpus_db):
    hz23 = report_id(corpus_db, "huaian/hzq2023_working.pdf")
    failing = q(corpus_db, "SELECT rule, detail FROM checks WHERE report_id=? AND ok=0", [hz23])
    # the report prints review total 0 beside outcomes 10 and 1: its own error, flagged
    assert failing and any("review" in (r + d) for r, d in failing)
    assert q(corpus_db, "SELECT checks_ok, checks_failed FROM reports WHERE id=?", [hz23])[0] == (0, len(failing))


def test_labels_lookup(corpus_db):
    assert q(corpus_db, "SELECT label FROM labels WHERE table_key='applications' AND axis='row' "
                        "AND key='received_new'")[0][0] == "一、本年新收政府信息公开申请数量"
    lh = report_id(corpus_db, "seeds/000_61f4a806a08c13ab.txt")
    assert q(corpus_db, "SELECT row_label, col_label, value FROM cells_labeled WHERE report_id=? AND "
                        "table_key='applications' AND row_key='received_new' AND col_key='natural_person'",
             [lh])[0] == ("一、本年新收政府信息公开申请数量", "自然人", 2)


def test_wide_view_figures(corpus_db):
    rid = report_id(corpus_db, "huaian/szfgs2024.pdf")
    cols = ["applications_received", "carried_over", "processed", "carried_forward", "fees_wan_yuan",
            "licensing_decisions", "city", "body_kind"]
    row = q(corpus_db, f"SELECT {', '.join(cols)} FROM reports_wide WHERE report_id = ?", [rid])[0]
    assert dict(zip(cols, row)) == {"applications_received": 3119, "carried_over": 34, "processed": 3050,
                                    "carried_forward": 103, "fees_wan_yuan": 96171.6,
                                    "licensing_decisions": 447228, "city": "淮安市", "body_kind": "government"}
    # the withheld figure is the sum of its eight rows
    withheld = q(corpus_db, "SELECT sum(value) FROM cells WHERE report_id=? AND table_key='applications' "
                            "AND row_key LIKE 'withheld_%' AND col_key='total'", [rid])[0][0]
    assert q(corpus_db, "SELECT withheld FROM reports_wide WHERE report_id=?", [rid])[0][0] == withheld
    # a legacy report has no tables but its stated figure reaches the wide view
    assert q(corpus_db, "SELECT applications_received, format FROM reports_wide WHERE url = ?",
             [url_for("legacy/pingtan-county-2012.txt")])[0] == (21, "legacy")


# -- behaviour ------------------------------------------------------------------------

def test_storing_twice_changes_nothing(corpus, db_copy):
    before = dump(db_copy, ("reports", "cells", "checks", "figures", "report_versions", "blobs", "sites"))
    with Store(db_copy) as store:
        ids = store.upsert_sites(SITES)
        import parsers
        for rel, site in FILES.items():
            data = (corpus / rel).read_bytes()
            parsed = parsers.parse_bytes(data, name=Path(rel).name, url=url_for(rel))
            rid, outcome = store.store_report(parsed, url=url_for(rel), site_id=ids[site], content=data,
                                              source_type=parsed["source_type"], fetched_at="2025-04-01T00:00:00+00:00")
            assert outcome == "unchanged"
    after = dump(db_copy, ("reports", "cells", "checks", "figures", "report_versions", "blobs", "sites"))
    assert after == before


def test_changed_report_keeps_previous_version(corpus, db_copy):
    rel = "seeds/000_61f4a806a08c13ab.txt"
    old_bytes = (corpus / rel).read_bytes()
    # the portal corrects the report: 3 applications from 自然人 instead of 2 (in both rows that say so)
    text = old_bytes.decode("utf-8")
    new_text = text.replace("一、本年新收政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2",
                            "一、本年新收政府信息公开申请数量\t\t3\t0\t0\t0\t0\t0\t3")
    assert new_text != text
    with Store(db_copy) as store:
        sid = store.report(report_id(db_copy, rel))["site_id"]
        rid, outcome = store_bytes(store, new_text.encode("utf-8"), url=url_for(rel), site_id=sid,
                                   name=Path(rel).name, fetched_at="2025-04-01T00:00:00+00:00")
        assert outcome == "changed" and rid == report_id(db_copy, rel)
        assert store.blob(q(db_copy, "SELECT content_sha256 FROM report_versions WHERE report_id=?",
                            [rid])[0][0]) == old_bytes
    assert cell(db_copy, rid, "applications", "received_new", "total") == 3
    version, fetched = q(db_copy, "SELECT version, fetched_at FROM reports WHERE id=?", [rid])[0]
    assert (version, fetched) == (2, "2025-04-01T00:00:00+00:00")
    hist = q(db_copy, "SELECT version, fetched_at, cells FROM report_versions WHERE report_id=?", [rid])
    assert len(hist) == 1 and hist[0][:2] == (1, FETCHED)
    old_cells = {(c["table_key"], c["row_key"], c["col_key"]): c["value"] for c in json.loads(hist[0][2])}
    assert old_cells[("applications", "received_new", "total")] == 2
    assert q(db_copy, "SELECT applications_received FROM figures WHERE report_id=?", [rid])[0][0] == 3


def test_reparse_rebuilds_equal(db_copy):
    before = dump(db_copy)
    # damage what reparse must rebuild: cells, checks and figures of every report, a title
    with sqlite3.connect(db_copy) as c:
        c.execute("DELETE FROM cells")
        c.execute("DELETE FROM checks")
        c.execute("UPDATE figures SET applications_received = NULL")
        c.execute("UPDATE reports SET title = 'x', section_overview = NULL WHERE id = 1")
    with Store(db_copy) as store:
        def no_network(*a, **k):
            raise AssertionError("reparse must not fetch")
        import socket
        real = socket.socket.connect
        socket.socket.connect = no_network
        try:
            counts = reparse(store)
        finally:
            socket.socket.connect = real
    assert counts["no_content"] == 0 and counts["reports"] == len(FILES) + 2
    assert dump(db_copy) == before
    # and a second reparse with the same parser writes nothing
    with Store(db_copy) as store:
        assert reparse(store)["updated"] == 0


def test_reparse_survives_a_parser_crash_and_keeps_that_report(db_copy):
    import parsers

    def report(rid: int) -> tuple:
        return (q(db_copy, "SELECT * FROM reports WHERE id = ?", [rid]),
                q(db_copy, "SELECT * FROM cells WHERE report_id = ? ORDER BY table_key, row_key, col_key", [rid]),
                q(db_copy, "SELECT rule, ok, detail FROM checks WHERE report_id = ? ORDER BY id", [rid]))
    first, second = report(1), report(2)
    with sqlite3.connect(db_copy) as c:
        c.execute("DELETE FROM cells WHERE report_id IN (1, 2)")  # what a reparse would rebuild
    bad_url = q(db_copy, "SELECT url FROM reports WHERE id = 1")[0][0]

    def parse(data: bytes, name=None, url=None) -> dict:
        if url == bad_url:
            raise RuntimeError("a parser bug")
        return parsers.parse_bytes(data, name=name, url=url)

    lines: list[str] = []
    with Store(db_copy) as store:
        counts = reparse(store, parse, log=lines.append)
    assert counts["crashed"] == 1 and counts["updated"] == 1
    assert any(bad_url in ln and "RuntimeError: a parser bug" in ln for ln in lines)
    assert report(1)[0] == first[0] and report(1)[1] == [] and report(1)[2] == first[2]  # left as stored
    assert report(2)[1:] == second[1:]  # the others rebuilt


def test_reparse_command(db_copy, capsys):
    from crawler.cli import main
    with sqlite3.connect(db_copy) as c:
        c.execute("DELETE FROM cells WHERE report_id = 1")
    assert main(["reparse", "--db", str(db_copy)]) == 0
    assert "updated 1" in capsys.readouterr().out
    assert q(db_copy, "SELECT count(*) FROM cells WHERE report_id = 1")[0][0] > 100


def test_reparse_command_exits_1_after_a_parser_crash(db_copy, capsys, monkeypatch):
    import parsers
    from crawler.cli import main
    real = parsers.parse_bytes
    bad_url = q(db_copy, "SELECT url FROM reports WHERE id = 1")[0][0]

    def parse(data: bytes, name=None, url=None) -> dict:
        if url == bad_url:
            raise RuntimeError("a parser bug")
        return real(data, name=name, url=url)

    monkeypatch.setattr(parsers, "parse_bytes", parse)
    assert main(["reparse", "--db", str(db_copy)]) == 1
    out = capsys.readouterr()
    assert "crashed 1" in out.out and bad_url in out.err


def test_fulltext_search_chinese(corpus_db):
    def search(phrase: str) -> list[str]:
        return [r[0] for r in q(corpus_db, "SELECT r.organ FROM reports_fts JOIN reports r ON r.id = reports_fts.rowid "
                                           "WHERE reports_fts MATCH ? ORDER BY r.id", [f'"{phrase}"'])]
    assert search("淮源镇") == ["桐柏县淮源镇人民政府", "桐柏县淮源镇人民政府"]   # 2023 and the 2022 edition
    assert search("舆情监测") and set(search("舆情监测")) >= {"桐柏县淮源镇人民政府"}
    assert "平潭综合实验区地方税务局" in search("地方税务局")
    assert len(search("政府信息公开")) == len(FILES) + 1


def test_cross_report_checks(corpus_db):
    hy23 = report_id(corpus_db, "seeds/003_85236c9e0b1ec5a3.txt")
    hy22 = report_id(corpus_db, HUAIYUAN_2022)
    assert q(corpus_db, "SELECT previous_report_id, previous_carried_forward, carried_over, carry_over_ok "
                        "FROM year_over_year WHERE report_id = ?", [hy23]) == [(hy22, 3, 0, 0)]
    # 洪泽区 2023 -> 2024 under two spellings of the body: carry-over and 现行有效 5 + 3 - 0 = 8 both hold
    hz24 = report_id(corpus_db, "huaian/hzq2024_working.pdf")
    assert q(corpus_db, "SELECT carry_over_ok, previous_in_force, normative_issued, normative_repealed, "
                        "normative_in_force, in_force_ok FROM year_over_year WHERE report_id = ?",
             [hz24]) == [(1, 5, 3, 0, 8, 1)]
    late = dict(q(corpus_db, "SELECT organ || ' ' || year, days_late FROM late_reports"))
    assert late == {"平潭综合实验区 2011": 11}       # 2012-04-11, deadline 2012-03-31
    # 湟源县人民政府办公室 (a department, 2021) published 2022-01-14: on time for 1月31日
    assert q(corpus_db, "SELECT deadline, days_late FROM reports WHERE url = ?",
             [url_for("seeds/002_51a7ac9068d409eb.txt")]) == [("2022-01-31", 0)]
    missing = q(corpus_db, "SELECT name, year FROM missing_reports")
    years = {y for (y,) in q(corpus_db, "SELECT DISTINCT year FROM reports WHERE year IS NOT NULL")}
    assert {y for n, y in missing if n == "桐柏县人民政府"} == years
    assert {y for n, y in missing if n == "桐柏县淮源镇人民政府"} == years - {2022, 2023}
    assert ("淮安市洪泽区人民政府", 2023) not in missing and ("淮安市洪泽区人民政府", 2022) in missing
