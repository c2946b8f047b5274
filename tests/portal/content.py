"""Report bodies for the fixture portal, made from the shared corpus (text dumps -> HTML
detail pages and DOCX attachments; the Huai'an PDFs are served as they are)."""
from __future__ import annotations

import html
import io
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Doc:
    key: str              # corpus name, e.g. seeds/004_fd2255dcef9b15cd
    title: str
    year: int
    organ: str
    text: str             # body text (tabs separate table cells)
    truth: dict


def load(corpus: Path, key: str) -> Doc:
    """A corpus report; legacy/portal dumps lose their 标题/发布时间 header and chrome line."""
    stem = corpus / key
    text_path = stem.with_suffix(".txt")
    truth_path = Path(str(stem) + ".truth.json")
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else {}
    text = text_path.read_text(encoding="utf-8") if text_path.exists() else ""
    title = None
    if "==== 正文 ====" in text:
        head, _, body = text.partition("==== 正文 ====")
        body = body.lstrip("=").strip()
        for line in head.splitlines():
            if line.startswith("标题:"):
                title = line.split(":", 1)[1].strip()
        text = body
    if title is None:
        title = f"{truth.get('organ', '')}{truth.get('year', '')}年政府信息公开工作年度报告"
    return Doc(key, title, truth.get("year"), truth.get("organ"), text, truth)


def body_html(text: str) -> str:
    """Paragraphs for lines, <table> rows for runs of tab-separated lines."""
    out: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in r) + "</tr>" for r in table)
            out.append(f'<table border="1" cellspacing="0">{rows}</table>')
            table.clear()

    for line in text.splitlines():
        if "\t" in line:
            table.append(line.split("\t"))
        else:
            flush()
            if line.strip():
                out.append(f"<p>{html.escape(line.strip())}</p>")
    flush()
    return "\n".join(out)


def page(title: str, inner: str, *, site_name: str = "县人民政府", date: str = "2022-01-14",
         charset: str | None = "utf-8", family: str = "trs") -> str:
    """A detail page with portal chrome around the body (header, breadcrumb, info line, footer)."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    container = {"trs": 'class="TRS_Editor"', "hanweb": 'id="zoom"', "vsb": 'id="vsb_content"'}.get(family, 'class="content"')
    return f"""<!DOCTYPE html><html><head>{meta}<title>{html.escape(title)}_{site_name}</title>
<meta name="ArticleTitle" content="{html.escape(title)}"></head>
<body><div class="header"><a href="/">{site_name}</a> <a href="/zwgk/">政务公开</a></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article"><h1>{html.escape(title)}</h1>
<div class="info">发布日期：{date}　来源：{site_name}办公室　浏览次数：123</div>
<div {container}>{inner}</div></div>
<div class="footer">主办：{site_name}办公室 网站标识码：4101000001 ICP备05000000号</div></body></html>"""


def report_page(doc: Doc, **kw) -> str:
    return page(doc.title, body_html(doc.text), **kw)


def attachment_page(title: str, href: str, name: str, **kw) -> str:
    inner = f'<p>附件：<a href="{html.escape(href)}">{html.escape(name)}</a></p>'
    return page(title, inner, **kw)


def image_page(title: str, images: list[str], **kw) -> str:
    inner = "".join(f'<p style="text-align:center"><img src="{src}" width="800"></p>' for src in images)
    return page(title, inner, **kw)


def docx_bytes(doc: Doc) -> bytes:
    """The report as a DOCX with real Word tables for its tab-separated runs."""
    import docx

    d = docx.Document()
    d.add_heading(doc.title, level=1)
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            cols = max(len(r) for r in table)
            t = d.add_table(rows=len(table), cols=cols)
            for i, r in enumerate(table):
                for j, c in enumerate(r):
                    t.cell(i, j).text = c.strip()
            table.clear()

    for line in doc.text.splitlines():
        if "\t" in line:
            table.append(line.split("\t"))
        else:
            flush()
            if line.strip():
                d.add_paragraph(line.strip())
    flush()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def list_page(title: str, items: list[tuple[str, str, str]], pager: str = "", *, charset: str | None = "utf-8",
              extra_head: str = "", site_name: str = "县人民政府") -> str:
    """A column list page: items are (href, text, date); `pager` is the CMS's pager markup."""
    meta = f'<meta charset="{charset}">' if charset else ""
    lis = "\n".join(f'<li><a href="{html.escape(h)}" target="_blank" title="{html.escape(t)}">{html.escape(t)}</a>'
                    f'<span class="date">{d}</span></li>' for h, t, d in items)
    return f"""<!DOCTYPE html><html><head>{meta}<title>政府信息公开年报_{site_name}</title>{extra_head}</head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="./">政府信息公开年报</a></div>
<ul class="list">{lis}</ul>
<div class="page">{pager}</div>
<div class="footer">{site_name} 版权所有</div></body></html>"""
