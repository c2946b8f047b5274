"""The `reports` spider: sites file -> report columns -> list pages -> report pages/attachments.

Request generation only: everything fetched leaves as a CrawlItem; parsing and storing
happen in crawler.pipelines, so a Redis scheduler/pipeline can replace either side.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler import discovery as d
from crawler.items import CrawlItem
from crawler.middlewares import Blocked, OffSite, Undecodable
from crawler.sitesfile import load_sites
from crawler.state import CrawlState

log = logging.getLogger(__name__)

DETAIL_PRIORITY = 10       # reports before further list pages: a killed run has stored more
ATTACHMENT_PRIORITY = 20


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _canon(url: str) -> str:
    """Column URLs compare equal with and without their index page."""
    url = url.split("#")[0]
    return re.sub(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", "/", url)


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def parse_years(spec: str | None) -> tuple[int, int] | None:
    """'2019-2024' or '2021' -> (first, last)."""
    if not spec:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", str(spec))
    if not m:
        raise ValueError(f"--years must look like 2019-2024, not {spec!r}")
    first, last = int(m[1]), int(m[2] or m[1])
    if first > last:
        first, last = last, first
    return first, last


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
    docs = d._uniq([l.url for l in page_links if d.is_attachment_url(l.url)])
    attachments = d._uniq([a for a in (ext.attachments or []) if d.is_attachment_url(a)] or
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


class ReportsSpider(scrapy.Spider):
    name = "reports"
    custom_settings: dict = {}

    def __init__(self, sites: str | None = None, mode: str | None = None, years: str | None = None,
                 revalidate: str | bool | None = None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sites_arg, self._mode_arg, self._years_arg, self._reval_arg = sites, mode, years, revalidate

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._setup(crawler.settings)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _setup(self, settings) -> None:
        self.mode = (self._mode_arg or settings.get("NIANBAO_MODE") or "nightly").lower()
        if self.mode not in ("nightly", "backfill"):
            raise ValueError(f"mode must be nightly or backfill, not {self.mode!r}")
        self.years = parse_years(self._years_arg or settings.get("NIANBAO_YEARS"))
        reval = self._reval_arg if self._reval_arg is not None else settings.getbool("NIANBAO_REVALIDATE")
        self.revalidate = str(reval).lower() in ("1", "true", "yes", "on")
        self.sites = load_sites(self._sites_arg or settings.get("NIANBAO_SITES"))
        self.max_depth = settings.getint("NIANBAO_MAX_DISCOVERY_DEPTH", 2)
        self.max_list_pages = settings.getint("NIANBAO_MAX_LIST_PAGES", 200)
        # host rules: only the hosts the sites file names (host:port), nothing else, ever
        self.allowed_netlocs = {s["netloc"] for s in self.sites}
        self.allowed_domains = sorted({urlsplit(s["url"]).hostname for s in self.sites})
        self.blocked_netlocs: set[str] = set()
        from storage import Store

        self.store = Store(settings.get("NIANBAO_DB"))
        self.state = CrawlState(settings.get("NIANBAO_DB"), self.store)
        ids = self.store.upsert_sites([{k: v for k, v in s.items() if k != "netloc"} for s in self.sites])
        for site, sid in zip(self.sites, ids):
            site["id"] = str(sid)
        self.by_id = {s["id"]: s for s in self.sites}
        self.known: dict[str, set[str]] = {}
        self.pending: dict[str, int] = defaultdict(int)
        self.list_pages: dict[str, int] = defaultdict(int)
        self.listed: dict[str, int] = defaultdict(int)   # successful list/column pages per site
        self.outcome: dict[str, str] = {}                # site id -> failed | blocked (ok otherwise)
        self.site_reason: dict[str, str] = {}
        self.done: set[str] = set()
        self.errors = 0

    # --- bookkeeping ------------------------------------------------------------------

    def _req(self, url: str, site: dict, callback, *, method: str = "GET", body=None,
             headers: dict | None = None, priority: int = 0, **meta) -> Request:
        meta = {"site_id": site["id"], "download_slot": site["netloc"], **meta}
        # per host:port politeness; Scrapy's default slot is the bare host name
        meta["download_slot"] = urlsplit(url).netloc.lower() or site["netloc"]
        meta.setdefault("handle_httpstatus_list", [304])
        self.pending[site["id"]] += 1
        return Request(url, callback=callback, errback=self.on_error, method=method, body=body,
                       headers=headers, priority=priority, meta=meta)

    def _settle(self, site_id: str) -> None:
        self.pending[site_id] -= 1
        if self.pending[site_id] <= 0 and site_id not in self.done:
            self.done.add(site_id)
            if not self.listed[site_id] and site_id not in self.outcome:
                self.outcome[site_id] = "failed"

    def _dropped(self, request: Request, spider=None) -> None:
        sid = request.meta.get("site_id")
        if sid:
            self._settle(sid)

    def _closed(self, spider=None, reason=None) -> None:
        for sid in self.by_id:
            if not self.listed[sid] and sid not in self.outcome:
                self.outcome[sid] = "failed"
        self.state.close()

    # per-site counters and outcome: methods, so a distributed worker can keep them in Redis
    def _count_listed(self, site_id: str) -> None:
        self.listed[site_id] += 1

    def _count_list_page(self, site_id: str) -> int:
        """Count a list page of the site; returns how many so far (the guard against endless pagers)."""
        self._count_listed(site_id)
        self.list_pages[site_id] += 1
        return self.list_pages[site_id]

    def _site_problem(self, site_id: str, status: str, reason: str) -> None:
        """A failed or blocked fetch: a blocked host blocks the site; the first reason is kept."""
        if status == "blocked":
            self.outcome[site_id] = "blocked"
        self.site_reason.setdefault(site_id, reason)

    def site_counts(self) -> dict[str, int]:
        failed = sum(1 for v in self.outcome.values() if v == "failed")
        blocked = sum(1 for v in self.outcome.values() if v == "blocked")
        return {"sites_total": len(self.sites), "sites_done": len(self.done),
                "sites_ok": len(self.sites) - failed - blocked, "sites_failed": failed, "sites_blocked": blocked}

    def _known(self, site_id: str) -> set[str]:
        if site_id not in self.known:
            self.known[site_id] = self.state.known_urls(site_id)
        return self.known[site_id]

    def _conditional(self, url: str) -> dict:
        v = self.store.page_validators(url) or {}
        h = {}
        if v.get("etag"):
            h["If-None-Match"] = v["etag"]
        if v.get("last_modified"):
            h["If-Modified-Since"] = v["last_modified"]
        return h

    def _page_item(self, response: Response, page_kind: str, **extra) -> CrawlItem:
        return CrawlItem(kind="page", site_id=response.meta["site_id"], url=response.url,
                         final_url=response.url, page_kind=page_kind, http_status=response.status,
                         headers=_headers(response), body=response.body, fetched_at=_now(), **extra)

    # --- start ------------------------------------------------------------------------

    async def start(self):
        for request in self.start_requests_for_sites():
            yield request

    def start_requests_for_sites(self):
        """The requests a run starts with (a distributed seeder pushes these to the shared queue)."""
        for site in self.sites:
            columns = self.state.columns(site["id"]) if self.mode == "nightly" else []
            if self.revalidate:
                for url in sorted(self.store.report_urls(site_id=site["id"])):
                    yield self._req(url, site, self.parse_revalidate, headers=self._conditional(url),
                                    priority=DETAIL_PRIORITY, binary_ok=True)
            if columns:
                # a nightly visit starts at the column found before, with a conditional request
                for url in columns:
                    yield self._req(url, site, self.parse_list, headers=self._conditional(url),
                                    page_index=0, column=url, conditional=True)
            else:
                yield self._req(site["url"], site, self.parse_entry, depth=0)

    # --- column discovery -------------------------------------------------------------

    def parse_entry(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        try:
            if not isinstance(response, TextResponse):
                yield self._fail(response.request, "failed", f"entry page is not HTML ({response.headers.get(b'Content-Type', b'').decode()})")
                return
            html = response.text
            target = d.js_redirect(html, response.url)
            if target and not d.report_links(html, response.url):
                yield self._req(target, site, self.parse_entry, depth=response.meta["depth"], from_url=response.url)
                return
            cols, disc = d.column_links(html, response.url)
            here = _canon(response.url)
            cols = [c for c in cols if _canon(c) != here]
            is_list = bool(d.report_links(html, response.url) or d.hanweb_datastore(html, response.url)
                           or d.trs_pages(html, response.url) or d.api_urls(html, response.url))
            if is_list:
                yield from self._list_page(response, html, column=response.url, page_index=0)
            elif not cols:
                yield self._page_item(response, "entry")
            for url in cols[:4]:
                yield self._req(url, site, self.parse_list, page_index=0, column=url, from_url=response.url)
            if not cols and not is_list:
                depth = response.meta.get("depth", 0)
                if disc and depth < self.max_depth:
                    for url in [u for u in disc if _canon(u) != here][:6]:
                        yield self._req(url, site, self.parse_entry, depth=depth + 1, from_url=response.url)
                elif depth == 0:
                    yield self._fail(response.request, "failed", "no report column found from this page")
        finally:
            self._settle(site["id"])

    # --- list pages -------------------------------------------------------------------

    def parse_list(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        try:
            if response.status == 304:
                # nothing changed since the last visit: the whole site costs this one request
                self._count_listed(site["id"])
                self.crawler.stats.inc_value("nianbao/not_modified")
                return
            if not isinstance(response, TextResponse):
                yield self._fail(response.request, "failed", "list page is not HTML")
                return
            html = response.text
            target = d.js_redirect(html, response.url)
            if target and not d.report_links(html, response.url):
                yield self._req(target, site, self.parse_list, page_index=response.meta.get("page_index", 0),
                                column=response.meta.get("column"), from_url=response.url)
                return
            yield from self._list_page(response, html, column=response.meta.get("column"),
                                       page_index=response.meta.get("page_index", 0))
        finally:
            self._settle(site["id"])

    def _list_page(self, response: Response, html: str, *, column: str | None, page_index: int):
        site = self.by_id[response.meta["site_id"]]
        sid = site["id"]
        list_pages = self._count_list_page(sid)
        is_column = page_index == 0 and not response.meta.get("hanweb_proxy")
        yield self._page_item(response, "column" if is_column else "list")
        items = d.report_links(html, response.url)
        hw = d.hanweb_datastore(html, response.url)
        if hw is not None:
            items += d.report_links(hw.records_html, response.url)
        fresh = yield from self._follow_items(site, items, response.url)
        if list_pages >= self.max_list_pages:
            log.warning("%s: stopped after %d list pages", site["name"], list_pages)
            return
        go_on = self.mode == "backfill" or fresh > 0 or not self._had_reports(sid)
        # pages announced by script (TRS), the jcms proxy, a search API, or a pager
        trs = d.trs_pages(html, response.url)
        if hw is not None and not response.meta.get("hanweb_proxy"):
            groups = d.hanweb_proxy_requests(hw, response.url)
            if go_on and groups:
                todo = groups if self.mode == "backfill" else groups[:1]
                rest = [] if self.mode == "backfill" else groups[1:]
                for url, form in todo:
                    yield self._hanweb_req(url, form, site, column, rest)
        elif response.meta.get("hanweb_proxy"):
            rest = response.meta.get("hanweb_rest") or []
            if go_on and rest:
                url, form = rest[0]
                yield self._hanweb_req(url, form, site, column, rest[1:])
        elif trs:
            here = [i for i, u in enumerate(trs) if _canon(u) == _canon(response.url)]
            idx = here[0] if here else page_index
            nxt = trs[idx + 1:] if self.mode == "backfill" else trs[idx + 1: idx + 2]
            if go_on:
                for i, url in enumerate(nxt, start=idx + 1):
                    yield self._req(url, site, self.parse_list, page_index=i, column=column, from_url=response.url)
        else:
            nxt, every = d.pager_links(html, response.url)
            if go_on:
                for url in (every if self.mode == "backfill" else nxt):
                    if _canon(url) != _canon(response.url):
                        yield self._req(url, site, self.parse_list, page_index=page_index + 1, column=column,
                                        from_url=response.url)
        if page_index == 0 and not response.meta.get("hanweb_proxy"):
            for api in d.api_urls(html, response.url):
                yield self._req(api, site, self.parse_api, page_index=0, column=column, api_page=1,
                                from_url=response.url, binary_ok=True)

    def _hanweb_req(self, url: str, form: dict, site: dict, column: str | None, rest: list) -> Request:
        from urllib.parse import urlencode
        return self._req(url, site, self.parse_list, method="POST", body=urlencode(form),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                  "X-Requested-With": "XMLHttpRequest"},
                         page_index=1, column=column, hanweb_proxy=True, hanweb_rest=rest)

    def _had_reports(self, sid: str) -> bool:
        return bool(self._known(sid))

    def _follow_items(self, site: dict, items: list[d.Link], from_url: str):
        """Request the report links not yet known; returns how many were new."""
        sid = site["id"]
        known = self._known(sid)
        fresh = 0
        for link in items:
            if link.url in known:
                continue
            year = d.title_year(link.text)
            if self.years and year and not (self.years[0] <= year <= self.years[1]):
                continue
            fresh += 1
            known.add(link.url)
            if d.is_attachment_url(link.url):
                yield self._req(link.url, site, self.parse_attachment, priority=ATTACHMENT_PRIORITY,
                                title=link.text, page_url=from_url, from_url=from_url, binary_ok=True)
            else:
                yield self._req(link.url, site, self.parse_detail, priority=DETAIL_PRIORITY,
                                title=link.text, from_url=from_url)
        return fresh

    def parse_api(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        try:
            items, pages = d.api_items(response.body, response.url)
            yield self._page_item(response, "api")
            reports = [i for i in items if d.maybe_report_title(i.text)]
            fresh = yield from self._follow_items(site, reports, response.url)
            page = response.meta.get("api_page", 1)
            go_on = self.mode == "backfill" or fresh > 0 or not self._had_reports(site["id"])
            more = (page < pages) if pages else bool(items)
            if go_on and more and page < self.max_list_pages:
                yield self._req(d.api_page_url(response.url, page + 1), site, self.parse_api,
                                api_page=page + 1, column=response.meta.get("column"), binary_ok=True)
        finally:
            self._settle(site["id"])

    # --- reports ----------------------------------------------------------------------

    def parse_detail(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        try:
            if not isinstance(response, TextResponse) or d.is_attachment_url(response.url):
                yield self._report_item(response)   # a link that served a document directly
                return
            status, title, attachments, _images = classify_detail(response.text, response.url)
            list_title = response.meta.get("title")
            if status == "attachment":
                if not (d.is_report_title(list_title) or d.is_report_title(title)):
                    yield self._page_item(response, "not_report", title=title or list_title)
                    return
                yield self._page_item(response, "detail", title=title or list_title)
                for url in attachments:
                    yield self._req(url, site, self.parse_attachment, priority=ATTACHMENT_PRIORITY,
                                    title=title if d.is_report_title(title) else list_title,
                                    page_url=response.url, from_url=response.url, binary_ok=True)
                return
            yield self._report_item(response, title=title if d.is_report_title(title) else list_title)
        finally:
            self._settle(site["id"])

    def parse_attachment(self, response: Response):
        try:
            yield self._report_item(response, page_url=response.meta.get("page_url"))
        finally:
            self._settle(response.meta["site_id"])

    def parse_revalidate(self, response: Response):
        try:
            if response.status == 304:
                self.crawler.stats.inc_value("nianbao/revalidated_unchanged")
                return
            yield self._report_item(response, revalidated=True)
        finally:
            self._settle(response.meta["site_id"])

    def _report_item(self, response: Response, title: str | None = None, page_url: str | None = None,
                     revalidated: bool = False) -> CrawlItem:
        return CrawlItem(kind="report", site_id=response.meta["site_id"], url=response.url,
                         final_url=response.url, page_url=page_url, http_status=response.status,
                         headers=_headers(response), body=response.body,
                         title=title or response.meta.get("title"), fetched_at=_now(),
                         conditional=revalidated)

    # --- failures ---------------------------------------------------------------------

    def _fail(self, request: Request, status: str, reason: str, http_status: int | None = None) -> CrawlItem:
        sid = request.meta["site_id"]
        if status in ("failed", "blocked"):
            self.errors += 1
            self._site_problem(sid, status, f"{request.url}: {reason}")
        return CrawlItem(kind="failure", site_id=sid, url=request.url, failure=status, reason=reason,
                         http_status=http_status, page_kind=request.callback.__name__ if request.callback else None,
                         fetched_at=_now())

    def on_error(self, failure):
        request = failure.request
        exc = failure.value
        http_status = None
        if isinstance(exc, HttpError):
            http_status = exc.response.status
            status, reason = "failed", f"HTTP {http_status}" + (" after retries" if request.meta.get("retry_times") else "")
        elif isinstance(exc, Blocked):
            status, reason = "blocked", str(exc)
        elif isinstance(exc, OffSite):
            status, reason = "skipped", str(exc)
        elif isinstance(exc, Undecodable):
            status, reason = "failed", f"undecodable body: {exc}"
        elif isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
            status, reason = "skipped", "forbidden by robots.txt"
            self.crawler.stats.inc_value("nianbao/robots_forbidden")
        elif isinstance(exc, (TimeoutError, TCPTimedOutError)):
            status, reason = "failed", "timeout"
        elif isinstance(exc, (DNSLookupError, ConnectionRefusedError)):
            status, reason = "failed", f"unreachable: {exc.__class__.__name__}"
        else:
            status, reason = "failed", f"{exc.__class__.__name__}: {exc}"[:300]
        log.info("%s %s: %s", status, request.url, reason)
        try:
            yield self._fail(request, status, reason, http_status)
        finally:
            self._settle(request.meta["site_id"])
