"""`nianbao crawl`: check the inputs, take the lock, run the `reports` spider, print the summary.

Exit statuses, the lock, the settings and the summary are crawler.runtime's (shared with the
scale-out roles); `--redis` hands the command to crawler.scaleout.commands.
"""
from __future__ import annotations

import argparse
import sys

from crawler.runtime import (EXIT_FAILED, EXIT_USAGE, build_settings, claim_db, error, exit_status,
                             format_summary, parse_years)
from parsers.vocabulary import run_mode


def run(args: argparse.Namespace) -> int:
    from crawler.sitesfile import SitesError, load_sites

    if not args.db and not (getattr(args, "redis", None) and not getattr(args, "seed", False)):
        error("--db is required (only a --redis worker started without --seed runs without one)")
        return EXIT_USAGE
    if getattr(args, "redis", None):
        try:
            from crawler.scaleout import commands
        except ImportError:
            error("--redis: distributed crawling is not available in this build")
            return EXIT_USAGE
        return int(commands.run_worker(args) or 0)
    skipped: list[str] = []
    try:
        load_sites(args.sites, problems=skipped)   # the spider logs the skipped rows itself
        years = parse_years(args.years)
        settings = build_settings(args)
    except (SitesError, ValueError) as e:
        error(f"bad sites file: {e}" if isinstance(e, SitesError) else str(e))
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
            error("the crawl did not run (see the log above)")
            return EXIT_FAILED
        summary["sites_skipped"] = len(skipped)
        summary["mode"] = run_mode(args.mode, years, args.revalidate)
        sys.stderr.flush()
        print(format_summary(summary), flush=True)
        reason = stats.get("finish_reason")
        code = exit_status(summary, reason)
        if reason not in ("finished", None):
            error(f"crawl ended early: {reason}")
        elif summary.get("storage_errors"):
            error(f"the database failed {summary['storage_errors']} time(s): see the log; exit status 3")
        return code
    except ValueError as e:
        error(str(e))
        return EXIT_USAGE
    finally:
        lock.release()
