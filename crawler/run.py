"""`nianbao crawl`: check the inputs, take the lock, run the `reports` spider, print the summary.

Exit status: 0 when the run completed (unreachable or blocked sites are in the summary and the
database), 2 when it could not start (bad sites file, database not writable, bad --years),
3 when the crawl failed as a whole, 75 when another crawl holds the lock.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import sqlite3
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_FAILED, EXIT_LOCKED = 0, 2, 3, 75

SUMMARY_ROWS = (
    ("sites ok", "sites_ok"), ("sites failed", "sites_failed"), ("sites blocked", "sites_blocked"),
    ("columns found", "columns_found"), ("organs found", "organs_found"),
    ("requests", "requests"), ("bytes", "bytes"), ("reports found", "reports_found"),
    ("new", "new"), ("changed", "changed"), ("unchanged", "unchanged"),
    ("image only", "image_only"), ("not reports", "not_reports"), ("parse failures", "parse_failures"),
    ("identity failures", "identity_failures"), ("failed pages", "failed_pages"), ("blocked pages", "blocked_pages"),
)


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
    """One crawl per database: a second run exits at once with a clear message."""

    def __init__(self, db: str) -> None:
        self.path = Path(str(db) + ".lock")
        self.fh = None

    def acquire(self) -> str | None:
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            return f"another crawl is running on this database ({holder}; lock {self.path})"
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()}")
        self.fh.flush()
        return None

    def release(self) -> None:
        if self.fh:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


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
    lines += [f"{label:<{width}}  {summary.get(key, 0)}" for label, key in SUMMARY_ROWS]
    if summary.get("reports_per_organ"):
        lines.append(f"{'reports per organ':<{width}}  {summary['reports_per_organ']}")
    return "\n".join(lines)


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
    try:
        sites = load_sites(args.sites)
        years = parse_years(args.years)
    except (SitesError, ValueError) as e:
        _err(f"bad sites file: {e}" if isinstance(e, SitesError) else str(e))
        return EXIT_USAGE
    lock, status = claim_db(args.db)
    if lock is None:
        return status
    try:
        settings = build_settings(args)
        from scrapy.crawler import CrawlerProcess

        from crawler.spiders.reports import ReportsSpider

        process = CrawlerProcess(settings, install_root_handler=True)
        crawler = process.create_crawler(ReportsSpider)
        process.crawl(crawler, sites=args.sites, mode=args.mode, years=args.years,
                      revalidate="1" if args.revalidate else None,
                      rediscover="1" if getattr(args, "rediscover", False) else None)
        process.start()
        stats = crawler.stats.get_stats()
        summary = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("nianbao/summary/")}
        if not summary:
            _err("the crawl did not run (see the log above)")
            return EXIT_FAILED
        summary["mode"] = args.mode + (f" {years[0]}-{years[1]}" if years else "") + (" +revalidate" if args.revalidate else "")
        print(format_summary(summary))
        reason = stats.get("finish_reason")
        if reason not in ("finished", None):
            _err(f"crawl ended early: {reason}")
            return EXIT_FAILED
        return EXIT_OK
    except ValueError as e:
        _err(str(e))
        return EXIT_USAGE
    finally:
        lock.release()
