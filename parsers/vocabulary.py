"""Words the parser, the database and the crawler share, each defined here once (parsers/ is the
bottom layer, so storage/ and crawler/ import them from here). The report's own vocabulary lives
beside the code that reads it: section keys in parsers.sections (SECTION_KEYS), title and year
rules there too (REPORT_TITLE_RE, title_year), the official table keys in parsers.labels."""
from __future__ import annotations

from datetime import datetime, timezone

# Files a report is published as, besides the page itself: what the crawler follows as an
# attachment (crawler.discovery.is_attachment_url) and what the extraction stage lists as one
# (parsers.page_links). WPS and ET are Kingsoft's Writer and Spreadsheets, OFD China's fixed-layout
# format.
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd")

# What a run counts as it stores items: key (on the runs row and in the summary) -> summary label.
COUNT_LABELS = {
    "new": "new", "changed": "changed", "unchanged": "unchanged", "parse_failures": "parse failures",
    "identity_failures": "identity failures", "not_reports": "not reports", "image_only": "image only",
    "failed_pages": "failed pages", "blocked_pages": "blocked pages", "reports_found": "reports found",
    "storage_errors": "storage errors",
}
COUNT_KEYS = tuple(COUNT_LABELS)
# the counts the items of a distributed crawl carry in Redis (storage errors are the ingester's own)
SHARED_COUNT_KEYS = tuple(k for k in COUNT_KEYS if k != "storage_errors")

# The run's summary as `nianbao crawl` and `nianbao ingest` print it: (label, key), in order.
SUMMARY_ROWS = (
    ("sites ok", "sites_ok"), ("sites failed", "sites_failed"), ("sites blocked", "sites_blocked"),
    ("sites skipped", "sites_skipped"), ("columns found", "columns_found"), ("organs found", "organs_found"),
    ("requests", "requests"), ("bytes", "bytes"),
    *((COUNT_LABELS[k], k) for k in ("reports_found", "new", "changed", "unchanged", "image_only", "not_reports",
                                     "parse_failures", "identity_failures", "failed_pages", "blocked_pages",
                                     "storage_errors")),
)


def run_mode(mode: str, years: tuple[int, int] | str | None = None, revalidate: bool = False) -> str:
    """The summary's mode line: `backfill 2019-2024 +revalidate`."""
    if isinstance(years, tuple):
        years = f"{years[0]}-{years[1]}"
    return mode + (f" {years}" if years else "") + (" +revalidate" if revalidate else "")


# The one clock: every timestamp the project stores (reports, pages, runs, failures, crawl_state)
# is `now()`'s text, and every age or wait is measured against the same clock here, so no module
# mixes epoch seconds, local time and ISO text (a test in tests/test_structure.py holds others to it).

def _clock() -> datetime:
    return datetime.now(timezone.utc)


def now() -> str:
    """The time, as every timestamp the project stores: UTC, ISO 8601, whole seconds."""
    return stamp(_clock())


def stamp(moment: datetime | float) -> str:
    """A moment as `now()` writes it: an aware datetime, or epoch seconds (as the crawl_state of
    releases before migration m005 held them) -> UTC ISO 8601, whole seconds (truncated)."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """A stored timestamp back as an aware datetime (one with no zone is read as UTC).
    Raises ValueError on text that is not ISO 8601."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def age_seconds(since: str | datetime, at: datetime | None = None) -> float:
    """Seconds from `since` (a stored timestamp or an aware datetime) to `at` (default: now);
    negative when `since` is still ahead (a Retry-After date, a clock set back)."""
    start = parse_time(since) if isinstance(since, str) else since
    return ((at or _clock()) - start).total_seconds()


def run_id_stamp() -> str:
    """The time as a run id's prefix (compact, sortable, UTC): 20261201T182652Z."""
    return _clock().strftime("%Y%m%dT%H%M%SZ")
