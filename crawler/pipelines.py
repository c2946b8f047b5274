"""Item pipelines: validate every CrawlItem, then parse reports and store everything.

Parsing happens here, not in the spider, and apart from storing (parse_report), so a
distributed worker can parse and ship the result to the single writer (`nianbao ingest`),
which stores it through this same pipeline (StorePipeline.store_item).
"""
from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from urllib.parse import unquote, urlsplit

from scrapy.exceptions import CloseSpider, DropItem

from crawler.discovery import is_report_title, title_year
from crawler.items import FAILURE_STATUSES, KINDS, CrawlItem
from parsers.vocabulary import COUNT_KEYS, now

log = logging.getLogger(__name__)

REPORT_CALLBACKS = ("parse_detail", "parse_attachment", "parse_revalidate")


class ValidatePipeline:
    """Reject malformed items early, with the reason, instead of storing half a record."""

    def process_item(self, item: CrawlItem, spider=None) -> CrawlItem:
        kind = item.get("kind")
        if kind not in KINDS:
            raise DropItem(f"unknown item kind {kind!r}")
        if not item.get("site_id") or not item.get("url"):
            raise DropItem(f"{kind} item without site_id/url")
        if not str(item["url"]).startswith(("http://", "https://")):
            raise DropItem(f"not an http(s) url: {item['url']!r}")
        if kind == "report" and not isinstance(item.get("body"), (bytes, bytearray)):
            raise DropItem(f"report item without a body: {item['url']}")
        if kind == "failure" and item.get("failure") not in FAILURE_STATUSES:
            raise DropItem(f"failure item with status {item.get('failure')!r}")
        if item.get("body") is not None and not isinstance(item["body"], (bytes, bytearray)):
            raise DropItem("body must be bytes")
        return item


def _name(url: str) -> str | None:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name or None


def parse_report(item: CrawlItem) -> dict:
    """Parse a report item's body: {"parsed": {...}}, or {"error": reason, "kind": "parse" | "crash",
    "message": ...} when the parser rejects or crashes on it. Plain data, so a distributed worker
    can parse and ship the result to the one writer."""
    from parsers import ParseError, parse_bytes
    from parsers.isolated import ParserCrash, parse_isolated

    url = item["url"]
    try:
        if item.get("images"):     # a 图片版 page and its pictures (sizes capped by the spider)
            from parsers import parse_picture_page

            return {"parsed": parse_picture_page(bytes(item["body"]), [bytes(b) for b in item["images"]],
                                                 url=url, title=item.get("title"), inspection=item.inspection)}
        page = item.inspection
        if page is not None and page.kind in ("html", "text"):
            # the spider's inspection of the page: not decoded and extracted again
            return {"parsed": parse_bytes(bytes(item["body"]), name=_name(url), url=url, inspection=page)}
        # PDF/DOCX/DOC in a child with a memory cap and a timeout: a hostile file costs the child
        return {"parsed": parse_isolated(bytes(item["body"]), name=_name(url), url=url)}
    except ParseError as e:
        return {"error": f"parser error: {e}", "kind": "parse", "message": str(e)}
    except ParserCrash as e:
        log.error("parser crashed on %s: %s", url, e)
        return {"error": f"parser crashed: {e}", "kind": "crash", "message": str(e)}
    except Exception as e:  # noqa: BLE001 - one bad document must not end the run
        log.exception("parser crashed on %s", url)
        return {"error": f"parser crashed: {e.__class__.__name__}: {e}", "kind": "crash", "message": str(e)}


class StorePipeline:
    """Parses report bodies (parsers.parse_bytes) and writes pages, reports, failures and the
    run summary through storage.Store. A page that cannot be parsed is recorded as a failure
    and the crawl goes on; nothing stored earlier is touched."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.store = None
        self.started_at: str | None = None   # the run's start (ISO), once a spider opened it
        self.per_organ: Counter = Counter()   # reports stored this run, per organ
        self.families: dict[str, Counter] = {}  # site id -> CMS families of the list pages stored

    @classmethod
    def from_crawler(cls, crawler):
        import os

        from parsers.limits import DEFAULTS

        from scrapy import signals

        for name in (*DEFAULTS, "NIANBAO_OCR"):   # -s NIANBAO_MAX_PDF_PAGES=... reaches the parser (and its child)
            if crawler.settings.get(name) is not None:
                os.environ[name] = str(crawler.settings.get(name))
        pipe = cls(crawler)
        # the run is summed up once the spider has closed: only then are the close reason and
        # every site's outcome known (pipelines close before the spider_closed signal)
        crawler.signals.connect(pipe.finish, signal=signals.spider_closed)
        return pipe

    def open_store(self, db: str, years: tuple[int, int] | None = None) -> None:
        """Open the database without a spider or a run row (`nianbao ingest` stores through this)."""
        from storage import Store

        self.store = Store(db)     # the one connection: stored data and crawl state alike
        self.years = years

    def close_store(self) -> None:
        close = getattr(self.store, "close", None)
        if close:
            close()

    def open_spider(self, spider=None) -> None:
        from storage.store import DatabaseLocked

        from crawler import ledger as run_ledger

        db = self.crawler.settings.get("NIANBAO_DB")
        self.ledger = ledger = run_ledger.of(self.crawler)    # the spider's run: its sites and options
        try:
            # Store takes the one-writer lock, also under `scrapy crawl reports` (nianbao crawl took it already)
            self.open_store(db, ledger.years)
        except DatabaseLocked as e:
            log.error("%s", e)
            self.crawler.stats.set_value("nianbao/locked", True)
            raise CloseSpider("locked") from None
        ledger.store = self.store    # one connection per crawl: the spider reads through it too
        if ledger.sites:    # the run's sites, before any item
            self.store.upsert_sites([{k: v for k, v in site.items() if k not in ("netloc", "id")} for site in ledger.sites])
        self.started_at = now()
        self.run_id = self.store.start_run(ledger.mode, sites=len(ledger.sites),
                                           years="-".join(map(str, self.years)) if self.years else None,
                                           revalidate=ledger.revalidate)
        killed = self.store.close_abandoned_runs(by_run=self.run_id)
        if killed:
            log.warning("%d earlier run(s) had not finished (killed): marked killed in runs", killed)
        self.crawler.stats.set_value("nianbao/run_id", self.run_id)

    def close_spider(self, spider=None) -> None:
        """Nothing here: `finish` writes the run's end when the spider_closed signal comes."""

    def finish(self, spider=None, reason: str | None = None) -> None:
        """Write the sites' outcomes and the runs row, put the summary in the stats, close."""
        if self.store is None:            # locked out: nothing was opened
            return
        stats = self.crawler.stats
        self.reason = reason or stats.get_value("finish_reason") or "finished"
        self.ledger.finish(self.reason)     # the spider has already; again in case it never closed
        summary = dict(self.counts)
        summary.update(self.ledger.counts())
        summary["requests"] = stats.get_value("downloader/request_count", 0)
        summary["bytes"] = stats.get_value("downloader/response_bytes", 0)
        summary["unchanged"] += stats.get_value("nianbao/revalidated_unchanged", 0)
        if self.per_organ:
            top = self.per_organ.most_common()
            summary["reports_per_organ"] = ", ".join(f"{o} {n}" for o, n in top[:12]) + (
                f", … {len(top) - 12} more" if len(top) > 12 else "")
        ended = self.reason == "finished"
        summary["status"] = "finished" if ended and not summary["storage_errors"] else "failed"
        for k, v in summary.items():
            stats.set_value(f"nianbao/summary/{k}", v)
        self.settle_years(self.started_at)
        try:
            self.record_sites(self.ledger)
            self.store.finish_run(self.run_id, **{k: v for k, v in summary.items() if k not in ("sites_total", "sites_done")})
        except sqlite3.Error as e:
            # the next run closes this run's row as killed
            stats.set_value("nianbao/summary/storage_errors", summary["storage_errors"] + 1)
            log.error("cannot write the end of run %s: %s", self.run_id, e)
        finally:
            self.close_store()      # releases the writer's lock

    def settle_years(self, since: str | None) -> int:
        """Reports stored since `since` whose glued 主动公开 rows a stored neighbouring year of the
        same body settles (storage.reparse.settle_years): re-read and stored again. A failure
        here is logged and costs only that step, never the run's end."""
        from storage.reparse import settle_years

        try:
            n = settle_years(self.store, since=since, log=log.info)
        except Exception as e:  # noqa: BLE001 - the reports are stored already; this only adds cells
            log.error("cannot settle glued rows by neighbouring years: %s", e)
            return 0
        return n

    def record_sites(self, ledger) -> None:
        """Per-site outcome of the run (crawler.ledger) on the sites row: ok | failed | blocked, with
        the reason, the CMS family, the columns and organs known, and the reports stored per organ."""
        stamp = now()
        rows = []
        for s in ledger.sites:
            tally = ledger[s["id"]]
            if tally.outcome not in (None, "ok"):    # one line per site problem (pages are logged at INFO)
                log.warning("site %s %s: %s", s.get("name"), tally.outcome, tally.reason or "no answer")
            known = self.store.columns(s["id"]) or list(tally.columns.values())
            per_organ = self.store.reports_per_organ(s["id"])
            row = {k: v for k, v in s.items() if k not in ("id", "netloc")}
            row.update({"crawl_status": tally.outcome or "ok", "crawl_reason": tally.reason, "crawled_at": stamp,
                        "cms": ",".join(f for f, _ in self.families.get(s["id"], Counter()).most_common()) or None,
                        "columns_found": len(known), "organs_found": len({c["organ"] for c in known if c.get("organ")}),
                        "reports_per_organ": json.dumps(per_organ, ensure_ascii=False) if per_organ else None})
            rows.append(row)
        if rows:
            self.store.upsert_sites(rows)

    # --- items --------------------------------------------------------------------------

    def process_item(self, item: CrawlItem, spider=None) -> CrawlItem:
        try:
            self.store_item(item)
        except sqlite3.Error as e:
            # a failing database (disk full, I/O error): one line each, counted; exit status 3
            self.counts["storage_errors"] += 1
            log.error("cannot store %s %s: %s", item.get("kind"), item.get("url"), e)
        return item

    def store_item(self, item: CrawlItem, report: dict | None = None) -> None:
        """Store one validated item. `report` is parse_report(item) when it was parsed elsewhere
        (a distributed worker parses; `nianbao ingest` stores what it shipped)."""
        kind = item["kind"]
        if kind == "page":
            self._page(item)
        elif kind == "failure":
            self._failure(item)
        else:
            self._report(item, report)

    def _page(self, item: CrawlItem, kind: str | None = None, error: str | None = None) -> None:
        self.store.record_page(item["url"], site_id=item["site_id"], status=item.get("http_status"),
                               final_url=item.get("final_url"), headers=item.get("headers"),
                               body=item.get("body"), error=error, kind=kind or item.get("page_kind") or "page",
                               fetched_at=item.get("fetched_at"))
        pk = kind or item.get("page_kind")
        if item.get("family"):
            self.families.setdefault(item["site_id"], Counter())[item["family"]] += 1
        if item.get("site_entry"):
            self.store.remember(item["site_id"], "", "discovered")
        if pk == "column":
            self.store.remember(item["site_id"], item["url"], "column", organ=item.get("organ"),
                                name=item.get("column_name"), family=item.get("family"))
        elif pk == "not_report":
            self.counts["not_reports"] += 1
            self.store.remember(item["site_id"], item["url"], "not_report")

    def _failure(self, item: CrawlItem) -> None:
        status, reason = item["failure"], item.get("reason") or ""
        self.store.record_page(item["url"], site_id=item["site_id"], status=item.get("http_status"),
                               error=f"{status}: {reason}", kind="failure", fetched_at=item.get("fetched_at"))
        if status in ("failed", "blocked"):
            self.counts["failed_pages" if status == "failed" else "blocked_pages"] += 1
            if item.get("page_kind") in REPORT_CALLBACKS:
                # a report link that could not be had; list/entry failures are site-level (sites table)
                self.store.record_failure(item["url"], site_id=item["site_id"], status=status, reason=reason,
                                          title=item.get("title"), column_organ=item.get("organ"),
                                          page_url=item.get("page_url"))
            else:       # a list, entry or API page: no report row, but a failures row all the same
                self.store.log_failure(item["url"], site_id=item["site_id"], status=status, reason=reason)

    def _report(self, item: CrawlItem, report: dict | None = None) -> None:
        url, sid, body = item["url"], item["site_id"], bytes(item["body"])
        seen_at = item.get("page_url") or url
        title = item.get("title")
        report = report if report is not None else parse_report(item)
        if "parsed" not in report:
            if report.get("kind") == "parse" and not is_report_title(title):
                # a truncated list title led here and the page holds no report: not a failure
                self._page(item, kind="not_report", error=f"not a report: {report['message']}")
                self.store.remember(sid, seen_at, "not_report")
                return
            self._parse_failure(item, report["error"])
            return
        parsed = report["parsed"]
        if not (is_report_title(title) or is_report_title(parsed.get("title"))):
            # a column mixes reports with notices, 工作要点, 图解 …: none of them becomes a report
            self._page(item, kind="not_report")
            self.store.remember(sid, seen_at, "not_report")
            return
        if parsed.get("year") is None:
            parsed["year"] = title_year(parsed.get("title") or "") or title_year(title or "")
        if self.years and parsed.get("year") and not (self.years[0] <= parsed["year"] <= self.years[1]):
            self._page(item, kind="out_of_range")
            self.store.remember(sid, seen_at, "out_of_range")
            return
        status = parsed.get("status")
        self.store.record_page(url, site_id=sid, status=item.get("http_status"), final_url=item.get("final_url"),
                               headers=item.get("headers"), body=body, kind="report", fetched_at=item.get("fetched_at"))
        if status == "image_only":
            self.counts["image_only"] += 1   # stored below with status image_only
        for img_url, img in zip(item.get("image_urls") or [], item.get("images") or []):
            # the pictures are kept like every fetched body, so reparse can read them again
            self.store.record_page(img_url, site_id=sid, status=200, body=bytes(img), kind="image",
                                   fetched_at=item.get("fetched_at"))
        if status == "attachment":
            # the extraction stage saw an attachment the spider did not follow: keep the trace only
            self._page(item, kind="detail")
            return
        if not parsed.get("organ") or not parsed.get("year"):
            self.counts["identity_failures"] += 1
        report_id, outcome = self.store.store_report(parsed, url=url, site_id=sid, content=body,
                                               source_type=parsed.get("source_type") or "html",
                                               fetched_at=item.get("fetched_at"), page_url=item.get("page_url"),
                                               column_organ=item.get("organ"))
        self.counts["reports_found"] += 1
        self.per_organ[self.store.report_organ_of(report_id) or "?"] += 1
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if item.get("page_url"):
            self.store.remember(sid, item["page_url"], "report_page")

    def _parse_failure(self, item: CrawlItem, reason: str) -> None:
        self.counts["parse_failures"] += 1
        self.store.record_page(item["url"], site_id=item["site_id"], status=item.get("http_status"),
                               body=bytes(item["body"]), error=reason, kind="report", fetched_at=item.get("fetched_at"))
        self.store.record_failure(item["url"], site_id=item["site_id"], status="failed", reason=reason)
