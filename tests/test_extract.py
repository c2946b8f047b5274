"""The extraction stage: report body without chrome, metadata as the page shows it, statuses."""
from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from conftest import CORPUS
from page_fixtures import built
from parsers.extract import extract_page, extract_text_metadata


SECTIONS = [
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
]
# Chrome strings of the issue: none of them may reach the stored report text.
# (首页 alone is not one: a report may speak of its website's 首页; the breadcrumbs and menus are
# checked through their other words.)
CHROME = [
    "当前位置", "首页>", "网站地图", "网站声明", "联系我们", "互动交流", "办事服务", "搜索", "乡镇信息", "您现在的位置", "您的位置", "字号", "字体", "【大 中 小】", "打印本页", "关闭窗口",
    "分享到", "扫一扫", "在手机打开", "阅读次数", "浏览次数", "点击数", "上一篇", "下一篇", "相关链接",
    "主办单位", "承办单位", "网站标识码", "ICP备", "公网安备", "技术支持", "版权所有", "发布日期", "发布时间",
    "索引号", "索 引 号", "发布者", "信息来源",
]


def pages_dir() -> Path:
    """The portal pages, generated from the corpus seeds at test time (tests/page_fixtures)."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (the fixture pages are built from its seeds)")
    return built(CORPUS / "seeds")


def read_page(name: str) -> str:
    """Saved pages come as bytes in UTF-8 or GBK (GBK pages often declare no charset)."""
    data = (pages_dir() / name).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def body_text(html: str) -> str:
    return lxml.html.fromstring(html).text_content()


def squash(text: str) -> str:
    return re.sub(r"[\s\xa0\u3000]+", "", text)


# file, url, expected metadata (exactly what the page prints), expected title
REPORT_PAGES = [
    (
        "trs-xxgk-detail.html",
        "http://www.tongbai.gov.cn/zfxxgk/fdzdgknr/zfxxgknb/202401/t20240120_1234567.html",
        {
            "index_no": "11411330006003456X/2024-00003", "subject": "政务公开", "issuing_organ": "淮源镇人民政府",
            "written_date": "2024-01-18", "publish_date": "2024-01-20", "publish_time": "16:21",
            "validity": "有效", "source": "淮源镇人民政府", "views": 356,
        },
        "桐柏县淮源镇人民政府2023年政府信息公开工作年度报告",
    ),
    (
        "hanweb-art_1238_56789.html",
        "http://www.luolong.gov.cn/art/2022/1/20/art_1238_56789.html",
        {"publish_date": "2022-01-20", "publish_time": "09:35", "source": "洛龙区人民政府办公室"},
        "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告",
    ),
    (
        "vsb-info-1050-2345.htm",
        "http://www.xinyi.gov.cn/info/1050/2345.htm",
        {"publish_date": "2021-01-28", "publish_time": "10:01", "publisher": "党政办", "source": "信义镇人民政府"},
        "绵阳市游仙区信义镇2020年政府信息公开工作年度报告",
    ),
    (
        "generic-cms-1190.html",
        "http://www.huangyuan.gov.cn/zwgk/ndbg/1190.html",
        {"publish_date": "2022-01-14", "publisher": "admin", "views": 0},
        "湟源县人民政府办公室2021年政府信息公开工作年度报告",
    ),
    (
        "generic-br-layout.html",
        "http://www.xinzheng.gov.cn/xzxx/lhz/2022/0114/8812.html",
        {"publish_date": "2022-01-14", "source": "龙湖镇人民政府", "views": 1024},
        "龙湖镇 2021年政府信息公开工作年度报告",
    ),
]


@pytest.fixture(scope="module", params=REPORT_PAGES, ids=[p[0] for p in REPORT_PAGES])
def report_page(request):
    name, url, meta, title = request.param
    return extract_page(read_page(name), url), meta, title


def test_report_page_status_and_metadata(report_page):
    ex, meta, _ = report_page
    assert ex.status == "ok", ex.reason
    assert ex.reason is None
    assert ex.metadata == meta


def test_report_page_title(report_page):
    ex, _, title = report_page
    assert ex.title == title


def test_report_page_body_has_every_section_and_no_chrome(report_page):
    ex, _, _ = report_page
    text = body_text(ex.body_html)
    flat = squash(text)
    for heading in SECTIONS:
        assert heading in flat, heading
    for chrome in CHROME:
        assert squash(chrome) not in flat, chrome


def test_report_page_tables_keep_spans(report_page):
    """The three statistical tables come through as the page has them, spans included."""
    ex, _, _ = report_page
    body = lxml.html.fromstring(ex.body_html)
    tables = body.xpath(".//table")
    assert len(tables) == 3
    applications = tables[1]
    assert applications.xpath(".//td[@rowspan='3' and @colspan='3']")
    assert applications.xpath(".//td[@colspan='5' and contains(., '法人或其他组织')]")
    assert applications.xpath(".//td[@rowspan='8' and contains(., '不予公开')]")
    review = tables[2]
    assert review.xpath(".//td[@colspan='10' and contains(., '行政诉讼')]")
    assert len(review.xpath(".//td[@rowspan='2']")) == 5


def test_report_body_ends_with_report_not_footer():
    ex = extract_page(read_page("generic-cms-1190.html"))
    text = body_text(ex.body_html).strip()
    # the report's own signature stays; its date is not the publish date
    assert text.endswith("2022年1月4日")
    assert ex.metadata["publish_date"] == "2022-01-14"


def test_gbk_page_without_charset_is_read_after_decoding():
    data = (pages_dir() / "hanweb-art_1238_56789.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"charset" not in data.lower()
    ex = extract_page(data.decode("gbk"))
    assert ex.status == "ok"
    assert "洛龙区" in body_text(ex.body_html)


def test_script_filled_counters_are_not_views():
    """浏览次数/点击数 filled in by script print no number: no views key."""
    for name in ("hanweb-art_1238_56789.html", "vsb-info-1050-2345.htm"):
        assert "views" not in extract_page(read_page(name)).metadata


def test_body_links_are_absolute_when_url_given():
    ex = extract_page(read_page("attachment-trs.html"), "http://www.xx.gov.cn/zfxxgk/nb/202301/t20230130_1.html")
    hrefs = lxml.html.fromstring(ex.body_html).xpath("//a/@href")
    assert hrefs == ["http://www.xx.gov.cn/zfxxgk/nb/202301/P020230130523412345678.pdf"]


# ---------------------------------------------------------------- pages without a report body


def test_attachment_page_vsb():
    url = "http://www.xinan.gov.cn/info/1050/3021.htm"
    ex = extract_page(read_page("attachment-vsb-3021.htm"), url)
    assert ex.status == "attachment"
    assert ex.attachments == [
        "http://www.xinan.gov.cn/__local/7/3A/5C/D2E1F0A9B8C7D6E5F4A3B2C1D0E_8A9B0C1D_5A2B3.pdf",
        "http://www.xinan.gov.cn/system/_content/download.jsp?urltype=news.DownloadAttachUrl"
        "&owner=1536012345&wbfileid=4567890",
    ]
    assert ex.metadata == {"publish_date": "2022-01-25", "source": "党政综合办"}
    assert ex.reason


def test_attachment_page_trs_relative_links():
    url = "http://www.xx.gov.cn/zfxxgk/nb/202301/t20230130_1.html"
    ex = extract_page(read_page("attachment-trs.html"), url)
    assert ex.status == "attachment"
    assert ex.attachments == [
        "http://www.xx.gov.cn/zfxxgk/nb/202301/P020230130523412345678.pdf",
        "http://www.xx.gov.cn/zfxxgk/nb/202301/P020230130523412345679.xls",
    ]
    assert ex.metadata == {"publish_date": "2023-01-30", "publish_time": "11:20:05", "source": "城关镇"}
    assert ex.title == "城关镇2022年政府信息公开工作年度报告"


def test_image_only_page():
    url = "http://www.xx.gov.cn/art/2022/1/14/art_1238_1.html"
    ex = extract_page(read_page("image-only-hanweb.html"), url)
    assert ex.status == "image_only"
    assert ex.images == [f"http://www.xx.gov.cn/picture/0/220114101012{i}.jpg" for i in (3, 4, 5)]
    assert ex.metadata == {"publish_date": "2022-01-14", "source": "龙泉乡人民政府"}
    assert ex.title == "龙泉乡2021年政府信息公开工作年度报告（图片版）"


@pytest.mark.parametrize("name, status", [
    ("empty-body.html", "empty"),
    ("login-wall.html", "login_wall"),
    ("js-shell.html", "js_shell"),
])
def test_pages_without_report_get_a_status(name, status):
    ex = extract_page(read_page(name), "http://www.xx.gov.cn/a.html")
    assert ex.status == status
    assert ex.reason
    assert body_text(ex.body_html).strip() == "" if ex.body_html else True
    assert ex.attachments == [] and ex.images == []


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>"])
def test_nothing_at_all_is_empty(html):
    ex = extract_page(html)
    assert ex.status == "empty"
    assert ex.reason


_BODY = "<div class='TRS_Editor'><p>一、总体情况</p><p>" + "本年度公开工作有序推进。" * 30 + "</p><p>二、主动公开政府信息情况</p></div>"


@pytest.mark.parametrize("chrome, title", [
    # a bare heading before an element named like a title, and the other way round:
    # the first in document order is the page's title
    ("<h2>某县2021年政府信息公开工作年度报告</h2><div class='article-title'>某县人民政府办公室</div>",
     "某县2021年政府信息公开工作年度报告"),
    ("<div class='article-title'>某县2021年政府信息公开工作年度报告</div><div><h1>某县人民政府办公室</h1></div>",
     "某县2021年政府信息公开工作年度报告"),
    ("<div class='nav'><h1>某县人民政府办公室</h1></div><p class='title'>某县2021年政府信息公开工作年度报告</p>",
     "某县人民政府办公室"),
    # a heading inside a <template> is dropped with it and never the title
    ("<template><h1>模板里的标题文字</h1></template><div class='article-title'>某县2021年政府信息公开工作年度报告</div>",
     "某县2021年政府信息公开工作年度报告"),
])
def test_title_is_the_first_heading_or_title_element_in_document_order(chrome, title):
    ex = extract_page(f"<html><head><title>x</title></head><body>{chrome}{_BODY}</body></html>")
    assert ex.status == "ok" and ex.title == title


def test_short_page_with_text_but_no_report_is_not_ok():
    ex = extract_page("<html><body><div class='TRS_Editor'><p>暂无内容</p></div></body></html>")
    assert ex.status == "empty"


def test_container_holding_only_chrome_is_empty_once_cleaned():
    # more than enough text before cleaning, none after: the status reads the cleaned body
    neighbours = "".join(f"<div>{k}：某县人民政府办公室关于做好第{n}季度政务公开重点工作任务落实情况自查评估工作的通知</div>"
                         for n, k in enumerate(("上一篇", "下一篇", "相关链接", "上一篇", "下一篇")))
    ex = extract_page(f"<html><body><div class='TRS_Editor'>{neighbours}</div></body></html>")
    assert ex.status == "empty" and ex.reason


def test_control_characters_pasted_from_word_do_not_crash_cleaning():
    # libxml2 keeps \x0b and \x1f in text and attributes; lxml refuses to set them again, which
    # dropping a script (its tail joins the text before it) and making links absolute both do
    report = "<p>一、总体情况</p><p>" + "本年度公开工作有序推进。" * 30 + "</p>"
    html = (f"<html><body><div class='TRS_Editor'><p>前言</p><script>var a=1;</script>\x0b续文\x1f{report}"
            "<p>附件：<a href='nb\x0b2021.pdf'>年报.pdf</a></p><p>二、主动公开政府信息情况</p></div></body></html>")
    ex = extract_page(html, "http://www.xx.gov.cn/zwgk/nb/1.html")
    assert ex.status == "ok"
    text = body_text(ex.body_html)
    assert "前言续文" in text and "var a" not in text
    assert ex.attachments == ["http://www.xx.gov.cn/zwgk/nb/nb2021.pdf"]


def test_report_with_download_copy_is_ok_and_lists_the_file():
    html = read_page("generic-cms-1190.html").replace(
        "<p style=\"text-align:right;\">湟源县人民政府办公室</p>",
        '<p>附件：<a href="/uploads/2022/01/nb2021.docx">年报.docx</a></p><p style="text-align:right;">湟源县人民政府办公室</p>',
    )
    ex = extract_page(html, "http://www.huangyuan.gov.cn/zwgk/ndbg/1190.html")
    assert ex.status == "ok"
    assert ex.attachments == ["http://www.huangyuan.gov.cn/uploads/2022/01/nb2021.docx"]


def test_xml_declaration_and_jsp_wrappers_are_tolerated():
    html = '<?xml version="1.0" encoding="utf-8"?>\n<%@ page contentType="text/html" %>' + read_page("trs-xxgk-detail.html")
    ex = extract_page(html)
    assert ex.status == "ok"
    assert "page contentType" not in body_text(ex.body_html)


def test_jsp_wrapper_after_many_percent_encoded_links_is_removed():
    # the wrapper is looked for from "%" signs; past the first few dozen the plain search runs
    links = "".join(f'<a href="/s?q=%E5%B9%B4%E6%8A%A5{i}">x</a>' for i in range(40))
    page = read_page("trs-xxgk-detail.html")
    container = '<div class="view TRS_UEDITOR trs_paper_default trs_web">'
    html = page.replace("<body>", "<body>" + links, 1).replace(container, container + '<%@ include file="x.jsp" %>', 1)
    assert html != page
    ex = extract_page(html)
    assert ex.status == "ok"
    assert "include file" not in body_text(ex.body_html) and "include file" not in ex.metadata.get("title", "")


# ---------------------------------------------------------------- the real TRS detail frame


def test_real_trs_detail_frame_handan(corpus):
    """The saved 邯郸 detail frame: the 索引号 block is read exactly; the frame has no body
    (the article itself is loaded into it separately), so the status says empty."""
    html = (corpus / "portal" / "trs-detail-handan.jsp.html").read_text(encoding="utf-8")
    ex = extract_page(html, "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")
    assert ex.metadata == {
        "index_no": "000014348/2020-35147",
        "issuing_organ": "邯郸市教育局",
        "publisher": "邯郸市教育局",
        "doc_number": "无",
        "subject": "教育",
        "publish_date": "2020-08-02",
    }
    # 成文日期 is commented out on that page: it must not be read
    assert "written_date" not in ex.metadata
    assert ex.title == "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知"
    assert ex.status == "empty"
    assert ex.reason


def test_real_trs_detail_frame_with_an_article_loaded(corpus):
    """Put a report into the 邯郸 frame between its metadata block and its menus: the body is
    the report alone, the metadata still the block's."""
    frame = (corpus / "portal" / "trs-detail-handan.jsp.html").read_text(encoding="utf-8")
    report = read_page("generic-cms-1190.html")
    inner = lxml.html.tostring(lxml.html.fromstring(report).xpath("//div[@class='nr']")[0], encoding="unicode")
    html = frame.replace('<div class="dhlm clearfix">', f'<div class="TRS_Editor">{inner}</div><div class="dhlm clearfix">', 1)
    ex = extract_page(html)
    assert ex.status == "ok"
    assert ex.metadata["publish_date"] == "2020-08-02"
    flat = squash(body_text(ex.body_html))
    assert all(h in flat for h in SECTIONS[:5])
    for chrome in ("网站标识码", "ICP备", "公网安备", "主办单位", "走进邯郸", "索引号"):
        assert chrome not in flat


# ---------------------------------------------------------------- labels and date forms


@pytest.mark.parametrize("line, expected", [
    ("发布日期：2022-01-14", {"publish_date": "2022-01-14"}),
    ("发布时间：2022/1/14 10:01", {"publish_date": "2022-01-14", "publish_time": "10:01"}),
    ("时间：2022年1月14日", {"publish_date": "2022-01-14"}),
    ("日期：2022.01.14", {"publish_date": "2022-01-14"}),
    ("发布日期: 2022-01-14 08:05:09  来源：县政府办", {"publish_date": "2022-01-14", "publish_time": "08:05:09", "source": "县政府办"}),
    ("信息来源：某镇人民政府　　作者：张三　　浏览次数：12", {"source": "某镇人民政府", "publisher": "张三", "views": 12}),
    ("发布人：李四 | 访问量：7次", {"publisher": "李四", "views": 7}),
    ("成文日期：2022年01月10日\t发布日期：2022年01月14日", {"written_date": "2022-01-10", "publish_date": "2022-01-14"}),
    ("文　　号：某政办〔2022〕3号\t有 效 性：有效", {"doc_number": "某政办〔2022〕3号", "validity": "有效"}),
    ("发文机关：某县人民政府办公室\t主题分类：政务公开", {"issuing_organ": "某县人民政府办公室", "subject": "政务公开"}),
    ("发布机构：某县人民政府办公室", {"issuing_organ": "某县人民政府办公室", "publisher": "某县人民政府办公室"}),
    ("点击数：", {}),
    ("统计时间：2022年1月14日", {}),  # not a label: 时间 continues a word
    ("来源：  ", {}),
])
def test_chrome_label_forms(line, expected):
    html = f"<html><body><div class='info'>{line}</div><div class='TRS_Editor'>{'正文' * 150}</div></body></html>"
    assert extract_page(html).metadata == expected


def test_date_in_report_body_is_never_the_publish_date():
    body = "".join(f"<p>{h}</p><p>{'内容' * 40}</p>" for h in SECTIONS) + "<p>某县人民政府办公室</p><p>发布日期：2022年1月4日</p>"
    html = f"<html><body><div class='TRS_Editor'>{body}</div></body></html>"
    ex = extract_page(html)
    assert ex.status == "ok"
    assert "publish_date" not in ex.metadata
    assert "2022年1月4日" in body_text(ex.body_html)


# ---------------------------------------------------------------- plain-text renderings


def seed(corpus: Path, prefix: str) -> tuple[str, dict]:
    path = next((corpus / "seeds").glob(prefix + "_*.txt"))
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    return path.read_text(encoding="utf-8"), truth


def test_text_seed_002_chrome_line(corpus):
    text, truth = seed(corpus, "002")
    meta, clean = extract_text_metadata(text)
    assert meta == {"publish_date": "2022-01-14", "publisher": "admin", "views": 0}
    assert {k: v for k, v in truth["metadata"].items() if v is not None} == meta
    assert "阅读次数" not in clean and "发布者" not in clean
    assert clean.rstrip().endswith("2022年1月4日")  # the signature stays in the report


def test_text_seed_001_publish_time_line(corpus):
    text, truth = seed(corpus, "001")
    meta, clean = extract_text_metadata(text)
    assert meta == {"publish_date": "2021-01-28"} == {k: v for k, v in truth["metadata"].items() if v is not None}
    assert "发布时间" not in clean
    assert "绵阳市游仙区信义镇2020年政府信息公开工作年度报告" in clean


@pytest.mark.parametrize("prefix", ["000", "003", "004"])
def test_text_seeds_without_chrome_are_left_alone(corpus, prefix):
    text, truth = seed(corpus, prefix)
    meta, clean = extract_text_metadata(text)
    assert meta == {}
    assert truth["metadata"].get("publish_date") is None
    assert squash(clean) == squash(text)


LEGACY = ["pingtan-county-2012", "pingtan-local-tax-bureau-2013", "pingtan-zone-2011", "pingtan-zone-2014",
          "pingtan-zone-2016", "pingtan-zone-2018"]


@pytest.mark.parametrize("name", LEGACY)
def test_text_legacy_header_and_chrome(corpus, name):
    text = (corpus / "legacy" / f"{name}.txt").read_text(encoding="utf-8")
    truth = json.loads((corpus / "legacy" / f"{name}.truth.json").read_text(encoding="utf-8"))
    meta, clean = extract_text_metadata(text)
    assert meta["publish_date"] == truth["metadata"]["publish_date"]
    for chrome in ("标题:", "原文链接", "==== 正文", "当前位置", "微信 微博", "QQ空间", "全真版", "相关链接"):
        assert chrome not in clean, chrome
    assert not clean.rstrip().endswith("附件下载")
    assert "一、" in clean
    # the report's opening paragraph survives the cut of the chrome line before it
    assert "本报告" in clean.split("一、")[0] or "根据《中华人民共和国政府信息公开条例》" in clean.split("一、")[0]


def test_text_legacy_exact_values(corpus):
    meta, _ = extract_text_metadata((corpus / "legacy" / "pingtan-zone-2014.txt").read_text(encoding="utf-8"))
    # header first (发布时间: 2015-01-02 00:00; 发布机构 empty), then the chrome line (来源：…)
    assert meta == {"publish_date": "2015-01-02", "publish_time": "00:00", "source": "平潭县人民政府"}
    meta, _ = extract_text_metadata((corpus / "legacy" / "pingtan-county-2012.txt").read_text(encoding="utf-8"))
    assert meta == {"publish_date": "2013-01-17", "publish_time": "00:00",
                    "issuing_organ": "平潭县人民政府", "publisher": "平潭县人民政府"}


def test_text_nonreport_keeps_its_signature_date(corpus):
    text = (corpus / "portal" / "pingtan-nonreport-in-report-column-2014.txt").read_text(encoding="utf-8")
    meta, clean = extract_text_metadata(text)
    assert meta["publish_date"] == "2014-12-10"
    assert clean.rstrip().endswith("2014年12月10日")
    assert clean.startswith("省政府办公厅：")


def test_text_footer_lines_are_removed():
    text = ("某镇2021年政府信息公开工作年度报告\n发布时间：2022-01-14\n一、总体情况\n内容。\n六、其他需要报告的事项\n无。\n"
            "【打印本页】【关闭窗口】\n主办单位：某县人民政府办公室 网站标识码：1234567890\n技术支持：某公司\n")
    meta, clean = extract_text_metadata(text)
    assert meta == {"publish_date": "2022-01-14"}
    assert clean == "某镇2021年政府信息公开工作年度报告\n一、总体情况\n内容。\n六、其他需要报告的事项\n无。\n"


# ---------------------------------------------------------------- other page structures


def test_layout_table_page_without_content_container():
    """Old templates put every paragraph in its own row of one layout table, between the info
    row and the print row: the body is that table, with its chrome rows gone."""
    report = lxml.html.fromstring(read_page("generic-cms-1190.html")).xpath("//div[@class='nr']")[0]
    rows = "".join(f"<tr><td>{lxml.html.tostring(el, encoding='unicode')}</td></tr>" for el in report)
    html = f"""<html><head><title>报告 - 某县人民政府</title></head><body>
    <table class="nav"><tr><td><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/wzdt/">网站地图</a></td></tr></table>
    <table width="960" align="center">
      <tr><td align="center"><font size="4"><b>湟源县人民政府办公室2021年政府信息公开工作年度报告</b></font></td></tr>
      <tr><td align="center">发布时间：2022年01月14日 16:05&nbsp;&nbsp;&nbsp;浏览次数：88&nbsp;&nbsp;【字号：大 中 小】</td></tr>
      {rows}
      <tr><td align="right">【打印本页】【关闭窗口】</td></tr>
    </table>
    <table><tr><td>主办单位：湟源县人民政府办公室 网站标识码：6301230001 青ICP备09000123号</td></tr></table>
    </body></html>"""
    ex = extract_page(html)
    assert ex.status == "ok"
    assert ex.metadata == {"publish_date": "2022-01-14", "publish_time": "16:05", "views": 88}
    flat = squash(body_text(ex.body_html))
    assert all(h in flat for h in SECTIONS)
    for chrome in ("发布时间", "浏览次数", "字号", "打印本页", "关闭窗口", "网站地图", "主办单位"):
        assert chrome not in flat, chrome
    assert len(lxml.html.fromstring(ex.body_html).xpath("//table//table")) == 3


def test_info_bar_under_the_report_is_chrome():
    body = "".join(f"<p>{h}</p><p>{'内容' * 40}</p>" for h in SECTIONS)
    html = (f"<html><body><div class='article-content'>{body}"
            "<p>发布时间：2022-02-01&nbsp;&nbsp;浏览次数：15</p></div></body></html>")
    ex = extract_page(html)
    assert ex.metadata == {"publish_date": "2022-02-01", "views": 15}
    assert "浏览次数" not in body_text(ex.body_html)


def test_trafilatura_locates_a_body_without_headings_or_known_container():
    """No CMS container and no numbered sections (a pre-2019 letter): trafilatura finds the
    text, the body is the original element holding it."""
    paras = [
        "根据《福建省人民政府办公厅关于做好2014年政府信息公开工作要点落实情况督查及政府信息公开工作年度报告有关事项的通知》要求，现将我区政府信息公开工作要点落实情况函告如下。",
        "今年，我区政府信息公开工作在上级有关部门的指导下，持续稳步开展，不断深化公开内容、完善工作机制、拓展公开渠道、规范操作流程，认真利用政府信息为社会公众查询提供更及时、更有效的服务，取得了一定成效。",
        "目前，我区在政府信息公开工作的开展中，仍存在一些不足，我区计划从深化公开内容、拓展公开形式、规范公开行为几个方面作进一步的改进。",
    ]
    menu = "".join(f"<li><a href='/c{i}/'>栏目{i}</a></li>" for i in range(20))
    html = f"""<html><head><title>关于2014年政府信息公开工作要点落实情况的函_平潭</title></head><body>
    <div class="top"><ul>{menu}</ul></div>
    <div class="wrap"><div class="left"><ul>{menu}</ul></div>
      <div class="right"><div class="wenzhang">{''.join(f'<p>{p}</p>' for p in paras)}</div>
      <div class="bottom-tools">【打印本页】【关闭窗口】</div></div></div>
    <div class="bottom">主办单位：平潭综合实验区管委会办公室 网站标识码：3501280001 闽ICP备12345678号</div>
    </body></html>"""
    ex = extract_page(html)
    assert ex.status == "ok"
    body = lxml.html.fromstring(ex.body_html)
    assert body.get("class") == "wenzhang"
    assert squash(body_text(ex.body_html)) == squash("".join(paras))


def test_report_words_that_look_like_footer_words_stay():
    body = "".join(f"<p>{h}</p><p>{'内容' * 40}</p>" for h in SECTIONS[:5])
    body += "<p>（一）技术支持保障</p><p>版面主办单位变更情况说明见下文。</p>"
    ex = extract_page(f"<html><body><div class='TRS_Editor'>{body}</div></body></html>")
    text = body_text(ex.body_html)
    assert "（一）技术支持保障" in text and "版面主办单位变更情况说明见下文。" in text


def test_label_line_inside_a_report_without_sections_is_not_metadata():
    prose = "本机关认真贯彻落实政府信息公开条例，" * 8
    html = f"<html><body><div class='TRS_Editor'><p>{prose}</p><p>时间：2013年1月16日</p></div></body></html>"
    ex = extract_page(html)
    assert ex.metadata == {}
    assert "时间：2013年1月16日" in body_text(ex.body_html)
    meta, clean = extract_text_metadata(f"某局2012年信息公开年度报告\n{prose}\n时间：2013年1月16日\n{prose}\n")
    assert meta == {}
    assert "时间：2013年1月16日" in clean


def test_bytes_are_accepted():
    data = read_page("vsb-info-1050-2345.htm").encode("utf-8")
    assert extract_page(data).metadata["publish_date"] == "2021-01-28"


def test_text_dump_with_multiline_chrome():
    text = (
        "当前位置：首页 > 政务公开 > 政府信息公开年报\n"
        "某镇人民政府2021年政府信息公开工作年度报告\n"
        "信息来源：某镇人民政府　　发布时间：2022/1/14 10:01　　浏览次数：35\n"
        "【字号：大 中 小】　【打印本页】　【关闭窗口】\n"
        "分享到：\n扫一扫在手机打开当前页\n"
        "一、总体情况\n2021年，我镇认真落实条例。\n六、其他需要报告的事项\n无。\n某镇人民政府\n2022年1月10日\n"
        "上一篇：某镇2020年年报\n下一篇：某镇2021年法治政府建设报告\n"
        "网站标识码：1234567890　豫ICP备00000001号\n"
    )
    meta, clean = extract_text_metadata(text)
    assert meta == {"source": "某镇人民政府", "publish_date": "2022-01-14", "publish_time": "10:01", "views": 35}
    assert clean == ("某镇人民政府2021年政府信息公开工作年度报告\n一、总体情况\n2021年，我镇认真落实条例。\n"
                     "六、其他需要报告的事项\n无。\n某镇人民政府\n2022年1月10日\n")


def test_dates_of_related_articles_are_not_the_publish_date():
    body = "".join(f"<p>{h}</p><p>{'内容' * 40}</p>" for h in SECTIONS)
    html = (f"<html><body><div class='TRS_Editor'>{body}</div><div class='related'><h3>相关链接</h3><ul>"
            "<li><a href='/a.html'>2020年年报</a><span>发布时间：2021-01-20</span></li>"
            "<li><a href='/b.html'>2019年年报</a><span>发布时间：2020-01-18</span></li></ul></div></body></html>")
    assert extract_page(html).metadata == {}


def test_short_body_with_a_link_table_is_an_attachment_page():
    html = ("<html><body><div class='TRS_Editor'><table><tr><td>附件：</td>"
            "<td><a href='nb2021.wps'>2021年年报.wps</a></td></tr></table></div></body></html>")
    ex = extract_page(html, "http://www.xx.gov.cn/nb/t1.html")
    assert ex.status == "attachment"
    assert ex.attachments == ["http://www.xx.gov.cn/nb/nb2021.wps"]


def test_metadata_table_inside_the_content_container():
    """Some TRS templates put the 索引号 block inside the content container: still metadata,
    still not report text."""
    html = read_page("trs-xxgk-detail.html")
    block = re.search(r'<table class="xxgk-info".*?</table>', html, re.S)[0]
    html = html.replace(block, "").replace(
        '<div class="view TRS_UEDITOR trs_paper_default trs_web">', '<div class="view TRS_UEDITOR trs_paper_default trs_web">' + block)
    ex = extract_page(html)
    assert ex.metadata["index_no"] == "11411330006003456X/2024-00003"
    assert ex.metadata["written_date"] == "2024-01-18"
    flat = squash(body_text(ex.body_html))
    assert "索引号" not in flat and "成文日期" not in flat
    assert len(lxml.html.fromstring(ex.body_html).xpath("//table")) == 3


# ---------------------------------------------------------------- behaviour the fast paths keep


REPORT = "".join(f"<p>{h}</p><p>{'本机关认真贯彻落实条例' * 12}</p>" for h in SECTIONS)


def test_base_href_is_applied_before_the_page_url():
    """Body links resolve against the page's <base href> first (lxml.html's rewrite_links does
    that even with resolve_base_href=False), then against the page URL."""
    html = (f"<html><head><base href='/files/'></head><body><div class='TRS_Editor'>{REPORT}"
            "<p><a href='nb.pdf'>年报.pdf</a><img src='t1.png'></p></div></body></html>")
    ex = extract_page(html, "http://www.xx.gov.cn/nb/t1.html")
    body = lxml.html.fromstring(ex.body_html)
    assert body.xpath("//a/@href") == ["http://www.xx.gov.cn/files/nb.pdf"]
    assert body.xpath("//img/@src") == ["http://www.xx.gov.cn/files/t1.png"]
    assert ex.attachments == ["http://www.xx.gov.cn/files/nb.pdf"]


@pytest.mark.parametrize("attrs", [
    "class='Zoom'", "id='zoom'", "class='left TRS_EDITOR big'", "class='news\u3000ZOOM'", "class='x\tzoom\n'",
])
def test_content_container_names_are_case_insensitive_tokens(attrs):
    html = f"<html><body><div class='nav'>首页</div><div {attrs}>{REPORT}</div><div>版权所有</div></body></html>"
    ex = extract_page(html)
    assert ex.status == "ok"
    assert ex.body_html.startswith("<div ") and "版权所有" not in ex.body_html and "首页" not in ex.body_html


def test_container_name_inside_a_longer_class_is_not_a_container():
    html = f"<html><body><div class='zoomed'><p>一、x</p></div><div class='TRS_Editor'>{REPORT}</div></body></html>"
    assert extract_page(html).body_html.startswith('<div class="TRS_Editor">')


def test_title_is_the_first_heading_in_page_order():
    html = (f"<html><head><title>年报 - 某县人民政府</title></head><body><div class='logo'><h1>某县人民政府</h1></div>"
            f"<div class='bt'>某县2023年政府信息公开工作年度报告</div><h2>某县2022年政府信息公开工作年度报告</h2>"
            f"<div class='TRS_Editor'>{REPORT}</div></body></html>")
    assert extract_page(html).title == "某县2023年政府信息公开工作年度报告"


def test_content_type_meta_inside_the_body_is_not_serialised():
    html = (f"<html><body><div class='TRS_Editor'><meta http-equiv='Content-Type' content='text/html; charset=gbk'>"
            f"{REPORT}</div></body></html>")
    ex = extract_page(html)
    assert ex.status == "ok" and "<meta" not in ex.body_html


def test_status_of_an_emptied_container_reads_the_page_before_cleaning():
    """A container holding only chrome is emptied by cleaning; whether the page is a JavaScript
    shell is judged on the page's text as it was before (here: plenty of chrome text)."""
    chrome = "<p>打印本页</p><p>关闭窗口</p><p>分享到：微信 微博 QQ空间</p><p>扫一扫在手机打开当前页</p><p>【大 中 小】</p>"
    html = f"<html><body><script src='a.js'></script><div class='TRS_Editor'>{chrome * 3}</div></body></html>"
    ex = extract_page(html)
    assert ex.status == "empty"
    html = "<html><body><script src='a.js'></script><div class='TRS_Editor'><p>打印本页</p></div></body></html>"
    assert extract_page(html).status == "js_shell"
