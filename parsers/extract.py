"""Extraction stage: separate a portal page's report body from its chrome.

Contract (used by parsers.report and the crawler):
    extract_page(html: str, url: str | None = None) -> Extraction
The body keeps its tables whole (rowspan/colspan intact) as HTML; metadata holds what
the chrome says about the page (publish date, source, publisher, views, 索引号 ...).
This first version is minimal; see issue 3 for the full stage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html

STATUS_OK = "ok"
STATUS_ATTACHMENT = "attachment"
STATUS_IMAGE_ONLY = "image_only"
STATUS_EMPTY = "empty"


@dataclass
class Extraction:
    status: str = STATUS_OK
    body_html: str = ""
    title: str | None = None
    metadata: dict = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    reason: str | None = None


_DATE = re.compile(r"(?:发布日期|发布时间)\s*[:：]\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def extract_page(html: str, url: str | None = None) -> Extraction:
    doc = lxml.html.fromstring(html)
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    title = (doc.findtext(".//title") or "").strip() or None
    body = doc.find("body")
    body_html = lxml.html.tostring(body if body is not None else doc, encoding="unicode")
    meta: dict = {}
    m = _DATE.search(doc.text_content())
    if m:
        meta["publish_date"] = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return Extraction(body_html=body_html, title=title, metadata=meta)
