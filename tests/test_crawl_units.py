"""Unit tests of the crawler's pure parts: titles, column links, each CMS's pagination,
challenges, charsets, Retry-After, the sites file."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import discovery as d  # noqa: E402
from crawler.middlewares import detect_charset, retry_after_seconds  # noqa: E402
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


def test_column_links_from_home_page():
    html = ('<a href="/zwgk/">政务公开</a><a href="/zwgk/nb/">政府信息公开年报</a>'
            '<a href="/a/1.html">龙湖镇2021年政府信息公开工作年度报告</a><a href="/w/">政府网站年度报表</a>')
    cols, disc = d.column_links(html, "http://h/")
    assert cols == ["http://h/zwgk/nb/"] and disc == ["http://h/zwgk/"]


def test_trs_scripted_pagination(corpus):
    html = (corpus / "portal" / "trs-list-ordos-engebei.html").read_text(encoding="utf-8")
    url = "http://h/xxgk/xxgknb/index.html"
    assert d.trs_pages(html, url) == ["http://h/xxgk/xxgknb/index.html", "http://h/xxgk/xxgknb/index_1.html"]
    links = d.report_links(html, url)
    assert "http://h/xxgk/xxgknb/202009/t20200903_2748784.html" in [l.url for l in links]
    assert not [l for l in links if "一图读懂" in l.text or "会议" in l.text]
    assert d.trs_pages('<script>createPageHTML(5, 0, "index", "shtml")</script>', "http://h/c/") [-1] == "http://h/c/index_4.shtml"


def test_trs_count_page_real_handan(corpus):
    html = (corpus / "portal" / "trs-list-handan.jsp.html").read_text(encoding="utf-8")
    pages = d.trs_pages(html, "http://h/zwgk/index.html")
    assert len(pages) == 56 and pages[1] == "http://h/zwgk/index_1.html"


def test_hanweb_datastore_and_proxy():
    html = ('<div id="1"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?'
            'page=1&appid=1&webid=9&path=/&columnid=77&unitid=88&webname=x&permissiontype=0"></a>]]></nextgroup><recordset>'
            + "".join(f'<record><![CDATA[<li><a href="/art/2022/1/{i}/art_77_{i}.html">A{i}</a></li>]]></record>' for i in range(3))
            + '</recordset></datastore></script></div><script>perPage:1, totalRecord:7 /*<totalrecord>7</totalrecord>*/</script>')
    hw = d.hanweb_datastore(html, "http://h/col/col77/index.html")
    assert hw.embedded == 3 and hw.total == 7 and hw.form["unitid"] == "88" and hw.form["webid"] == "9"
    reqs = d.hanweb_proxy_requests(hw, "http://h/col/col77/index.html")
    assert [u for u, _ in reqs] == ["http://h/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=1",
                                    "http://h/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=7&perpage=1"]


def test_vsb_countdown_pager():
    html = '<span class="p_next"><a href="ndbg/3.htm">下页</a></span><span><a href="ndbg/1.htm">尾页</a></span>'
    nxt, every = d.pager_links(html, "http://h/xxgk/ndbg.htm")
    assert nxt == ["http://h/xxgk/ndbg/3.htm"] and "http://h/xxgk/ndbg/1.htm" in every
    assert d.is_attachment_url("http://h/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2")


def test_search_api():
    html = '<script>$.getJSON("/common/search/abc?_isJson=true&page=1", f)</script>'
    assert d.api_urls(html, "http://h/x/") == ["http://h/common/search/abc?_isJson=true&page=1"]
    items, pages = d.api_items('{"data":{"results":[{"title":"<em>X</em>县2021年政府信息公开工作年度报告","url":"/a.html"}],'
                               '"pager":{"pageCount":3}}}', "http://h/")
    assert items[0].url == "http://h/a.html" and items[0].text.startswith("X县") and pages == 3
    assert "page=2" in d.api_page_url("http://h/common/search/abc?_isJson=true&page=1", 2)


def test_challenges_and_shells():
    js = '<html><script>document.cookie="__jsl=1";setTimeout(function(){location.reload()},1000)</script></html>'
    assert d.challenge_reason(412, js)
    assert d.challenge_reason(200, js)
    assert d.challenge_reason(200, "<html><body>访问被拦截：安全狗</body></html>")
    assert d.challenge_reason(200, "<html><body>" + "正文" * 500 + "</body></html>") is None
    assert d.js_redirect('<script>window.location.replace("./jbxx/")</script>', "http://h/a/") == "http://h/a/jbxx/"


def test_gbk_without_declaration():
    body = "<html><body>政府信息公开工作年度报告</body></html>".encode("gbk")
    assert detect_charset(body, "text/html") == "gb18030"
    assert detect_charset(body, "text/html; charset=gb2312") == "gb18030"
    assert detect_charset("报告".encode(), "text/html") == "utf-8"


def test_retry_after_values():
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds(b"7") == 7
    assert retry_after_seconds("Mon, 01 Jan 2024 00:00:30 GMT", now) == 30
    assert retry_after_seconds("soon") is None


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
