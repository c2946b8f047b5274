"""大汉 Hanweb jcms: /col/col<id>/index.html embeds the first records in a <datastore>; the rest
come from POSTs to /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage= with the
column's form fields.

The total is printed as <totalrecord>N</totalrecord>, `var totalRecord = N`, a config object
(`totalRecord: N`), or not at all. Without a total the next group is asked until an answer
brings no record not seen before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler import discovery as d
from crawler.cms.base import Family, Page, Step

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = (re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I),
          re.compile(r"""\btotal_?record\s*[:=]\s*['"]?(\d+)""", re.I))
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_PERPAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)", re.I)
_COLID = re.compile(r"/col/col(\d+)/")
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
PROXY_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
                "webname", "permissiontype")
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "X-Requested-With": "XMLHttpRequest"}
MAX_PROBES = 200   # groups asked without a printed total, at the most


@dataclass
class Datastore:
    records_html: str
    embedded: int
    total: int | None
    perpage: int
    form: dict = field(default_factory=dict)
    record_urls: list[str] = field(default_factory=list)


def datastore(text: str, url: str) -> Datastore | None:
    """The embedded <datastore> of a jcms column page (or a dataproxy answer)."""
    m = _DATASTORE.search(text)
    if not m:
        return None
    block = m[1]
    records = _RECORD.findall(block)
    total = next((int(t[1]) for rx in _TOTAL if (t := rx.search(text))), None)
    perpage = _PERPAGE.search(text)
    form: dict[str, str] = {}
    ng = _NEXTGROUP.search(block)
    if ng:
        href = re.search(r"href\s*=\s*['\"]([^'\"]+)", ng[1])
        if href:
            form.update({k: v for k, v in parse_qsl(urlsplit(href[1].replace("&amp;", "&")).query) if k in PROXY_FIELDS})
    # jcms pages also carry the proxy parameters in their own script
    for key in PROXY_FIELDS:
        if key not in form:
            m2 = re.search(rf"['\"]?\b{key}['\"]?\s*[:=]\s*['\"]?([^'\",&\s}}<]+)", text)
            if m2:
                form[key] = m2[1]
    col = _COLID.search(url)
    if col:
        form.setdefault("columnid", col[1])
    for key, default in (("col", "1"), ("appid", "1"), ("path", "/"), ("permissiontype", "0")):
        form.setdefault(key, default)
    html = "\n".join(records)
    urls = [link.url for link in d.links(html, url)] if html else []
    return Datastore(html, len(records), total, int(perpage[1]) if perpage else 15, form, urls)


def _group(start: int, end: int, perpage: int, url: str, form: dict) -> Step:
    q = urlencode({"startrecord": start, "endrecord": end, "perpage": perpage})
    return Step("list", urljoin(url, f"{PROXY_PATH}?{q}"), method="POST", body=urlencode(form),
                headers=dict(FORM_HEADERS), page_index=1)


def proxy_groups(ds: Datastore, url: str) -> list[Step]:
    """The dataproxy POSTs for the records after the embedded ones, when the total is known.
    jcms answers in groups as large as the embedded block (commonly three pages)."""
    if not ds.total or ds.total <= ds.embedded or ds.embedded == 0:
        return []
    out, start = [], ds.embedded + 1
    while start <= ds.total:
        end = min(start + ds.embedded - 1, ds.total)
        out.append(_group(start, end, ds.perpage, url, ds.form))
        start = end + 1
    return out


class Hanweb(Family):
    name = "hanweb"
    priority = 20

    def detect(self, page: Page) -> bool:
        return "<datastore>" in page.text.lower() or PROXY_PATH in page.url

    def items(self, page: Page) -> list[d.Link]:
        out = super().items(page)
        ds = datastore(page.text, page.url)
        if ds is not None and ds.records_html:
            out += d.report_links(ds.records_html, page.url)
        return out

    def pages(self, page: Page, walk_all: bool) -> list[Step]:
        ds = datastore(page.text, page.url)
        if ds is None:
            return []
        data = page.data
        if PROXY_PATH not in page.url:                  # the column page itself
            groups = proxy_groups(ds, page.url)
            if groups:
                first, rest = (groups, []) if walk_all else (groups[:1], groups[1:])
                for g in first:
                    g.data = {"rest": [] if walk_all else [(s.url, s.body) for s in rest]}
                return first
            if ds.total is None and ds.embedded:
                # no total printed anywhere: ask the next group, then the next, until nothing new
                step = _group(ds.embedded + 1, 2 * ds.embedded, ds.perpage, page.url, ds.form)
                step.data = {"probe": {"size": ds.embedded, "perpage": ds.perpage, "n": 1, "body": step.body,
                                       "seen": sorted(ds.record_urls)}}
                return [step]
            return []
        if "probe" in data:                               # an answer to a probing group
            probe = data["probe"]
            new = set(ds.record_urls) - set(probe["seen"])
            if not new or probe["n"] >= MAX_PROBES:
                return []
            q = dict(parse_qsl(urlsplit(page.url).query))
            start = int(q.get("endrecord", 0)) + 1
            step = _group(start, start + probe["size"] - 1, probe["perpage"], page.url, {})
            step.body = probe["body"]     # the answer carries no form fields: the column page's
            step.data = {"probe": {**probe, "n": probe["n"] + 1, "seen": sorted(set(probe["seen"]) | new)}}
            return [step]
        rest = data.get("rest") or []
        if rest:
            url, body = rest[0]
            return [Step("list", url, method="POST", body=body, headers=dict(FORM_HEADERS), page_index=1,
                         data={"rest": rest[1:]})]
        return []


FAMILY = Hanweb()
