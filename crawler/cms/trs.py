"""TRS WCM: static list pages index.html, index_1.html … announced only by a script,
`createPageHTML(count, current, "index", "html")` or `var countPage = N`."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.cms.base import Family, Page, Step

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")


def page_urls(html: str, url: str) -> list[str]:
    """Every page of a TRS column, first to last (empty when the page announces none)."""
    m = _CREATE_PAGE.search(html)
    if m:
        count, prefix, ext = int(m[1]), m[3], m[4]
    else:
        m = _COUNT_PAGE.search(html)
        if not m:
            return []
        count = int(m[1])
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        stem, _, ext = name.partition(".")
        prefix = re.sub(r"_\d+$", "", stem) or "index"
        ext = ext or "html"
    return [urljoin(url, f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}") for i in range(count)]


def _canon(url: str) -> str:
    return re.sub(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", "/", url.split("#")[0])


class Trs(Family):
    name = "trs"
    priority = 30

    def detect(self, page: Page) -> bool:
        return not page.is_json and bool(_CREATE_PAGE.search(page.text) or _COUNT_PAGE.search(page.text))

    def pages(self, page: Page, walk_all: bool) -> list[Step]:
        urls = page_urls(page.text, page.url)
        here = [i for i, u in enumerate(urls) if _canon(u) == _canon(page.url)]
        idx = here[0] if here else page.page_index
        nxt = urls[idx + 1:] if walk_all else urls[idx + 1: idx + 2]
        return [Step("list", u, page_index=i) for i, u in enumerate(nxt, start=idx + 1)]


FAMILY = Trs()
