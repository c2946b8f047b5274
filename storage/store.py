"""Store: the one writer of the nianbao database (sites, pages, reports, cells, checks, runs).

Every public method is one short transaction, and the database runs in WAL mode, so
Datasette (or a second reader) can read while a crawl writes and a crash loses nothing
already committed. Storing the same bytes for a URL twice is a no-op; new bytes for a
known URL update the report and keep the previous one in report_versions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import zlib
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

import sqlite_utils

from parsers.vocabulary import now   # the one clock; re-exported as storage.now
from storage import deadlines, divisions, figures, migrations, schema
from storage.batch import BatchedWrites, insert, one, update, upsert
from storage.crawlstate import CrawlStateMethods
from storage.writerlock import DatabaseLocked, WriterLock

__all__ = ["DatabaseLocked", "Store", "WriterLock", "database_problem", "now", "site_id_for", "writable_problem"]

SITE_FIELDS = ("name", "level", "region_code", "url")
PAGE_SIZE = 8192
_REPORT_SNAPSHOT = ("url", "title", "organ", "year", "format", "publish_date", "source_type", "status",
                    "checks_ok", "content_sha256", "fetched_at", "text", "metadata")


def site_id_for(url: str) -> str:
    """A short id that stays the same for the same portal URL (scheme/host case, trailing slash ignored)."""
    p = urlsplit(url.strip())
    norm = urlunsplit((p.scheme.lower() or "http", p.netloc.lower(), p.path.rstrip("/"), p.query, ""))
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value: Any) -> str | None:
    if value is None or value == [] or value == {}:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def database_problem(path: str | Path) -> str | None:
    """None when `path` is an SQLite database (or an empty file), else a one-line reason."""
    p = Path(path)
    if not p.exists():
        return "no such file"
    if p.is_dir():
        return "is a directory"
    try:
        with open(p, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        return f"cannot read ({e.strerror or e})"
    if head and head != b"SQLite format 3\x00":
        return "not an SQLite database"
    return None


def writable_problem(path: str | Path) -> str | None:
    """None when a writer can write the database at `path` (it may not exist yet), else why not.
    Asked before a crawl starts, so an unwritable --db fails in one line before any request;
    the probe is a write transaction rolled back (no schema is made here)."""
    p = Path(path)
    if p.exists() and p.is_dir():
        return f"{path} is a directory"
    if not p.parent.exists():
        return f"directory {p.parent} does not exist"
    try:
        conn = sqlite3.connect(str(p), timeout=5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE IF NOT EXISTS _nianbao_write_probe (x)")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as e:
        return f"cannot write {path}: {e}"
    return None


class Store(BatchedWrites, CrawlStateMethods):
    """The nianbao database. `Store(path)` opens it for writing: it takes the database's
    one-writer lock (WriterLock; DatabaseLocked when another process holds it), creates or
    migrates the schema, and every write goes through its methods on its one connection (the
    crawl state's included, storage/crawlstate.py). `Store.open_readonly(path)` reads a
    database another process may be writing (the seeder, `nianbao serve`).

    Every write is one transaction; `with store.batch():` makes many writes one transaction,
    with their cells, checks, figures and search index written in bulk (storage/batch.py)."""

    def __init__(self, path: str | Path, *, synchronous: str = "NORMAL", _readonly: bool = False):
        self.path = str(path)
        self.readonly = _readonly
        self.writer_lock: WriterLock | None = None
        self._site_regions: dict[str, str | None] = {}
        self._init_batch()
        self._last_hashed: tuple[bytes | None, str] = (None, "")
        if _readonly:
            conn = sqlite3.connect(f"file:{Path(self.path).resolve()}?mode=ro", uri=True, timeout=30,
                                   check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            return
        if self.path != ":memory:":
            # one writer per database, whoever opens it (nianbao crawl, scrapy crawl, ingest, reparse)
            self.writer_lock = WriterLock.acquire(self.path)
        try:
            self.db = sqlite_utils.Database(self.path)
            # Wait for a concurrent writer's transaction (another Store in this process) instead of failing.
            self.db.execute("PRAGMA busy_timeout = 30000")
            if self.path != ":memory:":
                if not self.db.table_names():
                    # A new database: 8 KiB pages (SQLite's default is 4 KiB). Raw bytes span half
                    # as many overflow pages and the WAL frames carry less overhead; storing was
                    # ~15% faster in bench/bench_store.py. (Only settable before the first table.)
                    self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                self.db.enable_wal()
            # NORMAL in WAL mode: a crashed process loses nothing committed; only a power cut can
            # lose the last commits (FULL would fsync on every commit).
            self.db.execute(f"PRAGMA synchronous = {synchronous}")
            self.db.execute("PRAGMA foreign_keys = ON")
            # 64 MiB of page cache: a batch's index pages stay in memory as the database grows
            self.db.execute("PRAGMA cache_size = -65536")
            migrations.ensure(self.db)    # storage/migrations.py: sqlite-utils migrations
        except BaseException:
            self._release()
            raise

    @classmethod
    def open_readonly(cls, path: str | Path) -> "Store":
        """The database opened read-only (SQLite mode=ro): no lock, no schema change, no write.
        Reading methods work (report_urls, known_urls, columns, when, page_validators …)."""
        return cls(path, _readonly=True)

    def pending_migrations(self) -> list[str]:
        """The migrations opening this database for writing would apply (read-only)."""
        return migrations.pending(self.db)

    def has_tables(self, *names: str) -> bool:
        """True when every named table exists (a database being created may lack them)."""
        have = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return set(names) <= have

    # -- context manager ---------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection and release the writer's lock."""
        self.db.close()
        self._release()

    def _release(self) -> None:
        if self.writer_lock is not None:
            self.writer_lock.release()
            self.writer_lock = None

    # -- the writer's lock -----------------------------------------------------------
    def lock(self) -> WriterLock:
        """Take the one-writer lock of this database (see WriterLock); DatabaseLocked if held.
        Call `.release()` on the result when done writing. (A Store opened for writing holds it
        already; this takes it once more, for a caller that outlives the Store.)"""
        return WriterLock.acquire(self.path)

    # -- sites -------------------------------------------------------------------
    def upsert_sites(self, rows: Iterable[dict]) -> list[str]:
        """One row per portal; region resolved from region_code, refined by the name. Returns site ids."""
        ids, out = [], []
        stamp = now()
        for row in rows:
            row = dict(row)
            extras = row.pop("extras", None) or {}
            url = (row.get("url") or "").strip()
            if not url:
                raise ValueError(f"site without url: {row!r}")
            sid = site_id_for(url)
            res = divisions.resolve(row.get("name"), row.get("region_code"))
            rec = {k: (row.get(k) or None) for k in SITE_FIELDS}
            rec.update({k: v for k, v in row.items() if k not in SITE_FIELDS and k != "id"})
            rec.update(extras)
            rec.update({k: v for k, v in res.columns().items() if k not in ("region_code",)})
            rec.update({"id": sid, "url": url, "resolved_code": res.region_code,
                        "resolved_from": res.source, "updated_at": stamp})
            ids.append(sid)
            out.append(rec)
        with self.db.atomic():
            existing = {r["id"] for r in self.db.query(
                f"SELECT id FROM sites WHERE id IN ({','.join('?' * len(ids))})", ids)} if ids else set()
            for rec in out:
                if rec["id"] not in existing:
                    rec["added_at"] = stamp
            self.db.table("sites").upsert_all(out, pk="id", alter=True)
        self._site_regions.clear()
        return ids

    def _site_region(self, site_id: str | None) -> str | None:
        if not site_id:
            return None
        if site_id not in self._site_regions:
            row = next(self.db.query("SELECT resolved_code FROM sites WHERE id = ?", [site_id]), None)
            self._site_regions[site_id] = row["resolved_code"] if row else None
        return self._site_regions[site_id]

    # -- pages and raw bytes -------------------------------------------------------
    def _digest(self, data: bytes) -> str:
        # a crawl hands the same bytes object to record_page and then store_report: hash it once
        if self._last_hashed[0] is not data:
            self._last_hashed = (data, sha256(data))
        return self._last_hashed[1]

    def _put_blob(self, data: bytes, digest: str | None = None) -> str:
        digest = digest or self._digest(data)
        self._defer_blob(digest, data)      # storage/batch.py: compressed, inserted with the batch
        return digest

    def page_content(self, url: str) -> bytes | None:
        """The bytes last fetched from a URL (a report, a page, a report's picture), or None."""
        row = self.db.execute("SELECT content_sha256 FROM pages WHERE url = ?", [url]).fetchone()
        return self.blob(row[0]) if row and row[0] else None

    def blob(self, digest: str) -> bytes | None:
        """The raw bytes stored under a content hash."""
        row = self.db.execute("SELECT compression, data FROM blobs WHERE sha256 = ?", [digest]).fetchone()
        if row is None:
            return self.pending_blob(digest)
        return zlib.decompress(row[1]) if row[0] == "zlib" else bytes(row[1])   # "none": stored as is

    def record_page(self, url: str, *, site_id: str | None, status: int | None, final_url: str | None = None,
                    headers: dict | None = None, body: bytes | None = None, error: str | None = None,
                    kind: str = "page", fetched_at: str | None = None) -> str:
        """Record one fetch of url. Returns the content hash of the bytes now stored for it ("" if none).

        A fetch without a body (304 Not Modified, an error) keeps the bytes and validators of
        the last good fetch, so conditional requests and reparse still have them.
        """
        h = {k.lower(): v for k, v in (headers or {}).items()}
        stamp = fetched_at or now()
        with self._tx():
            old = one(self.db.conn, "SELECT * FROM pages WHERE url = ?", [url])
            rec: dict[str, Any] = {"url": url, "site_id": site_id or (old or {}).get("site_id"), "kind": kind,
                                   "status": status, "final_url": final_url, "error": error,
                                   "fetched_at": stamp,
                                   "first_fetched_at": (old or {}).get("first_fetched_at") or stamp,
                                   "fetch_count": ((old or {}).get("fetch_count") or 0) + 1}
            if body is not None:
                rec.update({"content_sha256": self._put_blob(body), "size": len(body),
                            "etag": _header(h, "etag"), "last_modified": _header(h, "last-modified"),
                            "content_type": _header(h, "content-type")})
            elif old is not None:
                for k in ("content_sha256", "size", "etag", "last_modified", "content_type"):
                    rec[k] = _header(h, k.replace("_", "-")) or old.get(k)
            upsert(self.db.conn, "pages", rec, "url")
        return rec.get("content_sha256") or ""

    def page_validators(self, url: str) -> dict | None:
        """ETag, Last-Modified and content hash of the last fetch that returned content."""
        row = next(self.db.query(
            "SELECT etag, last_modified, content_sha256 FROM pages WHERE url = ?", [url]), None)
        if row is None or not (row["etag"] or row["last_modified"] or row["content_sha256"]):
            return None
        return dict(row)

    # -- reports -------------------------------------------------------------------
    def store_report(self, parsed: dict, *, url: str, site_id: str | None, content: bytes, source_type: str,
                     fetched_at: str | None = None, page_url: str | None = None,
                     column_organ: str | None = None) -> tuple[int, str]:
        """Store one parse result. Returns (report id, "new" | "changed" | "unchanged").
        `column_organ` is the organ of the column the report was listed in: the report's organ
        when its title names none (see report_organ)."""
        digest = self._digest(content)
        stamp = fetched_at or now()
        old = one(self.db.conn, "SELECT * FROM reports WHERE url = ?", [url])
        if old is not None:
            # stored earlier in this batch: write its deferred rows first, outside this call's
            # savepoint, so a failure below cannot roll them back with it
            self._settle(old["id"])
        with self._tx():
            if old is not None and old["content_sha256"] == digest:
                return old["id"], "unchanged"
            self._put_blob(content, digest)
            page = one(self.db.conn, "SELECT content_sha256 FROM pages WHERE url = ?", [url])
            if page is None or page["content_sha256"] != digest:
                # reparse rebuilds from pages: make sure the bytes parsed are there.
                upsert(self.db.conn, "pages", {"url": url, "site_id": site_id, "kind": "report",
                                         "content_sha256": digest, "size": len(content), "fetched_at": stamp,
                                         "first_fetched_at": stamp, "fetch_count": 1}
                                        if page is None else
                                        {"url": url, "content_sha256": digest, "size": len(content),
                                         "fetched_at": stamp}, "url")
            rec = self._report_record(parsed, url=url, site_id=site_id, source_type=source_type, page_url=page_url,
                                      column_organ=column_organ or (old or {}).get("column_organ"))
            rec.update({"content_sha256": digest, "size": len(content), "fetched_at": stamp, "updated_at": now()})
            if old is None:
                rec.update({"first_seen_at": stamp, "version": 1})
                report_id = insert(self.db.conn, "reports", rec)
                self._defer_fts(report_id)
                outcome = "new"
            else:
                report_id = old["id"]
                if old["content_sha256"]:            # a failure row has nothing to keep
                    self._keep_version(old)
                    outcome = "changed"
                else:
                    outcome = "new"
                rec["version"] = (old["version"] or 1) + 1 if old["content_sha256"] else 1
                update(self.db.conn, "reports", "id", report_id, rec)
            self._write_parts(report_id, parsed)
        return report_id, outcome

    def _report_record(self, parsed: dict, *, url: str, site_id: str | None, source_type: str | None,
                       page_url: str | None, column_organ: str | None = None) -> dict:
        meta = dict(parsed.get("metadata") or {})
        year = parsed.get("year")
        organ = report_organ(parsed, column_organ)
        res = divisions.resolve(organ or _title_subject(parsed.get("title")), self._site_region(site_id))
        region = res.columns()
        due = deadlines.deadline(year, region["body_kind"], region["region_code"])
        checks = parsed.get("checks") or []
        sections = parsed.get("sections") or {}
        rec = {
            "url": url, "page_url": page_url, "site_id": site_id,
            "title": parsed.get("title"), "organ": organ, "year": year, "column_organ": column_organ,
            "ocr_confidence": parsed.get("ocr_confidence"),
            "format": parsed.get("format"), "publish_date": meta.get("publish_date"),
            "source_type": source_type or parsed.get("source_type"),
            "status": parsed.get("status") or "parsed", "reason": parsed.get("reason"),
            "checks_ok": int(all(c.get("ok") for c in checks)) if checks else None,
            "checks_failed": sum(1 for c in checks if not c.get("ok")) if checks else None,
            **region, "deadline": due, "days_late": deadlines.days_late(meta.get("publish_date"), due),
            "text": parsed.get("text"),
            "metadata": _json(meta), "attachments": _json(parsed.get("attachments")),
            "images": _json(parsed.get("images")), "legacy_figures": _json(parsed.get("legacy_figures")),
        }
        for k in schema.SECTION_KEYS:
            rec[f"section_{k}"] = sections.get(k) or None
        return rec

    def _write_parts(self, report_id: int, parsed: dict) -> None:
        """Replace the report's cells, checks and figures with those of this parse (the new rows
        are written at the end of the transaction or batch: storage/batch.py)."""
        for t in ("cells", "checks"):
            self.db.execute(f"DELETE FROM [{t}] WHERE report_id = ?", [report_id])
        cells = parsed.get("cells") or []
        self._defer_parts(
            report_id,
            [(report_id, c["table"], c["row"], c["col"], c.get("value"), c.get("raw"), int(bool(c.get("inferred"))),
              c.get("confidence")) for c in cells],
            [(report_id, c.get("rule"), int(bool(c.get("ok"))), c.get("detail")) for c in parsed.get("checks") or []],
            figures.compute(cells, parsed.get("legacy_figures")))

    # -- re-parsing stored bytes (storage/reparse.py) ---------------------------------
    def report_sources(self) -> list[dict]:
        """Every report with what a re-parse needs: id, url, page_url, site_id, source_type,
        content_sha256 (else the pages row's hash), metadata, column_organ, publish_date."""
        return [dict(r) for r in self.db.query(
            "SELECT r.id, r.url, r.page_url, r.site_id, r.source_type, "
            "COALESCE(r.content_sha256, p.content_sha256) AS content_sha256, r.metadata, r.column_organ, "
            "r.publish_date FROM reports r LEFT JOIN pages p ON p.url = r.url ORDER BY r.id")]

    def year_chain_groups(self, since: str | None = None) -> list[list[dict]]:
        """Reports whose glued 主动公开 rows a neighbouring year may settle (parsers/year_chain.py):
        per body, its 2019-format reports of the years around one with a `cells.ambiguous`
        主动公开 check, each with what report_sources gives plus organ and year. With `since`, only
        groups holding a report fetched or re-parsed at or after that time."""
        rows = [dict(r) for r in self.db.query(
            "WITH open_rows AS (SELECT DISTINCT r.organ, r.year FROM reports r JOIN checks c ON c.report_id = r.id "
            "  WHERE c.rule = 'cells.ambiguous' AND c.detail LIKE 'active_disclosure/%' AND r.format = '2019' "
            "  AND r.organ IS NOT NULL AND r.year IS NOT NULL) "
            "SELECT DISTINCT r.id, r.url, r.page_url, r.site_id, r.source_type, "
            "COALESCE(r.content_sha256, p.content_sha256) AS content_sha256, r.metadata, r.column_organ, "
            "r.publish_date, r.organ, r.year, max(COALESCE(r.updated_at, ''), COALESCE(r.fetched_at, '')) AS touched "
            "FROM reports r JOIN open_rows o ON r.organ = o.organ AND r.year BETWEEN o.year - 1 AND o.year + 1 "
            "LEFT JOIN pages p ON p.url = r.url WHERE r.format = '2019' AND r.status = 'parsed' ORDER BY r.organ, r.year")]
        groups: dict[str, list[dict]] = {}
        for row in rows:
            groups.setdefault(row["organ"], []).append(row)
        return [g for g in groups.values() if len(g) > 1 and (since is None or any(r["touched"] >= since for r in g))]

    def replace_parse(self, report_id: int, parsed: dict, *, content_sha256: str) -> bool:
        """Replace a stored report's parse (its row's parsed fields, cells, checks, figures) with
        `parsed`, a parse of the bytes `content_sha256` already stored. Nothing is written when
        the parse is the same; True when something changed. No version is kept: the bytes are
        the same, only the reading of them changed."""
        self._settle(report_id)
        row = self.report(report_id)
        if row is None:
            raise KeyError(f"no report {report_id}")
        rec = self._report_record(parsed, url=row["url"], site_id=row["site_id"],
                                  source_type=row["source_type"] or parsed.get("source_type"),
                                  page_url=row["page_url"], column_organ=row.get("column_organ"))
        same_row = all(row.get(k) == v for k, v in rec.items())
        if same_row and self._same_parts(report_id, parsed):
            return False
        with self._tx():
            update(self.db.conn, "reports", "id", report_id, {**rec, "content_sha256": content_sha256,
                                                                "updated_at": now()})
            self._write_parts(report_id, parsed)
        return True

    def parse_failed(self, report_id: int, reason: str) -> bool:
        """The current parser cannot read a stored report's bytes: say so on its row and drop the
        old parse's cells, checks and figures (the bytes and earlier versions stay). True when
        something changed."""
        self._settle(report_id)
        row = self.db.execute("SELECT status, reason FROM reports WHERE id = ?", [report_id]).fetchone()
        if row is None or tuple(row) == ("failed", reason):
            return False
        with self._tx():
            update(self.db.conn, "reports", "id", report_id, {"status": "failed", "reason": reason, "checks_ok": None,
                                                              "checks_failed": None, "updated_at": now()})
            for t in ("cells", "checks", "figures"):
                self.db.execute(f"DELETE FROM [{t}] WHERE report_id = ?", [report_id])
        return True

    def reload_labels(self) -> None:
        """Rewrite the labels table from the current parsers/schema.json."""
        with self._tx():
            schema.load_labels(self.db)

    def _same_parts(self, report_id: int, parsed: dict) -> bool:
        new_cells = sorted((c["table"], c["row"], c["col"], c.get("value"), c.get("raw"), int(bool(c.get("inferred"))))
                           for c in parsed.get("cells") or [])
        old_cells = sorted(tuple(r) for r in self.db.execute(
            "SELECT table_key, row_key, col_key, value, raw, inferred FROM cells WHERE report_id = ?", [report_id]))
        if new_cells != old_cells:
            return False
        new_checks = [(c.get("rule"), int(bool(c.get("ok"))), c.get("detail")) for c in parsed.get("checks") or []]
        old_checks = [tuple(r) for r in self.db.execute(
            "SELECT rule, ok, detail FROM checks WHERE report_id = ? ORDER BY id", [report_id])]
        if new_checks != old_checks:
            return False
        new_figures = figures.compute(parsed.get("cells") or [], parsed.get("legacy_figures"))
        old_figures = next(self.db.query("SELECT * FROM figures WHERE report_id = ?", [report_id]), None)
        return old_figures is not None and all(old_figures.get(k) == v for k, v in new_figures.items())

    def _keep_version(self, old: dict) -> None:
        rid = old["id"]
        cells = [dict(r) for r in self.db.query(
            "SELECT table_key, row_key, col_key, value, raw FROM cells WHERE report_id = ? "
            "ORDER BY table_key, row_key, col_key", [rid])]
        checks = [dict(r) for r in self.db.query(
            "SELECT rule, ok, detail FROM checks WHERE report_id = ? ORDER BY id", [rid])]
        snap = {k: old.get(k) for k in _REPORT_SNAPSHOT}
        snap.update({"report_id": rid, "version": old.get("version") or 1, "superseded_at": now(),
                     "cells": _json(cells), "checks": _json(checks)})
        insert(self.db.conn, "report_versions", snap)

    def record_failure(self, url: str, *, site_id: str | None, status: str, reason: str, title: str | None = None,
                       column_organ: str | None = None, page_url: str | None = None) -> None:
        """Log a report that could not be fetched or parsed. A stored report keeps its data;
        a URL never stored gets a reports row with this status so failures can be faceted, its
        `attempts` counted and its next try (`retry_at`) set by retry_delay()."""
        stamp = now()
        with self._tx():
            self.log_failure(url, site_id=site_id, status=status, reason=reason, at=stamp)
            old = next(self.db.query("SELECT id, content_sha256, attempts FROM reports WHERE url = ?", [url]), None)
            attempts = ((old or {}).get("attempts") or 0) + 1
            retry = (dt.datetime.fromisoformat(stamp) + retry_delay(attempts)).isoformat() if status == "failed" else None
            if old is None:
                res = divisions.resolve(None, self._site_region(site_id)).columns()
                rid = insert(self.db.conn, "reports", {
                    "url": url, "site_id": site_id, "status": status, "reason": reason, "title": title,
                    "column_organ": column_organ, "page_url": page_url, "attempts": attempts, "retry_at": retry,
                    **{k: v for k, v in res.items() if k not in ("body_key", "body_kind")},
                    "fetched_at": stamp, "first_seen_at": stamp, "updated_at": stamp})
                self._defer_fts(rid)
            elif not old["content_sha256"]:
                update(self.db.conn, "reports", "id", old["id"], {"status": status, "reason": reason, "updated_at": stamp,
                                                                  "attempts": attempts, "retry_at": retry})

    def due_retries(self, site_id: str | None, *, slack_hours: float = 2) -> list[dict]:
        """Failed reports (never stored) whose next try is due: url, title, column_organ, page_url.
        The slack lets tomorrow's nightly run take what failed tonight."""
        due = (dt.datetime.fromisoformat(now()) + dt.timedelta(hours=slack_hours)).isoformat()
        return [dict(r) for r in self.db.query(
            "SELECT url, title, column_organ, page_url, attempts FROM reports WHERE site_id IS ? AND content_sha256 IS NULL"
            " AND status = 'failed' AND retry_at IS NOT NULL AND retry_at <= ? ORDER BY retry_at", [site_id, due])]

    def log_failure(self, url: str, *, site_id: str | None, status: str, reason: str, at: str | None = None) -> None:
        """A row in `failures` only (a list or entry page that failed: not a report)."""
        with self._tx():
            insert(self.db.conn, "failures", {"url": url, "site_id": site_id, "status": status, "reason": reason,
                                              "at": at or now()})

    def report_urls(self, site_id: str | None = None, *, include_failures: bool = False) -> set[str]:
        """URLs of stored reports (those stored from content; failures too if asked), to skip on recrawl."""
        where, params = [], []
        if not include_failures:
            where.append("content_sha256 IS NOT NULL")
        if site_id is not None:
            where.append("site_id = ?")
            params.append(site_id)
        sql = "SELECT url FROM reports" + (f" WHERE {' AND '.join(where)}" if where else "")
        return {r[0] for r in self.db.execute(sql, params)}

    def report_organ_of(self, report_id: int) -> str | None:
        row = next(self.db.query("SELECT organ FROM reports WHERE id = ?", [report_id]), None)
        return row["organ"] if row else None

    def reports_per_organ(self, site_id: str | None) -> dict[str, int]:
        """How many reports of the site are stored, per organ (most first)."""
        return {r["organ"] or "?": r["n"] for r in self.db.query(
            "SELECT organ, count(*) AS n FROM reports WHERE site_id IS ? AND content_sha256 IS NOT NULL"
            " GROUP BY organ ORDER BY n DESC, organ", [site_id])}

    # -- runs ----------------------------------------------------------------------
    def start_run(self, mode: str, **info: Any) -> int:
        rec = {"mode": mode, "status": "running", "started_at": now(), **_flat(info)}
        with self.db.atomic():
            return int(self.db.table("runs").insert(rec, alter=True).last_pk or 0)

    def finish_run(self, run_id: int, **stats: Any) -> None:
        rec = {"status": "finished", "finished_at": now(), **_flat(stats)}
        with self.db.atomic():
            self.db.table("runs").update(run_id, rec, alter=True)

    def close_abandoned_runs(self, by_run: int | None = None) -> int:
        """Mark `killed` every run still `running`: call it holding the lock, when no other
        writer can be running, so those runs' processes died (SIGKILL, OOM, reboot, or a
        database that failed under them). Returns how many were closed."""
        note = "the process ended before the run finished" + (f" (closed by run {by_run})" if by_run else "")
        with self.db.atomic():
            cur = self.db.execute("UPDATE runs SET status = 'killed', note = ? WHERE status = 'running'"
                                  + (" AND id != ?" if by_run else ""), [note] + ([by_run] if by_run else []))
        return cur.rowcount

    # -- reading -------------------------------------------------------------------
    def report(self, report_id: int) -> dict | None:
        """The reports row, or None."""
        return next(self.db.query("SELECT * FROM reports WHERE id = ?", [report_id]), None)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a report that failed `attempts` times waits: a day, then 2, 4, 8 … days, at most 30."""
    return dt.timedelta(days=min(30, 2 ** max(0, attempts - 1)))


def report_organ(parsed: dict, column_organ: str | None) -> str | None:
    """The report's organ: the one its title names, else the organ of the column it was listed in
    (a 黎集镇 column's 2023年政府信息公开工作年度报告 is 黎集镇's), else what the parser read."""
    from parsers import title_organ

    if column_organ and not title_organ(parsed.get("title")):
        return column_organ
    return parsed.get("organ")


def _header(h: dict, name: str) -> str | None:
    v = h.get(name)
    if isinstance(v, (list, tuple)):
        v = v[0] if v else None
    if isinstance(v, bytes):
        v = v.decode("latin-1")
    return v or None


def _flat(d: dict) -> dict:
    return {k: (_json(sorted(v) if isinstance(v, set) else v) if isinstance(v, (dict, list, tuple, set)) else v)
            for k, v in d.items()}


def _title_subject(title: str | None) -> str | None:
    """桐柏县淮源镇人民政府2023年政府信息公开工作年度报告 -> 桐柏县淮源镇人民政府."""
    if not title:
        return None
    m = re.match(r"\s*(.+?)(?:关于)?\s*(?:19|20)\d\d\s*年", title)
    return m.group(1) if m else None
