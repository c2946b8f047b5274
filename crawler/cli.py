"""The `nianbao` command. Each subcommand's work lives in the module that owns it;
this file only declares arguments and dispatches, importing lazily so `nianbao parse`
does not pay for Scrapy or Datasette."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

# subcommand -> "module:function"; the function takes the parsed args and returns an exit code
COMMANDS = {
    "parse": "parsers.cli:run",
    "crawl": "crawler.run:run",
    "serve": "storage.serve:run",
    "reparse": "storage.reparse:run",
    "ingest": "crawler.scaleout.commands:run_ingest",
    "discover": "crawler.discover:run",
}


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("nianbao")
    except Exception:  # noqa: BLE001 - running from a checkout that was never installed
        return "unknown"


class _Help(argparse.HelpFormatter):
    """Help lines end with the default when there is one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    fmt = _Help
    ap = argparse.ArgumentParser(prog="nianbao", formatter_class=fmt,
                                 description="Collect 政府信息公开工作年度报告 into SQLite and browse them.")
    ap.add_argument("--version", action="version", version=f"nianbao {_version()}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", formatter_class=fmt,
                       help="parse saved reports (HTML, text, PDF, DOCX, DOC) and print their structure")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="report files: HTML page, text/Markdown dump, PDF, DOCX or DOC (kind read from the bytes)")
    p.add_argument("--json", action="store_true",
                   help="print JSON (one object for one PATH, one per line for several) instead of a summary")

    c = sub.add_parser("crawl", formatter_class=fmt, help="crawl portals, parse the reports found and store them",
                       epilog="exit status: 0 all sites crawled, 1 some sites failed/blocked/skipped, "
                              "2 usage, 3 the run failed as a whole, 75 another crawl holds the lock")
    c.add_argument("--sites", metavar="CSV", help="sites file with header name,level,region_code,url "
                   "(default: the bundled crawler/sites/sites.csv)")
    c.add_argument("--db", metavar="PATH", help="SQLite database to write; required, except for a --redis "
                   "worker started without --seed")
    c.add_argument("--mode", choices=["nightly", "backfill"], default="nightly",
                   help="nightly: remembered columns, conditional requests, stop at known reports; "
                        "backfill: every page of every column")
    c.add_argument("--years", metavar="FIRST-LAST", help="backfill only these years, e.g. 2019-2024 (default: all)")
    c.add_argument("--revalidate", action="store_true", help="also re-check stored reports with conditional requests")
    c.add_argument("--rediscover", action="store_true",
                   help="walk each site from its entry page again for new organs and columns "
                        "(nightly does it on its own every NIANBAO_REDISCOVER_DAYS, default 7)")
    c.add_argument("--redis", metavar="URL", help="redis://HOST:PORT/DB: run as a worker of a shared crawl")
    c.add_argument("--seed", action="store_true", help="with --redis: load the sites file into the shared queue")
    c.add_argument("-L", "--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], type=str.upper,
                   help="log level (default: LOG_LEVEL of the settings, INFO; tracebacks only at DEBUG)")
    c.add_argument("--log-file", metavar="PATH", help="write the log to this file instead of stderr")
    c.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy or nianbao setting, e.g. -s NIANBAO_CONTACT=https://example.org/contact "
                        "(repeatable)")

    dsc = sub.add_parser("discover", formatter_class=fmt, help="dry run for a sites file: per site, reachable or not, the CMS family, "
                                          "the report columns found with their organs, and the reports listed; stores nothing")
    dsc.add_argument("--sites", metavar="CSV", help="sites file with header name,level,region_code,url "
                     "(default: the bundled crawler/sites/sites.csv)")
    dsc.add_argument("--json", action="store_true", help="print one JSON object per site")
    dsc.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy or nianbao setting (repeatable)")

    s = sub.add_parser("serve", formatter_class=fmt, help="browse the database with Datasette (read-only)")
    s.add_argument("--db", required=True, metavar="PATH", help="SQLite database written by nianbao crawl (required)")
    s.add_argument("--port", type=int, default=8001, help="port to listen on")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on; 0.0.0.0 exposes read-only SQL to the network (README: What can go wrong)")
    s.add_argument("--no-sql", action="store_true",
                   help="no arbitrary SQL: tables, canned queries and dashboards only (for --host 0.0.0.0)")

    r = sub.add_parser("reparse", formatter_class=fmt,
                       help="rebuild reports, cells and checks from the stored raw pages (no network)")
    r.add_argument("--db", required=True, metavar="PATH", help="SQLite database written by nianbao crawl (required)")

    i = sub.add_parser("ingest", formatter_class=fmt,
                       help="write reports pushed to Redis by crawl workers into the database")
    i.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB of the shared crawl (required)")
    i.add_argument("--db", required=True, metavar="PATH", help="SQLite database to write (required)")
    i.add_argument("--idle-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="exit after this many seconds with no item and no live worker")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module, func = COMMANDS[args.command].split(":")
    try:
        return int(getattr(importlib.import_module(module), func)(args) or 0)
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (nianbao parse ... | head): stop quietly, as other Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
