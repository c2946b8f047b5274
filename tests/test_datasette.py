"""Browsing the corpus database with Datasette: through Datasette's own test client (home,
every table and view, every canned query, search), and one headless-Chromium smoke test
of `nianbao serve`."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from datasette.utils import testing

import test_storage_corpus as sc
from storage.schema import TABLES, VIEWS
from storage.serve import make_datasette, metadata_for

ROOT = Path(__file__).resolve().parents[1]
DB = "nianbao"


@pytest.fixture(scope="module")
def db_path(corpus, tmp_path_factory) -> Path:
    return sc.build_corpus_db(corpus, tmp_path_factory.mktemp("ds") / f"{DB}.db")


@pytest.fixture(scope="module")
def client(db_path) -> testing.TestClient:
    return testing.TestClient(make_datasette(db_path))


def rows(client: testing.TestClient, path: str) -> list[dict]:
    sep = "&" if "?" in path else "?"
    r = client.get(f"/{DB}/{path.replace('?', '.json?', 1) if '?' in path else path + '.json'}{sep}_shape=array")
    assert r.status == 200, r.text[:500]
    return json.loads(r.text)


def test_home_and_database_pages(client):
    home = client.get("/")
    assert home.status == 200 and "政府信息公开工作年度报告" in home.text
    page = client.get(f"/{DB}")
    assert page.status == 200
    for name in ("reports_wide", "year_over_year", "failing_identities", "most_applications"):
        assert name in page.text


@pytest.mark.parametrize("table", [*TABLES, *VIEWS])
def test_every_table_and_view_renders(client, table):
    html = client.get(f"/{DB}/{table}")
    assert html.status == 200, table
    data = json.loads(client.get(f"/{DB}/{table}.json?_shape=objects").text)
    assert "rows" in data


def test_metadata_describes_every_column(db_path):
    import sqlite3
    meta = metadata_for(db_path)["databases"][DB]["tables"]
    with sqlite3.connect(db_path) as c:
        for table in [*TABLES, *VIEWS]:
            assert meta[table].get("title") and meta[table].get("description"), table
            cols = [r[1] for r in c.execute(f"PRAGMA table_info([{table}])")]
            undocumented = [col for col in cols if col not in meta[table].get("columns", {})]
            assert not undocumented, (table, undocumented)


def test_reports_facets_and_labels(client):
    data = json.loads(client.get(f"/{DB}/reports.json?_shape=objects").text)
    facets = data["facet_results"]
    assert {"province", "city", "year", "format", "status", "checks_ok"} <= set(facets)
    provinces = {f["value"]: f["count"] for f in facets["province"]["results"]}
    assert provinces["福建省"] == 7 and provinces["江苏省"] == 3
    wide = json.loads(client.get(f"/{DB}/reports_wide.json?_shape=objects&year=2024").text)
    assert {r["organ"]: r["applications_received"] for r in wide["rows"]} == \
        {"淮安市洪泽区人民政府": 95, "淮安市人民政府": 3119}
    assert {"level", "format", "checks_ok"} <= set(wide["facet_results"])
    # cells show their report by title (label_column) and the labels table has the wording
    cells = client.get(f"/{DB}/cells?report_id=1&row_key=received_new&col_key=total")
    assert "龙湖镇 2021年政府信息公开工作年度报告" in cells.text
    assert "1月31日" in client.get(f"/{DB}/reports").text   # column descriptions are shown
    assert "万元" in client.get(f"/{DB}/reports_wide").text


def test_search_box_finds_chinese(client):
    found = rows(client, "reports?_search=淮源镇")
    assert sorted(r["year"] for r in found) == [2022, 2023]
    assert {r["organ"] for r in found} == {"桐柏县淮源镇人民政府"}
    assert [r["organ"] for r in rows(client, "reports?_search=地方税务局")] == ["平潭综合实验区地方税务局"]
    wide = rows(client, "reports_wide?_search=淮源镇")            # the wide view searches the same index
    assert sorted((r["year"], r["organ"]) for r in wide) == [(2022, "桐柏县淮源镇人民政府"), (2023, "桐柏县淮源镇人民政府")]
    page = client.get(f"/{DB}/reports?_search=舆情监测")
    assert page.status == 200 and 'name="_search"' in page.text and "桐柏县淮源镇人民政府" in page.text


def test_query_failing_identities(client):
    got = rows(client, "failing_identities")
    organs = {(r["organ"], r["year"]) for r in got}
    assert ("洪泽区人民政府", 2023) in organs          # its review/litigation totals printed as 0
    assert ("桐柏县淮源镇人民政府", 2022) in organs     # carries forward 3 it never received
    assert ("淮安市人民政府", 2024) not in organs
    assert all(r["rule"] and r["detail"] for r in got)


def test_query_most_applications(client):
    got = rows(client, "most_applications")
    top2024 = [(r["rank"], r["organ"], r["applications_received"]) for r in got if r["year"] == 2024]
    assert top2024 == [(1, "淮安市人民政府", 3119), (2, "淮安市洪泽区人民政府", 95)]
    assert [r["organ"] for r in got if r["year"] == 2012] == ["平潭县人民政府"]   # a legacy report's stated figure


def test_query_carry_over_mismatches(client):
    got = rows(client, "carry_over_mismatches")
    assert [(r["organ"], r["year"], r["carried_over"], r["previous_carried_forward"], r["difference"])
            for r in got] == [("桐柏县淮源镇人民政府", 2023, 0, 3, -3)]


def test_query_late_publication(client):
    got = rows(client, "late_publication")
    assert [(r["organ"], r["year"], r["publish_date"], r["deadline"], r["days_late"]) for r in got] == \
        [("平潭综合实验区", 2011, "2012-04-11", "2012-03-31", 11)]


def test_query_missing_by_year(client):
    got = {(r["year"], r["name"]) for r in rows(client, "missing_by_year")}
    assert (2023, "桐柏县人民政府") in got and (2021, "桐柏县人民政府") in got
    assert (2023, "桐柏县淮源镇人民政府") not in got and (2024, "桐柏县淮源镇人民政府") in got
    assert (2021, "龙湖镇") not in got and (2020, "绵阳市游仙区信义镇") not in got


def test_query_text_contains_finds_two_character_phrases(client):
    assert rows(client, "reports?_search=复议") == []            # the trigram index cannot
    got = rows(client, "text_contains?q=复议")
    organs = {r["organ"] for r in got}
    assert "洛阳市洛龙区人民政府办公室" in organs and len(got) >= 5
    assert rows(client, "text_contains?q=") == []
    assert [r["organ"] for r in rows(client, "text_contains?q=地方税务局")] == ["平潭综合实验区地方税务局"]


def test_read_only(client, db_path):
    r = client.get(f"/{DB}.json?sql=DELETE+FROM+reports")
    assert r.status == 400
    import sqlite3
    with sqlite3.connect(db_path) as c:
        assert c.execute("SELECT count(*) FROM reports").fetchone()[0] == len(sc.FILES) + 2


# -- a real browser ------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium chromium-driver; "
                                             "scripts/test.sh does it when root)")
def test_report_page_in_headless_chromium(db_path, tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(db_path), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("nianbao serve exited: " + server.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.1)
        rid = sc.report_id(db_path, "seeds/003_85236c9e0b1ec5a3.txt")
        with tempfile.TemporaryDirectory(dir=tmp_path) as profile:
            out = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--dump-dom", f"{base}/{DB}/reports/{rid}"],
                capture_output=True, text=True, timeout=90)
        dom = out.stdout
        assert "桐柏县淮源镇人民政府2023年政府信息公开工作年度报告" in dom, out.stderr[-2000:]
        assert "河南省" in dom and "南阳市" in dom and "411330108" in dom
        assert "淮源镇在县委、县政府的正确领导下" in dom                 # the report text itself
        assert f'href="/{DB}/cells?report_id={rid}"' in dom                # links to its cells
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_long_form_tables_unfiltered_skip_count_and_facets(client, db_path):
    import sqlite3
    with sqlite3.connect(db_path) as c:
        n_cells = c.execute("SELECT count(*) FROM cells WHERE report_id = 1").fetchone()[0]
    # cells and checks hold a million rows and more at scale: unfiltered, no count and no facets
    whole = json.loads(client.get(f"/{DB}/cells.json").text)
    assert whole["filtered_table_rows_count"] is None and not whole["facet_results"] and whole["rows"]
    one = json.loads(client.get(f"/{DB}/cells.json?report_id=1").text)
    assert n_cells > 100 and one["filtered_table_rows_count"] == n_cells and set(one["facet_results"]) == {"table_key", "row_key", "col_key"}
    assert json.loads(client.get(f"/{DB}/checks.json?ok=0").text)["filtered_table_rows_count"] == 4



def test_dashboards_follow_their_facets(client):
    page = client.get("/-/dashboards?level=city&year=2024")
    assert page.status == 200
    assert '<td class="num">3119</td>' in page.text            # 淮安市人民政府's applications in 2024
    assert '<td class="num">3214</td>' not in page.text        # with 洪泽区 (a county) it would be 3119 + 95
    everything = client.get("/-/dashboards").text
    assert '<td class="num">3214</td>' in everything
    assert client.get("/-/body?key=no-such-body").status == 404
    assert client.get("/-/original/999999").status == 404


def test_home_page_shows_the_latest_run(db_path, tmp_path):
    import shutil as sh
    from storage import Store
    copy = tmp_path / f"{DB}.db"
    sh.copyfile(db_path, copy)
    with Store(copy) as store:
        store.finish_run(store.start_run("backfill"), sites=9)
        run = store.start_run("nightly")
    home = testing.TestClient(make_datasette(copy)).get("/")
    assert home.status == 200
    assert f'href="/{DB}/runs/{run}">#{run}</a>\n nightly, running' in home.text
    assert "16 份年度报告 reports (15 parsed)" in home.text
