"""The front end of `nianbao serve` in a real headless Chromium (driven by chromedriver through
Selenium), over a database built from the shared corpus with the crawl's own calls
(test_storage_corpus.build_corpus_db: record_page -> parse_bytes -> store_report).

On every page: the visible text (official labels, a known report's figures, a failing
identity on the cell it concerns), no error in the browser console, and no request leaving
127.0.0.1 (Chromium resolves every other host to nothing, and its network log is read).

Set NIANBAO_SCREENSHOTS=DIR to keep a screenshot of each page (docs/ holds the README's).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

import test_storage_corpus as sc

ROOT = Path(__file__).resolve().parents[1]
DB = "nianbao"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
SHOTS = os.environ.get("NIANBAO_SCREENSHOTS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db_path: Path, *args: str, preexec_fn=None):
    """`nianbao serve` on a free 127.0.0.1 port: yields (base URL, process)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(db_path), "--port", str(port),
                             *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=preexec_fn)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("nianbao serve exited: " + proc.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def db_path(corpus, tmp_path_factory) -> Path:
    return sc.build_corpus_db(corpus, tmp_path_factory.mktemp("dsb") / f"{DB}.db")


needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium/chromedriver not installed (scripts/test.sh installs chromium chromium-driver when root)")


class Browser:
    """One headless Chromium: open() a page, then read its text, console and requests."""

    def __init__(self, base: str, profile: Path):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")      # Selenium Manager must not look online
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-quic", "--window-size=1400,1000", "--lang=zh-CN",
                  f"--user-data-dir={profile}",
                  # any host but the server's resolves to nothing; the request is still logged
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.base = base

    def open(self, path: str, shot: str | None = None) -> str:
        """Load a page and check it: no console error, no request off 127.0.0.1. Returns its visible text."""
        d = self.driver
        d.get_log("performance"), d.get_log("browser")          # drop what came before (the new-tab page)
        d.get(self.base + path)
        for _ in range(100):
            if d.execute_script("return document.readyState") == "complete" and d.execute_script(
                    "return [...document.querySelectorAll('script.chart-data')].every("
                    "s => document.getElementById(s.dataset.canvas).dataset.drawn === '1')"):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"{path}: page or its charts never finished")
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, (path, errors)
        urls = []
        for entry in d.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                urls.append(msg["params"]["request"]["url"])
        assert urls, path
        # chrome:// is the browser's own new-tab page, loaded from inside the binary
        off_site = [u for u in urls if urlsplit(u).scheme not in ("data", "blob", "about", "chrome", "chrome-untrusted")
                    and urlsplit(u).hostname != "127.0.0.1"]
        assert not off_site, (path, off_site)
        if SHOTS and shot:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            height = d.execute_script("return Math.min(document.body.scrollHeight, 2400)")
            d.set_window_size(1400, max(1000, height))
            d.save_screenshot(str(Path(SHOTS) / f"{shot}.png"))
            d.set_window_size(1400, 1000)
        return d.find_element("tag name", "body").text

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def close(self):
        self.driver.quit()


@pytest.fixture(scope="module")
def browser(db_path, tmp_path_factory):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium/chromedriver not installed")
    with serving(db_path) as (base, _):
        b = Browser(base, tmp_path_factory.mktemp("chrome-profile"))
        try:
            yield b
        finally:
            b.close()


def rid(db_path: Path, rel: str) -> int:
    return sc.report_id(db_path, rel)


@needs_browser
def test_home_page(browser):
    text = browser.open("/")
    assert "16 份年度报告 reports (15 parsed)" in text
    assert "5 个省 provinces" in text and "2011–2024" in text
    for link in ("报告覆盖 Coverage", "申请量 Applications received per year", "报告一览 Reports with key figures",
                 "校验未通过的报告 Reports failing an identity", "福建省 7"):
        assert link in text, link
    # internal tables are not offered on the front page, but stay reachable
    links = browser.js("return [...document.querySelectorAll('a')].map(a => new URL(a.href).pathname)")
    assert f"/{DB}/reports_wide" in links and "/-/dashboards" in links
    for internal in ("blobs", "pages", "labels", "crawl_state"):
        assert f"/{DB}/{internal}" not in links, internal
    # the search box lands on the reports with their key figures
    browser.js("document.getElementById('home-q').value = '淮源镇'; document.querySelector('form.home-search').submit()")
    time.sleep(0.5)
    text = browser.open(browser.driver.current_url.replace(browser.base, ""))
    assert "2 rows where search matches \"淮源镇\"" in text
    assert "桐柏县淮源镇人民政府2023年政府信息公开工作年度报告" in text
    assert "blobs" in browser.open(f"/{DB}/blobs")


@needs_browser
def test_report_page_official_layout_and_failing_identity(browser, db_path, corpus):
    report = rid(db_path, "huaian/hzq2023_working.pdf")
    text = browser.open(f"/{DB}/reports/{report}", shot="report")
    # header: region chain, deadline, source host, stored original
    assert "洪泽区人民政府2023年政府信息公开工作年度报告" in text
    assert "江苏省 › 淮安市 › 洪泽区" in text and "deadline 2024-03-31" in text
    assert "www.hongze.gov.cn" in text and "原件 stored original (293,525 bytes)" in text
    # the official forms' wording (parsers/schema.json), rows and column groups
    for label in ("第二十条第（一）项", "本年制发件数", "行政事业性收费", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                  "申请人情况", "法人或其他组织", "社会公益组织", "三、本年度办理结果", "（三）不予公开", "1.属于国家秘密",
                  "四、结转下年度继续办理", "未经复议直接起诉", "复议后起诉", "尚未审结"):
        assert label in text, label

    def cell(key: str) -> dict:
        return browser.js("const c = document.querySelector(`td[data-cell='${arguments[0]}']`);"
                          "return c && {text: c.innerText, cls: c.className, title: c.title};", key)

    # the report's own figures, each in its place in the form
    assert cell("active_disclosure.licensing.decisions")["text"] == "550"
    assert cell("active_disclosure.penalty.decisions")["text"] == "4119"
    assert cell("active_disclosure.fees.amount_wan_yuan")["text"] == "7730.28"
    assert cell("applications.received_new.total")["text"] == "21"
    assert cell("applications.unavailable_not_held.natural_person")["text"] == "10"
    assert cell("applications.partially_granted.total")["cls"] == "num"           # a cell that holds
    # the failing identity is on the cells it concerns: 行政复议 printed 10 + 1 but 总计 0
    total = cell("review_litigation.review.total")
    assert "fail" in total["cls"] and total["text"] == "0✗1"
    assert "行政复议: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结: 0 ≠ 11" in total["title"]
    assert "fail" in cell("review_litigation.review.maintained")["cls"]
    assert "fail" in cell("review_litigation.litigation_after_review.total")["cls"]
    assert "fail" not in cell("review_litigation.litigation_direct.total")["cls"]
    assert "✗1 行政复议: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结: 0 ≠ 11" in text
    # the six sections
    assert "五、存在的主要问题及改进情况" in text and "全年收取政府信息公开信息处理费0元" in text
    # the stored original is the file that was crawled
    with urllib.request.urlopen(f"{browser.base}/-/original/{report}") as r:
        assert r.headers["Content-Type"] == "application/pdf"
        assert r.read() == (corpus / "huaian/hzq2023_working.pdf").read_bytes()


@needs_browser
def test_report_page_inferred_cells_year_over_year_and_lateness(browser, db_path):
    text = browser.open(f"/{DB}/reports/{rid(db_path, 'seeds/000_61f4a806a08c13ab.txt')}")
    inferred = browser.js("return [...document.querySelectorAll('td.inferred')].map(c => c.dataset.cell)")
    assert "applications.withheld_state_secret.total" in inferred and len(inferred) == 21
    assert "推算 inferred" in browser.js("return document.querySelector('td.inferred').title")
    # 淮源镇 2023 against its 2022 report: 上年结转 0, but 2022 carried 3 forward
    text = browser.open(f"/{DB}/reports/{rid(db_path, 'seeds/003_85236c9e0b1ec5a3.txt')}")
    assert "上年结转 0 ≠ 上年报告结转下年度 3: carry-over mismatch" in text
    assert "桐柏县淮源镇人民政府2022年政府信息公开工作年度报告" in text       # link to the previous report
    assert "淮源镇在县委、县政府的正确领导下" in text
    assert "无法定期限 no legal deadline" in text                          # a township
    # the 2019 form: its own columns and rows (本年新制作数量, 政府集中采购, one （六）其他处理 row)
    text = browser.open(f"/{DB}/reports/{rid(db_path, 'seeds/001_213733622d4d3974.txt')}")
    for label in ("2019 (国办公开办函〔2019〕60号)", "本年新制作数量", "对外公开总数量", "上一年项目数量", "政府集中采购",
                  "采购总金额", "（六）其他处理", "校验通过 all 40 identities hold"):
        assert label in text, label
    assert "本年制发件数" not in text and "1.申请人无正当理由逾期不补正" not in text     # 2021-only wording
    text = browser.open(f"/{DB}/reports/{rid(db_path, 'legacy/pingtan-zone-2011.txt')}")
    assert "逾期 11 天 late by 11 days" in text and "2012-04-11" in text
    with urllib.request.urlopen(f"{browser.base}/-/original/{rid(db_path, 'legacy/pingtan-zone-2011.txt')}") as r:
        assert r.headers["Content-Type"] == "text/plain" and "sandbox" in r.headers["Content-Security-Policy"]


@needs_browser
def test_body_page_timeline(browser):
    text = browser.open("/-/body?key=" + quote("350128/平潭综合实验区"))
    assert "平潭综合实验区" in text and "福建省" in text
    assert "缺 missing: 2012, 2013, 2015, 2017" in text and "逾期 late: 2011" in text
    chart = browser.js("const c = Chart.getChart('chart-body'); return {labels: c.data.labels,"
                       "series: c.data.datasets.map(d => d.label), outline: c.data.datasets[0].borderWidth}")
    assert chart["labels"][:3] == ["2011（逾期）", "2012（缺）", "2013（缺）"]
    assert chart["series"] == ["本年新收申请", "予以公开", "不予公开", "行政复议", "行政诉讼", "复议诉讼纠正"]
    assert chart["outline"][:2] == [3, 0]                           # the late year's bars outlined
    text = browser.open("/-/body?key=3208")
    assert "淮安市人民政府" in text and "3119" in text            # the 2024 report's applications
    text = browser.open("/-/body?key=320813", shot="body")       # one body under two spellings
    assert "洪泽区人民政府2023年政府信息公开工作年度报告" in text and "淮安市洪泽区人民政府2024年政府信息公开工作年度报告" in text
    received = browser.js("return Chart.getChart('chart-body').data.datasets[0].data")
    assert received == [21, 95]


@needs_browser
def test_dashboards(browser):
    text = browser.open("/-/dashboards", shot="dashboards")
    for title in ("报告覆盖 Coverage", "申请量 Applications received per year", "办理结果 Outcome shares",
                  "纠正率 Review and litigation correction rates", "逾期公布 Late publication share",
                  "校验失败率 Identity failures by format and source type"):
        assert title in text, title
    assert "GROUP BY r.year" in text                                   # the SQL beside each chart
    assert browser.js("return [...document.querySelectorAll('table.heat th')].map(t => t.innerText)")[:12] == \
        ["省 Province", "2011", "2012", "2013", "2014", "2016", "2018", "2020", "2021", "2022", "2023", "2024"]
    heat = browser.js("return [...document.querySelectorAll('table.heat tr')].map(r => r.innerText.split('\\t'))")
    assert ["福建省", "1", "1", "1", "1", "1", "1", "", "", "", "", ""] in [[c.strip() for c in row] for row in heat]

    def series(key):
        return browser.js("const c = Chart.getChart(arguments[0]); "
                          "return Object.fromEntries(c.data.labels.map((l, i) => [l, c.data.datasets.map(d => d.data[i])]))",
                          f"chart-{key}")
    assert series("applications")["2024"] == [95 + 3119]
    assert series("late")["2011"] == [100]
    identities = series("identities")
    assert identities["2021 · pdf"] == [33.3] and identities["2021 · text"] == [20]
    assert sum(series("outcomes")["2024"]) == pytest.approx(100, abs=0.2)
    # a province chosen: the heat table goes down to its cities, and the charts follow
    text = browser.open("/-/dashboards?province=" + quote("江苏省"))
    assert "市 City" in text and "淮安市" in text and "福建省" not in text.split("\n")[-200:]
    assert series("applications") == {"2023": [21], "2024": [3214]}


@needs_browser
def test_reports_tables_are_readable(browser):
    for table, first in (("reports", ["id", "title", "organ", "province", "city"]),
                         ("reports_wide", ["report_id", "title", "organ", "province", "city"])):
        text = browser.open(f"/{DB}/{table}")
        heads = browser.js("return [...document.querySelectorAll('table.rows-and-columns th')].map(t => t.dataset.column)")
        assert heads[:5] == first, heads[:8]
        # column descriptions folded away: the rows start on the first screen, a row a few lines high
        assert "1月31日" not in text
        top, height = browser.js("const r = document.querySelector('table.rows-and-columns tbody tr')"
                                 ".getBoundingClientRect(); return [r.top, r.height]")
        assert top < 1000 and height < 160, (table, top, height)
        link = browser.js("const a = document.querySelector('td.col-url a.short-url'); return [a.innerText, a.title]")
        assert link[1].startswith("http://") and link[0] == urlsplit(link[1]).hostname
