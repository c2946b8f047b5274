"""Page links: the report body's links made absolute (as lxml.html would, on plain elements),
the attachments it lists (parsers.vocabulary.ATTACHMENT_EXTENSIONS) and its content images."""
from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from parsers.page_tree import drop_tree, raw_text, set_attr, set_text, text_of
from parsers.vocabulary import ATTACHMENT_EXTENSIONS


_FILE_EXT = r"\.(?:" + "|".join(ATTACHMENT_EXTENSIONS) + ")"
_FILE_HREF_RE = re.compile(_FILE_EXT + r"(?:$|[?#&])", re.I)
_FILE_TEXT_RE = re.compile(_FILE_EXT + r"\b", re.I)
_ICON_RE = re.compile(r"icon|logo|qrcode|ewm|share|print|spacer|blank|arrow|bg\.|dot\.|line\.|button|btn", re.I)


def _abs(url: str | None, href: str) -> str:
    return urljoin(url, href) if url else href


class _One:
    """Lets lxml.html's iterlinks (plain Python over self.iter()) read one plain element."""
    __slots__ = ("el",)

    def __init__(self, el) -> None:
        self.el = el

    def iter(self, *_):
        return (self.el,)


# elements iterlinks can report: a superset, found in C; iterlinks itself decides
_LINKED = etree.XPath(
    "descendant-or-self::*[@*[" + " or ".join(f"name()='{a}'" for a in sorted(lxml.html.defs.link_attrs | {"style"}))
    + "] or self::object or self::meta or self::param or self::style]"
)
_BASE_HREF = etree.XPath("//base[@href]|//x:base[@href]", namespaces={"x": lxml.html.XHTML_NAMESPACE})


def make_links_absolute(root, base_url: str) -> None:
    """HtmlElement.make_links_absolute(base_url, resolve_base_href=False) for plain elements,
    same results: lxml.html's rewrite_links still applies (and drops) the page's <base href>
    first, and only the elements that carry a link are visited."""
    _rewrite_links(root, lambda href: urljoin(base_url, href))


def _rewrite_links(root, link_repl) -> None:
    base_href = None
    for b in _BASE_HREF(root):  # HtmlMixin.resolve_base_href, run by every rewrite_links
        base_href = b.get("href")
        drop_tree(b)
    if base_href:
        _rewrite_links(root, lambda href: urljoin(base_href, href))
    for one in _LINKED(root):
        for el, attrib, link, pos in lxml.html.HtmlMixin.iterlinks(_One(one)):
            new_link = link_repl(link.strip())
            if new_link == link:
                continue
            if attrib is None:
                set_text(el, "text", el.text[:pos] + new_link + el.text[pos + len(link):])
            else:
                cur = el.get(attrib)
                if not pos and len(cur) == len(link):
                    new = new_link
                else:
                    new = cur[:pos] + new_link + cur[pos + len(link):]
                set_attr(el, attrib, new)


def attachment_links(scopes: list, url: str | None) -> list[str]:
    out: list[str] = []
    for scope in scopes:
        for a in scope.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            if _FILE_HREF_RE.search(href) or ("download" in href.lower() and _FILE_TEXT_RE.search(text_of(a))):
                full = _abs(url, href)
                if full not in out:
                    out.append(full)
    return out


def attachment_scopes(body) -> list:
    """The body, plus sibling blocks after it that list 附件 (VSB and TRS put them there)."""
    scopes = [body]
    for anchor in (body, body.getparent()):
        if anchor is None:
            continue
        for sib in anchor.itersiblings():
            if isinstance(sib.tag, str):
                raw = raw_text(sib)
                if "附件" in raw:  # else not in text_of(sib) either: normalising only touches whitespace
                    text = " ".join(raw.split())
                    if "附件" in text[:40] and len(text) < 500:
                        scopes.append(sib)
    return scopes


def content_images(body, url: str | None) -> list[str]:
    out: list[str] = []
    for img in body.iter("img"):
        src = (img.get("src") or img.get("data-src") or img.get("original") or "").strip()
        if not src or src.startswith("data:") or _ICON_RE.search(src):
            continue
        if any(_small(img.get(dim)) for dim in ("width", "height")):
            continue
        full = _abs(url, src)
        if full not in out:
            out.append(full)
    return out


def _small(value: str | None) -> bool:
    m = re.match(r"\s*(\d+)", value or "")
    return m is not None and int(m[1]) < 60

