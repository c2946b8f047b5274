"""What every CMS family module provides, and the plain data they exchange with the spider.

A family reads one fetched page (`Page`) and answers with `Link`s (report candidates) and
`Step`s (further requests: another page of the same column, a sub-column, a column a
platform shell names). Families never touch Scrapy or the database, so each is tested on
its saved pages alone (tests/files/cms/<family>/).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from crawler import discovery as d


@dataclass
class Page:
    """A fetched page as the families see it. `data` is what the request that fetched it carried
    for its family (the jcms groups still to ask, the page number of an API list …)."""
    url: str
    text: str
    data: dict = field(default_factory=dict)
    page_index: int = 0

    @cached_property
    def links(self) -> list[d.Link]:
        return d.links(self.text, self.url)

    @cached_property
    def is_json(self) -> bool:
        return self.text.lstrip()[:1] in ("{", "[")

    @cached_property
    def title(self) -> str:
        m = re.search(r"<title[^>]*>(.*?)</title>", self.text, re.S | re.I)
        return re.sub(r"\s+", " ", m[1]).strip() if m else ""

    @cached_property
    def column_name(self) -> str | None:
        """The name a CMS gives the column in its metas (大汉 ColumnName, TRS columnname …)."""
        m = re.search(r"""<meta[^>]+name=['"](?:ColumnName|columnname|column)['"][^>]+content=['"]([^'"]+)""", self.text)
        return m[1].strip() if m else None


@dataclass
class Step:
    """A request a family asks for. kind: 'list' (another page of this column), 'column' (a
    column or sub-column to list from its first page), 'explore' (a catalogue page)."""
    kind: str
    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict | None = None
    name: str | None = None          # the column's or link's name
    data: dict = field(default_factory=dict)
    page_index: int = 0


class Family:
    """Defaults shared by the families: HTML report links, no paging of its own."""
    name = "base"
    priority = 50   # lower is asked first by the registry

    def detect(self, page: Page) -> bool:
        """Is this page one of this family's list/column pages (or its platform shell)?"""
        return False

    def items(self, page: Page) -> list[d.Link]:
        """The report candidates a list page shows (titles possibly truncated)."""
        return d.report_links(page.text, page.url) if not page.is_json else []

    def pages(self, page: Page, walk_all: bool) -> list[Step]:
        """Further pages of the same column: the next one, or every one when `walk_all`."""
        return []

    def columns(self, page: Page) -> list[Step]:
        """Report columns a platform page names without linking them (gkmlpt's category tree)."""
        return []
