"""PDF with a text layer -> tokens (pdfplumber): tables as grid rows, the rest as paragraphs.

Tables that continue across pages simply continue the row sequence; page numbers are dropped;
wrapped lines are joined back into paragraphs so section texts read as the report does.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
import re
from typing import Any

from parsers.errors import ParseError
from parsers.limits import check_pdf_pages, check_text
from parsers.runon import label_cells
from parsers.tokens import Token, clean_cell, row_cells

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+|[ \u00a0]+(?=[{_CJK}])")
_PAGE_NO = re.compile(r"^[-－—–\s]*(?:第\s*)?\d{1,3}\s*(?:页)?(?:\s*/\s*\d+|\s*共\s*\d+\s*页)?[-－—–\s]*$")
_STARTS_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．])")
_ENDS_SENTENCE = tuple("。；;：:！!？?")


def fix_spacing(text: str) -> str:
    """pdfminer puts spaces around digits and between spaced-out CJK characters; drop them."""
    return _SPACE_NEAR_CJK.sub("", text)


_NUMBER = re.compile(r"^\s*[-+]?\d[\d,.]*\s*$")


def _is_data_table(rows: list[list]) -> bool:
    """A framed text box comes out of find_tables too: keep only grids that hold figures."""
    numbers = sum(1 for r in rows for c in r if c and _NUMBER.match(c))
    widest = max((sum(c is not None for c in r) for r in rows), default=0)
    return widest > 1 and numbers >= 2


class NoTextLayer(ParseError):
    """A PDF whose pages hold no text to read (a scan): the OCR stage reads it instead."""


@dataclass
class PdfText:
    """What a PDF's text layer holds: each page's tokens, and the pages that are pictures of
    text (no text of their own, a picture over most of the page: a partly scanned report, as
    when the signed and stamped table pages were printed, scanned and put back in)."""
    pages: list[list[Token]]
    scanned: list[int]           # 0-based page numbers

    def tokens(self) -> list[Token]:
        """Every page's tokens in reading order."""
        return [t for page in self.pages for t in page]


def from_pdf(data: bytes, name: str) -> list[Token]:
    """The tokens of a PDF's text layer (NoTextLayer when it has none: a scan)."""
    return read_pdf(data, name).tokens()


def read_pdf(data: bytes, name: str) -> PdfText:
    """A PDF's text layer page by page, with the pages that are scans (see PdfText).
    ParseError when the PDF cannot be read; NoTextLayer when no page has text."""
    import pdfplumber  # heavy import: only for PDFs

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings on odd PDFs are noise here
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:  # pdfminer raises many types for damaged files
        raise ParseError(f"not a readable PDF ({type(e).__name__})") from None
    try:
        check_pdf_pages(_declared_pages(pdf))   # before pdfplumber makes an object per page
    except ParseError:
        pdf.stream.close()                      # pdf.close() would make them all, to flush them
        raise
    try:
        read, chars = _read_pages(pdf)
    except ParseError:
        raise
    except Exception as e:  # a damaged page (bad font dictionary, unknown filter ...)
        raise ParseError(f"not a readable PDF ({type(e).__name__}: {str(e)[:80]})") from None
    finally:
        try:
            pdf.close()
        except Exception:  # noqa: S110 - closing walks the pages again, and a damaged one raises again
            pass
    if chars < 20:
        raise NoTextLayer("PDF has no text layer (scanned images?)")
    return read


def _declared_pages(pdf) -> int:
    """The page count the PDF's page tree declares (0 when it cannot be read: the pages are
    then counted as they are read)."""
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # noqa: BLE001 - a damaged catalog: _read_pages counts instead
        return 0


def _read_pages(pdf) -> tuple[PdfText, int]:
    """Tokens of every page in reading order, and how many characters of text the PDF has."""
    out = PdfText([], [])
    row = 0
    chars = 0
    for number, page in enumerate(pdf.pages, start=1):
        check_pdf_pages(number)
        tokens: list[Token] = []
        out.pages.append(tokens)
        before = chars
        tables = [t for t in page.find_tables() if _is_data_table(t.extract())]
        boxes = [t.bbox for t in tables]
        items: list[tuple[float, str, Any]] = []  # (top, table | para, its rows or text)
        for t in tables:
            items.append((t.bbox[1], "table", t.extract()))

        def outside(obj: dict, boxes=boxes) -> bool:
            cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

        rest = page.filter(outside) if boxes else page
        lines = rest.extract_text_lines(return_chars=False)
        chars += sum(len(ln["text"]) for ln in lines) + sum(len(str(r)) for t in tables for r in t.extract())
        check_text(chars, "PDF")     # page by page: a PDF of endless text stops here
        right = max((ln["x1"] for ln in lines), default=page.width)
        para: list[str] = []
        para_top = 0.0
        last_short = False
        for n, ln in enumerate(lines):
            text = fix_spacing(ln["text"].strip())
            # a page number sits in the page's first or last lines; a lone number elsewhere is
            # a table value printed on a line of its own (a torn row)
            if not text or (_PAGE_NO.match(text) and (n < 2 or n >= len(lines) - 2 or not text.strip(" -－—–").isdigit())):
                continue
            if para and (_STARTS_ITEM.match(text) or para[-1].endswith(_ENDS_SENTENCE) or last_short):
                items.append((para_top, "para", "".join(para)))
                para = []
            if not para:
                para_top = ln["top"]
            para.append(text)
            last_short = ln["x1"] < right - 24  # the line stops well before the margin: paragraph end
        if para:
            items.append((para_top, "para", "".join(para)))
        items.sort(key=lambda it: it[0])
        for _, kind, content in items:
            row += 1
            if kind == "para":
                cells = (row_cells(content) or label_cells(content)) if len(content) <= 120 else None
                if cells:  # a table row of a PDF without ruling lines: label and values
                    tokens.extend(Token(c, row, table=True) for c in cells)
                else:
                    tokens.append(Token(content, row))
                continue
            for table_row in content:
                row += 1
                for c in table_row:
                    if c is None:  # covered by a merged cell
                        continue
                    tokens.append(Token(fix_spacing(clean_cell(c)), row, grid=True, table=True))
        if chars - before < 20 and _mostly_picture(page):
            out.scanned.append(number - 1)
    return out, chars


def _mostly_picture(page) -> bool:
    """Pictures cover at least half of the page (a scanned page; a logo or a seal does not)."""
    area = sum(max(0.0, float(im["x1"]) - float(im["x0"])) * max(0.0, float(im["bottom"]) - float(im["top"]))
               for im in page.images)
    return area >= 0.5 * float(page.width) * float(page.height)
