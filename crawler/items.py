"""The one item type the spider yields; the pipeline validates and stores it.

kind:
  report   -- a fetched report body (HTML detail page or attachment) to parse and store
  page     -- a fetched non-report page (list, column, detail leading to attachments), kept
              for its validators and as a trace of the crawl
  failure  -- a page that could not be had: status "failed" | "blocked" | "skipped"
"""
from __future__ import annotations

import scrapy

KINDS = ("report", "page", "failure")
FAILURE_STATUSES = ("failed", "blocked", "skipped", "image_only")


class CrawlItem(scrapy.Item):
    kind = scrapy.Field()
    site_id = scrapy.Field()
    url = scrapy.Field()
    page_url = scrapy.Field()      # for attachments: the detail page linking them
    page_kind = scrapy.Field()     # for pages: "column" | "list" | "detail" | "entry" | "api"
    http_status = scrapy.Field()
    final_url = scrapy.Field()
    headers = scrapy.Field()       # dict[str, str]
    body = scrapy.Field()          # bytes
    title = scrapy.Field()         # the list/detail title the link carried
    conditional = scrapy.Field()   # the request carried validators (If-None-Match ...)
    failure = scrapy.Field()       # for failures: failed | blocked | skipped
    reason = scrapy.Field()
    fetched_at = scrapy.Field()
    organ = scrapy.Field()         # the organ of the column a page or report was listed in (from the path)
    column = scrapy.Field()        # the column's URL
    column_name = scrapy.Field()   # for column pages: the column's name
    family = scrapy.Field()        # for list pages: the CMS family that read them
    images = scrapy.Field()        # for 图片版 reports: the page's image bytes, in page order (read by OCR)
    image_urls = scrapy.Field()    # and their URLs
    site_entry = scrapy.Field()    # the site's entry page (its columns were discovered this run)

    # Not a Field: the spider's parsers.inspect_page of the page (decoded and extracted once), which
    # the pipeline's parse reuses. It holds lxml elements, so it never leaves the process: an item
    # serialised for Redis goes without it, and whoever parses it there inspects the bytes itself.
    _inspection = None

    @property
    def inspection(self):
        """The page's PageInspection when the spider made one, else None."""
        return self._inspection

    def with_inspection(self, inspection) -> "CrawlItem":
        """This item, carrying the spider's inspection of its body."""
        self._inspection = inspection
        return self
