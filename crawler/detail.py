"""What a report's detail page is: a report in the page, a page that links its report as an
attachment, or a 图片版 page of pictures; with the page's title as the CMS prints it. The
spider decides from this which requests follow a detail page. The page is inspected once
(parsers.inspect_page): the spider classifies it by the inspection, which then travels with the
report item to the pipeline's parse."""
from __future__ import annotations

import logging
import re

from scrapy.http import TextResponse

from crawler import discovery as d
from parsers import PageInspection, inspect_page

log = logging.getLogger(__name__)


def inspect_response(response: TextResponse) -> PageInspection | None:
    """The page decoded (Scrapy's text, its encoding set by parsers' charset rules in
    CharsetMiddleware) and extracted once; it travels with the report item, so the pipeline's parse
    reuses it. None when the extraction stage fails on the page (the pipeline records why)."""
    try:
        return inspect_page(response.body, response.url, text=response.text)
    except Exception as e:  # noqa: BLE001 - a broken page is the pipeline's to record
        log.debug("extraction failed on %s: %s", response.url, e)
        return None


def classify_detail(page: PageInspection | None, html: str) -> tuple[str, str | None, list[str], list[str]]:
    """(status, page title, attachment urls, image urls) of a detail page, by its inspection (the
    extraction stage); its verdict is trusted, and a thin body with document links counts as an
    attachment report even if the stage said ok."""
    if page is None or page.extraction is None:
        return "ok", None, [], []
    url = page.url or ""
    page_links = d.links(html, url)
    docs = d.uniq([l.url for l in page_links if d.is_attachment_url(l.url)])
    attachments = d.uniq([a for a in page.attachments if d.is_attachment_url(a)] or
                         ([] if page.status != "attachment" else page.attachments))
    title = _heading(html) or page.title
    if page.status == "attachment":
        return "attachment", title, attachments or docs, []
    if page.status == "image_only":
        return "image_only", title, [], page.images
    if page.body_chars() < 400 and (attachments or docs):
        return "attachment", title, attachments or docs, []
    return page.status or "ok", title, [], page.images


_H = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.S | re.I)
_META_TITLE = re.compile(r"""<meta[^>]+name=['"]ArticleTitle['"][^>]+content=['"]([^'"]+)""", re.I)


def _heading(html: str) -> str | None:
    """The article title as CMSs print it (ArticleTitle meta, then the first report-like heading)."""
    m = _META_TITLE.search(html)
    if m:
        return m[1].strip()
    for h in _H.findall(html):
        t = re.sub(r"<[^>]+>|\s+", "", h)
        if d.is_report_title(t):
            return t
    return None
