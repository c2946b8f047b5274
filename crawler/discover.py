"""`nianbao discover --sites FILE`: a dry run for someone building a sites file.

It walks each site as a backfill would (catalogue pages, organ trees, platforms, every page of
every column) but fetches no report, and prints per site: reachable or not, the CMS family,
the report columns found with their organs, and the reports their lists show. It stores
nothing: the crawl writes to a temporary database that is deleted afterwards.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from crawler import ledger as run_ledger


def site_report(site: dict, tally) -> dict:
    """What discovery found on one site, as plain data."""
    reports = defaultdict(list)
    for r in tally.listed_reports:
        reports[r["organ"] or ""].append({"title": r["title"], "url": r["url"]})
    return {
        "name": site["name"], "url": site["url"], "reachable": tally.answered > 0,
        "status": tally.outcome or "ok", "reason": tally.reason,
        "cms": [f for f, _ in tally.families.most_common()],
        "columns": [{"url": c["url"], "name": c.get("name"), "organ": c.get("organ"), "family": c.get("family")}
                    for c in tally.columns.values()],
        "organs": sorted(tally.organs),
        "reports": sum(len(v) for v in reports.values()),
        "reports_by_organ": dict(reports),
        "pages": tally.pages,
    }


def format_site(r: dict) -> str:
    """The human-readable block for one site."""
    lines = [f"{r['name']}  {r['url']}",
             f"  reachable: {'yes' if r['reachable'] else 'no'}" + (f" ({r['reason']})" if r["reason"] else ""),
             f"  CMS family: {', '.join(r['cms']) or 'unknown'}",
             f"  columns: {len(r['columns'])}, organs: {len(r['organs'])}, reports listed: {r['reports']}, "
             f"catalogue/list pages asked: {r['pages']}"]
    for c in r["columns"]:
        lines.append(f"    column {c.get('name') or '?'} [{c.get('organ') or '(site)'}] {c['url']}")
    for organ, reps in r["reports_by_organ"].items():
        lines.append(f"    {organ or '(site)'}: {len(reps)}")
        lines += [f"      {x['title']}" for x in reps]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from crawler.runtime import build_settings, error
    from crawler.sitesfile import SitesError, load_sites

    try:
        sites = load_sites(args.sites)
    except SitesError as e:
        error(f"bad sites file: {e}", "discover")
        return 2
    with tempfile.TemporaryDirectory(prefix="nianbao-discover-") as tmp:
        ns = argparse.Namespace(db=str(Path(tmp) / "discover.db"), set=list(getattr(args, "set", None) or []))
        settings = build_settings(ns)
        settings.set("NIANBAO_PROGRESS", False, priority="cmdline")
        from scrapy.crawler import CrawlerProcess

        from crawler.spiders.reports import ReportsSpider

        process = CrawlerProcess(settings, install_root_handler=True)
        crawler = process.create_crawler(ReportsSpider)
        process.crawl(crawler, sites=args.sites, mode="discover")
        process.start()
        try:
            ledger = run_ledger.of(crawler)
        except LookupError:
            error("the dry run did not start (see the log above)", "discover")
            return 3
        out = [site_report(s, ledger[s["id"]]) for s in ledger.sites]
    for r in out:
        print(json.dumps(r, ensure_ascii=False) if args.json else format_site(r) + "\n")
    return 0 if any(r["reachable"] for r in out) or not sites else 1
