"""The page as an lxml tree: parsing a decoded page, its text as lines, and the edits the
extraction makes (dropping elements, setting text lxml would refuse), all on plain etree
elements (lxml.html's Python-level element classes cost more than the parse)."""
from __future__ import annotations

import re

from lxml import etree


_BLOCK = {
    "p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "header", "footer", "nav", "dl", "dt", "dd", "form", "center", "br",
    "hr", "blockquote", "pre", "aside", "main", "caption",
}
CELL_TAGS = {"td", "th"}
_BODY_MARK = "\x00BODY\x00"
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "link", "meta")


# line break between blocks while flattening: a lone surrogate, which text decoded from libxml2's
# UTF-8 never holds (nor NUL, which _BODY_MARK uses), so text's own \r\n can be replaced at once
_LINE = "\ud800"
_LINK_ITEMS = etree.XPath("count(li[.//a])")


def _flatten(el, out: list[str], stop) -> None:
    """Text of el as lines: block elements break lines (_LINE), table cells are tab-separated.
    Text keeps its own \r and \n here; lines_of turns them into spaces."""
    if el is stop:
        out.append(_LINE + _BODY_MARK + _LINE)
    elif _is_link_list(el):
        pass  # menus and related-article lists: their dates belong to other pages
    elif isinstance(el.tag, str):
        tag = el.tag.lower()
        block = tag in _BLOCK
        if block:
            out.append(_LINE)
        if tag in CELL_TAGS:
            out.append("\t")
        if el.text and tag not in DROP_TAGS:
            out.append(el.text)
        _flatten_children(el, out, stop)
        if block:
            out.append(_LINE)
    if el.tail:
        out.append(el.tail)


def _flatten_children(el, out: list[str], stop) -> None:
    """_flatten over el's children, inlined: a function call per element cost more than the rest."""
    append = out.append
    for child in el:
        tag = child.tag
        if child is stop:
            append(_LINE + _BODY_MARK + _LINE)
        elif isinstance(tag, str) and not ((tag == "ul" or tag == "ol") and _LINK_ITEMS(child) >= 2):
            tag = tag.lower()
            text = child.text
            if tag in _BLOCK:
                append(_LINE)
                if text and tag not in DROP_TAGS:
                    append(text)
                if len(child):
                    _flatten_children(child, out, stop)
                append(_LINE)
            else:
                if tag in CELL_TAGS:
                    append("\t")
                if text and tag not in DROP_TAGS:
                    append(text)
                if len(child):
                    _flatten_children(child, out, stop)
        tail = child.tail
        if tail:
            append(tail)


def _is_link_list(el) -> bool:
    return el.tag in ("ul", "ol") and _LINK_ITEMS(el) >= 2


def lines_of(root, stop=None) -> tuple[list[str], list[str]]:
    """Non-empty text lines of root before and after the stop element."""
    out: list[str] = []
    _flatten(root, out, stop)
    before, _, after = "".join(out).replace("\r", " ").replace("\n", " ").partition(_BODY_MARK)
    clean = lambda s: [ln.strip() for ln in s.split(_LINE) if ln.strip()]  # noqa: E731
    return clean(before), clean(after)


raw_text = etree.XPath("string()", smart_strings=False)  # what HtmlElement.text_content() runs


def text_of(el) -> str:
    # str.split() splits on exactly the characters re's \s matches (Py_UNICODE_ISSPACE);
    # an element without children holds no text but its own (string() costs a context setup)
    return " ".join((el.text or "").split() if len(el) == 0 else raw_text(el).split())


def classes_of(el) -> str:
    return f"{el.get('id', '')} {el.get('class', '')}".lower()


def parse_html(page: str | bytes):
    """The page's root element (plain etree), or None for a page without elements."""
    if isinstance(page, bytes):  # decoding is the caller's job; be lenient rather than crash
        try:
            html = page.decode("utf-8")
        except UnicodeDecodeError:
            html = page.decode("gb18030", errors="replace")
    else:
        html = page
    # str input: an XML declaration makes lxml refuse it; JSP wrappers leave <% %> text.
    decl = _XML_DECL.match(html)
    if decl:
        html = html[decl.end():]
    if _has_jsp_tag(html):
        html = re.sub(r"<%.*?%>", "", html, flags=re.S)
    if not html or html.isspace():
        return None
    try:
        # plain etree elements: lxml.html's Python-level element class lookup costs more than
        # the parse itself once the page is walked a few times (same parser options otherwise)
        root = etree.fromstring(html, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root  # None for a document without elements, as lxml.html's "Document is empty"


_PARSER = etree.HTMLParser(collect_ids=False)  # no hash of id attributes: nothing looks elements up by id
_XML_DECL = re.compile(r"\s*<\?xml[^>]*\?>")


def _has_jsp_tag(html: str) -> bool:
    """"<%" in html, looked for from the rarer "%" (a search for "<%" stops at every tag and
    takes 10x as long); pages full of %-encoded links get the plain search."""
    i = html.find("%")
    for _ in range(32):
        if i == -1:
            return False
        if i and html[i - 1] == "<":
            return True
        i = html.find("%", i + 1)
    return "<%" in html



def drop(el) -> None:
    """Remove el (an element with its subtree, or a comment), keeping its tail text."""
    if el.getparent() is not None:
        drop_tree(el)


def drop_tree(el) -> None:
    """lxml.html's HtmlElement.drop_tree for plain elements: the tail joins the previous node."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            set_text(parent, "text", (parent.text or "") + el.tail)
        else:
            set_text(previous, "tail", (previous.tail or "") + el.tail)
    parent.remove(el)


# What lxml will not set from Python although libxml2's HTML parser keeps it in text and
# attributes (pages pasted from Word carry such control characters).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def set_text(el, which: str, value: str) -> None:
    """el.text or el.tail = value, without the characters lxml refuses."""
    try:
        setattr(el, which, value)
    except ValueError:
        setattr(el, which, _XML_UNSAFE.sub("", value))


def set_attr(el, name: str, value: str) -> None:
    try:
        el.set(name, value)
    except ValueError:
        el.set(name, _XML_UNSAFE.sub("", value))


_META_CONTENT_TYPE = '<meta http-equiv="Content-Type"'
_META_CONTENT_TYPE_RE = re.compile(re.escape(_META_CONTENT_TYPE) + "[^>]*>")


def to_html(el) -> str:
    """lxml.html.tostring(el, encoding="unicode", with_tail=False): libxml2's HTML serialisation
    without the Content-Type <meta> it writes (its regex only runs when there is one)."""
    html = etree.tostring(el, method="html", encoding="unicode", with_tail=False)
    return _META_CONTENT_TYPE_RE.sub("", html) if _META_CONTENT_TYPE in html else html
