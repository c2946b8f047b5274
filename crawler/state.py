"""What the crawler remembers between runs, read from the same SQLite database as the reports.

Most of it comes from storage (stored report URLs, page validators, failed reports due for
another try); the crawler adds one table of its own, crawl_state, for what storage has no
reason to know:
- every report column found, with the organ it belongs to (from the names on the path that
  led to it), its name and CMS family, so a nightly run asks each one with one request;
- the detail pages already judged (a page whose report is an attachment, a page that turned
  out not to be a report), so none is fetched again;
- per site (url ''): when its columns were last discovered (`discovered`) and whether its last
  run is still `unfinished` (killed: its validators are not trusted, its columns are walked whole).
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_state (
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    what TEXT NOT NULL,          -- column | report_page | not_report | out_of_range | discovered | unfinished
    at REAL NOT NULL,
    PRIMARY KEY (site_id, url, what)
);
"""
# columns added since the first release (an older database gets them on open)
EXTRA_COLUMNS = (("organ", "TEXT"), ("name", "TEXT"), ("family", "TEXT"))
SITE_MARKS = ("discovered", "unfinished")


class CrawlState:
    def __init__(self, path: str | Path, store=None) -> None:
        self.path = str(path)
        self.store = store
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout=30000")
        # as storage.Store: in WAL mode a crash loses nothing committed without an fsync per write
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        have = {r[1] for r in self.conn.execute("PRAGMA table_info(crawl_state)")}
        for name, kind in EXTRA_COLUMNS:
            if name not in have:
                self.conn.execute(f"ALTER TABLE crawl_state ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.conn.close()

    def remember(self, site_id: str, url: str, what: str, *, organ: str | None = None, name: str | None = None,
                 family: str | None = None) -> None:
        self.conn.execute("INSERT OR REPLACE INTO crawl_state (site_id, url, what, at, organ, name, family) "
                          "VALUES (?,?,?,?,?,?,?)", (site_id, url, what, time.time(), organ, name, family))

    def mark_sites(self, site_ids, what: str) -> None:
        """Set a site mark (url '') on many sites in one transaction."""
        now = time.time()
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.executemany("INSERT OR REPLACE INTO crawl_state (site_id, url, what, at) VALUES (?,?,?,?)",
                                  [(sid, "", what, now) for sid in site_ids])

    def forget(self, site_id: str, url: str, what: str) -> None:
        self.conn.execute("DELETE FROM crawl_state WHERE site_id=? AND url=? AND what=?", (site_id, url, what))

    def when(self, site_id: str, url: str, what: str) -> float | None:
        """When a mark was set (epoch seconds), or None."""
        row = self.conn.execute("SELECT at FROM crawl_state WHERE site_id=? AND url=? AND what=?",
                                (site_id, url, what)).fetchone()
        return row[0] if row else None

    def columns(self, site_id: str) -> list[dict]:
        """The site's known report columns in the order found: {url, organ, name, family}."""
        return [{"url": r[0], "organ": r[1], "name": r[2], "family": r[3]} for r in self.conn.execute(
            "SELECT url, organ, name, family FROM crawl_state WHERE site_id=? AND what='column' ORDER BY at, rowid",
            (site_id,))]

    def judged(self, site_id: str) -> set[str]:
        marks = ("column",) + SITE_MARKS
        return {r[0] for r in self.conn.execute(
            f"SELECT url FROM crawl_state WHERE site_id=? AND what NOT IN ({','.join('?' * len(marks))})",
            (site_id, *marks))}

    def known_urls(self, site_id: str) -> set[str]:
        """URLs a list link may point to that need no fetch: stored reports and judged pages."""
        known = set(self.judged(site_id))
        if self.store is not None:
            known |= set(self.store.report_urls(site_id=site_id))
        return known
