"""What the crawler remembers between runs, read from the same SQLite database as the reports.

Most of it comes from storage (stored report URLs, page validators); the crawler adds one
table of its own, crawl_state, for what storage has no reason to know: each site's report
column (so a nightly run starts there, one request) and the detail pages already judged
(a page whose report is an attachment, or a page that turned out not to be a report), so
neither is fetched again.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_state (
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    what TEXT NOT NULL,          -- column | report_page | not_report | out_of_range | image_only
    at REAL NOT NULL,
    PRIMARY KEY (site_id, url, what)
);
"""


class CrawlState:
    def __init__(self, path: str | Path, store=None) -> None:
        self.path = str(path)
        self.store = store
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout=30000")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def remember(self, site_id: str, url: str, what: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO crawl_state VALUES (?,?,?,?)", (site_id, url, what, time.time()))

    def forget(self, site_id: str, url: str, what: str) -> None:
        self.conn.execute("DELETE FROM crawl_state WHERE site_id=? AND url=? AND what=?", (site_id, url, what))

    def columns(self, site_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT url FROM crawl_state WHERE site_id=? AND what='column' ORDER BY at", (site_id,))]

    def judged(self, site_id: str) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT url FROM crawl_state WHERE site_id=? AND what!='column'", (site_id,))}

    def known_urls(self, site_id: str) -> set[str]:
        """URLs a list link may point to that need no fetch: stored reports and judged pages."""
        known = set(self.judged(site_id))
        if self.store is not None:
            known |= set(self.store.report_urls(site_id=site_id))
        return known
