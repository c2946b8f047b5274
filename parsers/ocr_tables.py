"""OCR'd pages -> the shared token stream: tables as grid rows, the rest as paragraphs.

Tables: the ruling lines found on the page give the row boundaries (horizontal rules) and the
column boundaries (vertical rules, i.e. the x-ranges of the header cells); a boundary missing
between two grid cells means a merged cell. Each text box goes to the cell holding its centre,
and each grid row is emitted the way the PDF reader emits pdfplumber's rows (a merged cell once,
in its first row; blank cells kept), so the one table reader reads it. A table without rules is
read from its boxes alone: rows by vertical overlap (after deskew), cells in x order.
Tables continue across pages by continuing the row sequence, as in the PDF reader.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from parsers.ocr import Box, Page
from parsers.ocr_grid import Grid
from parsers.tokens import Token, Tokens

_PAGE_NO = re.compile(r"^[-－—–\s]*(?:第\s*)?\d{1,3}\s*(?:页)?(?:\s*/\s*\d+|\s*共\s*\d+\s*页)?[-－—–\s]*$")
_STARTS_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．])")
_ENDS_SENTENCE = tuple("。；;：:！!？?")
_NUMERIC = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?[件条个项元%]?$")


class OcrText(str):
    """A cell's recognised text that also carries the recogniser's confidence. The table reader
    keeps a cell's token text as its `raw`, so the confidence travels with it to the cell
    without the shared reader knowing about OCR (`parsers.ocr_report` strips it again)."""
    __slots__ = ("conf",)
    conf: float | None

    def __new__(cls, text: str, conf: float | None):
        s = super().__new__(cls, text)
        s.conf = conf
        return s


def tokens_of(pages: list[Page]) -> Tokens:
    """Tokens of every page in reading order (tables and paragraphs by their top)."""
    out: list[Token] = []
    row = 0
    for page in pages:
        tables = page.tables
        inside: set[int] = set()
        items: list[tuple[float, str, Any]] = []  # (top, table | para, its rows or text)
        for t in tables:
            rows, used = _table_rows(t, page.boxes)
            inside |= used
            items.append((t.ys[0], "table", rows))
        rest = [b for n, b in enumerate(page.boxes) if n not in inside]
        for top, para in _paragraphs(_lines(rest), page.width):
            items.append((top, "para", para))
        items.sort(key=lambda it: it[0])
        for _, kind, content in items:
            row += 1
            if kind == "para":
                if isinstance(content, list):  # a line of separate cells with no rules around it
                    out.extend(Token(OcrText(b.text, b.conf), row, table=True) for b in content)
                else:
                    out.append(Token(content, row))
                continue
            for cells in content:
                row += 1
                out.extend(Token(c, row, grid=True, table=True) for c in cells)
    return Tokens(out)


def _table_rows(t: Grid, boxes: list[Box]) -> tuple[list[list[OcrText]], set[int]]:
    """The table's grid rows (cell texts; a merged cell once, in its first row) and the boxes used."""
    texts: dict[int, list[Box]] = {}
    used: set[int] = set()
    for n, b in enumerate(boxes):
        if not t.contains(b.cx, b.cy):
            continue
        i, j = t.at(b.cx, b.cy)
        texts.setdefault(t.owner[i][j], []).append(b)
        used.add(n)
    rows: list[list[OcrText]] = []
    seen: set[int] = set()
    for i, line in enumerate(t.owner):
        cells = []
        for cid in line:
            if cid in seen:
                continue  # covered by a merged cell, emitted in its first row
            seen.add(cid)
            cells.append(_cell_text(texts.get(cid, [])))
        if cells:
            rows.append(cells)
    return rows, used


def _cell_text(boxes: list[Box]) -> OcrText:
    """A cell's boxes read line by line; the lowest confidence of its boxes is the cell's."""
    if not boxes:
        return OcrText("", None)
    text = tidy("".join(_line_text(ln) for ln in _lines(boxes)))
    return OcrText(text, min(b.conf for b in boxes))


def tidy(text: str, cell: bool = True) -> str:
    """Recognised text as the table reader expects it: width-folded; in a figure cell, letters
    the recogniser gives for figures (o -> 0, l -> 1) and specks read as dots at its ends dropped;
    in a label, dots read from specks and spaces between CJK characters dropped."""
    text = unicodedata.normalize("NFKC", text).strip()
    core = text.strip(_SPECKS)
    if core and _FIGURE_LIKE.match(core):
        return core.translate(_AS_DIGIT)
    text = _SPACE_NEAR_CJK.sub("", _MID_DOTS.sub("", text))
    if not cell:
        # a letter or two glued to the end of a CJK line is what is left of a seal's ring
        return _SEAL_TAIL.sub("", text)
    # a label whose numbering "(二" the recogniser lost starts with its closing bracket
    text = _SPECK_IN_LABEL.sub("", text).lstrip(")）]」").strip(_SPECKS)
    for wrong, right in _LABEL_MISREADS:
        text = text.replace(wrong, right)
    return _LOST_YI.sub("予以公开", text)


# characters of the official labels the recogniser confuses on scans (予 as 子 or 于: 予以公开
# and 不予 are short labels, which must match exactly)
_LOST_YI = re.compile(r"(?<![不予])予公开")  # 予以公开 with its 以 lost (不予公开 is another row)
_LABEL_MISREADS = (("子以公开", "予以公开"), ("于以公开", "予以公开"), ("不于", "不予"), ("不子", "不予"))


_SPECKS = ".,:;'`·•・˙ "
_FIGURE_LIKE = re.compile(r"^[\doOlIi|]+(?:[.,][\doO]+)*$")
_AS_DIGIT = str.maketrans("oOlIi|", "001111")
_MID_DOTS = re.compile(r"[·•・˙`]")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SEAL_TAIL = re.compile(rf"(?<=[{_CJK}])[A-Za-z]{{1,2}}$")
_SPECK_IN_LABEL = re.compile(rf"(?<=[{_CJK}])[:.](?=[{_CJK}])")
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+|[ \u00a0]+(?=[{_CJK}])")


def _line_text(line: list[Box]) -> str:
    out = ""
    for b in line:
        # only two latin/digit runs keep a space between them (as clean_cell does)
        if out and out[-1].isascii() and out[-1].isalnum() and b.text[0].isascii() and b.text[0].isalnum():
            out += " "
        out += b.text
    return out


def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines by vertical overlap (more than half the lower box's height), in x order."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            top = max(x.y0 for x in last)
            bottom = min(x.y1 for x in last)
            overlap = min(bottom, b.y1) - max(top, b.y0)
            if overlap > 0.5 * min(b.y1 - b.y0, bottom - top):
                last.append(b)
                continue
        lines.append([b])
    return [sorted(ln, key=lambda b: b.x0) for ln in lines]


def _paragraphs(lines: list[list[Box]], width: int) -> list[tuple[float, object]]:
    """Lines outside tables joined back into paragraphs (as the PDF reader does). A line of several
    boxes far apart, most of them figures, is a row of cells printed without rules: kept as cells."""
    out: list[tuple[float, object]] = []
    right = max((ln[-1].x1 for ln in lines), default=width)
    para: list[str] = []
    para_top = 0.0
    last_short = False
    for ln in lines:
        if _is_cell_row(ln):
            if para:
                out.append((para_top, "".join(para)))
                para = []
            out.append((ln[0].y0, ln))
            last_short = True
            continue
        text = tidy(_line_text(ln), cell=False)
        if not text or _PAGE_NO.match(text):
            continue
        if para and (_STARTS_ITEM.match(text) or para[-1].endswith(_ENDS_SENTENCE) or last_short):
            out.append((para_top, "".join(para)))
            para = []
        if not para:
            para_top = ln[0].y0
        para.append(text)
        last_short = ln[-1].x1 < right - 0.04 * width
    if para:
        out.append((para_top, "".join(para)))
    return out


def _is_cell_row(line: list[Box]) -> bool:
    if len(line) < 2:
        return False
    gaps = [b.x0 - a.x1 for a, b in zip(line, line[1:])]
    height = max(b.y1 - b.y0 for b in line)
    numbers = sum(1 for b in line if _NUMERIC.match(b.text))
    return min(gaps) > 2 * height and numbers >= 1
