"""gkmlpt, Guangdong's 政府信息公开目录管理平台, used by every county, department and town there.

- `/gkmlpt/index` is a JavaScript shell: `window._CONFIG = {SID: '…', TREE: [...]}`, the TREE
  being category nodes `{id, name, children, jump_url?}`.
- A category's list is JSON from `/gkmlpt/api/all/{id}?page=N&sid={SID}`:
  `{articles: [{id, title, url, date, publisher, attachment: [...]}], classify: {post_count}}`.
- A content page carries the report as HTML inside `window._CONFIG.DETAIL.content`; the
  extraction stage reads it there (parsers.shells).
"""
from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler import discovery as d
from crawler.cms.base import Family, Page, Step
from parsers.shells import json_value_at

_CONFIG = re.compile(r"window\._CONFIG\s*=\s*\{")
_SID = re.compile(r"""\bSID\s*:\s*['"]([^'"]+)['"]""")
_TREE = re.compile(r"\bTREE\s*:\s*\[")
# names of the annual-report category
REPORT_CATEGORY = re.compile(r"(信息公开|政务公开|工作)?年报|年度报告")
PER_PAGE = 100   # what the API pages by when the answer does not say


def tree(html: str) -> tuple[str | None, list]:
    """(SID, TREE) of a gkmlpt index page."""
    sid = _SID.search(html)
    m = _TREE.search(html)
    nodes = json_value_at(html, m.end() - 1) if m else None
    return (sid[1] if sid else None), (nodes if isinstance(nodes, list) else [])


def report_categories(nodes: list, path: tuple[str, ...] = ()) -> list[tuple[dict, tuple[str, ...]]]:
    """The 年报 categories in a TREE, with the names above each."""
    out = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        name = str(node.get("name") or "")
        if REPORT_CATEGORY.search(name) and not d.is_not_report(name):
            out.append((node, path))
        out += report_categories(node.get("children") or [], path + (name,))
    return out


def api_url(index_url: str, category_id, sid: str, page: int = 1) -> str:
    root = index_url.split("/gkmlpt/")[0]
    return f"{root}/gkmlpt/api/all/{category_id}?" + urlencode({"page": page, "sid": sid})


class Gkmlpt(Family):
    name = "gkmlpt"
    priority = 10

    def detect(self, page: Page) -> bool:
        return "/gkmlpt/" in urlsplit(page.url).path or bool(_CONFIG.search(page.text) and _TREE.search(page.text))

    def columns(self, page: Page) -> list[Step]:
        if page.is_json:
            return []
        sid, nodes = tree(page.text)
        out = []
        for node, _path in report_categories(nodes):
            name = str(node.get("name"))
            jump = node.get("jump_url")
            if jump:
                out.append(Step("column", urljoin(page.url, str(jump)), name=name))
            elif sid and node.get("id") is not None:
                out.append(Step("column", api_url(page.url, node["id"], sid), name=name, data={"gkmlpt": 1}))
        return out

    def _answer(self, page: Page) -> dict:
        try:
            obj = json.loads(page.text)
        except ValueError:
            return {}
        return obj if isinstance(obj, dict) else {}

    def items(self, page: Page) -> list[d.Link]:
        if not page.is_json:
            return super().items(page)
        out = []
        for art in self._answer(page).get("articles") or []:
            if not isinstance(art, dict) or not art.get("url") or not d.maybe_report_title(str(art.get("title") or "")):
                continue
            files = []
            for a in art.get("attachment") or []:
                href = a.get("url") or a.get("link") if isinstance(a, dict) else a
                if isinstance(href, str) and href:
                    files.append(urljoin(page.url, href))
            try:
                out.append(d.Link(urljoin(page.url, str(art["url"])), str(art["title"]).strip(), tuple(files)))
            except ValueError:
                continue
        return out

    def pages(self, page: Page, walk_all: bool) -> list[Step]:
        if not page.is_json:
            return []
        ans = self._answer(page)
        arts = ans.get("articles") or []
        total = (ans.get("classify") or {}).get("post_count") if isinstance(ans.get("classify"), dict) else None
        q = dict(parse_qsl(urlsplit(page.url).query))
        n = int(q.get("page") or 1)
        per = page.data.get("per") or len(arts) or PER_PAGE   # the first page's length is the page size
        last = math.ceil(total / per) if isinstance(total, int) and per else (n + 1 if arts else n)
        cat = urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[-1]
        nxt = range(n + 1, last + 1) if walk_all else range(n + 1, min(n + 1, last) + 1)
        return [Step("list", api_url(page.url, cat, q.get("sid", ""), i), page_index=i,
                     data={"gkmlpt": 1, "per": per}) for i in nxt]


FAMILY = Gkmlpt()
