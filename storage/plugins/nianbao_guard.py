"""Resource caps on every connection Datasette opens (issue 13, item 6).

Datasette's SQL time limit interrupts SQLite's own work, but a single cheap expression can
still build a huge value (`SELECT randomblob(500000000)` took the server to 4 GB), and turning
rows into JSON is not timed at all. Two caps bound what one request can hold in memory:

- SQLite's SQLITE_LIMIT_LENGTH: no string or blob in a result may exceed MAX_VALUE_BYTES,
  so randomblob/zeroblob/printf/replace/group_concat bombs fail inside SQLite at once
  ("string or blob too big") instead of being built;
- a byte budget per statement, counted row by row as the cursor hands rows to Datasette: past
  MAX_RESULT_BYTES the query stops with a clear error, so max_returned_rows rows of large
  values cannot add up either.
"""
from __future__ import annotations

import sqlite3
import weakref

from datasette import hookimpl

MAX_VALUE_BYTES = 16 * 1024 * 1024
MAX_RESULT_BYTES = 32 * 1024 * 1024


class ResultTooLarge(sqlite3.OperationalError):
    """Raised from inside fetchmany: Datasette shows it as the query's error."""


def _size(value) -> int:
    if isinstance(value, (str, bytes)):
        return len(value)
    return 8


class _Budget:
    """Row factory that counts the bytes of one cursor's rows (a connection runs one
    statement at a time in its thread, so a new cursor starts a new count)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.cursor = None
        self.used = 0

    def __call__(self, cursor, row):
        if self.cursor is None or self.cursor() is not cursor:
            self.cursor, self.used = weakref.ref(cursor), 0
        self.used += sum(map(_size, row))
        if self.used > self.limit:
            raise ResultTooLarge(f"result larger than {self.limit // (1024 * 1024)} MB: "
                                 "select fewer rows or columns (nianbao serve caps results)")
        return sqlite3.Row(cursor, row)


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.row_factory = _Budget(MAX_RESULT_BYTES)
