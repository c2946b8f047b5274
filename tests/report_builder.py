"""Build report pages in the official table layout from a truth file's values, the way portals
publish them: HTML tables with rowspan/colspan and split header cells, or a DOCX document.

Used by the parser tests to check the HTML and DOCX readers against known values.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "parsers" / "schema.json").read_text(encoding="utf-8"))
_T = SCHEMA["tables"]
APP_COLS = [c["key"] for c in _T["applications"]["cols"]]
REVIEW_COLS = [c["key"] for c in _T["review_litigation"]["cols"]]
GROUPS = {"（三）不予公开": "withheld_", "（四）无法提供": "unavailable_", "（五）不予处理": "rejected_", "（六）其他处理": "other_"}


def _v(x) -> str:
    return "" if x is None else html.escape(str(x))


def _td(text: str, **attrs) -> str:
    a = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<td{a}>{text}</td>"


def active_table(tables: dict, fmt: str) -> str:
    rows = []
    t = tables.get("active_disclosure", {})
    for block in _T["active_disclosure"]["blocks"]:
        cols = [c for c in block["cols"] if fmt in c["formats"]]
        brows = [r for r in block["rows"] if fmt in r["formats"]]
        if not cols or not brows:
            continue
        rows.append("<tr>" + _td(block["article"].replace("第二十条", "第二十条"), colspan=len(cols) + 1) + "</tr>")
        rows.append("<tr>" + _td("信息内容") + "".join(_td(c["label"].replace("数量", "<br>数量")) for c in cols) + "</tr>")
        for r in brows:
            rows.append("<tr>" + _td(r["label"]) + "".join(_td(_v(t.get(r["key"], {}).get(c["key"]))) for c in cols) + "</tr>")
    return '<table border="1">' + "".join(rows) + "</table>"


def applications_table(tables: dict) -> str:
    t = tables.get("applications", {})
    out = ['<table border="1">',
           "<tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3)
           + _td("申请人情况", colspan=7) + "</tr>",
           "<tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5) + _td("总计", rowspan=2) + "</tr>",
           "<tr>" + "".join(_td(x) for x in ("商业<br>企业", "科研<br>机构", "社会公益<br>组织", "法律服务<br>机构", "其他")) + "</tr>"]
    rows = [r for r in _T["applications"]["rows"] if r["key"] in t]
    outcome = [r for r in rows if r["key"] not in ("received_new", "carried_over", "carried_forward")]

    def vals(key: str) -> str:
        return "".join(_td(_v(t[key].get(c))) for c in APP_COLS)

    first_outcome = True
    done_groups = set()
    for r in rows:
        key, label = r["key"], r["label"]
        if r in outcome:
            cells = ""
            if first_outcome:
                cells += _td("三、本年度<br>办理结果", rowspan=len(outcome))
                first_outcome = False
            group = next((g for g, p in GROUPS.items() if key.startswith(p) and key != "other_handling"), None)
            if group:
                if group not in done_groups:
                    n = sum(1 for x in outcome if x["key"].startswith(GROUPS[group]) and x["key"] != "other_handling")
                    cells += _td(group, rowspan=n)
                    done_groups.add(group)
                cells += _td(label)
            else:
                cells += _td(label, colspan=2)
            out.append("<tr>" + cells + vals(key) + "</tr>")
        else:
            out.append("<tr>" + _td(label, colspan=3) + vals(key) + "</tr>")
    out.append("</table>")
    return "".join(out)


def review_table(tables: dict) -> str:
    t = tables.get("review_litigation", {})
    labels = ["结果<br>维持", "结果<br>纠正", "其他<br>结果", "尚未<br>审结", "总计"]
    head1 = "<tr>" + _td("行政复议", colspan=5) + _td("行政诉讼", colspan=10) + "</tr>"
    head2 = "<tr>" + "".join(_td(x, rowspan=2) for x in labels) + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5) + "</tr>"
    head3 = "<tr>" + "".join(_td(x) for x in labels * 2) + "</tr>"
    vals = "<tr>" + "".join(_td(_v(t.get(r, {}).get(c))) for r in ("review", "litigation_direct", "litigation_after_review") for c in REVIEW_COLS) + "</tr>"
    return '<table border="1">' + head1 + head2 + head3 + vals + "</table>"


def report_html(truth: dict, title: str, sections: dict[str, str] | None = None, chrome: bool = True) -> str:
    """A whole portal page in the layout real TRS/Hanweb detail pages use."""
    fmt = truth["format"]
    s = sections or {}
    body = f"""
<h1 class="title">{html.escape(title)}</h1>
<div class="TRS_Editor">
<p>一、总体情况</p><p>{s.get('overview', '本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》。')}</p>
<p>二、主动公开政府信息情况</p>{active_table(truth['tables'], fmt)}
<p>三、收到和处理政府信息公开申请情况</p>{applications_table(truth['tables'])}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{review_table(truth['tables'])}
<p>五、存在的主要问题及改进情况</p><p>{s.get('problems', '主要问题是公开内容还不够全面，下一步将加强培训。')}</p>
<p>六、其他需要报告的事项</p><p>{s.get('other_matters', '本年度未收取信息处理费。')}</p>
</div>"""
    if not chrome:
        return body
    return f"""<!DOCTYPE html><html><head><title>{html.escape(title)}_政府信息公开</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="info">发布时间：2022-01-14 10:01　来源：县政府办　浏览次数：<span>128</span>　字号：【大 中 小】</div>
{body}
<div class="bottom">【打印本页】【关闭窗口】 主办单位：某县人民政府办公室 网站标识码：1234000001 ICP备案：豫ICP备12345678号</div>
</body></html>"""


def report_docx(truth: dict, title: str, path: Path) -> None:
    """The same report as a DOCX with merged cells (python-docx)."""
    import docx
    import lxml.html

    document = docx.Document()
    document.add_paragraph(title)
    page = lxml.html.fromstring(report_html(truth, title, chrome=False))
    for el in page.iter("p", "table"):
        if el.tag == "p":
            document.add_paragraph(el.text_content())
            continue
        grid = _grid(el)
        table = document.add_table(rows=len(grid), cols=max(len(r) for r in grid))
        spans: dict[int, list[tuple[int, int]]] = {}
        for i, row in enumerate(grid):
            for j, (cid, text) in enumerate(row):
                if cid not in spans:
                    table.cell(i, j).text = text
                spans.setdefault(cid, []).append((i, j))
        for cells in spans.values():
            if len(cells) > 1:  # a rowspan/colspan cell: merge its corners
                table.cell(*cells[0]).merge(table.cell(*cells[-1]))
    document.save(str(path))


def _grid(table) -> list[list[tuple[int, str]]]:
    """Expand rowspan/colspan into a full grid of (cell id, text)."""
    grid: dict[tuple[int, int], tuple[int, str]] = {}
    uid = 0
    for i, tr in enumerate(table.iter("tr")):
        j = 0
        for td in tr.iter("td"):
            uid += 1
            while (i, j) in grid:
                j += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text = "\n".join(x.strip() for x in td.itertext())
            for di in range(rs):
                for dj in range(cs):
                    grid[(i + di, j + dj)] = (uid, text)
            j += cs
    n_rows = max(i for i, _ in grid) + 1
    n_cols = max(j for _, j in grid) + 1
    return [[grid.get((i, j), (-(i * 1000 + j), "")) for j in range(n_cols)] for i in range(n_rows)]
