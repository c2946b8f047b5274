"""List pages filled from JavaScript by a search API (TRS `/common/search/…`, `was5/web/search`,
`…/api/…list`, `.json` feeds): the page's script names the endpoint; its JSON answer is read
for every object that has a title-like and a URL-like key."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler import discovery as d
from crawler.cms.base import Family, Page, Step

_API_URL = re.compile(
    r"""['"]((?:https?://[^'"\s/]+)?(?:\.{0,2}/)?[^'"\s]*?"""
    r"""(?:was5/web/search|common/search/|searchapi|api/[^'"\s]*list|\.json)[^'"\s]*)['"]""",
    re.I)
_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_TITLE_KEYS = ("title", "Title", "DOCTITLE", "doctitle", "name")
_URL_KEYS = ("url", "URL", "link", "DOCPUBURL", "docpuburl", "href", "pubUrl")
_PAGES_KEYS = ("pageCount", "totalPage", "totalPages", "pages", "pagecount")
_PAGE_PARAMS = ("page", "pageno", "pagenum", "_page", "pageindex", "curpage")
MAX_API_PAGES = 500


def api_urls(html: str, url: str) -> list[str]:
    """Search-API endpoints a list page's inline scripts fetch its items from."""
    out = []
    for script in _SCRIPT.findall(html):
        for m in _API_URL.finditer(script):
            try:
                out.append(urljoin(url, m[1]))
            except ValueError:
                continue
    return d.uniq(out)


def api_items(data: bytes | str, url: str) -> tuple[list[d.Link], int | None]:
    """(items, page count) from a JSON search-API answer of any common shape."""
    try:
        obj = json.loads(data)
    except (ValueError, TypeError):
        return [], None
    items: list[d.Link] = []
    pages: list[int] = []
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, dict):
            title = next((o[k] for k in _TITLE_KEYS if isinstance(o.get(k), str)), None)
            link = next((o[k] for k in _URL_KEYS if isinstance(o.get(k), str)), None)
            if title and link:
                try:
                    items.append(d.Link(urljoin(url, link), re.sub(r"<[^>]+>", "", title).strip()))
                except ValueError:
                    pass
            pages += [o[k] for k in _PAGES_KEYS if isinstance(o.get(k), int)]
            stack.extend(reversed(list(o.values())))
        elif isinstance(o, list):
            stack.extend(reversed(o))
    return items, (max(pages) if pages else None)


def api_page_url(url: str, page: int) -> str:
    """The same API URL asking for another page (page= / pageNo= / _page= parameter)."""
    parts = urlsplit(url)
    q = parse_qsl(parts.query, keep_blank_values=True)
    keys = [k for k, _ in q if k.lower() in _PAGE_PARAMS]
    key = keys[0] if keys else "page"
    q = [(k, v) for k, v in q if k != key] + [(key, str(page))]
    return urlunsplit(parts._replace(query=urlencode(q)))


class SearchApi(Family):
    name = "searchapi"
    priority = 35

    def detect(self, page: Page) -> bool:
        return bool(page.data.get("api_page")) or (not page.is_json and bool(api_urls(page.text, page.url)))

    def items(self, page: Page) -> list[d.Link]:
        if page.is_json:
            return [i for i in api_items(page.text, page.url)[0] if d.maybe_report_title(i.text)]
        return super().items(page)

    def pages(self, page: Page, walk_all: bool) -> list[Step]:
        n = page.data.get("api_page")
        if not n:   # the HTML page: its endpoints, first page
            return [Step("list", u, page_index=1, data={"api_page": 1}) for u in api_urls(page.text, page.url)]
        items, count = api_items(page.text, page.url)
        more = (n < count) if count else bool(items)
        if not more or n >= MAX_API_PAGES:
            return []
        return [Step("list", api_page_url(page.url, n + 1), page_index=n + 1, data={"api_page": n + 1})]


FAMILY = SearchApi()
