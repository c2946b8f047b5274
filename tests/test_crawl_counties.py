"""County platforms crawled from their home pages: organ trees, sub-columns, gkmlpt, jcms
without a printed total, organ subsites (tests/portal/counties.py). Every department's and
town's report is found with its organ and year, nothing else is stored, and a no-change night
costs about one request per known column."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portal.counties import RESOLVER, build_counties, nav  # noqa: E402
from tests.portal.families import write_sites  # noqa: E402
from tests.test_crawl import FAST, crawl  # noqa: E402


def _db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture(scope="module")
def county(tmp_path_factory, corpus):
    work = tmp_path_factory.mktemp("counties")
    portal, expect = build_counties(corpus, work)
    db = work / "nb.db"
    try:
        proc = crawl("--sites", str(expect.sites_csv), "--db", str(db), *RESOLVER)
        (work / "stderr.log").write_text(proc.stderr)
        first_hits = list(portal.log)
        yield {"proc": proc, "portal": portal, "expect": expect, "db": db, "work": work, "hits": first_hits}
    finally:
        portal.stop()


def test_first_crawl_finds_every_report_with_its_organ_and_year(county):
    proc, expect = county["proc"], county["expect"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    with _db(county["db"]) as conn:
        rows = {r["url"]: r for r in conn.execute("SELECT * FROM reports WHERE content_sha256 IS NOT NULL")}
    missing = [e.url for e in expect.reports if e.url not in rows]
    assert not missing, f"{len(missing)} of {len(expect.reports)} reports not found: {missing[:5]}\n{proc.stderr[-3000:]}"
    wrong = [(e.url, e.organ, rows[e.url]["organ"], e.year, rows[e.url]["year"]) for e in expect.reports
             if rows[e.url]["organ"] != e.organ or rows[e.url]["year"] != e.year]
    assert not wrong, wrong
    assert len(expect.reports) >= 40


def test_no_false_rows_and_nothing_off_limits_fetched(county):
    expect = county["expect"]
    with _db(county["db"]) as conn:
        stored = {r[0] for r in conn.execute("SELECT url FROM reports")}
    assert stored == {e.url for e in expect.reports}, sorted(stored ^ {e.url for e in expect.reports})[:6]
    assert not set(expect.distractor_urls) & stored
    fetched = {h.site for h in county["hits"]}
    paths = {(h.site, h.path) for h in county["hits"]}
    for url in expect.never_fetched:
        site = next(s for s in county["portal"].sites.values() if url.startswith(s.url("/")[:-1]))
        path = url.split(str(site.port), 1)[1]
        assert (site.name, path) not in paths, f"{url} was fetched"
    assert "othercounty" not in fetched   # another county's host, linked from the 乡镇 page


def test_titles_without_the_organ_take_the_columns_organ(county):
    with _db(county["db"]) as conn:
        rows = list(conn.execute("SELECT title, organ, column_organ FROM reports WHERE title NOT LIKE '%县%' "
                                 "AND title LIKE '20%年政府信息公开工作年度报告'"))
    organs = {r["organ"] for r in rows}
    assert {"黎集镇", "三河尖镇", "洛川县人力资源和社会保障局"} <= organs, rows
    assert all(r["organ"] == r["column_organ"] for r in rows)


def test_columns_and_organs_reported(county):
    proc = county["proc"]
    assert "columns found" in proc.stdout and "reports per organ" in proc.stdout
    with _db(county["db"]) as conn:
        sites = {r["name"]: r for r in conn.execute("SELECT * FROM sites")}
        organs_in_state = {r[0] for r in conn.execute("SELECT organ FROM crawl_state WHERE what = 'column'")}
    tree = sites["洛川县"]
    assert tree["organs_found"] == 9 and tree["columns_found"] == 9, dict(tree)   # 5 departments, 3 towns, the county
    per = json.loads(tree["reports_per_organ"])
    assert per["洛川县教育局"] == 2 and per["黎集镇"] == 1
    assert sites["广州市天河区"]["cms"].startswith("gkmlpt") and "hanweb" in sites["泗洪县"]["cms"]
    assert {"洛川县教育局", "黎集镇", "广州市天河区财政局", "泗洪县住房和城乡建设局"} <= organs_in_state


def test_gkmlpt_report_read_from_the_shell(county):
    with _db(county["db"]) as conn:
        row = conn.execute("SELECT * FROM reports WHERE url LIKE '%/gkmlpt/content/%' AND organ = '广州市天河区教育局'").fetchone()
        cells = conn.execute("SELECT count(*) FROM cells WHERE report_id = ?", [row["id"]]).fetchone()[0]
    assert row["status"] == "parsed" and row["publish_date"] == "2024-01-23"
    assert json.loads(row["metadata"])["index_no"].startswith("11440106007482538/2024-")
    assert cells > 0 or row["format"] == "legacy"


def test_no_change_night_costs_about_one_request_per_column(county):
    portal, expect, db = county["portal"], county["expect"], county["db"]
    portal.reset_log()
    proc = crawl("--sites", str(expect.sites_csv), "--db", str(db), *RESOLVER)
    assert proc.returncode == 0, proc.stderr[-3000:]
    hits = [h for h in portal.log if h.path != "/robots.txt"]
    with _db(db) as conn:
        columns = conn.execute("SELECT count(*) FROM crawl_state WHERE what = 'column'").fetchone()[0]
        n = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        run = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    # 9 in the organ tree, 7 (sub-)columns, 4 gkmlpt categories, 4 jcms, 3 on the subsites
    assert n == len(expect.reports)
    assert columns == 27
    assert len(hits) <= 1.1 * columns, (len(hits), columns, sorted({h.path for h in hits})[:20])
    assert all(h.conditional for h in hits if h.method == "GET"), [h.path for h in hits if not h.conditional]
    assert run["new"] == 0 and run["status"] == "finished"


def test_rediscover_finds_a_new_organ(county, corpus):
    portal, expect, db = county["portal"], county["expect"], county["db"]
    site = portal["organs"]
    from dataclasses import replace

    from tests.portal import content as c
    doc = c.load(corpus, "seeds/002_51a7ac9068d409eb")
    organ = "洛川县审计局"
    doc = replace(doc, title=f"{organ}{doc.year}年政府信息公开工作年度报告", organ=organ)
    site.page("/zwgk/bm/new/", nav([("/zwgk/bm/new/nb/", "政府信息公开年报")], organ, organ))
    site.page("/zwgk/bm/new/nb/", c.list_page("政府信息公开年报", [("1.html", doc.title, "2024-02-01")]))
    site.page("/zwgk/bm/new/nb/1.html", c.report_page(doc))
    old = site.routes["/zwgk/bm/"].body.decode()
    site.page("/zwgk/bm/", old.replace("</ul>", f'<li><a href="/zwgk/bm/new/">{organ}</a></li></ul>'))
    url = site.url("/zwgk/bm/new/nb/1.html")
    proc = crawl("--sites", str(expect.sites_csv), "--db", str(db), *RESOLVER)
    with _db(db) as conn:
        assert conn.execute("SELECT count(*) FROM reports WHERE url = ?", [url]).fetchone()[0] == 0
    proc = crawl("--sites", str(expect.sites_csv), "--db", str(db), "--rediscover", *RESOLVER)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with _db(db) as conn:
        row = conn.execute("SELECT organ, year FROM reports WHERE url = ?", [url]).fetchone()
    assert row is not None and row["organ"] == organ, proc.stderr[-3000:]


def test_discover_dry_run_from_an_organ_list_page(county, tmp_path):
    portal = county["portal"]
    site = portal["organs"]
    sites = write_sites(tmp_path / "one.csv", [("洛川县部门", "county", "610629", site.url("/zwgk/bm/"))])
    env_db = tmp_path / "never.db"
    p = subprocess.run([sys.executable, "-m", "crawler.cli", "discover", "--sites", str(sites), "--json", *FAST, *RESOLVER],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    (out,) = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    assert out["reachable"] and "trs" in out["cms"]
    assert {c["organ"] for c in out["columns"]} >= {"洛川县教育局", "洛川县财政局", "洛川县卫生健康委员会"}
    per = {o: len(v) for o, v in out["reports_by_organ"].items()}
    assert per["洛川县教育局"] == 2 and per["洛川县财政局"] == 2 and per["洛川县应急管理局"] == 1
    assert "洛川县卫生健康委员会" not in per   # its column is empty (暂无信息)
    assert out["reports"] == sum(per.values())
    assert not env_db.exists() and not list(tmp_path.glob("*.db"))
    p = subprocess.run([sys.executable, "-m", "crawler.cli", "discover", "--sites", str(sites), *FAST, *RESOLVER],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "reachable: yes" in p.stdout and "column 政府信息公开年报 [洛川县教育局]" in p.stdout
