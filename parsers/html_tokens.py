"""HTML (a page body or a fragment) -> tokens, tables cell by cell in document order."""
from __future__ import annotations

from lxml import etree

import html as html_lib
import re

from parsers.tokens import Token, Tokens, clean_cell

# most cells are CJK labels or numbers: all whitespace in them is layout (商业\n企业)
_CJK_ONLY = re.compile(r"^[\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef0-9.,“”\"()/、-]*$")
_WS = re.compile(r"[\s\u3000\xa0]+")

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "blockquote", "pre", "center", "dd", "dt", "dl", "header", "footer", "form", "caption", "hr"}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button", "iframe"}


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
_ROWS = etree.XPath("./tr|./tbody/tr|./thead/tr|./tfoot/tr")


def from_html(html: str | etree._Element) -> list[Token]:
    # plain etree elements: lxml.html's Python-level class lookup costs more than the parse itself
    root = etree.fromstring(html, _PARSER) if isinstance(html, str) else html
    if root is None:
        return []
    if not _needs_walker(root):
        return _by_xslt(root)
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.tokens


# The common case in one C-level pass: an XSLT turns the body into text where block elements
# end lines and table cells/rows/tables are marked with private-use characters. A table inside
# a table, or a script inside a cell, needs the Python walker (string value would mix them in).
def _needs_walker(root: etree._Element) -> bool:
    """A table inside a table, or any script or style (the extraction stage has removed them
    from a page body; only a raw fragment still has them): cheaper in C iteration than XPath."""
    if next(root.iter("script", "style"), None) is not None:
        return True
    return any(next(t.iterdescendants("table"), None) is not None for t in root.iter("table"))
# Unicode noncharacters as markers: no decoded page text holds them (GB18030 maps its user
# characters to the private-use area, so U+E000… could occur in real reports)
_CELL, _ROW, _TABLE_END, _TABLE = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
_XSLT = etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="{'|'.join(sorted(_SKIP))}"/>
<xsl:template match="br"><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="{'|'.join(sorted(_BLOCK))}">
<xsl:text>&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="table"><xsl:text>&#xFDD3;</xsl:text>
<xsl:for-each select="tr|tbody/tr|thead/tr|tfoot/tr">
<xsl:for-each select="td|th"><xsl:value-of select="."/><xsl:text>&#xFDD0;</xsl:text></xsl:for-each>
<xsl:text>&#xFDD1;</xsl:text></xsl:for-each><xsl:text>&#xFDD2;</xsl:text></xsl:template>
</xsl:stylesheet>"""))


def _by_xslt(root: etree._Element) -> Tokens:
    tokens: list[Token] = []
    lines: list[str] = []  # the text of each row and line, as report._join would give it
    row = 0
    for n, part in enumerate(str(_XSLT(root)).split(_TABLE)):
        if n:
            table, _, part = part.partition(_TABLE_END)
            clean = _clean if _LATIN.search(table) else None
            if clean is None:  # only CJK, digits and punctuation: every whitespace is layout
                table = _WS.sub("", table)
            for cells in table.split(_ROW)[:-1]:
                row += 1
                texts = cells.split(_CELL)[:-1]
                if clean is not None:
                    texts = list(map(clean, texts))
                tokens += [Token(c, row, True, True) for c in texts]
                lines.append("\t".join(texts))
        for line in part.split("\n"):
            line = line.strip()
            if line:
                # printable means no tab, no exotic space or break: only runs of spaces to fold
                if not line.isprintable():
                    line = clean_cell(line)
                elif "  " in line:
                    line = _SPACES.sub(" ", line)
                row += 1
                tokens.append(Token(line, row))
                lines.append(line)
    return Tokens(tokens, "\n".join([ln for ln in lines if ln and not ln.isspace()]))


_SPACES = re.compile(" {2,}")


class _Walker:
    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.buf: list[str] = []
        self.row = 0

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        for line in text.split("\n"):
            line = clean_cell(line)
            if line:
                self.row += 1
                self.tokens.append(Token(line, self.row))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP or not isinstance(el.tag, str):
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.buf.append("\n")
        elif tag in _BLOCK or tag == "tr":
            self.flush()
        self.walk_children(el)
        if tag in _BLOCK:
            self.flush()

    def table(self, table: etree._Element) -> None:
        rows = _fast_rows(table)
        if rows is not None:
            for cells in rows:
                self.row += 1
                row = self.row
                self.tokens += [Token(c, row, True, True) for c in cells]
            return
        for tr in _ROWS(table):
            self.row += 1
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                if cell.find(".//table") is not None:
                    # a layout cell holding a nested table: read the nested content in order
                    self.flush()
                    sub = _Walker()
                    sub.row = self.row
                    sub.walk_children(cell)
                    sub.flush()
                    self.tokens.extend(sub.tokens)
                    self.row = sub.row + 1
                    continue
                self.tokens.append(Token(_clean(_cell_text(cell)), self.row, grid=True, table=True))

    def walk_children(self, el: etree._Element) -> None:
        """The element's own text and its children's, in document order."""
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)


_STRING = etree.XPath("string()")
_TEXT_NO_SCRIPT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")
_BR = re.compile(r"<br\b[^>]*>|</p>|</div>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style|caption)\b.*?</\1>", re.S | re.I)
_CELL_END = re.compile(r"</t[dh]>", re.I)
_ROW_END = re.compile(r"</tr>", re.I)
_LATIN = re.compile(r"[A-Za-z]")


def _fast_rows(table: etree._Element) -> list[list[str]] | None:
    """Cell texts of a simple table by regular expressions over its serialisation: a data table
    has hundreds of cells and a Python-level walk over them costs more than parsing the page.
    Cell and row ends become separator characters, every other tag goes, and the whole table is
    cleaned in one pass. None for a table holding another table (read by the walker instead)."""
    markup = etree.tostring(table, encoding="unicode", method="html", with_tail=False)
    if markup.count("<table") > 1:
        return None
    markup = _SCRIPT.sub("", markup)
    markup = _ROW_END.sub(_ROW, _CELL_END.sub(_CELL, _BR.sub("\n", markup)))
    text = _TAG.sub("", markup)
    if "&" in text:
        text = html_lib.unescape(text)
    if _LATIN.search(text):
        clean = _clean
    else:  # only CJK, digits and punctuation: every whitespace is layout
        text = _WS.sub("", text)
        clean = None
    rows = []
    for row in text.split(_ROW)[:-1]:
        cells = row.split(_CELL)[:-1]
        rows.append([clean(c) for c in cells] if clean else cells)
    return rows


def _clean(raw: str) -> str:
    return _WS.sub("", raw) if _CJK_ONLY.match(raw) else clean_cell(raw)


def _cell_text(cell: etree._Element) -> str:
    """A cell's text in one C-level pass; line breaks inside cells only split labels anyway."""
    if cell.find(".//script") is None and cell.find(".//style") is None:
        return _STRING(cell)
    return "".join(_TEXT_NO_SCRIPT(cell))
