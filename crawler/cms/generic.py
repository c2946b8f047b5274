"""Any other list page: 下一页 / 尾页 / page-number links."""
from __future__ import annotations

import re

from crawler import discovery as d
from crawler.cms.base import Family, Page, Step

_NEXT = ("下一页", "下页", "后一页")
_NEXT_SIGNS = ("next", "Next", ">", "›", "»")
_LAST = ("尾页", "末页", "最后一页")


def pager_links(page: Page) -> tuple[list[str], list[str]]:
    """(next-page links, every page link: numbers, 尾页, next)."""
    nxt, every = [], []
    for link in page.links:
        t = link.text.strip()
        if not t or len(t) > 6 or d.is_attachment_url(link.url):
            continue
        if any(t.startswith(w) for w in _NEXT) or t in _NEXT_SIGNS:
            nxt.append(link.url)
            every.append(link.url)
        elif t in _LAST or re.fullmatch(r"\[?\d{1,4}\]?", t):
            every.append(link.url)
    return d.uniq(nxt), d.uniq(every)


class Generic(Family):
    name = "generic"
    priority = 90

    def detect(self, page: Page) -> bool:
        return True

    def pages(self, page: Page, walk_all: bool) -> list[Step]:
        nxt, every = pager_links(page)
        here = page.url.split("#")[0]
        return [Step("list", u, page_index=page.page_index + 1)
                for u in (every if walk_all else nxt) if u != here]


FAMILY = Generic()
