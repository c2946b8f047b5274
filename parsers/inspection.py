"""One look at a fetched page: its bytes decoded once, by the one set of charset rules
(parsers.decode), and an HTML page extracted once (parsers.extract).

The crawler's spider classifies a detail page by its inspection and hands the inspection on with
the item; the parser then reads the report from it (parse_bytes(..., inspection=...)) instead of
decoding and extracting the same bytes again. An inspection holds lxml elements: it is not
serialised, so a page whose item crossed a process boundary is simply inspected again there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.decode import decode, sniff
from parsers.errors import ParseError
from parsers.extract import Extraction, extract_page
from parsers.page_tree import raw_text


@dataclass
class PageInspection:
    """What inspect_page saw. `kind` is sniff()'s (html, text, pdf, docx, doc) or "" when the
    bytes are no readable file (`error` says why); `text` is the decoded page (html and text);
    `extraction` the extraction stage's result (html only)."""
    data: bytes
    url: str | None
    kind: str
    text: str | None = None
    extraction: Extraction | None = None
    error: str | None = None

    def is_of(self, data: bytes, url: str | None) -> bool:
        """True when this inspection was made of these bytes at this URL (so its result holds)."""
        return url == self.url and (data is self.data or data == self.data)

    @property
    def status(self) -> str | None:
        """The extraction's status (ok, attachment, image_only …), None for a page not extracted."""
        return self.extraction.status if self.extraction is not None else None

    @property
    def title(self) -> str | None:
        return self.extraction.title if self.extraction is not None else None

    @property
    def attachments(self) -> list[str]:
        return list(self.extraction.attachments) if self.extraction is not None else []

    @property
    def images(self) -> list[str]:
        return list(self.extraction.images) if self.extraction is not None else []

    def body_chars(self) -> int:
        """Characters of the body's text, whitespace left out (0 without a body)."""
        body = self.extraction.body if self.extraction is not None else None
        return len(_SPACE.sub("", raw_text(body))) if body is not None else 0


_SPACE = re.compile(r"\s+")


def inspect_page(data: bytes, url: str | None = None, *, declared: str | None = None,
                 text: str | None = None) -> PageInspection:
    """Sniff, decode and (for HTML) extract a fetched page once. `declared` is the charset the
    server declared (Content-Type); `text` the page already decoded by the same rules (Scrapy's
    response.text once CharsetMiddleware set its encoding by parsers.decode.detect_charset),
    which is then not decoded again. Bytes that are no readable page (empty, binary, an unknown
    encoding) give an inspection whose `error` says why, not an exception."""
    try:
        kind = sniff(data)
    except ParseError as e:
        return PageInspection(data, url, "", error=str(e))
    page = PageInspection(data, url, kind)
    if kind not in ("html", "text"):
        return page
    try:
        page.text = text if text is not None else decode(data, declared)
    except ParseError as e:
        page.error = str(e)
        return page
    if kind == "html":
        page.extraction = extract_page(page.text, url)
    return page
