"""Store's transactions and batched writes.

Every Store method that writes runs in `_tx()`: its own transaction, or a savepoint inside the
caller's `with store.batch():`. What costs most per report is deferred to the end of the
outermost transaction and written in bulk there:
- cells, checks and figures: one `executemany` per table for the whole batch, the cells sorted
  by their keys so the (table, row, col) index is touched once per key and batch rather than
  once per key and report (which kept the cost per report growing with the database);
- the search index (reports_fts): new reports are indexed by one INSERT … SELECT per batch
  (migration m003 dropped the per-row insert trigger; the update and delete triggers stay, so
  an UPDATE of a report's title or text keeps the index right whoever makes it);
- raw bytes (blobs): one `executemany` at the end. Inside `batch()` they are compressed by a
  worker thread while this one goes on (zlib lets go of the GIL), so the second core does it;
  a blob pending in the batch is read back from memory (Store.blob).
A report whose deferred rows are still pending is flushed before it is read or changed again,
so a batch reads its own writes. A failure inside a savepoint drops what that savepoint
deferred; a failure of the batch rolls all of it back: a crash (SIGKILL) mid-batch loses the
uncommitted batch only, and storing it again completes it (storing is idempotent by URL and bytes).
"""
from __future__ import annotations

import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import sqlite_utils

CELL_COLUMNS = ("report_id", "table_key", "row_key", "col_key", "value", "raw", "inferred", "confidence")
# Bytes that are compressed already (PDF streams, DOCX zips, images, gzip): zlib gains nothing.
COMPRESSED_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"\x1f\x8b")


class BatchedWrites:
    """Mixed into storage.Store: transactions, deferred part rows and the search index."""

    db: "sqlite_utils.Database"

    def _init_batch(self) -> None:
        self._depth = 0
        self._cells: list[tuple] = []
        self._checks: list[tuple] = []
        self._figures: list[tuple[int, dict]] = []
        self._fts_new: list[int] = []           # report ids inserted, not indexed yet
        self._pending: set[int] = set()         # report ids with deferred rows
        # blobs to insert: digest -> (size, compression, compressed bytes or their Future, raw bytes)
        self._blobs: dict[str, tuple[int, str, "bytes | Future[bytes]", bytes]] = {}
        self._compressor: ThreadPoolExecutor | None = None   # inside batch() only

    @contextmanager
    def batch(self) -> Iterator[Any]:
        """Many writes, one transaction: `with store.batch(): store.store_report(...) …`.

        Inside it, every Store method works as outside it (store_report, record_page,
        record_failure, replace_parse, the crawl state's …) and returns the same answers, but
        nothing is committed until the block ends; cells, checks, figures and the search
        index are written in bulk then (plain SQL inside the block sees the reports rows,
        not yet their cells). If the block raises, nothing of it is committed.
        For the ingester: store items in blocks of a few hundred and acknowledge them (remove
        them from Redis) only after the block has ended; after a crash the unacknowledged
        items are stored again and the batch completes."""
        outer = self._depth == 0
        if outer:
            # one worker thread compresses the batch's raw bytes while this thread stores the rest
            self._compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-zlib")
            # The batch's cells, checks and figures refer to reports this Store has just written
            # in the same transaction: SQLite's foreign-key lookups were half the cost of the
            # cells' inserts. (The pragma cannot change inside a transaction, hence here.)
            self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            with self._tx():
                yield self
        finally:
            if outer:
                self.db.execute("PRAGMA foreign_keys = ON")
                compressor, self._compressor = self._compressor, None
                if compressor is not None:
                    compressor.shutdown(wait=True)

    @contextmanager
    def _tx(self) -> Iterator[None]:
        outer = self._depth == 0
        marks = (len(self._cells), len(self._checks), len(self._figures), len(self._fts_new), len(self._blobs))
        self._depth += 1
        try:
            with self.db.atomic():
                yield
                if outer:
                    self._flush()
        except BaseException:
            # rolled back: forget what was deferred since this (save)point
            del self._cells[marks[0]:], self._checks[marks[1]:], self._figures[marks[2]:], self._fts_new[marks[3]:]
            for digest in list(self._blobs)[marks[4]:]:     # dicts keep insertion order
                del self._blobs[digest]
            if outer:
                self._pending.clear()
            raise
        finally:
            self._depth -= 1

    def _settle(self, report_id: int) -> None:
        """Write a report's deferred rows now: it is about to be read or changed again. Call it
        before opening the call's own savepoint (a rollback of that savepoint would otherwise
        take the flushed rows of earlier calls with it)."""
        if report_id in self._pending:
            self._flush()

    def _defer_parts(self, report_id: int, cells: list[tuple], checks: list[tuple], figures: dict) -> None:
        self._cells.extend(cells)
        self._checks.extend(checks)
        self._figures.append((report_id, figures))
        self._pending.add(report_id)

    def _defer_fts(self, report_id: int) -> None:
        self._fts_new.append(report_id)
        self._pending.add(report_id)

    def _defer_blob(self, digest: str, data: bytes) -> None:
        """Insert these bytes under their hash at the end of the transaction (compressed with
        zlib unless they are compressed already), unless that is done or pending already."""
        if digest in self._blobs or self.db.conn.execute(
                "SELECT 1 FROM blobs WHERE sha256 = ?", [digest]).fetchone() is not None:
            return          # a refetch of stored bytes, or store_report after record_page: no work
        method = "none" if data.startswith(COMPRESSED_MAGIC) else "zlib"
        if self._compressor is None:
            # Outside batch() the foreign keys are on: the pages or reports row about to name
            # this hash needs the blob row first.
            self.db.conn.execute("INSERT INTO blobs (sha256, size, compression, data) VALUES (?, ?, ?, ?)",
                                 [digest, len(data), method, zlib.compress(data, 6) if method == "zlib" else data])
            return
        packed = self._compressor.submit(zlib.compress, data, 6) if method == "zlib" else data
        self._blobs[digest] = (len(data), method, packed, data)

    def pending_blob(self, digest: str) -> bytes | None:
        """Raw bytes written in this transaction and not yet inserted (None when there are none)."""
        got = self._blobs.get(digest)
        return got[3] if got else None

    def _flush(self) -> None:
        conn = self.db.conn
        if self._cells:
            # sorted by (table, row, col): each key's index page is visited once per batch
            self._cells.sort(key=lambda c: (c[1], c[2], c[3], c[0]))
            conn.executemany(f"INSERT OR REPLACE INTO cells ({', '.join(CELL_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(CELL_COLUMNS))})", self._cells)
        if self._checks:
            conn.executemany("INSERT INTO checks (report_id, rule, ok, detail) VALUES (?, ?, ?, ?)", self._checks)
        if self._figures:
            cols = list(self._figures[0][1])
            conn.executemany(f"INSERT OR REPLACE INTO figures (report_id, {', '.join(cols)}) "
                             f"VALUES (?, {', '.join('?' * len(cols))})",
                             [(rid, *(f[c] for c in cols)) for rid, f in self._figures])
        if self._fts_new:
            ids = sorted(set(self._fts_new))
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                conn.execute("INSERT INTO reports_fts (rowid, title, text) SELECT id, title, text FROM reports "
                             f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        if self._blobs:
            # last, so the worker thread compressed them while the rows above were written
            conn.executemany("INSERT OR IGNORE INTO blobs (sha256, size, compression, data) VALUES (?, ?, ?, ?)",
                             [(d, size, method, packed.result() if isinstance(packed, Future) else packed)
                              for d, (size, method, packed, _) in self._blobs.items()])
        self._blobs.clear()
        self._cells.clear()
        self._checks.clear()
        self._figures.clear()
        self._fts_new.clear()
        self._pending.clear()


def one(conn: Any, sql: str, params: Any = ()) -> dict | None:
    """The first row of a query as a dict, or None (plain sqlite3: sqlite-utils' query() wraps
    every read in a savepoint, which cost a tenth of a report's storing)."""
    cur = conn.execute(sql, params)
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def insert(conn: Any, table: str, rec: dict) -> int:
    """INSERT one row (plain SQL: sqlite-utils' insert reads the table's columns on every call)."""
    cols = list(rec)
    cur = conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                       f"VALUES ({', '.join('?' * len(cols))})", [rec[c] for c in cols])
    return int(cur.lastrowid)


def update(conn: Any, table: str, key: str, value: Any, rec: dict) -> None:
    """UPDATE the given columns of the row whose `key` column is `value`."""
    cols = list(rec)
    conn.execute(f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in cols)} WHERE [{key}] = ?",
                 [*(rec[c] for c in cols), value])


def upsert(conn: Any, table: str, rec: dict, key: str) -> None:
    """INSERT the row, or UPDATE the given columns of the row with the same `key` (sqlite-utils' upsert)."""
    cols = list(rec)
    sets = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != key)
    conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' * len(cols))}) "
                 f"ON CONFLICT([{key}]) DO UPDATE SET {sets}", [rec[c] for c in cols])
