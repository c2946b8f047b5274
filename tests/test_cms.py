"""Each CMS family module (crawler/cms/) on its saved pages: what it detects, the report links it
reads, the further pages it asks for; and the organ-tree strategy's link classes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import cms  # noqa: E402
from crawler import discovery as d  # noqa: E402
from crawler.cms import gkmlpt, hanweb, organs, searchapi, trs  # noqa: E402

FILES = Path(__file__).resolve().parent / "files" / "cms"


def page(url: str, text: str, **data) -> cms.Page:
    return cms.Page(url, text, data)


def test_every_family_is_registered_once_in_priority_order():
    names = [f.name for f in cms.FAMILIES]
    assert names == ["gkmlpt", "hanweb", "trs", "searchapi", "vsb", "generic"]
    assert cms.detect(page("http://h/", "<html><body>plain</body></html>")).name == "generic"


# --- TRS ------------------------------------------------------------------------------

def test_trs_scripted_pagination_real_ordos(corpus):
    html = (corpus / "portal" / "trs-list-ordos-engebei.html").read_text(encoding="utf-8")
    p = page("http://h/xxgk/xxgknb/index.html", html)
    fam = cms.detect(p)
    assert fam.name == "trs"
    assert trs.page_urls(html, p.url) == ["http://h/xxgk/xxgknb/index.html", "http://h/xxgk/xxgknb/index_1.html"]
    links = fam.items(p)
    assert "http://h/xxgk/xxgknb/202009/t20200903_2748784.html" in [l.url for l in links]
    assert not [l for l in links if "一图读懂" in l.text or "会议" in l.text]
    assert [s.url for s in fam.pages(p, walk_all=False)] == ["http://h/xxgk/xxgknb/index_1.html"]
    assert trs.page_urls('<script>createPageHTML(5, 0, "index", "shtml")</script>', "http://h/c/")[-1] == "http://h/c/index_4.shtml"


def test_trs_count_page_real_handan(corpus):
    html = (corpus / "portal" / "trs-list-handan.jsp.html").read_text(encoding="utf-8")
    p = page("http://h/zwgk/index.html", html)
    assert len(trs.page_urls(html, p.url)) == 56
    steps = trs.FAMILY.pages(p, walk_all=True)
    assert len(steps) == 55 and steps[0].url == "http://h/zwgk/index_1.html" and steps[0].page_index == 1


# --- 大汉 jcms ----------------------------------------------------------------------------

def _jcms(records: int, tail: str) -> str:
    return ('<html><head><meta name="ColumnName" content="政府信息公开年报"></head><body><div id="1"><script type="text/xml">'
            '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=9&path=/'
            '&columnid=77&unitid=88&webname=x&permissiontype=0"></a>]]></nextgroup><recordset>'
            + "".join(f'<record><![CDATA[<li><a href="/art/2022/1/{i}/art_77_{i}.html">县{i}局2021年政府信息公开工作年度报告</a>'
                      f'</li>]]></record>' for i in range(records))
            + f"</recordset></datastore></script></div>{tail}</body></html>")


@pytest.mark.parametrize("tail", [
    "<script>/*<totalrecord>7</totalrecord>*/</script>",
    "<script>var totalRecord = 7;</script>",
    "<script>$('#1').jpage({dataStore: 1, perPage: 1, totalRecord: 7});</script>",
])
def test_jcms_total_printed_any_way(tail):
    html = _jcms(3, tail)
    p = page("http://h/col/col77/index.html", html)
    fam = cms.detect(p)
    assert fam.name == "hanweb" and p.column_name == "政府信息公开年报"
    ds = hanweb.datastore(html, p.url)
    assert ds.embedded == 3 and ds.total == 7 and ds.form["unitid"] == "88" and ds.form["webid"] == "9"
    assert len(fam.items(p)) == 3
    every = fam.pages(p, walk_all=True)
    assert [s.url.split("&perpage")[0] for s in every] == [
        "http://h/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6",
        "http://h/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=7"]
    assert all(s.method == "POST" and "columnid=77" in s.body for s in every)
    first = fam.pages(p, walk_all=False)
    assert len(first) == 1 and len(first[0].data["rest"]) == 1


def test_jcms_without_a_total_asks_groups_until_nothing_new():
    html = _jcms(3, "")
    p = page("http://h/col/col77/index.html", html)
    (probe,) = hanweb.FAMILY.pages(p, walk_all=True)
    assert "startrecord=4&endrecord=6" in probe.url and probe.data["probe"]["n"] == 1
    # the proxy answers the next group with new records: ask the one after
    answer = ('<datastore><recordset>' + "".join(
        f'<record><![CDATA[<a href="/art/2022/1/{i}/art_77_{i}.html">t</a>]]></record>' for i in (3, 4, 5)) + '</recordset></datastore>')
    nxt = hanweb.FAMILY.pages(page(probe.url, answer, **probe.data), walk_all=True)
    assert len(nxt) == 1 and "startrecord=7&endrecord=9" in nxt[0].url and nxt[0].body == probe.body
    # jcms answers past the end with records already seen (or none): stop
    assert hanweb.FAMILY.pages(page(nxt[0].url, answer, **nxt[0].data), walk_all=True) == []
    assert hanweb.FAMILY.pages(page(nxt[0].url, "<datastore><recordset></recordset></datastore>", **nxt[0].data), True) == []


# --- VSB and generic pagers ----------------------------------------------------------

def test_vsb_countdown_pager():
    html = ('<div class="vsb_content"></div><span class="p_next"><a href="ndbg/3.htm">下页</a></span>'
            '<span><a href="ndbg/1.htm">尾页</a></span>')
    p = page("http://h/xxgk/ndbg.htm", html)
    fam = cms.detect(p)
    assert fam.name == "vsb"
    assert [s.url for s in fam.pages(p, False)] == ["http://h/xxgk/ndbg/3.htm"]
    assert "http://h/xxgk/ndbg/1.htm" in [s.url for s in fam.pages(p, True)]
    assert d.is_attachment_url("http://h/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2")


# --- search API lists -------------------------------------------------------------------

def test_search_api():
    html = '<script>$.getJSON("/common/search/abc?_isJson=true&page=1", f)</script>'
    p = page("http://h/x/", html)
    assert cms.detect(p).name == "searchapi"
    assert searchapi.api_urls(html, "http://h/x/") == ["http://h/common/search/abc?_isJson=true&page=1"]
    (first,) = searchapi.FAMILY.pages(p, False)
    answer = ('{"data":{"results":[{"title":"<em>X</em>县2021年政府信息公开工作年度报告","url":"/a.html"}],'
              '"pager":{"pageCount":3}}}')
    items, pages = searchapi.api_items(answer, "http://h/")
    assert items[0].url == "http://h/a.html" and items[0].text.startswith("X县") and pages == 3
    jp = page(first.url, answer, **first.data)
    assert [l.url for l in searchapi.FAMILY.items(jp)] == ["http://h/a.html"]
    (nxt,) = searchapi.FAMILY.pages(jp, False)
    assert "page=2" in nxt.url and nxt.data == {"api_page": 2}


# --- gkmlpt ---------------------------------------------------------------------------

def test_gkmlpt_tree_and_api():
    html = (FILES / "gkmlpt-index.html").read_text(encoding="utf-8")
    p = page("http://h/gkmlpt/index", html)
    fam = cms.detect(p)
    assert fam.name == "gkmlpt"
    sid, nodes = gkmlpt.tree(html)
    assert sid == "755033" and nodes
    cols = fam.columns(p)
    # the 年报 category nested under 其他, and not 政策解读 or 年度计划
    assert [(c.name, c.url) for c in cols] == [("政府信息公开年报", "http://h/gkmlpt/api/all/2903?page=1&sid=755033")]
    answer = (FILES / "gkmlpt-api-all-2903.json").read_text(encoding="utf-8")
    jp = page(cols[0].url, answer, **cols[0].data)
    items = fam.items(jp)
    assert [l.text for l in items] == ["广州市天河区教育局2023年政府信息公开工作年度报告",
                                       "广州市天河区教育局2022年政府信息公开工作年度报告"]
    assert items[1].attachments == ("http://h/attachment/0/123/123456/2022ndbg.pdf",)
    steps = fam.pages(jp, walk_all=True)
    assert [s.url for s in steps] == ["http://h/gkmlpt/api/all/2903?page=2&sid=755033"]
    assert fam.pages(page(steps[0].url, json.dumps({"articles": [], "classify": {"post_count": 3}}), **steps[0].data),
                     walk_all=True) == []


# --- organ trees and sub-columns ---------------------------------------------------------

@pytest.mark.parametrize("text, organ", [
    ("县教育局", "县教育局"), ("黎集镇", "黎集镇"), ("城关街道办事处", "城关街道办事处"),
    ("县政务服务管理局", "县政务服务管理局"), ("县教育局信息公开", "县教育局"), ("县融媒体中心", "县融媒体中心"),
    ("新闻中心", None), ("政务服务", None), ("政府信息公开指南", None), ("中国政府网", None), ("2023年度", None),
])
def test_organ_names(text, organ):
    assert organs.organ_name(text) == organ


def test_catalogue_links_sorted_into_columns_organs_sections_and_never():
    links = [d.Link(f"http://h/{i}", t) for i, t in enumerate([
        "政府信息公开年报", "县直部门", "乡镇（街道）", "部门信息公开", "镇街", "县教育局", "黎集镇",
        "新闻中心", "互动交流", "政务服务", "站内搜索", "政府信息公开指南", "2023年政府信息公开工作年度报告",
        "一图读懂年报", "政务公开", "县人民政府办公室2022年政府信息公开工作年度报告"])]
    links.append(d.Link("http://h/gkmlpt/index", "县财政局"))
    f = organs.classify(links)
    assert [l.text for l in f.columns] == ["政府信息公开年报"]
    assert [o for _, o in f.organs] == ["县教育局", "黎集镇"]
    assert [l.text for l in f.sections] == ["县直部门", "乡镇（街道）", "部门信息公开", "镇街", "政务公开"]
    assert [(l.url, o) for l, o in f.platforms] == [("http://h/gkmlpt/index", "县财政局")]


def test_subcolumns_per_year_and_per_kind():
    links = [d.Link(f"http://h/{i}", t) for i, t in enumerate([
        "2023年度", "2023年", "2022年度报告", "政府年报", "部门年报", "乡镇（街道）年报",
        "2023年政府信息公开工作年度报告", "下一页", "首页"])]
    assert [l.text for l in organs.subcolumns(links)] == ["2023年度", "2023年", "2022年度报告", "政府年报", "部门年报",
                                                        "乡镇（街道）年报"]


def test_organ_from_page_title():
    assert organs.organ_from_title("县教育局-政府信息公开") == "县教育局"
    assert organs.organ_from_title("政府信息公开年报_黎集镇人民政府") == "黎集镇人民政府"
    assert organs.organ_from_title("政务公开") is None
