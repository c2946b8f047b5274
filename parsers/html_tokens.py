"""HTML (a page body or a fragment) -> tokens, tables cell by cell in document order."""
from __future__ import annotations

import lxml.html
from lxml import etree

from parsers.tokens import Token, clean_cell

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "blockquote", "pre", "center", "dd", "dt", "dl", "header", "footer", "form", "caption", "hr"}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button", "iframe"}


def from_html(html: str | etree._Element) -> list[Token]:
    root = lxml.html.fromstring(html) if isinstance(html, str) else html
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
        for tr in table.iter("tr"):
            if _nearest_table(tr) is not table:
                continue
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
                text = clean_cell(_cell_text(cell))
                self.tokens.append(Token(text, self.row, grid=True, table=True))

    def walk_children(self, el: etree._Element) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)


def _nearest_table(el: etree._Element) -> etree._Element | None:
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _cell_text(cell: etree._Element) -> str:
    parts: list[str] = []
    for node in cell.iter():
        if not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail)
            continue
        t = node.tag.lower()
        if t in _SKIP:
            if node.tail:
                parts.append(node.tail)
            continue
        if t in ("br", "p", "div") and node is not cell:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        if node is not cell and node.tail:
            parts.append(node.tail)
    return "".join(parts)
