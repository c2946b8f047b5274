"""What a report's detail page is: a report in the page, a page that links its report as an
attachment, or a 图片版 page of pictures; with the page's title as the CMS prints it. The
spider decides from this which requests follow a detail page."""
from __future__ import annotations

import logging
import re

from crawler import discovery as d

log = logging.getLogger(__name__)


def classify_detail(html: str, url: str) -> tuple[str, str | None, list[str], list[str]]:
    """(status, page title, attachment urls, image urls) of a detail page, by the extraction
    stage; its verdict is trusted, and a thin body with document links counts as an attachment
    report even if the stage said ok."""
    from parsers.extract import extract_page

    try:
        ext = extract_page(html, url)
    except Exception as e:  # noqa: BLE001 - a broken page is the pipeline's to record
        log.debug("extraction failed on %s: %s", url, e)
        return "ok", None, [], []
    page_links = d.links(html, url)
    docs = d.uniq([l.url for l in page_links if d.is_attachment_url(l.url)])
    attachments = d.uniq([a for a in (ext.attachments or []) if d.is_attachment_url(a)] or
                         ([] if ext.status != "attachment" else list(ext.attachments or [])))
    title = _heading(html) or ext.title
    if ext.status == "attachment":
        return "attachment", title, attachments or docs, []
    if ext.status == "image_only":
        return "image_only", title, [], list(ext.images or [])
    body_text = d.visible_text(ext.body_html or "")
    if len(body_text) < 400 and (attachments or docs):
        return "attachment", title, attachments or docs, []
    return ext.status or "ok", title, [], list(ext.images or [])


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
