"""Container and cleaning: which element of a page holds the report body (the CMS content
containers, the section headings, trafilatura as a last resort), and the chrome dropped from
inside it (tool bars, 索引号 blocks, info bars), whose labels feed the page's metadata."""
from __future__ import annotations

import re
from itertools import islice
from typing import Any

from lxml import etree

from parsers.page_labels import (CHROME_LINE_RE, FOOTER_RE, PROSE_CHARS, SECTION_RE, is_chrome_line,
                                 label_fields, meaningful_over, merge_metadata)
from parsers.page_tree import CELL_TAGS, DROP_TAGS, classes_of, drop, lines_of, raw_text, text_of

MIN_REPORT_CHARS = 200  # a body with less text is no report by itself (attachments, pictures …)

# Content containers of the CMS families county and town portals run on.
_CONTENT_IDS_CLASSES = (
    "ucap-content", "trs_editor", "trs_ueditor", "trs_editor_view", "vsb_content", "vsb_content_2",
    "v_news_content", "zoom", "article-content", "article_content", "articlecontent", "news_content",
    "newscontent", "art_con", "artcon", "pages_content", "xl_content", "xlcontent", "detail-content",
    "detail_content", "content_text", "wzcon", "view_content", "con_text", "contenttext", "bt_content",
)


def name_re(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, names)) + r")(?:\s|$)", re.I)


def has_name(named: tuple, names: frozenset, name_re: re.Pattern) -> bool:
    """name_re.search(name) for an entry (el, name, tokens) of named_elements: for an ASCII
    id/class string (nearly all) the same test as a lookup of its lower-cased whitespace-separated
    tokens (re.I adds no case pairs within ASCII)."""
    tokens = named[2]
    if tokens is not None:
        return not names.isdisjoint(tokens)
    return name_re.search(named[1]) is not None


_CONTENT_RE = name_re(_CONTENT_IDS_CLASSES)
_CONTENT_NAMES = frozenset(n.lower() for n in _CONTENT_IDS_CLASSES)
# Elements with an id or a class, in document order, in C: //@id/.. | //@class/.. with the
# cheaper descendant steps (a predicate on every element, //*[@id or @class], costs 3x as much)
_NAMED = etree.XPath("descendant-or-self::*/@id/.. | descendant-or-self::*/@class/..")


def named_elements(doc) -> list[tuple]:
    """(element, "id class", its lower-cased tokens or None unless ASCII) for the candidates of
    _by_selectors and _title_candidates."""
    out = []
    for el in _NAMED(doc):
        name = f"{el.get('id', '')} {el.get('class', '')}"
        out.append((el, name, name.lower().split() if name.isascii() else None))
    return out


def _by_selectors(named: list):
    """The content container, and its raw string() (which find_body reuses)."""
    cands, raws = [], []
    for entry in named:
        el = entry[0]
        if has_name(entry, _CONTENT_NAMES, _CONTENT_RE):  # its id or one of its classes is in the list
            raw = raw_text(el)
            if (raw and not raw.isspace()) or next(el.iterdescendants("img"), None) is not None:  # text or an image
                cands.append(el)
                raws.append(raw)
    if len(cands) <= 1:
        return (cands[0], raws[0]) if cands else (None, None)
    sizes = [len(" ".join(raw.split())) for raw in raws]  # len(text_of(el))
    size = max(sizes)
    best = cands[sizes.index(size)]  # the first of the largest, as max() picks it
    # nested containers (vsb_content > v_news_content): the innermost that keeps the text
    inner = [(el, raw) for el, raw, n in zip(cands, raws, sizes)
             if el is not best and best in el.iterancestors() and n >= 0.9 * size]
    return inner[-1] if inner else (best, raws[sizes.index(size)])


# Rows of the applications table read like section headings (一、本年新收…): not headings.
_TABLE_ROW_HEAD_RE = re.compile(r"本年新收|上年结转|本年度办理结果|结转下年度")


def _by_sections(doc):
    """Lowest element holding the report's section headings 一、 … (at least two different ones).

    Headings are looked for in every piece of own text (an element's text and its children's
    tails), so reports laid out with <br> inside one layout cell are found too."""
    heads, numerals = [], set()
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in DROP_TAGS:
            continue
        for seg in [el.text or ""] + [c.tail or "" for c in el]:
            m = SECTION_RE.match(seg)
            if m and not _TABLE_ROW_HEAD_RE.search(seg[:20]):
                heads.append(el)
                numerals.add(m[1])
    if len(numerals) < 2:
        return None
    return _common_ancestor(heads)


def _own_text(el) -> str:
    """Text directly in el (its text and its children's tails): where <br>-laid-out prose lives."""
    parts = [el.text or ""] + [c.tail or "" for c in el]
    return re.sub(r"\s+", " ", "".join(parts))


def _common_ancestor(els: list):
    paths = [list(reversed([e, *e.iterancestors()])) for e in els]
    common = None
    for level in zip(*paths):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    if common is not None and common.tag == "html":
        return common.find("body")  # the report sits directly in <body>; chrome is removed later
    return common


def _by_trafilatura(doc, html: str | bytes):
    """trafilatura finds the main text; map it back to the original element (its own HTML
    output loses rowspan/colspan, so it is never used as the body)."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - pinned dependency
        return None
    text = trafilatura.extract(html, include_tables=True, include_comments=False, favor_recall=True)
    if not text:
        return None
    # trafilatura renders table rows as "| a | b |": probe with cell-sized pieces
    lines = [p.strip() for ln in text.splitlines() for p in ln.split("|") if len(p.strip()) >= 8]
    # trafilatura keeps some chrome (tool bars, footers) at the ends: not probes
    lines = [ln for ln in lines if not FOOTER_RE.search(ln) and not is_chrome_line(ln)[0]]
    if not lines:
        return None
    probes = [lines[0][:20], lines[-1][:20]]
    hits = []
    for probe in probes:
        for el in doc.iter():
            if isinstance(el.tag, str) and el.tag not in DROP_TAGS and probe in _own_text(el):
                hits.append(el)
                break
    if len(hits) < 2:
        return hits[0].getparent() if hits else None
    return _common_ancestor(hits)


# --------------------------------------------------------------------------- body cleaning


def clean_body(body, meta: dict, data_tables: set | None = None, before_drop=None) -> dict:
    """Drop chrome inside the body container. Label lines above the first section feed meta;
    chrome lines inside the report (an info bar under the text) are returned separately,
    to be used only after the chrome outside the body. The data tables found (left untouched)
    are added to data_tables; before_drop() runs before anything is dropped."""
    state: dict[str, Any] = {"in_report": bool(SECTION_RE.match(body.text or "")), "late": {},
             "tables": set() if data_tables is None else data_tables, "before_drop": before_drop or _nothing}
    _clean_el(body, meta, state)
    return state["late"]


def _nothing() -> None:
    pass


def _clean_el(el, meta: dict, state: dict) -> None:
    for child in list(el):
        if not isinstance(child.tag, str):
            if isinstance(child, etree._Comment):
                state["before_drop"]()
                drop(child)
            continue
        tag = child.tag.lower()
        if tag in DROP_TAGS:
            state["before_drop"]()
            drop(child)
            continue
        if tag == "table" and not state["in_report"] and _META_BLOCK_RE.search(text_of(child)[:400]):
            for line in lines_of(child)[0]:  # the 索引号 block inside the container: metadata, not report
                merge_metadata(meta, label_fields(line))
            state["before_drop"]()
            drop(child)
            continue
        if tag == "table" and is_data_table(child):
            state["in_report"] = True  # the statistical tables: kept untouched, cell by cell
            state["tables"].add(child)
            continue
        text = text_of(child)
        if not state["in_report"] and SECTION_RE.match(text):
            state["in_report"] = True
        # cells and tables are never dropped whole (that would shift a table's grid);
        # layout tables lose their chrome rows and the chrome inside their cells
        if tag in CELL_TAGS or tag in ("table", "tbody", "thead", "tfoot") or not _is_chrome_element(child, text, meta, state):
            _clean_el(child, meta, state)
            if not state["in_report"] and meaningful_over(text, PROSE_CHARS):
                state["in_report"] = True  # reports without numbered sections: past the first paragraph
        else:
            state["before_drop"]()
            drop(child)
        if not state["in_report"] and SECTION_RE.match(child.tail or ""):
            state["in_report"] = True  # <br>-laid-out report: headings are tails


def is_data_table(table) -> bool:
    """A table of figures: no nested tables, several rows, not the 索引号 metadata block."""
    if next(table.iterdescendants("table"), None) is not None or len(list(islice(table.iterdescendants("tr"), 4))) < 4:
        return False
    return not _META_BLOCK_RE.search(text_of(table)[:400])


_META_BLOCK_RE = re.compile(r"索[ \u3000]*引[ \u3000]*号|主题分类|成文日期|发文机关")


def _is_chrome_element(el, text: str, meta: dict, state: dict) -> bool:
    if not text:
        return next(el.iterdescendants("img"), None) is None and el.tag not in ("br", "hr") and _is_widget(el)
    if len(text) > 200:
        return False
    if CHROME_LINE_RE.match(text) or (len(text) < 120 and FOOTER_RE.search(text)):
        return True
    chrome, fields = is_chrome_line(text, chrome_start=False)
    if not chrome:
        return False
    if fields and state["in_report"]:
        # one label line inside the report is report text (发布日期：… under a signature);
        # an info bar (several labels, or a counter) is chrome
        if len(fields) < 2 and "views" not in fields:
            return False
        merge_metadata(state["late"], fields)
        return True
    merge_metadata(meta, fields)
    return True


def _is_widget(el) -> bool:
    """Empty share/QR/print widgets."""
    return bool(re.search(r"share|bdshare|qrcode|ewm|print|font|zihao", classes_of(el)))


def find_body(doc, html: str | bytes, named: list, page_text) -> tuple:
    """The body element, and its raw string() when that was read on the way (else None)."""
    body, raw = _by_selectors(named)
    if body is None:
        body = _by_sections(doc)
    if body is None and meaningful_over(str(page_text), MIN_REPORT_CHARS):
        body = _by_trafilatura(doc, html)
    if body is not None and _is_footer_block(body, raw):
        return None, None  # what looked like the main block is the site footer (list pages, frames)
    return body, raw


def _is_footer_block(el, raw: str | None = None) -> bool:
    if raw is None:
        raw = raw_text(el)
    # cheapest test first (whitespace never counts, so the raw text will do): the footer regex
    # over a whole report body costs ~0.05 ms
    if meaningful_over(raw, 299):
        return False
    text = " ".join(raw.split())
    return bool(FOOTER_RE.search(text)) and not SECTION_RE.search(text)

