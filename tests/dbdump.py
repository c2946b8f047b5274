"""A normalised dump of a nianbao database, to compare two databases by content.

Rows are keyed by natural keys (a report by its URL, a cell by its report's URL and keys, a
site by its URL), never by rowids; what differs from run to run (timestamps, durations, run
ids, the loopback ports of a crawled fixture portal) is dropped or replaced; blobs and long
texts are hashed. Two databases with equal dumps hold the same data.

    python -m tests.dbdump --regen          # rewrite tests/files/golden/*.json with the current code
    python -m tests.dbdump PATH             # print the dump of a database

The golden snapshots were made by the code before issue 14's storage changes; the test
tests/test_db_equality.py rebuilds both databases and compares them with the snapshots.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import sys
import zlib
from pathlib import Path
from typing import Any, Callable

GOLDEN = Path(__file__).resolve().parent / "files" / "golden"

# Values that change from run to run, whatever the code: when something happened, how long it
# took, which run it was. (sites.crawled_at, runs.started_at …; pages' Last-Modified comes from
# the fixture server's clock.)
TIME_COLUMNS = {"fetched_at", "first_fetched_at", "first_seen_at", "updated_at", "added_at", "superseded_at",
                "crawled_at", "at", "started_at", "finished_at", "retry_at", "last_modified", "duration",
                "elapsed", "run_id"}
# Tables no dump holds: SQLite's and the search index's internals (the index is dumped through
# its docsize table and fixed searches below), the migration log.
SKIP_TABLES = re.compile(r"^(sqlite_|reports_fts|_sqlite_migrations$|_nianbao_)")
# runs: only what does not depend on timing (a crawl's requests and bytes can vary with retries)
RUN_COLUMNS = ("mode", "status", "new", "changed", "unchanged", "parse_failures", "identity_failures",
               "not_reports", "image_only", "reports_found", "storage_errors")
FTS_PHRASES = ("政府信息公开", "行政复议", "依申请公开", "年度报告")
LONG = 120


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:20]


class Dumper:
    def __init__(self, path: str | Path, subst: Callable[[str], str] | None = None) -> None:
        self.conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        self.conn.row_factory = sqlite3.Row
        self.subst = subst or (lambda s: s)
        self.tables = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") if not SKIP_TABLES.match(r[0])]
        self.report_url = {r[0]: self.subst(r[1]) for r in self.conn.execute("SELECT id, url FROM reports")}
        self.site_url = {r[0]: self.subst(r[1] or "") for r in self.conn.execute("SELECT id, url FROM sites")}
        # content hashes of bytes that hold the portal's ports: hashed again after substitution
        self.blob_key: dict[str, str] = {}
        for row in self.conn.execute("SELECT sha256, compression, data FROM blobs"):
            data = zlib.decompress(row[2]) if row[1] == "zlib" else bytes(row[2])
            self.blob_key[row[0]] = _digest(self.subst(data.decode("latin-1")).encode("latin-1"))

    def value(self, col: str, v: Any) -> Any:
        if v is None:
            return None
        if col in ("content_sha256", "sha256"):
            return self.blob_key.get(v, "missing:" + v[:12])
        if col == "site_id":
            return self.site_url.get(v, "unknown-site")
        if col == "report_id":
            return self.report_url.get(v, f"unknown-report-{v}")
        if isinstance(v, bytes):
            return _digest(v)
        if isinstance(v, float):
            return round(v, 6)
        if isinstance(v, str):
            v = self.subst(v)
            return v if len(v) <= LONG else f"{v[:40]}…[{len(v)}] {_digest(v.encode('utf-8'))}"
        return v

    def rows(self, table: str) -> list[dict]:
        cols = [r[1] for r in self.conn.execute(f"PRAGMA table_info([{table}])")]
        # rows with the same natural key (a report's checks) keep the order they were written in
        order = " ORDER BY id" if "id" in cols else ""
        out = []
        for r in self.conn.execute(f"SELECT * FROM [{table}]{order}"):
            rec = {}
            for c in cols:
                if c in TIME_COLUMNS or (table == "runs" and c not in RUN_COLUMNS):
                    continue
                if c == "id" and table != "sites":
                    continue          # a rowid; the natural key below stands for it
                if table == "blobs" and c == "data":
                    continue          # its hash is the key
                if table == "pages" and c == "etag":
                    rec["etag"] = bool(r[c])   # the fixture's ETags hash bodies that hold ports
                    continue
                if r[c] is None:
                    continue          # a column with no value holds nothing (a newer schema adds columns)
                rec[c] = self.value("site_id" if (table, c) == ("sites", "id") else c, r[c])
            if table == "pages" and (rec.get("fetch_count") or 0) > 1 and rec.get("kind") == "list":
                # one URL asked with several forms (jcms's dataproxy.jsp POSTs): the row holds
                # whichever answer came last, which the crawl's concurrency decides
                rec["content_sha256"] = rec["size"] = "last of several answers"
            out.append(rec)
        return out

    def dump(self) -> dict[str, dict[str, Any]]:
        """{table: {natural key: row}}, plus `fts` (the search index)."""
        out: dict[str, dict[str, Any]] = {}
        for table in self.tables:
            rows = self.rows(table)
            if not rows:
                continue          # an empty table holds nothing (newer code creates crawl_state up front)
            keyed: dict[str, Any] = {}
            seq: dict[str, int] = {}
            for rec in rows:
                base = _key(table, rec)
                n = seq[base] = seq.get(base, 0) + 1
                keyed[base if n == 1 else f"{base} #{n}"] = rec
            out[table] = dict(sorted(keyed.items()))
        out["fts"] = self.fts()
        return out

    def fts(self) -> dict[str, Any]:
        names = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}
        if "reports_fts" not in names:
            return {}
        out: dict[str, Any] = {}
        if "reports_fts_docsize" in names:
            out["docsize"] = dict(sorted(
                (self.report_url.get(r[0], f"unknown-report-{r[0]}"), _digest(bytes(r[1])))
                for r in self.conn.execute("SELECT id, sz FROM reports_fts_docsize")))
        for phrase in FTS_PHRASES:
            out[phrase] = sorted(self.report_url.get(r[0], str(r[0])) for r in self.conn.execute(
                "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?", [f'"{phrase}"']))
        return out


def _key(table: str, rec: dict) -> str:
    """The natural key of a row (its report's URL and keys, not its rowid)."""
    def k(*cols: str) -> str:
        return " | ".join(str(rec.get(c)) for c in cols)
    keys = {"sites": ("id",), "pages": ("url",), "reports": ("url",), "blobs": ("sha256",),
            "cells": ("report_id", "table_key", "row_key", "col_key"), "checks": ("report_id", "rule"),
            "figures": ("report_id",), "report_versions": ("report_id", "version"),
            "labels": ("table_key", "axis", "key"), "failures": ("url", "status"),
            "crawl_state": ("site_id", "url", "what"), "runs": ("mode",)}
    if table in keys:
        return k(*keys[table])
    return json.dumps(rec, ensure_ascii=False, sort_keys=True, default=str)


def dump(path: str | Path, subst: Callable[[str], str] | None = None) -> dict[str, dict[str, Any]]:
    """The normalised dump of the database at `path` (see the module docstring)."""
    d = Dumper(path, subst)
    try:
        return d.dump()
    finally:
        d.conn.close()


def port_subst(ports: dict[int, str]) -> Callable[[str], str]:
    """A substitution that writes each fixture site's loopback port as its name (`:<gushi>`)."""
    if not ports:
        return lambda s: s
    rx = re.compile(r"(?<=[A-Za-z0-9.\]]):(" + "|".join(str(p) for p in ports) + r")(?!\d)")
    return lambda s: rx.sub(lambda m: f":<{ports[int(m.group(1))]}>", s)


def differences(got: dict, want: dict, limit: int = 12) -> list[str]:
    """The first differing rows, one line each: table, key, what the snapshot has, what the database has."""
    out: list[str] = []
    for table in sorted(set(got) | set(want)):
        g, w = _plain(got.get(table)), _plain(want.get(table))
        for key in sorted(set(g) | set(w)):
            if g.get(key) != w.get(key):
                if key not in g:
                    out.append(f"{table} [{key}]: missing (snapshot: {json.dumps(w[key], ensure_ascii=False)[:300]})")
                elif key not in w:
                    out.append(f"{table} [{key}]: extra row {json.dumps(g[key], ensure_ascii=False)[:300]}")
                elif isinstance(g[key], dict) and isinstance(w[key], dict):
                    cols = sorted(c for c in set(g[key]) | set(w[key]) if g[key].get(c, "∅") != w[key].get(c, "∅"))
                    out.append(f"{table} [{key}]: " + "; ".join(
                        f"{c}: snapshot {w[key].get(c, '∅')!r} != now {g[key].get(c, '∅')!r}" for c in cols[:5]))
                else:
                    out.append(f"{table} [{key}]: snapshot {str(w[key])[:200]!r} != now {str(g[key])[:200]!r}")
                if len(out) >= limit:
                    return out
    return out


def _plain(rows: dict | None) -> dict:
    """No table is an empty table, and a column without a value holds nothing (a newer schema
    adds columns: the rows still hold the same data)."""
    return {k: ({c: v for c, v in r.items() if v is not None} if isinstance(r, dict) else r)
            for k, r in (rows or {}).items()}


def write(snapshot: dict, path: Path) -> None:
    """One row a line, so a change to the snapshot reads as a diff of rows."""
    lines = ["{"]
    tables = list(snapshot.items())
    for ti, (table, rows) in enumerate(tables):
        lines.append(f"  {json.dumps(table)}: {{")
        items = list(rows.items())
        for i, (key, rec) in enumerate(items):
            comma = "," if i < len(items) - 1 else ""
            lines.append(f"    {json.dumps(key, ensure_ascii=False)}: "
                         f"{json.dumps(rec, ensure_ascii=False, sort_keys=True)}{comma}")
        lines.append("  }" + ("," if ti < len(tables) - 1 else ""))
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def regen() -> None:
    """Rebuild both databases with the current code and write their snapshots."""
    import tempfile

    from tests import test_db_equality as t

    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("corpus", t.corpus_dump), ("counties", t.counties_dump)):
            write(build(Path(tmp)), GOLDEN / f"{name}.json")
            print(f"wrote {GOLDEN / name}.json")


if __name__ == "__main__":
    if sys.argv[1:] == ["--regen"]:
        regen()
    elif len(sys.argv) == 2:
        json.dump(dump(sys.argv[1]), sys.stdout, ensure_ascii=False, indent=1)
    else:
        sys.exit(__doc__)
