"""What every nianbao command that runs a crawl shares: exit statuses, the one-line error, the
database's writer lock, the Scrapy settings built from the command line, and the run summary.

`crawler.run` (`nianbao crawl`), `crawler.discover` and the scale-out roles (`crawler.scaleout`)
import from here; nothing here imports them, so there is no import circle.

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
import re
import sys

from parsers.vocabulary import SUMMARY_ROWS

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FAILED, EXIT_LOCKED = 0, 1, 2, 3, 75



def error(msg: str, command: str = "crawl") -> None:
    """The one-line error of a command: `nianbao COMMAND: msg` on stderr (never a traceback)."""
    print(f"nianbao {command}: {msg}", file=sys.stderr)


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
        """Let the lock go (no-op when not held)."""
        if self.held is not None:
            self.held.release()
            self.held = None


def claim_db(db: str, command: str = "crawl") -> tuple[Lock | None, int]:
    """The database's lock for the one writer, or (None, exit status) with the reason printed:
    the database is not writable, or another crawl or ingester holds it."""
    from storage.store import writable_problem

    problem = writable_problem(db)
    if problem:
        error(f"database not writable: {problem}", command)
        return None, EXIT_USAGE
    lock = Lock(db)
    held = lock.acquire()
    if held:
        error(held, command)
        return None, EXIT_LOCKED
    return lock, EXIT_OK


def format_summary(summary: dict) -> str:
    """The end-of-run summary printed on stdout, one `label  value` line per figure."""
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
    """The project's Scrapy settings with the command line's database, `-s NAME=VALUE` pairs,
    log level and log file on top. Raises ValueError on a malformed `-s`."""
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
