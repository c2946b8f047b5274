"""The fixture portal's sites, one per CMS family and quirk, with what a correct crawl stores.

build_portal(corpus) -> (Portal, Expect). Sites:
  trs      TRS WCM county, column reached only from the home page; createPageHTML pagination,
           ./YYYYMM/tYYYYMMDD_N.html details, distractors of every kind, a 函 behind a truncated title
  trsapi   TRS column whose list is filled by a search API from JavaScript (JSON, 2 pages)
  hanweb   大汉 jcms: /col/col1234/index.html with an embedded <datastore>, later records by POST
           to /module/web/jpage/dataproxy.jsp; a town report hosted by the county; PDF attachments
  vsb      博达 VSB: ndbg.htm then count-down pages ndbg/2.htm, ndbg/1.htm; /info/1050/N.htm details;
           a DOCX through /system/_content/download.jsp; an image-only report
  gbk      GBK pages with no charset declaration anywhere; 下一页 pager; column linked from home
  quirks   robots.txt rule with a report behind it, 500 once then fine, 429 with Retry-After,
           a 404, a same-site redirect, an off-site link and an off-site redirect
  blocked  answers HTTP 412 with a script challenge
  down     nothing listens (unreachable)
  elsewhere  NOT in the sites file: must never be contacted
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import content as c
from .server import Portal, closed_port

DISTRACTORS = [
    "关于做好2021年政府信息公开工作年度报告编制和发布工作的通知",
    "2022年政务公开工作要点",
    "一图读懂2021年政府信息公开工作年度报告",
    "图解：2020年政府信息公开工作年度报告",
    "2021年法治政府建设年度报告",
    "县政府召开2021年度政务公开工作会议",
]


@dataclass
class Expected:
    site: str
    url: str
    year: int
    organ: str | None
    doc: c.Doc | None = None
    status: str = "parsed"       # or image_only
    body: bytes | None = None    # the bytes served (to compare with a direct parse)


@dataclass
class Expect:
    reports: list[Expected] = field(default_factory=list)
    distractor_urls: list[str] = field(default_factory=list)
    never_fetched: list[str] = field(default_factory=list)   # (robots, off-site)
    failed: dict[str, str] = field(default_factory=dict)      # url -> reason fragment
    sites_csv: Path | None = None


def _once(fail_status: int, ok_body: bytes, ctype: str, headers: dict | None = None):
    state = {"n": 0}

    def fn(**_):
        state["n"] += 1
        if state["n"] == 1:
            return fail_status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})}, b"<html><body>busy</body></html>"
        return 200, {"Content-Type": ctype}, ok_body
    return fn


def build_portal(corpus: Path, workdir: Path) -> tuple[Portal, Expect]:
    p = Portal()
    ex = Expect()
    d004 = c.load(corpus, "seeds/004_fd2255dcef9b15cd")
    d000 = c.load(corpus, "seeds/000_61f4a806a08c13ab")
    d001 = c.load(corpus, "seeds/001_213733622d4d3974")
    d002 = c.load(corpus, "seeds/002_51a7ac9068d409eb")
    d003 = c.load(corpus, "seeds/003_85236c9e0b1ec5a3")
    lz2014 = c.load(corpus, "legacy/pingtan-zone-2014")
    lz2016 = c.load(corpus, "legacy/pingtan-zone-2016")
    lz2018 = c.load(corpus, "legacy/pingtan-zone-2018")
    lz2011 = c.load(corpus, "legacy/pingtan-zone-2011")
    lc2012 = c.load(corpus, "legacy/pingtan-county-2012")
    ltax = c.load(corpus, "legacy/pingtan-local-tax-bureau-2013")
    han = (corpus / "portal" / "pingtan-nonreport-in-report-column-2014.txt").read_text(encoding="utf-8")
    han_title = "关于2014年政府信息公开工作要点落实情况的函"
    han_body = han.partition("==== 正文 ====")[2].lstrip("=").strip()
    pdf = {n: (corpus / "huaian" / f"{n}.pdf").read_bytes() for n in ("hzq2023_working", "hzq2024_working", "szfgs2024")}
    truth = {n: json.loads((corpus / "huaian" / f"{n}.truth.json").read_text(encoding="utf-8")) for n in pdf}

    def report(site, path, doc, **kw):
        body = c.report_page(doc, **kw).encode("utf-8")
        site.page(path, body)
        ex.reports.append(Expected(site.name, site.url(path), doc.year, doc.organ, doc, body=body))

    def distractor(site, path, title, **kw):
        site.page(path, c.page(title, "<p>" + title + "。各乡镇、各部门：现将有关事项通知如下。</p>" * 5, **kw))
        ex.distractor_urls.append(site.url(path))

    # --- TRS WCM: home -> 政务公开 -> 政府信息公开年报, scripted pagination ----------------------
    trs = p.site("trs")
    trs.page("/", '<html><head><meta charset="utf-8"><title>洛阳市洛龙区人民政府</title></head><body>'
                  '<a href="/xwzx/">新闻中心</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a>'
                  '<a href="http://www.gov.cn/">中国政府网</a></body></html>')
    trs.page("/zwgk/", '<html><head><meta charset="utf-8"><title>政务公开</title></head><body>'
                       '<a href="/zwgk/zfxxgkzn/">政府信息公开指南</a> <a href="/zwgk/zfxxgkzd/">政府信息公开制度</a>'
                       '<a href="/zwgk/zfxxgknb/">政府信息公开年报</a> <a href="/zwgk/fdzdgknr/">法定主动公开内容</a></body></html>')
    pager = '<script>createPageHTML(3, {cur}, "index", "html");</script>'
    items0 = [("./202201/t20220114_100001.html", d004.title, "2022-01-14"),
              ("./202112/t20211201_100002.html", DISTRACTORS[0], "2021-12-01"),
              ("./202202/t20220210_100003.html", DISTRACTORS[1], "2022-02-10"),
              ("./202201/t20220120_100004.html", DISTRACTORS[2], "2022-01-20")]
    items1 = [("./202101/t20210115_100005.html", DISTRACTORS[3], "2021-01-15"),
              ("./202103/t20210301_100006.html", DISTRACTORS[4], "2021-03-01"),
              ("./201412/t20141210_80787.html", "2014年政府信息公开工作...", "2014-12-10")]
    items2 = [("./201501/t20150102_80791.html", lz2014.title, "2015-01-02"),
              ("./202105/t20210501_100007.html", DISTRACTORS[5], "2021-05-01")]
    for i, items in enumerate((items0, items1, items2)):
        name = "index.html" if i == 0 else f"index_{i}.html"
        trs.page(f"/zwgk/zfxxgknb/{name}", c.list_page("政府信息公开年报", items, pager.format(cur=i)))
    trs.page("/zwgk/zfxxgknb/", trs.routes["/zwgk/zfxxgknb/index.html"].body)
    report(trs, "/zwgk/zfxxgknb/202201/t20220114_100001.html", d004)
    report(trs, "/zwgk/zfxxgknb/201501/t20150102_80791.html", lz2014)
    for href, title, _ in items0[1:] + items1[:2] + items2[1:]:
        distractor(trs, "/zwgk/zfxxgknb/" + href[2:], title)
    trs.page("/zwgk/zfxxgknb/201412/t20141210_80787.html", c.page(han_title, c.body_html(han_body)))
    ex.distractor_urls.append(trs.url("/zwgk/zfxxgknb/201412/t20141210_80787.html"))

    # --- TRS list filled by a search API -------------------------------------------------
    api = p.site("trsapi")
    api.page("/xxgk/ndbg/index.html", c.list_page("年度报告", [], "", extra_head=(
        '<script src="/js/jquery.min.js"></script><script>$(function(){$.getJSON('
        '"/common/search/8f3c2a?_isJson=true&_pageSize=2&page=1", function(d){render(d.data.results);});});</script>')))
    api_items = [[{"title": lz2016.title, "url": "/xxgk/ndbg/201701/t20170110_2001.html", "publishedTime": "2017-01-10"},
                  {"title": DISTRACTORS[1], "url": "/xxgk/ndbg/202202/t20220210_2002.html", "publishedTime": "2022-02-10"}],
                 [{"title": DISTRACTORS[2], "url": "/xxgk/ndbg/202201/t20220120_2003.html", "publishedTime": "2022-01-20"}]]

    def search(query, **_):
        page_no = int(query.get("page", 1))
        rows = api_items[page_no - 1] if 1 <= page_no <= len(api_items) else []
        data = {"ok": True, "data": {"results": rows, "pager": {"pageCount": len(api_items), "page": page_no}}}
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data, ensure_ascii=False).encode()
    api.fn("/common/search/8f3c2a", search)
    report(api, "/xxgk/ndbg/201701/t20170110_2001.html", lz2016)
    distractor(api, "/xxgk/ndbg/202202/t20220210_2002.html", DISTRACTORS[1])
    distractor(api, "/xxgk/ndbg/202201/t20220120_2003.html", DISTRACTORS[2])

    # --- 大汉 Hanweb jcms -------------------------------------------------------------------
    hw = p.site("hanweb")
    records = [
        ("/art/2022/1/14/art_1234_5678.html", d000.title, "2022-01-14"),
        ("/art/2021/12/1/art_1234_5601.html", DISTRACTORS[0], "2021-12-01"),
        ("/art/2022/1/20/art_1234_5602.html", DISTRACTORS[3], "2022-01-20"),
        ("/art/2024/1/20/art_1234_5679.html", "淮安市洪泽区人民政府2023年政府信息公开工作年度报告", "2024-01-20"),
        ("/art/2022/3/1/art_1234_5603.html", DISTRACTORS[4], "2022-03-01"),
        ("/art/2025/1/18/art_1234_5680.html", "淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "2025-01-18"),
        ("/art/2022/2/10/art_1234_5604.html", DISTRACTORS[1], "2022-02-10"),
    ]

    def rec(href, title, date):
        return (f'<record><![CDATA[<li><a href="{href}" target="_blank" title="{title}">{title}</a>'
                f'<span>{date}</span></li>]]></record>')
    nextgroup = ('<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=33&path=/'
                 '&columnid=1234&unitid=5566&webname=%E6%B4%AA%E6%B3%BD%E5%8C%BA&permissiontype=0"></a>]]></nextgroup>')
    embedded = "".join(rec(*r) for r in records[:3])
    hw.page("/col/col1234/index.html", f"""<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div class="bt-position"><a href="/">首页</a> &gt; <a href="/col/col1234/index.html">政府信息公开年报</a></div>
<div id="5566"><script type="text/xml"><datastore>{nextgroup}<recordset>{embedded}</recordset></datastore></script></div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
<script>var totalrecord=7; $('#5566').jpage({{dataStore: '5566', perPage: 1, totalRecord: 7, proxyUrl: '/module/web/jpage/dataproxy.jsp'}});</script>
<script>/*<totalrecord>7</totalrecord>*/</script></body></html>""")
    required = ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")

    def proxy(method, query, form, **_):
        if method != "POST":
            return 405, {"Content-Type": "text/plain"}, b"POST only"
        if any(k not in form for k in required) or form.get("columnid") != "1234" or form.get("unitid") != "5566":
            return 400, {"Content-Type": "text/plain"}, b"missing form fields"
        start, end = int(query["startrecord"]), int(query["endrecord"])
        body = "".join(rec(*r) for r in records[start - 1:end])
        xml = f'<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>7</totalrecord><recordset>{body}</recordset></datastore>'
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()
    hw.fn("/module/web/jpage/dataproxy.jsp", proxy)
    report(hw, records[0][0], d000, family="hanweb", site_name="淮安市洪泽区人民政府")
    for i, key in ((3, "hzq2023_working"), (5, "hzq2024_working")):
        href, title, _ = records[i]
        pdf_path = f"/module/download/downfile.jsp?classid=0&filename={key}.pdf"
        hw.page(href, c.attachment_page(title, pdf_path, f"{title}.pdf", family="hanweb"))
        hw.page(pdf_path, pdf[key], ctype="application/pdf")
        ex.reports.append(Expected("hanweb", hw.url(pdf_path), truth[key]["year"], truth[key]["organ"], None, body=pdf[key]))
    for i in (1, 2, 4, 6):
        distractor(hw, records[i][0], records[i][1], family="hanweb")

    # --- 博达 VSB: count-down pages, download.jsp attachments, an image-only report ------------
    vsb = p.site("vsb")

    def vsb_pager(cur, total=3):
        # first page ndbg.htm, then ndbg/2.htm, ndbg/1.htm (numbers count down)
        links = []
        nxt = {0: "ndbg/2.htm", 1: "1.htm", 2: None}[cur]
        if nxt:
            links.append(f'<span class="p_next p_fun"><a href="{nxt}">下页</a></span>')
            links.append(f'<span class="p_last p_fun"><a href="{"ndbg/1.htm" if cur == 0 else "1.htm"}">尾页</a></span>')
        return f'<span class="p_t">共{total}页</span>' + "".join(links)
    docx_href = "/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1406112&wbfileid=64209"
    vsb_pages = {
        "/xxgk/ndbg.htm": [("../info/1050/64208.htm", d001.title, "2021-01-20"),
                           ("../info/1050/64100.htm", DISTRACTORS[2], "2022-01-20")],
        "/xxgk/ndbg/2.htm": [("../../info/1050/64300.htm", "信义镇2022年政府信息公开工作年度报告", "2023-01-18"),
                             ("../../info/1050/64101.htm", DISTRACTORS[0], "2021-12-01")],
        "/xxgk/ndbg/1.htm": [("../../info/1050/50001.htm", lz2018.title, "2019-01-10"),
                             ("../../info/1050/64102.htm", DISTRACTORS[4], "2022-03-01")],
    }
    for i, (path, items) in enumerate(vsb_pages.items()):
        vsb.page(path, c.list_page("年度报告", items, vsb_pager(i)))
    vsb.page("/info/1050/64208.htm", c.attachment_page(d001.title, docx_href, f"{d001.title}.docx", family="vsb"))
    docx = c.docx_bytes(d001)
    vsb.page(docx_href, docx, ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             headers={"Content-Disposition": 'attachment; filename="report.docx"'})
    ex.reports.append(Expected("vsb", vsb.url(docx_href), d001.year, d001.organ, d001, body=docx))
    img_title = "信义镇2022年政府信息公开工作年度报告"
    vsb.page("/info/1050/64300.htm", c.image_page(img_title, [f"/__local/nb2022_{i}.png" for i in range(1, 4)], family="vsb"))
    ex.reports.append(Expected("vsb", vsb.url("/info/1050/64300.htm"), 2022, None, None, status="image_only"))
    report(vsb, "/info/1050/50001.htm", lz2018, family="vsb")
    for path, items in vsb_pages.items():
        for href, title, _ in items:
            if title in DISTRACTORS:
                distractor(vsb, "/info/1050/" + href.rsplit("/", 1)[-1], title, family="vsb")

    # --- GBK, no charset anywhere, 下一页 pager, column linked from the home page ------------
    gbk = p.site("gbk")
    gbk.page("/", c.list_page("首页", [], "", charset=None).replace("<ul", '<a href="/xxgk/">信息公开</a><a href="/xxgkndbg/list.asp">信息公开年报</a><ul'),
             ctype="text/html", encoding="gbk")
    gbk_items = {1: [("/xxgkndbg/show.asp?id=301", d003.title, "2024-01-15"), ("/xxgkndbg/show.asp?id=302", DISTRACTORS[1], "2022-02-10")],
                 2: [("/xxgkndbg/show.asp?id=120", lc2012.title, "2013-03-01")]}
    gbk.page("/xxgkndbg/list.asp", c.list_page("信息公开年报", gbk_items[1], '<a href="list.asp?page=2">下一页</a> <a href="list.asp?page=2">尾页</a>', charset=None),
             ctype="text/html", encoding="gbk")
    gbk.page("/xxgkndbg/list.asp?page=2", c.list_page("信息公开年报", gbk_items[2], '<a href="list.asp">上一页</a>', charset=None),
             ctype="text/html", encoding="gbk")
    for path, doc in (("/xxgkndbg/show.asp?id=301", d003), ("/xxgkndbg/show.asp?id=120", lc2012)):
        body = c.report_page(doc, charset=None).encode("gbk", "xmlcharrefreplace")
        gbk.page(path, body, ctype="text/html")
        ex.reports.append(Expected("gbk", gbk.url(path), doc.year, doc.organ, doc, body=body))
    gbk.page("/xxgkndbg/show.asp?id=302", c.page(DISTRACTORS[1], "<p>要点</p>", charset=None), ctype="text/html", encoding="gbk")
    ex.distractor_urls.append(gbk.url("/xxgkndbg/show.asp?id=302"))

    # --- quirks: robots, 500 once, 429 + Retry-After, 404, redirects, off-site ------------------
    q = p.site("quirks")
    elsewhere = p.site("elsewhere")
    elsewhere.page("/report.html", c.report_page(d002))
    q.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", ctype="text/plain")
    q.page("/ndbg/index.html", c.list_page("政府信息公开年报", [
        ("/private/2011.html", lz2011.title, "2012-03-01"),
        ("/files/szfgs2024.pdf", "淮安市人民政府2024年政府信息公开工作年度报告", "2025-01-20"),
        ("/ndbg/2021.html", d002.title, "2022-01-10"),
        ("/ndbg/2020.html", "2020年政府信息公开工作年度报告", "2021-01-10"),
        ("/old/2013.html", ltax.title, "2014-03-01"),
        (elsewhere.url("/report.html"), "湟源县2021年政府信息公开工作年度报告（转载）", "2022-01-10"),
        ("/go/2018.html", "2018年政府信息公开工作年度报告", "2019-01-10"),
    ]))
    q.page("/private/2011.html", c.report_page(lz2011))
    ex.never_fetched += [q.url("/private/2011.html"), elsewhere.url("/report.html")]
    q.fn("/files/szfgs2024.pdf", _once(500, pdf["szfgs2024"], "application/pdf"))
    ex.reports.append(Expected("quirks", q.url("/files/szfgs2024.pdf"), truth["szfgs2024"]["year"], truth["szfgs2024"]["organ"], None, body=pdf["szfgs2024"]))
    d002_body = c.report_page(d002).encode()
    q.fn("/ndbg/2021.html", _once(429, d002_body, "text/html; charset=utf-8", {"Retry-After": "1"}))
    ex.reports.append(Expected("quirks", q.url("/ndbg/2021.html"), d002.year, d002.organ, d002, body=d002_body))
    ex.failed[q.url("/ndbg/2020.html")] = "404"
    q.page("/old/2013.html", b"", status=302, headers={"Location": "/new/2013.html"}, validators=False)
    report(q, "/new/2013.html", ltax)
    q.page("/go/2018.html", b"", status=302, headers={"Location": elsewhere.url("/report.html")}, validators=False)

    # --- a WAF challenge, and a site nobody answers on --------------------------------------
    blocked = p.site("blocked")
    challenge = ('<html><head><script>var _0x1a=["\\x63\\x6f\\x6f\\x6b\\x69\\x65"];'
                 'document.cookie="__jsl_clearance=1627;path=/";setTimeout(function(){location.reload()},1500);</script></head><body></body></html>')
    for path in ("/", "/robots.txt"):
        blocked.fn(path, lambda **_: (412, {"Content-Type": "text/html"}, challenge.encode()))
    down_url = f"http://127.0.0.1:{closed_port()}/"

    rows = [
        ("洛阳市洛龙区", "county", "410311", trs.url("/")),
        ("平潭综合实验区", "county", "350128", api.url("/xxgk/ndbg/index.html")),
        ("淮安市洪泽区", "county", "320813", hw.url("/col/col1234/index.html")),
        ("绵阳市游仙区信义镇", "town", "510704", vsb.url("/xxgk/ndbg.htm")),
        ("桐柏县", "county", "411330", gbk.url("/")),
        ("湟源县", "county", "630123", q.url("/ndbg/index.html")),
        ("挑战县", "county", "000000", blocked.url("/")),
        ("断网县", "county", "000001", down_url),
    ]
    ex.sites_csv = write_sites(workdir / "sites.csv", rows)
    return p, ex


def write_sites(path: Path, rows: list[tuple]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "level", "region_code", "url", "note"])
        for r in rows:
            w.writerow(list(r) + ["fixture"])
    return path
