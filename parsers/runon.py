"""Reports whose layout was lost: the body on one line, table cells in running text.

Text renderings of report pages (and some copies of PDF text) put the whole body on one line:
section headings, paragraphs and the three tables run on, a row's values follow its label with
one space or nothing between them, and a row's number can be glued to the previous row's values
(`10000016.属于四类过程性信息` is the values 1000001 then row 6). `split_lines` puts the line
breaks back: before each section heading, and inside the tables before every official row and
column label, so the ordinary token readers see a label followed by its value runs. Splitting a
glued value run (`713000074`) into cells is left to the identities (parsers/glue.py, checks.py).
"""
from __future__ import annotations

import re
from functools import lru_cache

from parsers.labels import SCHEMA, core

# the official section headings, with the variants real pages print (行政法复议 is a typo seen)
_HEADINGS = (
    r"一\s*[、.．]\s*总体情况",
    r"二\s*[、.．]\s*主动公开政府信息情况",
    r"三\s*[、.．]\s*收到和处理政府信息公开申请情况",
    r"四\s*[、.．]\s*(?:因)?政府信息公开[^。，]{0,6}?复议\s*[、，]?\s*(?:提起)?\s*行政诉讼(?:的)?情况",
    r"五\s*[、.．]\s*(?:政府信息公开)?(?:工作)?存在的主要问题及改进情况",
    r"六\s*[、.．]\s*其他需要报告的事项",
)
_HEADING_RES = tuple(re.compile(h) for h in _HEADINGS)
_LONG = 100  # a line this long that holds two or more headings is a run-on body

# what one value run may hold: numbers (signs, decimals, thousands commas, a unit), dashes
_VALUE = re.compile(r"\s*((?:[+-]?\d[\d,]*(?:\.\d+)?(?:万元|亿元|元|件|条|个|项|%|％)?)|[—－–]+)")
# numbering left at the end of a run: it belongs to the label that follows
_CN_NUMBERING = re.compile(r"(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+\s*[、.．])\s*$")
# where each table starts inside its section
_TABLE_START = {
    1: re.compile(r"第二十条|信息内容"),
    2: re.compile(r"[(（]?本列数据|申请人情况|本年新收"),
    3: re.compile(r"行政复议|结果维持"),
}


def _char_class(ch: str) -> str:
    """A label character as a regex matching its half- and full-width forms."""
    o = ord(ch)
    if 0x21 <= o <= 0x7E and not ch.isalnum():
        return "[" + re.escape(ch) + chr(o + 0xFEE0) + "]"
    return re.escape(ch)


def _label_regex(text: str) -> str:
    # spaces, line breaks and quote marks may sit anywhere inside a printed label
    return r"[\s“”\"'‘’「」]*".join(_char_class(c) for c in text)


@lru_cache(maxsize=1)
def _labels() -> tuple[re.Pattern, dict[str, tuple[str, int | None]]]:
    """One alternation of every row and column label of the three tables (longest first), and
    for each label core its kind and the row number printed before it (1. … 8.), if any."""
    t = SCHEMA["tables"]
    info: dict[str, tuple[str, int | None]] = {}

    def add(label: str, kind: str) -> None:
        c = core(label)
        m = re.match(r"\s*(\d{1,2})\s*[.．、]", label)
        if c and c not in info:
            info[c] = (kind, int(m.group(1)) if m else None)

    for b in t["active_disclosure"]["blocks"]:
        for r in b["rows"]:
            for name in [r["label"], *r.get("aliases", [])]:
                add(name, "active_row")
        for c in b["cols"]:
            for name in [c["label"], *c.get("aliases", [])]:
                add(name, "active_col")
    for r in t["applications"]["rows"]:
        for name in [r["label"], *r.get("aliases", [])]:
            add(name, "app_row")
    for c in t["applications"]["cols"]:
        add(c["label"], "app_col")
    for c in t["review_litigation"]["cols"]:
        add(c["label"], "review_col")
    for name in ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "申请人情况", "法人或其他组织", "信息内容",
                 "本年度办理结果", "不予公开", "无法提供", "不予处理"):
        add(name, "group")
    alts = sorted(info, key=len, reverse=True)
    # a label may carry a parenthetical note: （区分处理的，只计这一情形…）, （单位：万元）
    # (not a numbering such as （一）, which belongs to the next label)
    pattern = ("(?:" + "|".join(_label_regex(a) for a in alts) + r")[”\"’」]?"
               r"(?:\s*[(（](?![一二三四五六七八九十]+[)）])[^()（）]{0,40}[)）])?")
    return re.compile(pattern), info


def label_cells(line: str) -> list[str] | None:
    """A line that is nothing but table labels run together (a header row of a PDF text layer
    without ruling lines: 信息内容本年制发件数本年废止件数现行有效件数), as its labels; else None."""
    if len(line) < 6 or len(line) > 120:
        return None
    rx, _ = _labels()
    out = []
    pos = 0
    for m in rx.finditer(line):
        if line[pos:m.start()].strip():
            return None
        out.append(m.group(0).strip())
        pos = m.end()
    if line[pos:].strip() or len(out) < 2:
        return None
    return out


def split_lines(text: str) -> str:
    """The text with its run-on lines broken at section headings and table labels; other lines
    are returned as they are."""
    if len(text) < _LONG or not any(len(ln) >= _LONG for ln in text.split("\n")):
        return text
    out = []
    for line in text.split("\n"):
        out.append(_split_line(line) if len(line) >= _LONG else line)
    return "\n".join(out)


def _heading_spans(line: str) -> list[tuple[int, int, int]]:
    """(section number, start, end) of the official headings found in order."""
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for n, rx in enumerate(_HEADING_RES):
        m = rx.search(line, pos)
        if m:
            spans.append((n, m.start(), m.end()))
            pos = m.end()
    return spans


def _split_line(line: str) -> str:
    spans = _heading_spans(line)
    if len(spans) < 2:
        return line
    parts = [line[: spans[0][1]]]
    for k, (n, start, end) in enumerate(spans):
        stop = spans[k + 1][1] if k + 1 < len(spans) else len(line)
        parts.append(line[start:end])
        body = line[end:stop]
        if n in _TABLE_START:
            parts.extend(_split_table(body, n))
        else:
            parts.append(body)
    return "\n".join(p.strip() for p in parts if p.strip())


def _split_table(body: str, section: int) -> list[str]:
    """A section's text with its table broken into lines: a label and the value runs after it
    (tab-separated, as a text dump's row), text between labels on lines of its own."""
    m = _TABLE_START[section].search(body)
    if not m:
        return [body]
    lines = [body[: m.start()]]
    rx, info = _labels()
    pos = m.start()
    cut = None  # where the values of the last row read end: prose may follow the table
    n_at_cut = 0
    for lab in rx.finditer(body, m.start()):
        seg = _strip_numbering(body[pos:lab.start()], lab, info)
        values, rest = _leading_values(seg)
        if values:
            lines[-1] += "\t" + "\t".join(values)
            cut, n_at_cut = pos + len(seg) - len(rest), len(lines)
        if rest.strip():
            lines.append(rest.strip())
        lines.append(lab.group(0).strip())
        pos = lab.end()
    values, rest = _leading_values(body[pos:])
    if values:
        lines[-1] += "\t" + "\t".join(values)
        cut, n_at_cut = len(body) - len(rest), len(lines)
    if section == 1 and cut is not None:
        # after the active-disclosure table the section may go on in prose that names the
        # same things (行政许可 …): what follows the last values is text again
        return lines[:n_at_cut] + [body[cut:]]
    if rest.strip():
        lines.append(rest.strip())
    return lines


def _strip_numbering(seg: str, lab: re.Match, info: dict) -> str:
    """Drop the numbering of the next label from the end of a run: 1. … 8. by the row's own
    number (so the 6 of `10000016.` goes to row 6), （三）/ 四、 always."""
    key = core(lab.group(0))
    number = info.get(key, (None, None))[1]
    if number is not None:
        m = re.search(rf"{number}\s*[.．、]\s*$", seg)
        if m:
            return seg[: m.start()]
    m = _CN_NUMBERING.search(seg)
    if m:
        return seg[: m.start()]
    return seg


def _leading_values(seg: str) -> tuple[list[str], str]:
    """The value runs at the start of a segment (split at spaces only: glued cells stay one
    run) and the text after them."""
    values = []
    pos = 0
    while True:
        m = _VALUE.match(seg, pos)
        if not m:
            break
        values.append(m.group(1))
        pos = m.end()
    return values, seg[pos:]
