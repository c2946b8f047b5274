"""Extraction stage: separate a portal page's report body from its chrome.

Contract (used by parsers.report and the crawler):
    extract_page(html: str, url: str | None = None) -> Extraction
    extract_text_metadata(text: str) -> tuple[dict, str]

This module holds the entry point, the page's title and its status; the stage's other jobs live
in a module each:
    page_tree     the page as an lxml tree: parsing, text lines, edits
    page_body     container and cleaning: which element is the body, the chrome dropped from it
    page_labels   chrome labels and metadata (发布日期：…, 索引号 blocks), chrome vs prose lines
    page_links    links made absolute, attachments, content images
    text_chrome   the same for a plain-text rendering (extract_text_metadata)

How the body is found, cheapest first:
  1. the content containers real CMS templates use (TRS_Editor, UCAP-CONTENT, 大汉 #zoom,
     博达 vsb_content / v_news_content, common article classes);
  2. the lowest element holding the report's section headings (一、 … 六、);
  3. trafilatura, only to *locate* the body: its output is mapped back to the original
     element, because trafilatura rewrites tables and drops rowspan/colspan.
Metadata (publish date, source, views, the 索引号 block …) is read from the page's chrome,
i.e. the page with the report body cut out, plus label lines found above the report's
first section inside the body container; never from the report text itself.

Statuses:
    ok          the report body is there
    attachment  the body only points at PDF/DOC/DOCX/WPS/XLS(X)/ET/OFD files (see .attachments)
    image_only  the report is published as images (图片版) (see .images)
    empty       nothing to extract (no body, or a body without text, images or files)
    login_wall  the page asks for a login instead of showing the report
    js_shell    the page is a JavaScript shell whose content is filled in by scripts
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from parsers.page_body import MIN_REPORT_CHARS, clean_body, find_body, has_name, is_data_table, name_re, named_elements
from parsers.page_labels import (CHROME_TOKEN_RE, LABEL_RE, finish_metadata, label_fields, meaningful_len,
                                 meaningful_over, merge_metadata)
from parsers.page_links import attachment_links, attachment_scopes, content_images, make_links_absolute
from parsers.page_tree import classes_of, drop, lines_of, parse_html, raw_text, text_of, to_html
from parsers.sections import REPORT_TITLE_RE
from parsers.shells import unwrap_shell
from parsers.text_chrome import extract_text_metadata  # noqa: F401 - part of this module's API

STATUS_OK = "ok"
STATUS_ATTACHMENT = "attachment"
STATUS_IMAGE_ONLY = "image_only"
STATUS_EMPTY = "empty"
STATUS_LOGIN_WALL = "login_wall"
STATUS_JS_SHELL = "js_shell"


@dataclass
class Extraction:
    status: str = STATUS_OK
    title: str | None = None
    metadata: dict = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    reason: str | None = None
    # the body element itself, so the parser reads it without serialising and parsing it again
    body: object = field(default=None, repr=False, compare=False)
    _html: str | None = field(default=None, repr=False, compare=False)

    @property
    def body_html(self) -> str:
        """The body serialised (tables intact), made on first use: the parser reads `body`."""
        if self._html is None:
            self._html = to_html(self.body) if self.body is not None else ""
        return self._html


# --------------------------------------------------------------------------- page status

_LOGIN_RE = re.compile(r"请先?登录|登录后(?:查看|浏览|访问)|用户登录|统一身份认证|请输入(?:用户名|密码)")
_JS_RE = re.compile(r"JavaScript|javascript|启用脚本|开启脚本|浏览器不支持")


def _page_status(doc, scripts: int, page_text) -> tuple[str, str]:
    """Why a page without a report body is empty."""
    page_text = str(page_text)
    if doc.xpath("//input[@type='password']") or (_LOGIN_RE.search(page_text) and not meaningful_over(page_text, 299)):
        return STATUS_LOGIN_WALL, "the page asks for a login instead of showing the report"
    noscript = " ".join(text_of(n) for n in doc.iter("noscript"))
    if scripts and (_JS_RE.search(noscript) or not meaningful_over(page_text, 39)):
        return STATUS_JS_SHELL, "the page is a JavaScript shell: its content is loaded by scripts"
    return STATUS_EMPTY, "no report body on the page"

# --------------------------------------------------------------------------- title

_TITLE_NAMES = (
    "title", "bt", "tit", "article-title", "art_title", "xl_title", "news_title", "titlestyle",
    "detail-title", "content_title", "content-title", "con_title", "wz_title", "biaoti",
)
_TITLE_RE = name_re(_TITLE_NAMES)
_TITLE_NAME_SET = frozenset(n.lower() for n in _TITLE_NAMES)
_BANNER_RE = re.compile(r"logo|header|banner|top")


def _title_candidates(headings: list, named: list) -> list:
    """h1/h2 headings (all of the page's, in document order) and elements named like a title,
    in document order."""
    titled = [e[0] for e in named if e[0].tag in ("h1", "h2") or has_name(e, _TITLE_NAME_SET, _TITLE_RE)]
    bare = [h for h in headings if h.get("id") is None and h.get("class") is None]  # the rest are in named
    if not (titled and bare):
        return titled or bare
    return sorted(titled + bare, key=_document_order)


def _document_order(el) -> list[int]:
    """A sort key for document order: el's index among its siblings at every level."""
    key = []
    parent = el.getparent()
    while parent is not None:
        key.append(parent.index(el))
        el, parent = parent, parent.getparent()
    key.reverse()
    return key


def _title(doc, body, named: list, tags: "_Tags") -> str | None:
    """The heading the page shows for the report; else its meta ArticleTitle or <title>."""
    head_title = next(doc.iterdescendants("title"), None)  # doc.findtext(".//title"), in C
    raw = " ".join((head_title.text or "").split()) if head_title is not None else ""
    parts = [p.strip() for p in re.split(r"\s*(?:[-_|｜—–]+)\s*", raw) if p.strip()]
    site = _meta_content(tags.metas, "SiteName") or (parts[-1] if len(parts) > 1 else None)
    for el in _title_candidates(tags.headings, named):
        ancestors = list(el.iterancestors())
        if body is not None and (el is body or any(a is body for a in ancestors)):
            continue
        if _BANNER_RE.search(classes_of(el)) or any(_BANNER_RE.search(classes_of(a)) for a in ancestors):
            continue
        t = text_of(el)
        if 4 <= len(t) <= 120 and t != site and not CHROME_TOKEN_RE.match(t) and not LABEL_RE.search(t):
            if REPORT_TITLE_RE.search(t):
                return t
            heading = t
            break
    else:
        heading = None
    art = _meta_content(tags.metas, "ArticleTitle")
    parts = [p for p in parts if p != site]
    head_title = max(parts, key=len) if parts else (raw or None)
    if heading and not REPORT_TITLE_RE.search(heading):
        # a heading that is not the report's (the column's name, 政务公开): the page's
        # ArticleTitle or <title> when that one names the report
        for other in (art, head_title):
            if other and REPORT_TITLE_RE.search(other):
                return other
    return heading or art or head_title


def _meta_content(metas: list, name: str) -> str | None:
    for m in metas:
        if (m.get("name") or "").lower() == name.lower() and (m.get("content") or "").strip():
            return m.get("content").strip()
    return None


# --------------------------------------------------------------------------- entry point


def extract_page(html: str | bytes, url: str | None = None) -> Extraction:
    """Split a saved report page into report body, metadata, attachments and a status."""
    shell = unwrap_shell(html)   # a platform shell carrying the report as script data (gkmlpt)
    if shell is not None:
        html = shell
    doc = parse_html(html)
    if doc is None:
        return Extraction(status=STATUS_EMPTY, reason="the page is empty")
    tags = _Tags(doc)
    scripts = 0  # scripts that load or hold code: a page filled in by them may be a JS shell
    for bad in tags.drop:
        if bad.tag == "script" and (bad.get("src") is not None or _SCRIPT_HAS_CODE(bad)):
            scripts += 1
        drop(bad)
    page_text = _PageText(doc)  # the text before cleaning, for _page_status

    named = named_elements(doc)
    body, body_raw = find_body(doc, html, named, page_text)
    meta: dict = {}
    title = _title(doc, body, named, tags.after_drop(doc))
    late: dict = {}
    data_tables: set = set()  # tables clean_body judged data tables and left as they were
    if body is not None:
        late = clean_body(body, meta, data_tables, page_text.freeze)
    merge_metadata(meta, _chrome_metadata(doc, body))
    merge_metadata(meta, late)
    finish_metadata(meta)

    if body is None:
        status, reason = _page_status(doc, scripts, page_text)
        return Extraction(status=status, title=title, metadata=meta, reason=reason)
    if page_text.raw is not None:
        body_raw = None  # clean_body dropped something (it froze the page text first): read it again
    return _classify(body, doc, title, meta, url, scripts, page_text, data_tables, body_raw)


class _Tags:
    """The elements extract_page looks up by tag, from one walk over the page in C: what is
    dropped first (comments, script, style, template; the XPath //comment() would add the
    comments outside <html>, which have no parent and which drop leaves alone anyway), and the
    h1/h2 headings and <meta> elements for the title."""
    __slots__ = ("drop", "headings", "metas")

    def __init__(self, doc) -> None:
        self.drop, self.headings, self.metas = [], [], []
        for el in doc.iter(etree.Comment, "script", "style", "template", "h1", "h2", "meta"):
            tag = el.tag
            if tag == "meta":
                self.metas.append(el)
            elif tag == "h1" or tag == "h2":
                self.headings.append(el)
            else:
                self.drop.append(el)

    def after_drop(self, doc) -> "_Tags":
        """Without headings and metas that were inside a dropped <template> (the only dropped
        element that holds elements)."""
        if any(el.tag == "template" for el in self.drop):
            self.headings = [h for h in self.headings if _in_tree(h, doc)]
            self.metas = [m for m in self.metas if _in_tree(m, doc)]
        return self


def _in_tree(el, root) -> bool:
    return any(a is root for a in el.iterancestors())


_SCRIPT_HAS_CODE = etree.XPath("boolean(@src or normalize-space(text()))")


class _PageText:
    """text_of(doc) of the page as it is now, read only if a status needs it. The page's text
    changes only where _clean_el drops an element: it calls freeze() first. (The other change
    to the tree, make_links_absolute, changes no text: it rewrites attributes and <style> text,
    but every <style> is gone by then, and the tail of a dropped <base> stays where it was.)"""
    __slots__ = ("doc", "raw", "_text")

    def __init__(self, doc) -> None:
        self.doc = doc
        self.raw: str | None = None
        self._text: str | None = None

    def freeze(self) -> None:
        if self.raw is None:
            self.raw = raw_text(self.doc)

    def __str__(self) -> str:
        if self._text is None:
            self.freeze()
            self._text = " ".join((self.raw or "").split())
        return self._text



def _chrome_metadata(doc, body) -> dict:
    """Label pairs of the page outside the body, those above the body first."""
    before, after = lines_of(doc, body)
    meta: dict = {}
    for line in before + after:
        merge_metadata(meta, label_fields(line))  # most chrome lines carry no label: cheap
    return meta


def _classify(body, doc, title, meta, url, scripts, page_text, data_tables: set | frozenset = frozenset(),
              raw: str | None = None) -> Extraction:
    """raw: the body's string(), if known (links made absolute change no text)."""
    if url:
        make_links_absolute(body, url)
    attachments = attachment_links(attachment_scopes(body), url)
    if raw is None:
        raw = raw_text(body)  # whitespace never counts as meaningful: no need to normalise it yet
    result = Extraction(title=title, metadata=meta, attachments=attachments, body=body)
    if meaningful_over(raw, MIN_REPORT_CHARS - 1) or any(
        t in data_tables or is_data_table(t) for t in body.iter("table")  # figures, not a link box
    ):
        return result
    text = " ".join(raw.split())  # text_of(body)
    images = content_images(body, url)
    if attachments:
        result.status, result.reason = STATUS_ATTACHMENT, "the report is published as attached files"
    elif images:
        result.status, result.images = STATUS_IMAGE_ONLY, images
        result.reason = "the report is published as images (图片版)"
    elif not meaningful_over(text, 0):
        result.status, result.reason = _page_status(doc, scripts, page_text)
    elif _LOGIN_RE.search(text):
        result.status, result.reason = STATUS_LOGIN_WALL, "the page asks for a login instead of showing the report"
    else:
        result.status, result.reason = STATUS_EMPTY, f"the body has only {meaningful_len(text)} characters of text"
    return result
