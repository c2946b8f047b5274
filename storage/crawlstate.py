"""What the crawler remembers between runs: Store's methods on the crawl_state table.

Most of what a crawl needs to know comes from the stored data itself (stored report URLs,
page validators, failed reports due for another try); the crawl_state table (created with the
rest of the schema, storage/schema.py) holds what only the crawler has reason to know:
- every report column found, with the organ it belongs to (from the names on the path that
  led to it), its name and CMS family, so a nightly run asks each one with one request;
- the detail pages already judged (a page whose report is an attachment, a page that turned
  out not to be a report), so none is fetched again;
- per site (url ''): when its columns were last discovered (`discovered`) and whether its last
  run is still `unfinished` (killed: its validators are not trusted, its columns are walked whole).

Store inherits these methods, so they run on the Store's one connection: every write is its
own short transaction (as each Store call), committed at once so a killed crawl keeps it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from parsers.vocabulary import now

if TYPE_CHECKING:
    import sqlite_utils

# what a row records: a report column, a judged detail page, or a mark on the whole site
MARKS = ("column", "report_page", "not_report", "out_of_range", "discovered", "unfinished")
SITE_MARKS = ("discovered", "unfinished")


class CrawlStateMethods:
    """Mixed into storage.Store: the crawl_state table, read and written on Store's connection."""

    db: "sqlite_utils.Database"

    def report_urls(self, site_id: str | None = None, *, include_failures: bool = False) -> set[str]:
        raise NotImplementedError     # Store's

    def remember(self, site_id: str, url: str, what: str, *, organ: str | None = None, name: str | None = None,
                 family: str | None = None) -> None:
        """Record a column (`what` = column, with its organ, name and CMS family), a judged page
        (report_page, not_report, out_of_range) or a site mark (url '')."""
        with self.db.atomic():
            self.db.execute("INSERT OR REPLACE INTO crawl_state (site_id, url, what, at, organ, name, family) "
                            "VALUES (?,?,?,?,?,?,?)", (site_id, url, what, now(), organ, name, family))

    def mark_sites(self, site_ids: Iterable[str], what: str) -> None:
        """Set a site mark (url '') on many sites in one transaction."""
        stamp = now()
        with self.db.atomic():
            self.db.conn.executemany("INSERT OR REPLACE INTO crawl_state (site_id, url, what, at) VALUES (?,?,?,?)",
                                     [(sid, "", what, stamp) for sid in site_ids])

    def forget(self, site_id: str, url: str, what: str) -> None:
        """Drop one mark (a site's `unfinished` once all its requests have answered)."""
        with self.db.atomic():
            self.db.execute("DELETE FROM crawl_state WHERE site_id=? AND url=? AND what=?", (site_id, url, what))

    def when(self, site_id: str, url: str, what: str) -> str | None:
        """When a mark was set (`parsers.vocabulary.now()`'s UTC ISO text), or None;
        `parsers.vocabulary.age_seconds` turns it into an age."""
        row = self.db.execute("SELECT at FROM crawl_state WHERE site_id=? AND url=? AND what=?",
                              (site_id, url, what)).fetchone()
        return row[0] if row else None

    def columns(self, site_id: str) -> list[dict]:
        """The site's known report columns in the order found: {url, organ, name, family}."""
        return [{"url": r[0], "organ": r[1], "name": r[2], "family": r[3]} for r in self.db.execute(
            "SELECT url, organ, name, family FROM crawl_state WHERE site_id=? AND what='column' ORDER BY at, rowid",
            (site_id,))]

    def judged(self, site_id: str) -> set[str]:
        """Detail pages already judged for the site (attachment pages, non-reports, out of range)."""
        marks = ("column",) + SITE_MARKS
        return {r[0] for r in self.db.execute(
            f"SELECT url FROM crawl_state WHERE site_id=? AND what NOT IN ({','.join('?' * len(marks))})",
            (site_id, *marks))}

    def known_urls(self, site_id: str) -> set[str]:
        """URLs a list link may point to that need no fetch: stored reports and judged pages."""
        return self.judged(site_id) | self.report_urls(site_id=site_id)
