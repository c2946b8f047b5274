"""`nianbao crawl`: check the inputs, take the lock, run the `reports` spider, print the summary.

Exit status (README "What can go wrong"):
  0   every site of the sites file was crawled (single failed pages are in `failures`)
  1   some sites failed or were blocked, or some rows of the sites file were skipped
  2   usage: bad arguments, no usable sites file, database not writable
  3   the run failed as a whole: no site reachable, the database failing, the crawl ended early
  75  another crawl or ingester holds the database's lock
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from parsers.vocabulary import SUMMARY_ROWS, run_mode

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FAILED, EXIT_LOCKED = 0, 1, 2, 3, 75

def _err(msg: str) -> None:
    print(f"nianbao crawl: {msg}", file=sys.stderr)


def check_db_writable(path: str) -> str | None:
    """None when a crawl can write `path`, else why not."""
    p = Path(path)
    if p.exists() and p.is_dir():
        return f"{path} is a directory"
    if not p.parent.exists():
        return f"directory {p.parent} does not exist"
    try:
        conn = sqlite3.connect(path, timeout=5)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE IF NOT EXISTS _nianbao_write_probe (x)")
        conn.execute("ROLLBACK")
        conn.close()
    except sqlite3.Error as e:
        return f"cannot write {path}: {e}"
    return None


class Lock:
    """One crawl per database (storage.store.WriterLock on the database's real path): a second
    run exits at once with a clear message."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.held = None

    def acquire(self) -> str | None:
        """None when taken, else who holds it."""
        from storage.store import DatabaseLocked, WriterLock

        try:
            self.held = WriterLock.acquire(self.db)
        except DatabaseLocked as e:
            return str(e)
        return None

    def release(self) -> None:
        if self.held is not None:
            self.held.release()
            self.held = None


def claim_db(db: str) -> tuple[Lock | None, int]:
    """The database's lock for the one writer, or (None, exit status) with the reason printed:
    the database is not writable, or another crawl or ingester holds it."""
    problem = check_db_writable(db)
    if problem:
        _err(f"database not writable: {problem}")
        return None, EXIT_USAGE
    lock = Lock(db)
    held = lock.acquire()
    if held:
        _err(held)
        return None, EXIT_LOCKED
    return lock, EXIT_OK


def format_summary(summary: dict) -> str:
    width = max(len(label) for label, _ in SUMMARY_ROWS)
    lines = [f"{'mode':<{width}}  {summary.get('mode', '')}"]
    for label, key in SUMMARY_ROWS:
        lines.append(f"{label:<{width}}  {summary.get(key, 0)}")
        if key == "organs_found" and summary.get("reports_per_organ"):
            lines.append(f"{'reports per organ':<{width}}  {summary['reports_per_organ']}")
    return "\n".join(lines)


def exit_status(summary: dict, finish_reason: str | None) -> int:
    """The exit status of a crawl that ran, from its summary (see the module docstring)."""
    if finish_reason not in ("finished", None) or summary.get("storage_errors"):
        return EXIT_FAILED
    ok = summary.get("sites_ok", 0)
    bad = summary.get("sites_failed", 0) + summary.get("sites_blocked", 0)
    if ok == 0 and bad:
        return EXIT_FAILED          # nothing reachable
    if bad or summary.get("sites_skipped"):
        return EXIT_PARTIAL
    return EXIT_OK


def build_settings(args: argparse.Namespace):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("NIANBAO_DB", str(args.db), priority="cmdline")
    for pair in getattr(args, "set", None) or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"-s expects NAME=VALUE, not {pair!r}")
        settings.set(name.strip(), value, priority="cmdline")
    if getattr(args, "log_level", None):       # the explicit option wins over -s LOG_LEVEL=
        settings.set("LOG_LEVEL", args.log_level.upper(), priority="cmdline")
    if getattr(args, "log_file", None):
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    return settings


def run(args: argparse.Namespace) -> int:
    from crawler.sitesfile import SitesError, load_sites
    from crawler.spiders.reports import parse_years

    if not args.db and not (getattr(args, "redis", None) and not getattr(args, "seed", False)):
        _err("--db is required (only a --redis worker started without --seed runs without one)")
        return EXIT_USAGE
    if getattr(args, "redis", None):
        try:
            from crawler import distributed
        except ImportError:
            _err("--redis: distributed crawling is not available in this build")
            return EXIT_USAGE
        return int(distributed.run_worker(args) or 0)
    skipped: list[str] = []
    try:
        load_sites(args.sites, problems=skipped)   # the spider logs the skipped rows itself
        years = parse_years(args.years)
        settings = build_settings(args)
    except (SitesError, ValueError) as e:
        _err(f"bad sites file: {e}" if isinstance(e, SitesError) else str(e))
        return EXIT_USAGE
    lock, status = claim_db(args.db)
    if lock is None:
        return status
    try:
        from scrapy.crawler import CrawlerProcess

        from crawler import logs
        from crawler.spiders.reports import ReportsSpider

        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")   # ours: one line a record
        process = CrawlerProcess(settings)
        logs.install_handler(settings)
        crawler = process.create_crawler(ReportsSpider)
        process.crawl(crawler, sites=args.sites, mode=args.mode, years=args.years,
                      revalidate="1" if args.revalidate else None,
                      rediscover="1" if getattr(args, "rediscover", False) else None)
        process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        summary = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("nianbao/summary/")}
        if not summary:
            _err("the crawl did not run (see the log above)")
            return EXIT_FAILED
        summary["sites_skipped"] = len(skipped)
        summary["mode"] = run_mode(args.mode, years, args.revalidate)
        sys.stderr.flush()
        print(format_summary(summary), flush=True)
        reason = stats.get("finish_reason")
        code = exit_status(summary, reason)
        if reason not in ("finished", None):
            _err(f"crawl ended early: {reason}")
        elif summary.get("storage_errors"):
            _err(f"the database failed {summary['storage_errors']} time(s): see the log; exit status 3")
        return code
    except ValueError as e:
        _err(str(e))
        return EXIT_USAGE
    finally:
        lock.release()
