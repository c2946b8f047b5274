"""parse_bytes / parse_path: any form of a report -> the official structure (see README)."""
from __future__ import annotations

import re
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from parsers import extract
from parsers.checks import complete, run_checks
from parsers.decode import decode, sniff
from parsers.errors import ParseError
from parsers.glue import resolve as resolve_glued
from parsers.inspection import PageInspection
from parsers.labels import FORMAT_2019, FORMAT_2021
from parsers.limits import check_text
from parsers.sections import (BARE_ORGAN, REPORT_TITLE_RE, SECTION_KEYS, find_headings, find_organ, find_title,
                              find_year, inline_sections, organ_from_title)
from parsers.tables import TableResult, read_active, read_applications, read_review
from parsers.tokens import Token, Tokens, from_text

if TYPE_CHECKING:
    from parsers.pdf_tokens import PdfText


def parse_path(path: str | Path) -> dict:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read: {e.strerror or e}") from None
    return parse_bytes(data, name=str(p))


def parse_bytes(data: bytes, name: str | None = None, url: str | None = None, ocr: bool | None = None,
                inspection: PageInspection | None = None) -> dict:
    """Parse one report file or page. Raises ParseError (one-line reason) for unreadable input.
    Images (PNG/JPG/GIF/BMP/TIFF) and PDFs without a text layer are read by OCR unless `ocr` is
    False (default: the NIANBAO_OCR setting, on unless it is 0). `inspection`: the page's
    inspect_page(data, url), when the caller made one: its decoded text and extraction are used
    instead of decoding and extracting the bytes again."""
    from parsers.ocr import image_kind
    if inspection is not None and not inspection.is_of(data, url):
        inspection = None
    if image_kind(data):
        return parse_images([data], ocr=ocr)
    if inspection is not None and inspection.error:
        raise ParseError(inspection.error)
    kind = inspection.kind if inspection is not None else sniff(data)
    meta: dict = {}
    title_hint = None
    page = None
    pdf: PdfText | None = None
    if kind == "pdf":
        from parsers.ocr import enabled
        from parsers.pdf_tokens import NoTextLayer, read_pdf
        try:
            pdf = read_pdf(data, name or "")
        except NoTextLayer:
            if not enabled(ocr):
                raise
            return _parse_ocr(data, "scan", {}, None)
        if pdf.scanned and enabled(ocr):
            return _parse_part_scanned(data, pdf)
        tokens = pdf.tokens()
    elif kind == "docx":
        from parsers.docx_tokens import from_docx
        tokens = from_docx(data, name or "")
    elif kind == "doc":
        from parsers.doc_tokens import from_doc
        tokens = from_doc(data, name or "")
    elif kind == "html":
        if inspection is not None and inspection.text is not None and inspection.extraction is not None:
            html, page = inspection.text, inspection.extraction
        else:
            html = decode(data)
            page = extract.extract_page(html, url)
        meta, title_hint = dict(page.metadata), page.title
        from parsers.html_tokens import from_html
        if _truncated(html):
            tokens = from_html(page.body_html or html)
            if len(find_headings(tokens)) < 6:
                raise ParseError("truncated HTML: the page ends before the report does")
        if page.status != extract.STATUS_OK:
            return _non_report(page, kind)
        tokens = from_html(page.body if page.body is not None else page.body_html)
    else:
        text = inspection.text if inspection is not None and inspection.text is not None else decode(data)
        meta, text, title_hint = _text_chrome(text)
        tokens = from_text(text)
    if kind in ("html", "text"):   # the binary forms check as they read
        check_text(sum(len(t.text) for t in tokens))
    result = build(tokens, meta, title_hint)
    result["source_type"] = "text" if kind == "text" else kind
    if pdf is not None and pdf.scanned:
        # OCR is off: say which pages went unread, so the blanks they leave are not taken for zeros
        pages = ", ".join(str(n + 1) for n in pdf.scanned)
        result["checks"].append({"rule": "pdf.scanned_pages", "ok": False,
                                 "detail": f"page(s) {pages} are scans, not read: OCR is turned off (NIANBAO_OCR=0)"})
    if page is not None:
        result["attachments"] = list(page.attachments)
    if not _is_report(result):
        raise ParseError("no report found (no title, section headings or statistical tables)")
    return result


def parse_images(images: list[bytes], title: str | None = None, url: str | None = None,
                 metadata: dict | None = None, ocr: bool | None = None) -> dict:
    """Read a report published as pictures (the images of an `image_only` page, in page order, or
    one image file) by OCR. `title` and `metadata` are the page's (its title helps find the year
    and body when the pictures lack them). Returns the parse_bytes structure with source_type
    `image`, each OCR'd cell's `raw` text and `confidence`, and the report's `ocr_confidence`.
    ParseError when OCR is turned off, an image is unreadable, or no report is found."""
    from parsers.ocr import enabled
    if not enabled(ocr):
        raise ParseError("image report not read: OCR is turned off (NIANBAO_OCR=0)")
    if not images:
        raise ParseError("no images to read")
    return _parse_ocr(list(images), "image", dict(metadata or {}), title)


def _parse_ocr(data: bytes | list[bytes], source_type: str, meta: dict, title_hint: str | None) -> dict:
    from parsers.ocr import load_images, read_page, render_pdf
    from parsers.ocr_report import finish
    from parsers.ocr_tables import tokens_of
    if isinstance(data, bytes):
        images = render_pdf(data)
    else:
        images = [im for blob in data for im in load_images(blob)]
    pages = [read_page(im) for im in images]
    if not any(p.boxes for p in pages):
        if source_type == "scan":
            raise ParseError(f"PDF has no text layer, and OCR found no text on its {len(pages)} page(s)")
        raise ParseError(f"no text found by OCR on {len(pages)} page image(s)")
    result = finish(build(tokens_of(pages), meta, title_hint), pages)
    result["source_type"] = source_type
    if not _is_report(result):
        raise ParseError("no report found by OCR (no title, section headings or statistical tables)")
    return result


def _parse_part_scanned(data: bytes, pdf: PdfText) -> dict:
    """A PDF with a text layer on some pages and scans on others (often the table pages, signed
    and stamped): the scanned pages are read by OCR and put in their place among the others.
    Cells read by OCR carry their raw text and confidence, as in a scan; the report's
    ocr_confidence and ocr_pages are those of the scanned pages."""
    from parsers.ocr import read_page, render_pdf
    from parsers.ocr_report import finish
    from parsers.ocr_tables import tokens_of
    read = dict(zip(pdf.scanned, (read_page(im) for im in render_pdf(data, pdf.scanned))))
    tokens: list[Token] = []
    for n, page_tokens in enumerate(pdf.pages):
        part = list(tokens_of([read[n]])) if n in read else page_tokens
        if not part:
            continue
        # row numbers run on across the pages (a table continued on the next page continues)
        shift = (tokens[-1].row if tokens else 0) + 1 - part[0].row
        tokens.extend(Token(t.text, t.row + shift, t.grid, t.table) for t in part)
    result = finish(build(tokens, {}, None), list(read.values()))
    result["source_type"] = "pdf"
    if not _is_report(result):
        raise ParseError("no report found (no title, section headings or statistical tables)")
    return result


def _truncated(html: str) -> bool:
    return _END_TAG.search(html, max(0, len(html) - 2048)) is None


_END_TAG = re.compile(r"</(?:html|body)>", re.I)


def _text_chrome(text: str) -> tuple[dict, str, str | None]:
    """Chrome of a text rendering (publish date, views ...) and an archive's 标题: header line."""
    title = None
    m = re.search(r"^\s*标题\s*[:：]\s*(.+)$", text[:2000], re.M)
    if m:
        title = m.group(1).strip()
    meta, body = extract.extract_text_metadata(text)
    return meta, body, title or meta.pop("title", None)


def _non_report(page: extract.Extraction, kind: str) -> dict:
    """A page that is not itself the report: an attachment link, images only, or nothing."""
    title = page.title or ""
    # the title still tells the year and often the body, which an image-only report row needs
    organ = organ_from_title(title)
    return {"title": title, "organ": "" if BARE_ORGAN.match(organ) else organ,
            "year": find_year(title, "") if title else None, "format": "unknown",
            "metadata": _metadata(page.metadata), "sections": {k: "" for k in SECTION_KEYS},
            "tables": {}, "checks": [], "cells": [], "text": "", "source_type": kind,
            "status": page.status, "reason": page.reason, "attachments": list(page.attachments),
            "images": list(page.images)}


def _metadata(meta: dict) -> dict:
    out = {"publish_date": meta.get("publish_date"), "source": meta.get("source"),
           "publisher": meta.get("publisher"), "views": meta.get("views")}
    out.update({k: v for k, v in meta.items() if k not in out})
    return out


def build(tokens: list[Token], meta: dict, title_hint: str | None = None) -> dict:
    """The structure of a report from its token stream."""
    heads = find_headings(tokens)
    first = heads.get("overview", min(heads.values(), default=min(len(tokens), 40)))
    title = find_title(tokens, max(first, 1) + 1) or (title_hint if title_hint and REPORT_TITLE_RE.search(title_hint) else None)
    text = tokens.text if isinstance(tokens, Tokens) and tokens.text is not None else _join(tokens)
    year = find_year(title, text)

    res = TableResult()
    order = [heads.get(k) for k in SECTION_KEYS]
    end = len(tokens)

    def span(key: str) -> tuple[int, int]:
        n = SECTION_KEYS.index(key)
        first = order[n]
        start = first if first is not None else 0
        stop = next((x for x in order[n + 1:] if x is not None and x > start), end)
        return start, stop

    read_active(tokens, *span("active_disclosure"), res)
    read_applications(tokens, *span("applications"), res)
    if heads.get("review_litigation") is not None:
        read_review(tokens, *span("review_litigation"), res)
    notes = resolve_glued(res, text) + complete(res)
    checks = run_checks(res) + notes

    fmt = _format(res, year)
    if fmt in ("2019", "2021") and "applications" not in res.found:
        checks.append({"rule": "tables.found", "ok": False, "detail": "the applications table (三) was not found"})
    sections = _sections(tokens, heads, res.used, text)
    hints = [meta.get(k) for k in ("issuing_organ", "source")]
    organ = find_organ(title, tokens, text, [h for h in hints if isinstance(h, str)])

    cells = list(res.cells.values())
    out = {"title": title or "", "organ": organ, "year": year, "format": fmt, "metadata": _metadata(meta),
           "sections": sections, "tables": res.tables, "checks": checks, "cells": cells,
           "text": text, "status": "parsed", "attachments": [], "images": []}
    if fmt == "legacy":
        from parsers.legacy import legacy_figures
        out["legacy_figures"] = legacy_figures(text)
    return out


def _format(res: TableResult, year: int | None) -> str:
    # the format markers are rows of any table and columns of the active-disclosure table
    keys = {r for _, r in res.rows} | {c for t, _, c in res.cells if t == "active_disclosure"}
    n21, n19 = len(keys & FORMAT_2021), len(keys & FORMAT_2019)
    if n21 or n19:
        return "2021" if n21 >= n19 else "2019"
    if year is None:
        return "unknown"
    if year < 2019:
        return "legacy"
    return "2021" if year >= 2021 else "2019"


def _join(tokens: list[Token]) -> str:
    """Text of tokens: the cells of one row joined by tabs, one row a line."""
    lines = ["\t".join([t.text for t in row]) for _, row in groupby(tokens, _ROW_OF)]
    return "\n".join([ln for ln in lines if ln and not ln.isspace()])


_ROW_OF = attrgetter("row")


def _sections(tokens: list[Token], heads: dict[str, int], used: set[int], text: str) -> dict[str, str]:
    if len(heads) < 3:
        inline = inline_sections(text)
        if sum(1 for v in inline.values() if v) >= 3:
            return inline
    out = {}
    marks = sorted((i, k) for k, i in heads.items())
    for n, (i, key) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(tokens)
        body = [tokens[j] for j in range(i, stop) if j not in used]
        out[key] = _join(body)
    return {k: out.get(k, "") for k in SECTION_KEYS}


def _is_report(result: dict) -> bool:
    return bool(result["tables"] or (result["year"] and (result["title"] or any(result["sections"].values()))))
