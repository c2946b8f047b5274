"""Unit tests of the crawler's pure parts: titles, challenges, charsets, Retry-After, the sites
file, malformed links (each CMS family's own tests are in test_cms.py)."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import discovery as d  # noqa: E402
from crawler.middlewares import retry_after_seconds  # noqa: E402
from parsers.decode import detect_charset, header_charset  # noqa: E402
from crawler.sitesfile import BUNDLED, SitesError, load_sites  # noqa: E402


@pytest.mark.parametrize("title", [
    "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告",
    "平潭综合实验区管委会2014年度政府信息公开工作年度报告",
    "XX镇2022年政务公开工作年度报告",
    "XX县二〇二三年政府信息公开年报",
    "2020年信息公开年报",
])
def test_report_titles(title):
    assert d.is_report_title(title)


@pytest.mark.parametrize("title", [
    "关于做好2021年政府信息公开工作年度报告编制和发布工作的通知",
    "2022年政务公开工作要点",
    "一图读懂2021年政府信息公开工作年度报告",
    "图解：2020年政府信息公开工作年度报告",
    "2021年法治政府建设年度报告",
    "关于2014年政府信息公开工作要点落实情况的函",
    "政府信息公开工作年度报告",            # no year: a column name
    "2021年政府网站工作年度报表",
])
def test_not_report_titles(title):
    assert not d.is_report_title(title)


def test_truncated_list_title_is_a_candidate_only():
    assert d.maybe_report_title("2014年政府信息公开工作...")
    assert not d.is_report_title("2014年政府信息公开工作...")
    assert not d.maybe_report_title("2022年政务公开工作要点...")


def test_challenges_and_shells():
    js = '<html><script>document.cookie="__jsl=1";setTimeout(function(){location.reload()},1000)</script></html>'
    assert d.challenge_reason(412, js)
    assert d.challenge_reason(200, js)
    assert d.challenge_reason(200, "<html><body>访问被拦截：安全狗</body></html>")
    assert d.challenge_reason(200, "<html><body>" + "正文" * 500 + "</body></html>") is None
    assert d.js_redirect('<script>window.location.replace("./jbxx/")</script>', "http://h/a/") == "http://h/a/jbxx/"


def test_gbk_without_declaration():
    body = "<html><body>政府信息公开工作年度报告</body></html>".encode("gbk")
    assert detect_charset(body, header_charset("text/html")) == "gb18030"
    assert detect_charset(body, header_charset("text/html; charset=gb2312")) == "gb18030"
    assert detect_charset("报告".encode(), header_charset("text/html")) == "utf-8"


_GBK_PAGE = "<html><head>{meta}</head><body>政府信息公开工作年度报告 一、总体情况</body></html>"


@pytest.mark.parametrize("body,ctype", [
    (_GBK_PAGE.format(meta="").encode("gbk"), "text/html"),                                 # GBK, undeclared
    (_GBK_PAGE.format(meta='<meta charset="gb2312">').encode("gbk"), "text/html"),          # declared in <meta>
    (_GBK_PAGE.format(meta='<meta charset="gb2312">').encode("utf-8"), "text/html"),        # mislabelled UTF-8
    (_GBK_PAGE.format(meta="").encode("utf-8"), "text/html; charset=GBK"),                  # mislabelled header
    (b"\xef\xbb\xbf" + _GBK_PAGE.format(meta="").encode("utf-8"), "text/html"),             # BOM
    (_GBK_PAGE.format(meta="").encode("gbk") + b"\x80 damaged", "text/html"),               # one bad byte
])
def test_crawler_reads_the_text_the_parser_reads(body, ctype):
    """One set of charset rules: the text the spider reads from a response (its encoding set by
    CharsetMiddleware) is the text the parser decodes from the stored bytes."""
    from scrapy.http import HtmlResponse, Request

    from crawler.middlewares import CharsetMiddleware
    from parsers.decode import decode

    url = "http://portal.test/a.html"
    response = HtmlResponse(url, body=body, headers={"Content-Type": ctype}, request=Request(url))
    read = CharsetMiddleware().process_response(response.request, response).text
    assert read == decode(body, header_charset(ctype))
    assert "政府信息公开工作年度报告" in read


def test_retry_after_values():
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds(b"7") == 7
    assert retry_after_seconds("Mon, 01 Jan 2024 00:00:30 GMT", now) == 30
    assert retry_after_seconds("soon") is None


def test_the_one_clock_is_utc_whatever_the_local_zone(monkeypatch):
    import time

    from parsers.vocabulary import age_seconds, now, parse_time, run_id_stamp, stamp

    monkeypatch.setenv("TZ", "Asia/Shanghai")     # UTC+8: a local-time stamp would be 8 hours off
    time.tzset()
    try:
        text, run_id = now(), run_id_stamp()
        assert text.endswith("+00:00") and len(text) == 25
        assert abs(age_seconds(text)) < 5
        assert abs((datetime.strptime(run_id, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
                    - parse_time(text)).total_seconds()) < 5
        # epoch seconds (crawl_state before m005) and other zones come out as now() writes them
        assert stamp(1.9) == "1970-01-01T00:00:01+00:00"
        assert stamp(datetime.fromisoformat("2024-01-01T08:00:00+08:00")) == "2024-01-01T00:00:00+00:00"
        assert parse_time("2024-01-01T00:00:00") == datetime(2024, 1, 1, tzinfo=timezone.utc)
        assert age_seconds("2024-01-01T00:00:00+00:00", datetime(2024, 1, 3, tzinfo=timezone.utc)) == 2 * 86400
    finally:
        monkeypatch.undo()
        time.tzset()


def test_sites_file(tmp_path):
    assert len(load_sites(BUNDLED)) >= 20
    p = tmp_path / "s.csv"
    p.write_text("name,level,region_code,url,extra\nA,county,1,http://a.gov.cn/,x\n", encoding="utf-8")
    assert load_sites(p)[0]["extra"] == "x"
    p.write_text("name,url\nA,http://a/\n", encoding="utf-8")
    with pytest.raises(SitesError, match="header"):
        load_sites(p)
    p.write_text("name,level,region_code,url\nA,county,1,ftp://a/\n", encoding="utf-8")
    with pytest.raises(SitesError, match=":2"):
        load_sites(p)


def test_crawl_needs_a_database_unless_it_is_a_plain_worker(tmp_path) -> None:
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--db is required" in p.stderr
    p = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--redis", "redis://127.0.0.1:1/0", "--seed"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--db is required" in p.stderr


def test_run_ledger_decides_each_sites_outcome_at_the_end() -> None:
    from crawler.ledger import RunLedger

    sites = [{"id": sid, "url": f"http://{sid}.gov.cn/"} for sid in ("ok", "dead", "blocked", "cut")]
    ledger = RunLedger(sites, mode="backfill", years=(2020, 2022))
    for sid in ("ok", "dead", "blocked", "cut"):
        ledger.requested(sid)
    ledger.listed("ok")
    assert ledger.settle("ok") and not ledger.settle("ok")    # its last request: done once
    assert ledger.settle("dead") and ledger["dead"].outcome == "failed"   # no list page answered
    ledger.problem("blocked", "blocked", "http://blocked.gov.cn/: HTTP 412")
    ledger.problem("blocked", "failed", "a later failure")     # the first reason is kept
    ledger.listed("cut")
    ledger.requested("cut")
    ledger.settle("cut")                                       # one request still out when the run ends
    ledger.finish("shutdown")
    assert [ledger[s].outcome for s in ("ok", "dead", "blocked", "cut")] == [None, "failed", "blocked", "failed"]
    assert ledger["blocked"].reason == "http://blocked.gov.cn/: HTTP 412"
    assert ledger["cut"].reason == "the run ended early (shutdown) before the site was done"
    assert ledger.errors == 2
    assert ledger.counts() == {"sites_total": 4, "sites_done": 2, "sites_ok": 1, "sites_failed": 2, "sites_blocked": 1,
                               "columns_found": 0, "organs_found": 0}
    # the hosts of the run only, and a challenged host is not asked again
    assert ledger.allows("http://www.ok.gov.cn/x") and not ledger.allows("http://elsewhere.cn/")
    ledger.block_host("ok.gov.cn")
    assert ledger.is_blocked("ok.gov.cn") and not ledger.is_blocked("dead.gov.cn")


@pytest.mark.parametrize("ext", ["pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd"])
def test_one_list_of_attachment_extensions_for_crawler_and_extraction(ext):
    """parsers.vocabulary.ATTACHMENT_EXTENSIONS is the union the crawler (which had .ofd) and the
    extraction stage (which had .et) each kept: both see every extension of it."""
    from parsers.extract import extract_page
    from parsers.vocabulary import ATTACHMENT_EXTENSIONS

    assert ext in ATTACHMENT_EXTENSIONS
    url = f"http://www.xx.gov.cn/nb/files/report.{ext}"
    assert d.is_attachment_url(url) and d.is_attachment_url(url.upper())
    page = extract_page(f"<html><body><div class='TRS_Editor'><p>附件：<a href='files/report.{ext}'>年报</a></p>"
                        "</div></body></html>", "http://www.xx.gov.cn/nb/t1.html")
    assert (page.status, page.attachments) == ("attachment", [url])


def test_one_rule_for_a_titles_year():
    from parsers.sections import find_year, title_year

    for title, year in [("XX县二〇二三年政府信息公开年报", 2023), ("XX镇2022年度政务公开工作年度报告", 2022),
                        ("二O二一年政府信息公开工作年度报告", 2021), ("政府信息公开工作年度报告", None)]:
        assert d.title_year(title) == title_year(title) == year
        assert find_year(title, "") == year
