"""The `nianbao` command. Each subcommand's work lives in the module that owns it;
this file only declares arguments and dispatches, importing lazily so `nianbao parse`
does not pay for Scrapy or Datasette."""
from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> "module:function"; the function takes the parsed args and returns an exit code
COMMANDS = {
    "parse": "parsers.cli:run",
    "crawl": "crawler.run:run",
    "serve": "storage.serve:run",
    "reparse": "storage.reparse:run",
    "ingest": "crawler.distributed:run_ingest",
    "discover": "crawler.discover:run",
}


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="nianbao", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse saved reports (HTML, text, PDF, DOCX) and print their structure")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print JSON (one object for one PATH, one per line for several)")

    c = sub.add_parser("crawl", help="crawl portals, parse the reports found and store them")
    c.add_argument("--sites", help="CSV with header name,level,region_code,url (default: the bundled list)")
    c.add_argument("--db", help="SQLite database to write (a --redis worker without --seed needs none)")
    c.add_argument("--mode", choices=["nightly", "backfill"], default="nightly")
    c.add_argument("--years", help="backfill range such as 2019-2024")
    c.add_argument("--revalidate", action="store_true", help="re-check stored reports with conditional requests")
    c.add_argument("--rediscover", action="store_true",
                   help="walk each site from its entry page again for new organs and columns "
                        "(nightly does it on its own every NIANBAO_REDISCOVER_DAYS, default 7)")
    c.add_argument("--redis", help="redis://HOST:PORT/DB: run as a worker of a shared crawl")
    c.add_argument("--seed", action="store_true", help="with --redis: load the sites file into the shared queue")
    c.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="extra Scrapy setting")

    dsc = sub.add_parser("discover", help="dry run for a sites file: per site, reachable or not, the CMS family, "
                                          "the report columns found with their organs, and the reports listed; stores nothing")
    dsc.add_argument("--sites", help="CSV with header name,level,region_code,url (default: the bundled list)")
    dsc.add_argument("--json", action="store_true", help="print one JSON object per site")
    dsc.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="extra Scrapy setting")

    s = sub.add_parser("serve", help="browse the database with Datasette (read-only)")
    s.add_argument("--db", required=True)
    s.add_argument("--port", type=int, default=8001)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--no-sql", action="store_true",
                   help="no arbitrary SQL: tables, canned queries and dashboards only (for --host 0.0.0.0)")

    r = sub.add_parser("reparse", help="rebuild reports, cells and checks from the stored raw pages")
    r.add_argument("--db", required=True)

    i = sub.add_parser("ingest", help="write reports pushed to Redis by crawl workers into the database")
    i.add_argument("--redis", required=True)
    i.add_argument("--db", required=True)
    i.add_argument("--idle-timeout", type=float, default=30.0, help="exit after this many seconds with no item")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module, func = COMMANDS[args.command].split(":")
    try:
        return int(getattr(importlib.import_module(module), func)(args) or 0)
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
