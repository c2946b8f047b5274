"""HTML (a page body or a fragment) -> tokens, tables cell by cell in document order."""
from __future__ import annotations

from lxml import etree

import re

from parsers.tokens import Token, clean_cell

# most cells are CJK labels or numbers: all whitespace in them is layout (商业\n企业)
_CJK_ONLY = re.compile(r"^[\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef0-9.,“”\"()/、-]*$")
_WS = re.compile(r"[\s\u3000\xa0]+")

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "blockquote", "pre", "center", "dd", "dt", "dl", "header", "footer", "form", "caption", "hr"}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button", "iframe"}


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_ROWS = etree.XPath("./tr|./tbody/tr|./thead/tr|./tfoot/tr")


def from_html(html: str | etree._Element) -> list[Token]:
    # plain etree elements: lxml.html's Python-level class lookup costs more than the parse itself
    root = etree.fromstring(html, _PARSER) if isinstance(html, str) else html
    if root is None:
        return []
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.tokens


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
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if tag in _BLOCK:
            self.flush()

    def table(self, table: etree._Element) -> None:
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
                raw = _cell_text(cell)
                text = _WS.sub("", raw) if _CJK_ONLY.match(raw) else clean_cell(raw)
                self.tokens.append(Token(text, self.row, grid=True, table=True))

    def walk_children(self, el: etree._Element) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)


_STRING = etree.XPath("string()")


def _cell_text(cell: etree._Element) -> str:
    """A cell's text in one C-level pass; line breaks inside cells only split labels anyway."""
    if cell.find(".//script") is not None or cell.find(".//style") is not None:
        for bad in cell.xpath(".//script|.//style"):
            bad.drop_tree()
    return _STRING(cell)
