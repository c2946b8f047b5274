"""The `reports` spider: sites file -> catalogue pages (organ trees, platforms) -> report
columns and their sub-columns -> list pages -> report pages/attachments.

Request generation only: what a page means is decided by the CMS family modules
(crawler/cms/) and the organ-tree strategy (crawler/cms/organs.py); everything fetched
leaves as a CrawlItem; parsing and storing happen in crawler.pipelines, so a Redis
scheduler/pipeline can replace either side.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler import cms
from crawler import discovery as d
from crawler.cms import organs
from crawler.detail import classify_detail, inspect_response
from crawler.items import CrawlItem
from crawler.ledger import RunLedger, attach
from crawler.runtime import parse_years
from crawler.middlewares import Blocked, OffSite, Undecodable
from crawler.sitesfile import load_sites
from parsers.vocabulary import age_seconds, now   # the one clock of every stored timestamp (UTC ISO)

log = logging.getLogger(__name__)

DETAIL_PRIORITY = 10       # reports before further list pages: a killed run has stored more
ATTACHMENT_PRIORITY = 20
COLUMN_PRIORITY = 5        # then 年报 columns, then organs' pages, then sections (organ lists …)
ORGAN_PRIORITY = 3
SECTION_PRIORITY = 1
MODES = ("nightly", "backfill", "discover")


def _yes(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def _canon(url: str) -> str:
    """Column URLs compare equal with and without their index page."""
    url = url.split("#")[0]
    return re.sub(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", "/", url)


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


class ReportsSpider(scrapy.Spider):
    name = "reports"
    custom_settings: dict = {}
    _own_store = None   # a Store this spider opened itself (closed with the spider)
    # a killed run leaves its sites marked unfinished (a distributed crawl recovers through its
    # acknowledged queue instead)
    track_unfinished = True

    def __init__(self, sites: str | None = None, mode: str | None = None, years: str | None = None,
                 revalidate: str | bool | None = None, rediscover: str | bool | None = None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sites_arg, self._mode_arg, self._years_arg, self._reval_arg = sites, mode, years, revalidate
        self._rediscover_arg = rediscover
        # 图片版 pages whose pictures are being fetched: their inspection joins the item at the end
        # of the chain (a chain another worker finishes goes without it: that one inspects again)
        self._picture_pages: dict = {}   # page url -> parsers.PageInspection

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._setup(crawler.settings)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _limits(self, settings) -> None:
        self.max_depth = settings.getint("NIANBAO_MAX_DISCOVERY_DEPTH", 6)
        self.max_site_pages = settings.getint("NIANBAO_MAX_SITE_PAGES", 400)
        self.max_list_pages = settings.getint("NIANBAO_MAX_LIST_PAGES", 200)
        self.rediscover_days = settings.getfloat("NIANBAO_REDISCOVER_DAYS", 7)
        self.ocr = settings.getbool("NIANBAO_OCR", True)
        self.ocr_max_images = settings.getint("NIANBAO_OCR_MAX_IMAGES", 30)
        self.ocr_max_image_bytes = settings.getint("NIANBAO_OCR_MAX_IMAGE_BYTES", 20 * 1024 * 1024)

    def _setup(self, settings) -> None:
        mode = (self._mode_arg or settings.get("NIANBAO_MODE") or "nightly").lower()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        years = parse_years(self._years_arg or settings.get("NIANBAO_YEARS"))
        reval = self._reval_arg if self._reval_arg is not None else settings.getbool("NIANBAO_REVALIDATE")
        redisc = self._rediscover_arg if self._rediscover_arg is not None else settings.getbool("NIANBAO_REDISCOVER")
        sites = load_sites(self._sites_arg or settings.get("NIANBAO_SITES"))
        self._limits(settings)
        from storage.store import site_id_for

        # the database is opened when the run starts, after the pipeline has taken the writer's
        # lock and written the sites rows: a crawl refused the lock writes nothing
        self.db_path = settings.get("NIANBAO_DB")
        self.store = None   # storage.Store: the stored data and what earlier runs remembered
        for site in sites:
            site["id"] = site_id_for(site["url"])
        self.known: dict[str, set[str]] = {}
        self.use_ledger(RunLedger(sites, mode=mode, years=years, revalidate=_yes(reval), rediscover=_yes(redisc)))

    def use_ledger(self, ledger: RunLedger) -> None:
        """Run with this ledger: it holds the run's sites and options and every per-site tally, and
        is attached to the crawler, where the middlewares, pipelines and extensions take it."""
        self.ledger = attach(self.crawler, ledger)

    # the run's sites and options belong to the ledger; the spider reads them from there
    @property
    def mode(self) -> str:
        return self.ledger.mode

    @property
    def years(self) -> tuple[int, int] | None:
        return self.ledger.years

    @property
    def revalidate(self) -> bool:
        return self.ledger.revalidate

    @property
    def rediscover(self) -> bool:
        return self.ledger.rediscover

    @property
    def sites(self) -> list[dict]:
        return self.ledger.sites

    @property
    def by_id(self) -> dict[str, dict]:
        return self.ledger.by_id

    @property
    def allowed_domains(self) -> list[str]:
        """Scrapy's own offsite filter allows subdomains of these: each site's registered domain."""
        return self.ledger.domains

    # --- bookkeeping ------------------------------------------------------------------

    def _req(self, url: str, site: dict, callback, *, method: str = "GET", body=None,
             headers: dict | None = None, priority: int = 0, **meta) -> Request:
        meta = {"site_id": site["id"], **meta}
        # per host:port politeness; Scrapy's default slot is the bare host name
        meta["download_slot"] = urlsplit(url).netloc.lower() or site["netloc"]
        meta.setdefault("handle_httpstatus_list", [304])
        self.ledger.requested(site["id"])
        return Request(url, callback=callback, errback=self.on_error, method=method, body=body,
                       headers=headers, priority=priority, meta=meta)

    def _settle(self, site_id: str) -> None:
        if self.ledger.settle(site_id) and self.track_unfinished and self.mode != "discover":
            # every request of the site answered: the next nightly run may trust validators
            self.store.forget(site_id, "", "unfinished")

    def _dropped(self, request: Request, spider=None) -> None:
        sid = request.meta.get("site_id")
        if sid:
            self._settle(sid)

    def _closed(self, spider=None, reason=None) -> None:
        self.ledger.finish(reason)
        if self._own_store is not None:
            self._own_store.close()

    def _first_visit(self, site_id: str, url: str) -> bool:
        """True the first time a page (by canonical URL) is asked for in this run."""
        return self.ledger.first_visit(site_id, _canon(url))

    def _known(self, site_id: str) -> set[str]:
        if site_id not in self.known:
            self.known[site_id] = self.store.known_urls(site_id)
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
        self.ledger.answered(response.meta["site_id"])
        # the entry page answered: the site's columns were (re)discovered this run
        entry = response.meta.get("depth") == 0 and response.request.callback == self.parse_entry
        return CrawlItem(kind="page", site_id=response.meta["site_id"], url=response.url,
                         final_url=response.url, page_kind=page_kind, http_status=response.status,
                         headers=_headers(response), body=response.body, fetched_at=now(),
                         site_entry=entry or None, **extra)

    # --- start ------------------------------------------------------------------------

    async def start(self):
        if self.store is None:
            # the pipeline's Store (it opened the database under the writer's lock before the
            # first request); a spider run without that pipeline opens its own
            self.store = self.ledger.store
        if self.store is None:
            from storage import Store

            self.store = self._own_store = Store(self.db_path)
        for request in self.start_requests_for_sites():
            yield request

    def _rediscover_due(self, site: dict) -> bool:
        if self.rediscover:
            return True
        last = self.store.when(site["id"], "", "discovered")
        return last is None or age_seconds(last) >= self.rediscover_days * 86400 - 3600

    def start_requests_for_sites(self):
        """The requests a run starts with (a distributed seeder pushes these to the shared queue)."""
        # a site whose last run did not finish: its columns' validators are not to be trusted
        unfinished_before = {s["id"] for s in self.sites if self.store.when(s["id"], "", "unfinished") is not None}
        if self.track_unfinished and self.mode != "discover":
            self.store.mark_sites([s["id"] for s in self.sites], "unfinished")
        for site in self.sites:
            sid = site["id"]
            columns = self.store.columns(sid) if self.mode == "nightly" else []
            unfinished = sid in unfinished_before
            if self.revalidate:
                for url in sorted(self.store.report_urls(site_id=sid)):
                    yield self._req(url, site, self.parse_revalidate, headers=self._conditional(url),
                                    priority=DETAIL_PRIORITY, binary_ok=True)
            if self.mode == "nightly":
                yield from self._retries(site)
            for col in columns:
                # a nightly visit starts at the columns found before, each with one conditional request
                if not self._first_visit(sid, col["url"]):
                    continue
                self.ledger.list_page(sid)
                self.ledger[sid].columns[col["url"]] = col
                yield self._req(col["url"], site, self.parse_list, headers={} if unfinished else self._conditional(col["url"]),
                                page_index=0, column=col["url"], organ=col.get("organ"), family=col.get("family"),
                                column_name=col.get("name"), conditional=not unfinished, walk_all=unfinished)
            if not columns or self._rediscover_due(site):
                if self._first_visit(sid, site["url"]):
                    self.ledger.list_page(sid)
                    yield self._req(site["url"], site, self.parse_entry, depth=0)

    def _retries(self, site: dict):
        """Reports that failed before, asked again once their back-off has passed."""
        for row in self.store.due_retries(site["id"]):
            url = row["url"]
            cb = self.parse_attachment if d.is_attachment_url(url) else self.parse_detail
            yield self._req(url, site, cb, priority=DETAIL_PRIORITY, title=row.get("title"),
                            organ=row.get("column_organ"), page_url=row.get("page_url"), retry=True, binary_ok=True)

    # --- catalogue pages: entry, disclosure sections, organ lists, organs' pages ------------

    def parse_entry(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        sid = site["id"]
        depth = response.meta.get("depth", 0)
        try:
            if not isinstance(response, TextResponse):
                if depth == 0:
                    yield self._fail(response.request, "failed", f"entry page is not HTML ({response.headers.get(b'Content-Type', b'').decode()})")
                return
            html = response.text
            target = d.js_redirect(html, response.url)
            if target and not d.report_links(html, response.url):
                yield self._req(target, site, self.parse_entry, depth=depth, organ=response.meta.get("organ"),
                                from_url=response.url)
                return
            page = cms.Page(response.url, html)
            fam = cms.detect(page)
            organ = response.meta.get("organ") or (organs.organ_from_title(page.title) if depth == 0 else None)
            here = _canon(response.url)
            found = organs.classify([l for l in page.links if _canon(l.url) != here])
            platform_cols = fam.columns(page)
            is_list = bool(fam.items(page)) or (
                fam.name in ("hanweb", "trs", "searchapi") and not found.columns and not platform_cols
                and (page.column_name is None or organs.is_column_name(page.column_name)))
            if is_list:
                self.ledger.listed(sid)
                yield from self._list_page(response, page, fam, column=response.url, organ=organ, page_index=0)
            else:
                if fam.name != "generic":
                    self.ledger[sid].families[fam.name] += 1
                yield self._page_item(response, "entry")
            for step in platform_cols:
                yield from self._column(site, step, organ, response.url)
            for link in found.columns:
                yield from self._column(site, cms.Step("column", link.url, name=link.text), organ, response.url)
            if depth < self.max_depth:
                for link, name in found.platforms:
                    yield from self._explore(site, link.url, name or organ, depth + 1, ORGAN_PRIORITY, response.url)
                for link, name in found.organs:
                    yield from self._explore(site, link.url, name, depth + 1, ORGAN_PRIORITY, response.url)
                for link in found.sections:
                    yield from self._explore(site, link.url, organ, depth + 1, SECTION_PRIORITY, response.url)
            if depth == 0 and not (is_list or platform_cols or found.columns or found.platforms
                                   or found.organs or found.sections):
                yield self._fail(response.request, "failed", "no report column found from this page")
        finally:
            self._settle(sid)

    def _explore(self, site: dict, url: str, organ: str | None, depth: int, priority: int, from_url: str):
        sid = site["id"]
        if not self.ledger.allows(url) or not self._first_visit(sid, url):
            return
        if self.ledger.list_page(sid) > self.max_site_pages:
            log.warning("%s: page budget of %d reached; not exploring %s", site["name"], self.max_site_pages, url)
            return
        yield self._req(url, site, self.parse_entry, depth=depth, organ=organ, priority=priority, from_url=from_url)

    def _column(self, site: dict, step: cms.Step, organ: str | None, from_url: str):
        """Ask a report column (or sub-column) from its first page, once per run."""
        sid = site["id"]
        if not self.ledger.allows(step.url) or not self._first_visit(sid, step.url):
            return
        if self.ledger.list_page(sid) > self.max_site_pages:
            log.warning("%s: page budget of %d reached; not listing %s", site["name"], self.max_site_pages, step.url)
            return
        yield self._req(step.url, site, self.parse_list, priority=COLUMN_PRIORITY, page_index=0, column=step.url,
                        organ=organ, column_name=step.name, family_data=step.data or None, from_url=from_url)

    # --- list pages -------------------------------------------------------------------

    def parse_list(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        try:
            if response.status == 304:
                # nothing changed since the last visit: the column costs this one request
                self.ledger.listed(site["id"])
                self.crawler.stats.inc_value("nianbao/not_modified")
                return
            if not isinstance(response, TextResponse):
                yield self._fail(response.request, "failed", "list page is not HTML")
                return
            self.ledger.listed(site["id"])
            meta = response.meta
            html = response.text
            target = d.js_redirect(html, response.url)
            if target and not d.report_links(html, response.url):
                yield self._req(target, site, self.parse_list, page_index=meta.get("page_index", 0),
                                column=meta.get("column"), organ=meta.get("organ"), from_url=response.url)
                return
            page = cms.Page(response.url, html, dict(meta.get("family_data") or {}), meta.get("page_index", 0))
            fam = cms.by_name(meta["family"]) if meta.get("family") else cms.detect(page)
            yield from self._list_page(response, page, fam, column=meta.get("column"), organ=meta.get("organ"),
                                       page_index=meta.get("page_index", 0))
        finally:
            self._settle(site["id"])

    def _list_page(self, response: Response, page: cms.Page, fam: cms.Family, *, column: str | None,
                   organ: str | None, page_index: int):
        site = self.by_id[response.meta["site_id"]]
        sid = site["id"]
        meta = response.meta
        is_column = page_index == 0 and response.request.method == "GET" and not (meta.get("family_data") or {}).get("api_page")
        tally = self.ledger[sid]
        tally.families[fam.name] += 1
        name = meta.get("column_name") or page.column_name
        if is_column:
            tally.columns.setdefault(column or response.url, {"url": column or response.url, "organ": organ,
                                                               "name": name, "family": fam.name})
        yield self._page_item(response, "column" if is_column else "list", organ=organ, column_name=name,
                              family=fam.name)
        fresh = yield from self._follow_items(site, fam.items(page), response.url, organ, column)
        if is_column:
            here = {_canon(response.url), _canon(column or response.url)}
            for link in organs.subcolumns([l for l in page.links if _canon(l.url) not in here]):
                yield from self._column(site, cms.Step("column", link.url, name=link.text), organ, response.url)
            for step in fam.columns(page):
                yield from self._column(site, step, organ, response.url)
        walk_all = self.mode in ("backfill", "discover") or bool(meta.get("walk_all"))
        go_on = walk_all or fresh > 0 or not self._had_reports(sid)
        if not go_on:
            return
        for step in fam.pages(page, walk_all):
            if step.method == "GET" and not self._first_visit(sid, step.url):
                continue
            if self.ledger.list_page(sid) > self.max_site_pages:
                log.warning("%s: stopped after %d list pages", site["name"], self.max_site_pages)
                return
            yield self._req(step.url, site, self.parse_list, method=step.method, body=step.body, headers=step.headers,
                            page_index=step.page_index, column=column, organ=organ, family=fam.name,
                            family_data=step.data or None, walk_all=meta.get("walk_all"), from_url=response.url)

    def _had_reports(self, sid: str) -> bool:
        return bool(self._known(sid))

    def _follow_items(self, site: dict, items: list[d.Link], from_url: str, organ: str | None, column: str | None):
        """Request the report links not yet known; returns how many were new."""
        sid = site["id"]
        known = self._known(sid)
        fresh = 0
        for link in items:
            if link.url in known:
                continue   # off-site links are requested all the same: the host guard logs and drops them
            year = d.title_year(link.text)
            if self.years and year and not (self.years[0] <= year <= self.years[1]):
                continue
            fresh += 1
            known.add(link.url)
            if self.mode == "discover":
                self.ledger[sid].listed_reports.append({"organ": organ, "title": link.text, "url": link.url,
                                                        "column": column})
                continue
            extra = {"title": link.text, "from_url": from_url, "organ": organ, "column": column}
            if d.is_attachment_url(link.url):
                yield self._req(link.url, site, self.parse_attachment, priority=ATTACHMENT_PRIORITY,
                                page_url=from_url, binary_ok=True, **extra)
            else:
                yield self._req(link.url, site, self.parse_detail, priority=DETAIL_PRIORITY,
                                more_attachments=list(link.attachments), **extra)
        return fresh

    # --- reports ----------------------------------------------------------------------

    def parse_detail(self, response: Response):
        site = self.by_id[response.meta["site_id"]]
        try:
            if not isinstance(response, TextResponse) or d.is_attachment_url(response.url):
                yield self._report_item(response)   # a link that served a document directly
                return
            page = inspect_response(response)
            status, title, attachments, images = classify_detail(page, response.text)
            more = [u for u in response.meta.get("more_attachments") or [] if d.is_attachment_url(u)]
            list_title = response.meta.get("title")
            if more and status != "attachment" and len(d.visible_text(response.text)) < 400:
                status = "attachment"
            if status == "attachment":
                if not (d.is_report_title(list_title) or d.is_report_title(title)):
                    yield self._page_item(response, "not_report", title=title or list_title)
                    return
                yield self._page_item(response, "detail", title=title or list_title)
                for url in d.uniq(attachments + more):
                    yield self._req(url, site, self.parse_attachment, priority=ATTACHMENT_PRIORITY,
                                    title=title if d.is_report_title(title) else list_title,
                                    organ=response.meta.get("organ"), column=response.meta.get("column"),
                                    page_url=response.url, from_url=response.url, binary_ok=True)
                return
            title = title if d.is_report_title(title) else list_title
            pictures = [u for u in images if self.ledger.allows(u)][:self.ocr_max_images]
            if status == "image_only" and self.ocr and pictures and d.is_report_title(title):
                # a 图片版 report: fetch its page images one after another, then parse them by OCR
                self._picture_pages[response.url] = page
                yield self._image_req(site, response, pictures, [], [], title)
                return
            yield self._report_item(response, title=title).with_inspection(page)
        finally:
            self._settle(site["id"])

    # --- 图片版 reports: the page's images, fetched in turn (a chain, so it also runs distributed) ---

    def _image_req(self, site: dict, page: Response, todo: list[str], got: list[bytes], got_urls: list[str],
                   title: str | None) -> Request:
        return self._req(todo[0], site, self.parse_image, priority=ATTACHMENT_PRIORITY, binary_ok=True,
                         download_maxsize=self.ocr_max_image_bytes, image_todo=todo[1:], image_got=got,
                         image_urls=got_urls,
                         page_body=page.body, page_url=page.url, page_status=page.status,
                         page_headers=_headers(page), title=title, organ=page.meta.get("organ"),
                         column=page.meta.get("column"))

    def parse_image(self, response: Response):
        meta = response.meta
        try:
            got, urls = list(meta["image_got"]), list(meta["image_urls"])
            if response.status == 200 and response.body:
                got.append(response.body)
                urls.append(response.url)
            yield from self._next_image(response.request, got, urls)
        finally:
            self._settle(meta["site_id"])

    def _next_image(self, request: Request, got: list[bytes], urls: list[str]):
        """Ask the next image of the chain, or hand the page and its images to the pipeline."""
        meta = request.meta
        site = self.by_id[meta["site_id"]]
        if meta["image_todo"]:
            page = Response(meta["page_url"], status=meta["page_status"], body=meta["page_body"], request=request)
            yield self._image_req(site, page, meta["image_todo"], got, urls, meta.get("title"))
            return
        yield CrawlItem(kind="report", site_id=site["id"], url=meta["page_url"], final_url=meta["page_url"],
                        http_status=meta["page_status"], headers=meta["page_headers"], body=meta["page_body"],
                        title=meta.get("title"), fetched_at=now(), organ=meta.get("organ"),
                        column=meta.get("column"), images=got, image_urls=urls,
                        ).with_inspection(self._picture_pages.pop(meta["page_url"], None))

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
                         title=title or response.meta.get("title"), fetched_at=now(),
                         conditional=revalidated, organ=response.meta.get("organ"),
                         column=response.meta.get("column"))

    # --- failures ---------------------------------------------------------------------

    def _fail(self, request: Request, status: str, reason: str, http_status: int | None = None) -> CrawlItem:
        sid = request.meta["site_id"]
        # a dead link among the catalogue pages explored is not the site's problem (its entry is)
        explored = request.callback == self.parse_entry and request.meta.get("depth", 0) > 0
        if status in ("failed", "blocked") and not (explored and status == "failed"):
            self.ledger.problem(sid, status, f"{request.url}: {reason}")
        return CrawlItem(kind="failure", site_id=sid, url=request.url, failure=status, reason=reason,
                         http_status=http_status, page_kind=request.callback.__name__ if request.callback else None,
                         title=request.meta.get("title"), organ=request.meta.get("organ"),
                         page_url=request.meta.get("page_url"), fetched_at=now())

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
            if request.callback == self.parse_image:
                # one picture missing: the report is still read from the others
                yield from self._next_image(request, list(request.meta["image_got"]), list(request.meta["image_urls"]))
                return
            yield self._fail(request, status, reason, http_status)
        finally:
            self._settle(request.meta["site_id"])
