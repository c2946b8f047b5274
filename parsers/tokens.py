"""One token stream for every form of a report.

Whatever the source (HTML tables, text dumps in any layout, PDF, DOCX), the parser sees a
list of Tokens: the text of one table cell or one paragraph line. Tokens from a real grid
(HTML/DOCX/PDF tables) carry their row number and keep blank cells, since a blank cell there
stands in a known column; tokens from text dumps do not, since a dump loses empty cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(slots=True)
class Token:
    text: str
    row: int          # tokens of one table row share it; every paragraph line has its own
    grid: bool = False  # True for cells of a real table (blank cells are meaningful)
    table: bool = False  # part of a table (grid cell or a cell of a tab/pipe text row)


class Tokens(list):
    """A token list that may also carry its text (rows joined by tabs, one row a line), when the
    reader had it at hand cheaper than joining the tokens again."""
    __slots__ = ("text",)

    def __init__(self, items=(), text: str | None = None) -> None:
        super().__init__(items)
        self.text = text


_MD_RULE = re.compile(r"^[\s|:]*-{3,}[\s|:\-]*$")
_WS = re.compile(r"[ \t\u3000\xa0]+")


def from_text(text: str) -> list[Token]:
    """Tokens of a text or markdown dump: tab-separated rows, pipe rows, one cell per line."""
    from parsers.runon import split_lines  # (runon reads the labels, which import this module)

    out: list[Token] = []
    row = 0
    for line in split_lines(text).splitlines():
        row += 1
        if not line.strip() or _MD_RULE.match(line) or _is_dash_row(line):
            continue
        if "\t" in line.strip() or line.lstrip().startswith("|"):
            sep = "|" if line.lstrip().startswith("|") else "\t"
            cells = [c.strip() for c in line.split(sep)]
            for c in cells:
                if c:
                    out.append(Token(c, row, grid=False, table=True))
        else:
            parts = _space_row(line)
            if parts:
                out.extend(Token(c, row, table=True) for c in parts)
            else:
                out.append(Token(line.strip(), row))
    return out


_NUMERIC = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?[件条个项元%]?$|^[—－-]+$")
_SENTENCE = re.compile(r"[。，；！？,;]")
_TITLE = re.compile(r"报告|年报|(?:19|20)\d\d")


def _space_row(line: str) -> list[str] | None:
    """A table row copied as plain text with spaces between cells (PDF text, web copy):
    `一、本年新收政府信息公开申请数量 48 0 0 0 1 0 49` or a header of several short labels."""
    parts = line.split()
    if len(parts) < 2:
        return None
    k = len(parts)
    while k > 0 and _NUMERIC.match(parts[k - 1]):
        k -= 1
    numbers = parts[k:]
    label = " ".join(parts[:k])
    if numbers and (len(numbers) >= 2 or (len(label) <= 30 and not _SENTENCE.search(label))):
        return ([label] if label else []) + numbers
    if (len(parts) >= 3 and not _SENTENCE.search(line) and not _TITLE.search(line)
            and all(len(p) <= 20 for p in parts)):
        return parts
    return None
# a table row in a PDF text layer without ruling lines: the label runs into its first value
# (pdfminer's spaces next to CJK characters are dropped): 一、本年新收政府信息公开申请数量71 3 0 0 0 0 74
_LABEL_THEN_VALUES = re.compile(r"^(.*?[^\d\s.,+\-])?\s*((?:[+-]?\d[\d,]*(?:\.\d+)?(?:万元|元|件|条|个|项|%)?\s*)+)$")


def row_cells(line: str) -> list[str] | None:
    """The cells of one PDF text line that is a table row (a label, then values; or values
    only), else None: the rule `_space_row` applies to text dumps, after the values are cut
    from the label they run into."""
    m = _LABEL_THEN_VALUES.match(line.strip())
    if not m:
        return None
    cells = _space_row(((m.group(1) or "") + " " + m.group(2)).strip())
    if cells is None and m.group(1):
        # one value after a label with commas in it (部分公开（区分处理的，只计这一情形…）8100009):
        # a row when the label is one of the tables'
        from parsers.labels import match
        label = m.group(1).strip()
        if match(label, "app_rows") or match(label, "active_rows"):
            return [label, *m.group(2).split()]
    return cells


def _is_dash_row(line: str) -> bool:
    cells = [c for c in re.split(r"[\t|]", line) if c.strip()]
    return bool(cells) and all(re.fullmatch(r"\s*-{3,}\s*", c) for c in cells)


def clean_cell(text: str) -> str:
    """Cell text with inner line breaks removed (商业\\n企业 -> 商业企业) and spaces folded."""
    lines = [ln.strip() for ln in text.splitlines()]
    joined = ""
    for ln in lines:
        if not ln:
            continue
        # keep a space only between two latin/digit runs (e.g. "2 0" would otherwise merge)
        if joined and joined[-1].isascii() and joined[-1].isalnum() and ln[0].isascii() and ln[0].isalnum():
            joined += " "
        joined += ln
    return _WS.sub(" ", joined).strip()
