"""County platforms as real ones are built, where most reports belong to departments and towns.

build_counties(corpus, workdir) -> (Portal, Expect), five structures, each from its home page:
  organs    organ tree (TRS): home -> 政务公开 -> 部门信息公开 / 乡镇（街道） -> each organ's catalogue
            page -> its 政府信息公开年报 column (paged by createPageHTML or 下一页, or empty: 暂无信息);
            news, 互动交流, 政务服务 and search sections that must never be fetched
  subcols   a 年报 column holding only sub-columns, per kind (政府年报 TRS-paged, 部门年报 jcms) and,
            under 乡镇（街道）年报, per year (2023年度 下一页-paged, 2022年, 2021年度报告)
  gkmlpt    Guangdong's gkmlpt: home -> 政务公开 -> /gkmlpt/index (TREE + JSON API, content pages
            carrying the report in window._CONFIG.DETAIL.content) and departments' own gkmlpt
  gkentry   a department's /gkmlpt/index as the sites file's entry page
  jcms      大汉 jcms columns whose total is printed as `var totalRecord`, in a config object, or not
            at all; organs' columns named by <meta name="ColumnName">
  gushi     organ subsites under the county's registered domain (lijizhen.gushi.test linked from
            www.gushi.test's 乡镇 page), and a link to another county's host that must not be contacted

Every report is a corpus report re-issued under an organ's name, so its truth stays known; a
title without the organ's name belongs to the organ of its column.
"""
from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path

from . import content as c
from .families import DISTRACTORS, Expect, Expected, write_sites
from .server import Portal

SEEDS = ["seeds/000_61f4a806a08c13ab", "seeds/001_213733622d4d3974", "seeds/002_51a7ac9068d409eb",
         "seeds/003_85236c9e0b1ec5a3", "seeds/004_fd2255dcef9b15cd"]
LEGACY = ["legacy/pingtan-zone-2014", "legacy/pingtan-zone-2016", "legacy/pingtan-zone-2018",
          "legacy/pingtan-county-2012", "legacy/pingtan-local-tax-bureau-2013"]
RESOLVER = ["-s", "DNS_RESOLVER=tests.portal.resolver.LoopbackResolver"]


def nav(links: list[tuple[str, str]], title: str = "政务公开", site_name: str = "县人民政府") -> str:
    """A catalogue page: a title and a list of links (href, text)."""
    lis = "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in links)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}_{site_name}</title></head>'
            f'<body><div class="head"><a href="/">首页</a></div><h2>{html.escape(title)}</h2><ul class="menu">{lis}</ul>'
            f'<div class="footer">{site_name} 版权所有</div></body></html>')


class Builder:
    """Shared state while the counties are laid out: the corpus docs handed out in turn."""

    def __init__(self, corpus: Path) -> None:
        self.docs = [c.load(corpus, k) for k in SEEDS + LEGACY]
        self.next = 0
        self.ex = Expect()
        self.pdf = {n: (corpus / "huaian" / f"{n}.pdf").read_bytes() for n in ("hzq2023_working", "szfgs2024")}
        self.truth = {n: json.loads((corpus / "huaian" / f"{n}.truth.json").read_text(encoding="utf-8")) for n in self.pdf}

    def doc(self) -> c.Doc:
        d = self.docs[self.next % len(self.docs)]
        self.next += 1
        return d

    def report(self, site, path: str, organ: str, *, named: bool = True, family: str = "trs",
               site_name: str = "县人民政府") -> tuple[str, str]:
        """Serve a corpus report re-issued under `organ`; returns (href, title) for its list."""
        d = self.doc()
        title = f"{organ if named else ''}{d.year}年政府信息公开工作年度报告"
        doc = reissue(d, title, organ)
        body = c.report_page(doc, family=family, site_name=site_name).encode("utf-8")
        site.page(path, body)
        self.ex.reports.append(Expected(site.name, site.url(path), d.year, organ, doc, body=body))
        return path, title

    def distractor(self, site, path: str, i: int) -> tuple[str, str]:
        title = DISTRACTORS[i % len(DISTRACTORS)]
        site.page(path, c.page(title, "<p>" + title + "。各乡镇、各部门：现将有关事项通知如下。</p>" * 5))
        self.ex.distractor_urls.append(site.url(path))
        return path, title

    def never(self, site, path: str, title: str, bait: str) -> tuple[str, str]:
        """A section that is never to be followed, holding a report-like link as bait."""
        site.page(path, c.list_page(title, [(path + "bait.html", bait, "2024-01-01")]))
        site.page(path + "bait.html", c.page(bait, "<p>新闻</p>"))
        self.ex.never_fetched += [site.url(path), site.url(path + "bait.html")]
        return path, title


def reissue(d: c.Doc, title: str, organ: str) -> c.Doc:
    """The report under another organ's name: its title, and the title line its body repeats."""
    lines = d.text.splitlines()
    for i, line in enumerate(lines[:3]):
        if ("年度报告" in line or "年报" in line) and "\t" not in line and len(line) < 60:
            lines[i] = title
            break
    return replace(d, title=title, organ=organ, text="\n".join(lines))


def dated(items: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(h, t, "2024-01-15") for h, t in items]


def trs_column(site, base: str, pages: list[list[tuple[str, str]]], name: str = "政府信息公开年报") -> None:
    """A TRS column at base/index.html, base/index_1.html … announced by createPageHTML."""
    for i, items in enumerate(pages):
        pager = f'<script>createPageHTML({len(pages)}, {i}, "index", "html");</script>'
        site.page(f"{base}{'index.html' if i == 0 else f'index_{i}.html'}", c.list_page(name, dated(items), pager))
    site.page(base, site.routes[f"{base}index.html"].body)


def next_column(site, base: str, pages: list[list[tuple[str, str]]], name: str = "政府信息公开年报") -> None:
    """A column at base (list.html?page=N) paged by 下一页 links."""
    for i, items in enumerate(pages):
        pager = f'<a href="list.html?page={i + 2}">下一页</a>' if i + 1 < len(pages) else ""
        path = base if i == 0 else f"{base}list.html?page={i + 1}"
        site.page(path, c.list_page(name, dated(items), pager) if items else
                  c.list_page(name, [], "").replace('<ul class="list"></ul>', '<div class="empty">暂无信息</div>'))


# --- 1. organ tree -----------------------------------------------------------------------

def organ_tree(p: Portal, b: Builder, name: str = "organs", county: str = "洛川县", n_organs: int | None = None):
    s = p.site(name)
    s.page("/", nav([("/xwzx/", "新闻中心"), ("/zwgk/", "政务公开"), ("/zwfw/", "政务服务"), ("/hdjl/", "互动交流"),
                     ("/search/", "站内搜索")], county + "人民政府", county + "人民政府"))
    b.never(s, "/xwzx/", "新闻中心", f"{county}教育局2023年政府信息公开工作年度报告解读会召开")
    b.never(s, "/zwfw/", "政务服务", f"{county}2023年政府信息公开工作年度报告")
    b.never(s, "/hdjl/", "互动交流", f"关于{county}2022年政府信息公开工作年度报告的留言")
    b.never(s, "/search/", "站内搜索", f"{county}2021年政府信息公开工作年度报告")
    s.page("/zwgk/", nav([("/zwgk/zn/", "政府信息公开指南"), ("/zwgk/nb/", "政府信息公开年报"), ("/zwgk/bm/", "部门信息公开"),
                          ("/zwgk/xz/", "乡镇（街道）"), ("/zwgk/fdzdgknr/", "法定主动公开内容")], "政务公开"))
    s.page("/zwgk/zn/", c.page("政府信息公开指南", "<p>指南</p>"))
    s.page("/zwgk/fdzdgknr/", nav([("/zwgk/fdzdgknr/zcwj/", "政策文件")], "法定主动公开内容"))
    s.page("/zwgk/fdzdgknr/zcwj/", c.list_page("政策文件", [("/zwgk/fdzdgknr/zcwj/1.html", "关于印发某办法的通知", "2024-01-01")]))
    gov = f"{county}人民政府"
    trs_column(s, "/zwgk/nb/", [[b.report(s, "/zwgk/nb/202401/t1.html", gov), b.distractor(s, "/zwgk/nb/202401/t2.html", 0)],
                                [b.report(s, "/zwgk/nb/202301/t3.html", gov), b.distractor(s, "/zwgk/nb/202301/t4.html", 1)]])
    departments = ["教育局", "财政局", "卫生健康委员会", "人力资源和社会保障局", "应急管理局"]
    towns = ["黎集镇", "旧县镇", "凤栖街道办事处"]
    if n_organs:   # the bench's county: as many organs as asked, one report each
        words = "甲乙丙丁戊己庚辛壬癸"
        departments = [f"{words[i // 10 % 10]}{words[i % 10]}管理局" for i in range(n_organs - len(towns))]
    organ_links, town_links = [], []
    for i, dept in enumerate(departments):
        organ = county + dept
        base = f"/zwgk/bm/o{i}/"
        organ_links.append((base, organ))
        s.page(base, nav([(base + "jgzn/", "机构职能"), (base + "zcwj/", "政策文件"), (base + "nb/", "政府信息公开年报"),
                          (base + "zn/", "政府信息公开指南")], organ, organ))
        if n_organs:
            next_column(s, base + "nb/", [[b.report(s, f"{base}nb/1.html", organ)]])
        elif i == 0:    # paged by script, with distractors
            trs_column(s, base + "nb/", [[b.report(s, f"{base}nb/t1.html", organ), b.distractor(s, f"{base}nb/t2.html", 2)],
                                         [b.report(s, f"{base}nb/t3.html", organ), b.distractor(s, f"{base}nb/t4.html", 4)]])
        elif i == 1:    # paged by 下一页
            next_column(s, base + "nb/", [[b.report(s, f"{base}nb/1.html", organ)], [b.report(s, f"{base}nb/2.html", organ)]])
        elif i == 2:    # nothing published yet
            next_column(s, base + "nb/", [[]])
        elif i == 3:    # a title without the organ's name
            next_column(s, base + "nb/", [[b.report(s, f"{base}nb/1.html", organ, named=False)]])
        else:
            next_column(s, base + "nb/", [[b.report(s, f"{base}nb/1.html", organ), b.distractor(s, f"{base}nb/2.html", 5)]])
    for i, town in enumerate(towns):
        base = f"/zwgk/xz/t{i}/"
        town_links.append((base, town))
        s.page(base, nav([(base + "nb/", "政府信息公开年报"), (base + "gzdt/", "工作动态")], town, town))
        next_column(s, base + "nb/", [[b.report(s, f"{base}nb/1.html", town, named=(i != 0))]])
    s.page("/zwgk/bm/", nav(organ_links, "部门信息公开"))
    s.page("/zwgk/xz/", nav(town_links, "乡镇（街道）"))
    return s, (county, "county", "610629", s.url("/"))


# --- 2. sub-columns -----------------------------------------------------------------------

def subcolumns(p: Portal, b: Builder):
    s = p.site("subcols")
    county = "宜川县"
    s.page("/", nav([("/zwgk/", "政务公开"), ("/xwzx/", "新闻中心")], county + "人民政府"))
    b.never(s, "/xwzx/", "新闻中心", f"{county}2023年政府信息公开工作年度报告发布")
    s.page("/zwgk/", nav([("/zwgk/nb/", "政府信息公开年报"), ("/zwgk/zn/", "政府信息公开指南")], "政务公开"))
    s.page("/zwgk/zn/", c.page("政府信息公开指南", "<p>指南</p>"))
    s.page("/zwgk/nb/", nav([("/zwgk/nb/zfnb/", "政府年报"), ("/zwgk/nb/bmnb/", "部门年报"),
                             ("/zwgk/nb/xznb/", "乡镇（街道）年报")], "政府信息公开年报"))
    gov = county + "人民政府"
    trs_column(s, "/zwgk/nb/zfnb/", [[b.report(s, "/zwgk/nb/zfnb/t1.html", gov), b.distractor(s, "/zwgk/nb/zfnb/t2.html", 3)],
                                     [b.report(s, "/zwgk/nb/zfnb/t3.html", gov)]], "政府年报")
    # 部门年报 on jcms: two records embedded, the rest from the proxy (var totalRecord)
    recs = [b.report(s, f"/art/2024/1/{i}/art_88_{i}.html", f"{county}{o}", family="hanweb")
            for i, o in enumerate(["发展和改革局", "民政局", "住房和城乡建设局"])] + [b.distractor(s, "/art/2024/1/9/art_88_9.html", 0)]
    jcms_column(s, "/zwgk/nb/bmnb/", 88, recs, "部门年报", total_style="var")
    s.page("/zwgk/nb/xznb/", nav([("/zwgk/nb/xznb/2023/", "2023年度"), ("/zwgk/nb/xznb/2022/", "2022年"),
                                  ("/zwgk/nb/xznb/2021/", "2021年度报告")], "乡镇（街道）年报"))
    next_column(s, "/zwgk/nb/xznb/2023/", [[b.report(s, "/zwgk/nb/xznb/2023/a.html", "丹州街道办事处")],
                                           [b.report(s, "/zwgk/nb/xznb/2023/b.html", "秋林镇")]], "2023年度")
    next_column(s, "/zwgk/nb/xznb/2022/", [[b.report(s, "/zwgk/nb/xznb/2022/a.html", "壶口镇"),
                                            b.distractor(s, "/zwgk/nb/xznb/2022/b.html", 1)]], "2022年")
    trs_column(s, "/zwgk/nb/xznb/2021/", [[b.report(s, "/zwgk/nb/xznb/2021/t1.html", "集义镇")],
                                          [b.report(s, "/zwgk/nb/xznb/2021/t2.html", "云岩镇")]], "2021年度报告")
    return s, (county, "county", "610630", s.url("/"))


# --- 4. jcms ------------------------------------------------------------------------------

def jcms_column(s, path: str, colid: int, records: list[tuple[str, str]], name: str, total_style: str) -> None:
    """A jcms column page embedding the first two records; the rest come from dataproxy.jsp."""
    def rec(href, title):
        return (f'<record><![CDATA[<li><a href="{href}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a>'
                f'<span>2024-01-15</span></li>]]></record>')
    total = len(records)
    script = {"xml": f"<script>/*<totalrecord>{total}</totalrecord>*/</script>",
              "var": f"<script>var totalRecord = {total};</script>",
              "config": f"<script>$('#{colid}').jpage({{dataStore: '{colid}', perPage: 2, totalRecord: {total}, "
                        "proxyUrl: '/module/web/jpage/dataproxy.jsp'});</script>",
              "none": "<script>$(function(){ jpage.init(); });</script>"}[total_style]
    nextgroup = (f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7&path=/'
                 f'&columnid={colid}&unitid={colid + 1000}&webname=%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>')
    s.page(path, f"""<html><head><meta charset="utf-8"><meta name="ColumnName" content="{name}"><title>{name}</title></head><body>
<div class="bt-position"><a href="/">首页</a> &gt; <a href="{path}">{name}</a></div>
<div id="{colid}"><script type="text/xml"><datastore>{nextgroup}<recordset>{''.join(rec(*r) for r in records[:2])}</recordset></datastore></script></div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>{script}</body></html>""")
    columns = s.__dict__.setdefault("jcms_columns", {})
    columns[str(colid)] = [rec(*r) for r in records]
    if len(columns) == 1:
        def proxy(method, query, form, **_):
            if method != "POST" or form.get("columnid") not in columns or form.get("unitid") is None:
                return 400, {"Content-Type": "text/plain"}, b"missing form fields"
            rows = columns[form["columnid"]]
            start, end = int(query["startrecord"]), int(query["endrecord"])
            if start > len(rows):    # jcms answers past the end with the last group again
                start, end = max(1, len(rows) - 1), len(rows)
            xml = (f'<?xml version="1.0" encoding="utf-8"?><datastore><recordset>{"".join(rows[start - 1:end])}'
                   '</recordset></datastore>')
            return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()
        s.fn("/module/web/jpage/dataproxy.jsp", proxy)


def jcms(p: Portal, b: Builder):
    s = p.site("jcms")
    county = "泗洪县"
    s.page("/", nav([("/col/col100/index.html", "政府信息公开"), ("/col/col900/index.html", "互动交流")], county + "人民政府"))
    b.never(s, "/col/col900/index.html", "互动交流", f"{county}2022年政府信息公开工作年度报告网民留言")
    s.page("/col/col100/index.html", nav([("/col/col101/index.html", "政府信息公开年报"),
                                          ("/col/col102/index.html", "部门信息公开")], "政府信息公开"))
    gov = county + "人民政府"
    jcms_column(s, "/col/col101/index.html", 101,
                [b.report(s, f"/art/2024/1/1{i}/art_101_{i}.html", gov, family="hanweb") for i in range(3)]
                + [b.distractor(s, "/art/2024/2/1/art_101_9.html", 2)], "政府信息公开年报", "xml")
    organs = [("发展和改革委员会", 201, "config"), ("住房和城乡建设局", 301, "none"), ("青阳街道办事处", 401, "var")]
    links = []
    for name, colid, style in organs:
        organ = county + name if "街道" not in name else name
        links.append((f"/col/col{colid}/index.html", organ))
        s.page(f"/col/col{colid}/index.html", nav([(f"/col/col{colid + 1}/index.html", "政府信息公开年报"),
                                                   (f"/col/col{colid + 2}/index.html", "通知公告")], organ, organ))
        recs = [b.report(s, f"/art/2024/1/{colid}/art_{colid}_{i}.html", organ, family="hanweb") for i in range(5)]
        recs.insert(2, b.distractor(s, f"/art/2024/1/{colid}/art_{colid}_9.html", 3))
        jcms_column(s, f"/col/col{colid + 1}/index.html", colid + 1, recs, "政府信息公开年报", style)
    s.page("/col/col102/index.html", nav(links, "部门信息公开"))
    return s, (county, "county", "321324", s.url("/"))


# --- 3. gkmlpt ------------------------------------------------------------------------------

def gkmlpt_platform(s, b: Builder, root: str, organ: str, sid: str, cat: int, articles: list[dict]) -> None:
    """A gkmlpt of one organ under `root` (''/ '/jyj'): index shell, JSON API pages, content pages."""
    tree = [{"id": cat - 2, "name": "机构概况", "children": [{"id": cat - 1, "name": "机构职能", "children": []}]},
            {"id": cat + 5, "name": "规划计划", "children": [{"id": cat + 6, "name": "年度计划", "children": []}]},
            {"id": cat + 7, "name": "其他", "children": [{"id": cat, "name": "政府信息公开年报", "children": []}]}]
    s.page(f"{root}/gkmlpt/index", f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{organ} 政府信息公开目录管理平台</title></head>
<body><div id="app"></div><script>
    window._CONFIG = {{
        SID: '{sid}',
        SITE_NAME: '{organ}',
        TREE: {json.dumps(tree, ensure_ascii=False)},
        ROOT_URL: '{root}/gkmlpt/index'
    }};
</script><script src="/gkmlpt/static/js/app.js"></script></body></html>""")
    per = 2
    pages = [articles[i:i + per] for i in range(0, len(articles), per)] or [[]]
    for n, chunk in enumerate(pages, start=1):
        s.page(f"{root}/gkmlpt/api/all/{cat}?page={n}&sid={sid}",
               json.dumps({"articles": chunk, "classify": {"id": cat, "name": "政府信息公开年报", "post_count": len(articles)},
                           "total": len(articles)}, ensure_ascii=False), ctype="application/json; charset=utf-8")


def gkmlpt_article(s, b: Builder, root: str, organ: str, aid: int, *, pdf: str | None = None,
                   distractor: int | None = None) -> dict:
    """One article: a content page whose report is JSON inside window._CONFIG.DETAIL."""
    path = f"{root}/gkmlpt/content/{aid % 10}/{aid}/post_{aid}.html"
    attachment = []
    if distractor is not None:
        title, inner = DISTRACTORS[distractor], "<p>通知</p>"
        b.ex.distractor_urls.append(s.url(path))
    elif pdf:
        title = f"{b.truth[pdf]['organ']}{b.truth[pdf]['year']}年政府信息公开工作年度报告"
        inner = "<p>详见附件。</p>"
        href = f"/attachment/0/{aid}/{pdf}.pdf"
        attachment = [{"name": f"{title}.pdf", "url": href}]
        s.page(href, b.pdf[pdf], ctype="application/pdf")
        b.ex.reports.append(Expected(s.name, s.url(href), b.truth[pdf]["year"], b.truth[pdf]["organ"], None, body=b.pdf[pdf]))
    else:
        d = b.doc()
        title = f"{organ}{d.year}年政府信息公开工作年度报告"
        d = reissue(d, title, organ)
        inner = c.body_html(d.text)
    detail = {"id": aid, "title": title, "content": inner, "publisher": organ, "date": 1705996800,
              "identifier": f"11440106007482538/2024-{aid:05d}", "attachment": attachment}
    body = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body><div id="app"></div>'
            f"<script>window._CONFIG = {{SID: '1', DETAIL: {json.dumps(detail, ensure_ascii=False)}}};</script>"
            '<script src="/gkmlpt/static/js/app.js"></script></body></html>').encode()
    s.page(path, body)
    if distractor is None and not pdf:
        b.ex.reports.append(Expected(s.name, s.url(path), d.year, organ, d, body=body))
    art = {"id": aid, "title": title, "url": s.url(path), "date": 1705996800, "publisher": organ, "attachment": attachment}
    return art


def gkmlpt(p: Portal, b: Builder):
    s = p.site("gkmlpt")
    county = "广州市天河区"
    s.page("/", nav([("/zwgk/", "政务公开"), ("/hdjl/", "互动交流")], county + "人民政府"))
    b.never(s, "/hdjl/", "互动交流", f"{county}2023年政府信息公开工作年度报告问答")
    s.page("/zwgk/", nav([("/gkmlpt/index", "政府信息公开目录"), ("/zwgk/bm/", "部门信息公开")], "政务公开"))
    gov = county + "人民政府"
    arts = [gkmlpt_article(s, b, "", gov, 1000 + i) for i in range(3)] + [gkmlpt_article(s, b, "", gov, 1009, distractor=1)]
    arts.append(gkmlpt_article(s, b, "", gov, 1010, pdf="szfgs2024"))
    gkmlpt_platform(s, b, "", gov, "755001", 2903, arts)
    links = []
    for i, dept in enumerate(["教育局", "财政局"]):
        organ, root = county + dept, f"/d{i}"
        links.append((f"{root}/gkmlpt/index", organ))
        arts = [gkmlpt_article(s, b, root, organ, 2000 + 10 * i + j) for j in range(3 - i)]
        gkmlpt_platform(s, b, root, organ, f"7551{i}{i}", 3903 + i, arts)
    s.page("/zwgk/bm/", nav(links, "部门信息公开"))
    e = p.site("gkentry")
    organ = "广州市天河区民政局"
    arts = [gkmlpt_article(e, b, "", organ, 3000 + j) for j in range(2)] + [gkmlpt_article(e, b, "", organ, 3005, distractor=0)]
    gkmlpt_platform(e, b, "", organ, "755900", 4903, arts)
    return [(s, (county, "county", "440106", s.url("/"))), (e, ("广州市天河区民政局", "department", "440106", e.url("/gkmlpt/index")))]


# --- 5. organ subsites under the registered domain ------------------------------------------

def gushi(p: Portal, b: Builder):
    www, liji, shj, other = p.site("gushi"), p.site("lijizhen"), p.site("sanhejian"), p.site("othercounty")
    host = {site.name: f"http://{n}.test:{site.port}" for site, n in
            ((www, "www.gushi"), (liji, "lijizhen.gushi"), (shj, "shj.gushi"), (other, "www.huaibin"))}
    for site in (www, liji, shj, other):      # the fixture's sites answer under their .test names
        site.url = (lambda h: (lambda path="/": h + path))(host[site.name])
    www.page("/", nav([("/zwgk/", "政务公开"), ("/xz/", "乡镇")], "固始县人民政府"))
    www.page("/zwgk/", nav([("/zwgk/nb/", "政府信息公开年报")], "政务公开"))
    next_column(www, "/zwgk/nb/", [[b.report(www, "/zwgk/nb/1.html", "固始县人民政府")]])
    www.page("/xz/", nav([(host["lijizhen"] + "/", "黎集镇"), (host["sanhejian"] + "/", "三河尖镇"),
                          (host["othercounty"] + "/", "淮滨县")], "乡镇"))
    for site, town in ((liji, "黎集镇"), (shj, "三河尖镇")):
        site.page("/", nav([("/zwgk/", "政务公开")], f"{town}人民政府", f"{town}人民政府"))
        site.page("/zwgk/", nav([("/zwgk/nb/", "政府信息公开年报"), ("/zwgk/zn/", "政府信息公开指南")], "政务公开"))
        next_column(site, "/zwgk/nb/", [[b.report(site, "/zwgk/nb/2.html", town, named=False),
                                         b.distractor(site, "/zwgk/nb/3.html", 4)]])
    other.page("/", nav([("/zwgk/", "政务公开")], "淮滨县人民政府"))
    b.ex.never_fetched.append(other.url("/"))
    return www, ("固始县", "county", "411525", www.url("/"))


def build_counties(corpus: Path, workdir: Path) -> tuple[Portal, Expect]:
    """Every structure as one portal; the sites file names each county's home page (and one
    department's gkmlpt index)."""
    p = Portal()
    b = Builder(corpus)
    rows = [organ_tree(p, b)[1], subcolumns(p, b)[1]]
    rows += [r for _, r in gkmlpt(p, b)]
    rows += [jcms(p, b)[1], gushi(p, b)[1]]
    b.ex.sites_csv = write_sites(workdir / "counties.csv", rows)
    return p, b.ex
