"""Build the portal-page fixtures of tests/test_extract.py, test_parser.py and test_mangled_input.py.
They are generated at test time (the `pages` session fixture of tests/conftest.py, into a
temporary directory), not committed.

Each page is one CMS family's detail template (TRS 信息公开平台, 大汉 Hanweb art_*.html,
博达 VSB /info/*/N.htm, two generic CMS layouts) wrapping a real report from the shared
corpus seeds: its prose as the seed has it, its three tables rebuilt from the seed's truth
in the official layout with rowspan/colspan. To look at them:
    cd tests && ../.venv/bin/python -m page_fixtures.build ../../shared/corpus/seeds OUT_DIR
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

HEADINGS = [
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
]
HEAD_KEYS = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议", "存在的主要问题", "其他需要报告"]
APP_COLS = ["natural_person", "business", "research", "social_welfare", "legal_service", "other_org", "total"]
REV_COLS = ["maintained", "corrected", "other", "pending", "total"]


def seed_sections(text: str) -> dict[int, list[str]]:
    """Paragraphs of sections 一, 五 and 六 of a seed text dump."""
    sections: dict[int, list[str]] = {}
    current = None
    for line in text.splitlines():
        s = line.strip().replace("\xa0", "")
        m = re.match(r"^([一二三四五六])、(.*)", s)
        if m and any(k in m[2] for k in HEAD_KEYS):
            current = "一二三四五六".index(m[1])
            sections[current] = []
            continue
        if current is not None and s:
            sections[current].append(s)
    return sections


def td(value, **attrs) -> str:
    a = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<td{a}><p style="text-align:center;"><span style="font-family:宋体;font-size:14px;">{html.escape(str(value))}</span></p></td>'


def row(*cells: str) -> str:
    return "<tr>" + "".join(cells) + "</tr>\n"


def active_table(t: dict, fmt: str) -> str:
    g = lambda r, c: t.get(r, {}).get(c, 0)  # noqa: E731
    rows = [row(td("第二十条第（一）项", colspan=4))]
    if fmt == "2021":
        rows.append(row(td("信息内容"), td("本年制发件数"), td("本年废止件数"), td("现行有效件数")))
        for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
            rows.append(row(td(label), td(g(key, "issued")), td(g(key, "repealed")), td(g(key, "in_force"))))
        blocks = [("（五）", [("licensing", "行政许可")], "本年处理决定数量", "decisions"),
                  ("（六）", [("penalty", "行政处罚"), ("coercion", "行政强制")], "本年处理决定数量", "decisions"),
                  ("（八）", [("fees", "行政事业性收费")], "本年收费金额（单位：万元）", "amount_wan_yuan")]
        for art, items, head, col in blocks:
            rows.append(row(td(f"第二十条第{art}项", colspan=4)))
            rows.append(row(td("信息内容"), td(head, colspan=3)))
            for key, label in items:
                rows.append(row(td(label), td(g(key, col), colspan=3)))
    else:
        rows.append(row(td("信息内容"), td("本年新制作数量"), td("本年新公开数量"), td("对外公开总数量")))
        for key, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
            rows.append(row(td(label), td(g(key, "made")), td(g(key, "published")), td(g(key, "total_published"))))
        for art, items in (("（五）", [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")]),
                           ("（六）", [("penalty", "行政处罚"), ("coercion", "行政强制")])):
            rows.append(row(td(f"第二十条第{art}项", colspan=4)))
            rows.append(row(td("信息内容"), td("上一年项目数量"), td("本年增/减"), td("处理决定数量")))
            for key, label in items:
                rows.append(row(td(label), td(g(key, "previous_count")), td(g(key, "change")), td(g(key, "decisions"))))
        rows.append(row(td("第二十条第（八）项", colspan=4)))
        rows.append(row(td("信息内容"), td("上一年项目数量"), td("本年增/减", colspan=2)))
        rows.append(row(td("行政事业性收费"), td(g("fees", "previous_count")), td(g("fees", "change"), colspan=2)))
        rows.append(row(td("第二十条第（九）项", colspan=4)))
        rows.append(row(td("信息内容"), td("采购项目数量"), td("采购总金额", colspan=2)))
        rows.append(row(td("政府集中采购"), td(g("procurement", "projects")), td(g("procurement", "amount"), colspan=2)))
    return table(rows)


def application_table(t: dict, fmt: str) -> str:
    vals = lambda key: "".join(td(t.get(key, {}).get(c, 0)) for c in APP_COLS)  # noqa: E731
    rows = [
        row(td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3), td("申请人情况", colspan=7)),
        row(td("自然人", rowspan=2), td("法人或其他组织", colspan=5), td("总计", rowspan=2)),
        row(td("商业企业"), td("科研机构"), td("社会公益组织"), td("法律服务机构"), td("其他")),
        row(td("一、本年新收政府信息公开申请数量", colspan=3), vals("received_new")),
        row(td("二、上年结转政府信息公开申请数量", colspan=3), vals("carried_over")),
        row(td("三、本年度办理结果", rowspan=22 if fmt == "2021" else 20), td("（一）予以公开", colspan=2), vals("granted")),
        row(td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2), vals("partially_granted")),
    ]
    groups = [
        ("（三）不予公开", [("withheld_state_secret", "1.属于国家秘密"), ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
                      ("withheld_security_stability", "3.危及“三安全一稳定”"), ("withheld_third_party", "4.保护第三方合法权益"),
                      ("withheld_internal_affairs", "5.属于三类内部事务信息"), ("withheld_process_info", "6.属于四类过程性信息"),
                      ("withheld_enforcement_files", "7.属于行政执法案卷"), ("withheld_query_matters", "8.属于行政查询事项")]),
        ("（四）无法提供", [("unavailable_not_held", "1.本机关不掌握相关政府信息"), ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
                      ("unavailable_unclear", "3.补正后申请内容仍不明确")]),
        ("（五）不予处理", [("rejected_petition", "1.信访举报投诉类申请"), ("rejected_repeated", "2.重复申请"),
                      ("rejected_publication", "3.要求提供公开出版物"), ("rejected_excessive", "4.无正当理由大量反复申请"),
                      ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息")]),
    ]
    if fmt == "2021":
        groups.append(("（六）其他处理", [
            ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("other_other", "3.其他")]))
    for group, items in groups:
        for i, (key, label) in enumerate(items):
            lead = td(group, rowspan=len(items)) if i == 0 else ""
            rows.append(row(lead, td(label), vals(key)))
    if fmt != "2021":
        rows.append(row(td("（六）其他处理", colspan=2), vals("other_handling")))
    rows.append(row(td("（七）总计", colspan=2), vals("processed_total")))
    rows.append(row(td("四、结转下年度继续办理", colspan=3), vals("carried_forward")))
    return table(rows)


def review_table(t: dict) -> str:
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [
        row(td("行政复议", colspan=5), td("行政诉讼", colspan=10)),
        row(*[td(x, rowspan=2) for x in labels], td("未经复议直接起诉", colspan=5), td("复议后起诉", colspan=5)),
        row(*[td(x) for x in labels * 2]),
        row(*[td(t.get(r, {}).get(c, 0)) for r in ("review", "litigation_direct", "litigation_after_review") for c in REV_COLS]),
    ]
    return table(rows)


def table(rows: list[str]) -> str:
    return ('<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;">\n<tbody>\n'
            + "".join(rows) + "</tbody>\n</table>\n")


def report_body(seed: Path, heading_tag: str = "strong") -> str:
    text = seed.read_text(encoding="utf-8")
    truth = json.loads(seed.with_suffix(".truth.json").read_text(encoding="utf-8"))
    fmt, tables = truth["format"], truth["tables"]
    sections = seed_sections(text)
    signature = split_signature(sections)
    parts = []
    for i, head in enumerate(HEADINGS):
        parts.append(f'<p style="text-indent:2em;"><{heading_tag}>{head}</{heading_tag}></p>\n')
        if i == 1:
            parts.append(active_table(tables["active_disclosure"], fmt))
        elif i == 2:
            parts.append(application_table(tables["applications"], fmt))
        elif i == 3:
            parts.append(review_table(tables["review_litigation"]))
        else:
            for para in sections.get(i, []):
                parts.append(f'<p style="text-indent:2em;">{html.escape(para)}</p>\n')
    parts += [f'<p style="text-align:right;">{html.escape(line)}</p>\n' for line in signature]
    return "".join(parts)


def split_signature(sections: dict[int, list[str]]) -> list[str]:
    """A seed without section 六 ends with its signature (organ, date): keep that at the end."""
    last = max(sections)
    if last == 5:
        return []
    sig: list[str] = []
    while sections[last] and len(sections[last][-1]) <= 20:
        sig.insert(0, sections[last].pop())
    return sig


def br_body(seed: Path) -> str:
    """Prose laid out with <br> inside one cell, headings as plain text: no element per heading."""
    body = report_body(seed)
    body = re.sub(r'<p style="text-indent:2em;"><strong>(.*?)</strong></p>\n', r"\1<br>\n", body)
    return re.sub(r'<p style="text-indent:2em;">(.*?)</p>\n', r"&nbsp;&nbsp;&nbsp;&nbsp;\1<br>\n", body)


def build(seeds: Path, out: Path) -> Path:
    """Write every page of templates.PAGES into `out` (created if missing); returns `out`."""
    from .templates import PAGES

    out.mkdir(parents=True, exist_ok=True)
    bodies = {
        "000": br_body(next(seeds.glob("000_*.txt"))),
        "001": report_body(next(seeds.glob("001_*.txt"))),
        "002": report_body(next(seeds.glob("002_*.txt"))),
        "003": report_body(next(seeds.glob("003_*.txt"))),
        "004": report_body(next(seeds.glob("004_*.txt")), heading_tag="b"),
    }
    for name, (seed, template, encoding) in PAGES.items():
        (out / name).write_bytes(template.replace("{{BODY}}", bodies.get(seed, "")).encode(encoding))
    return out


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
