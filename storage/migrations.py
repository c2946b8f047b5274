"""Schema changes as sqlite-utils migrations (`sqlite_utils.Migrations`, recorded in the
database's `_sqlite_migrations` table), applied by Store when it opens a database for writing.

The first migration creates the schema of storage/schema.py (TABLES, INDEXES, the search
index) on a new database, and brings a database written before migrations existed up to it
(the tables and columns it lacks are added; nothing is dropped). Every later change to the
schema is a new migration at the end of this file, applied once per database, in order; a
migration never changes once released. Views and the labels table are derived: they are
rebuilt whenever a migration has run (or the view set changed, SCHEMA_VERSION).

    from storage.migrations import MIGRATIONS
    MIGRATIONS.pending(db)          # read-only: what opening it for writing would apply
"""
from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from parsers.vocabulary import stamp
from storage import schema

MIGRATIONS = Migrations("nianbao")


@MIGRATIONS()
def m001_baseline(db: sqlite_utils.Database) -> None:
    """The schema of storage/schema.py: on a new database, everything; on one written before
    migrations (2024-2026 releases, which added missing columns on open), what it lacks."""
    for name, (columns, constraints, without_rowid) in schema.TABLES.items():
        if not db[name].exists():
            body = ",\n  ".join([f"[{c}] {t}" for c, t in columns] + constraints)
            db.execute(f"CREATE TABLE [{name}] (\n  {body}\n){' WITHOUT ROWID' if without_rowid else ''}")
        else:
            have = set(db[name].columns_dict)
            for col, decl in columns:
                if col not in have:
                    db.execute(f"ALTER TABLE [{name}] ADD COLUMN [{col}] {_plain(decl)}")
    for table, cols in schema.INDEXES:
        db.execute(f"CREATE INDEX IF NOT EXISTS [idx_{table}_{'_'.join(cols)}] "
                   f"ON [{table}] ({', '.join(f'[{c}]' for c in cols)})")
    if not db["reports_fts"].exists():
        # trigram: FTS5's default tokenizer keeps a run of Chinese characters as one token,
        # so 信息公开 would only match itself; trigram finds any phrase of 3+ characters.
        db.table("reports").enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)


@MIGRATIONS()
def m002_runs_note(db: sqlite_utils.Database) -> None:
    """runs.note: why a run was closed as killed (was added on the fly by close_abandoned_runs)."""
    if "note" not in db["runs"].columns_dict:
        db.execute("ALTER TABLE runs ADD COLUMN note TEXT")


@MIGRATIONS()
def m003_search_index_by_batch(db: sqlite_utils.Database) -> None:
    """New reports are indexed for search by Store once per transaction or batch (storage/batch.py),
    not by a trigger per row; updates re-index only when the title or text change."""
    db.execute("DROP TRIGGER IF EXISTS reports_ai")
    db.execute("DROP TRIGGER IF EXISTS reports_au")
    db.execute("CREATE TRIGGER reports_au AFTER UPDATE OF title, text ON reports BEGIN "
               "INSERT INTO reports_fts (reports_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); "
               "INSERT INTO reports_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text); END")
    if "reports_ad" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}:
        db.execute("CREATE TRIGGER reports_ad AFTER DELETE ON reports BEGIN "
                   "INSERT INTO reports_fts (reports_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); END")


@MIGRATIONS()
def m004_search_index_settings(db: sqlite_utils.Database) -> None:
    """FTS5 settings for batched writes (kept in reports_fts_config): a 64 MiB pending-terms hash
    (default 1 MiB) so a batch becomes one segment instead of one per MiB of text, and merges
    of 16 segments (default 4; forced at 64, default 16), which rewrite the index less often.
    In bench/bench_store.py the index cost fell from 6.9 to 2.4 ms a report; searches answer the same."""
    for key, value in (("hashsize", 64 * 1024 * 1024), ("automerge", 16), ("crisismerge", 64)):
        db.execute(f"INSERT INTO reports_fts (reports_fts, rank) VALUES ('{key}', {value})")


@MIGRATIONS()
def m005_crawl_state_iso_time(db: sqlite_utils.Database) -> None:
    """crawl_state.at as every other timestamp: `parsers.vocabulary.now()`'s UTC ISO text (issue
    #14), no longer epoch seconds, in a TEXT column. The rows are rewritten in the order
    `columns()` read them (`ORDER BY at, rowid`), so whole-second stamps that now tie keep that
    order through their new rowids."""
    rows = db.execute("SELECT site_id, url, what, at, organ, name, family FROM crawl_state "
                      "ORDER BY at, rowid").fetchall()
    db.execute("DELETE FROM crawl_state")
    db.table("crawl_state").transform(types={"at": str})      # REAL -> TEXT, NOT NULL and primary key kept
    db.conn.executemany(
        "INSERT INTO crawl_state (site_id, url, what, at, organ, name, family) VALUES (?,?,?,?,?,?,?)",
        [(*r[:3], stamp(r[3]) if isinstance(r[3], (int, float)) else r[3], *r[4:]) for r in rows])


@MIGRATIONS()
def m006_province_index_for_facets(db: sqlite_utils.Database) -> None:
    """reports(province, year, site_id) in place of reports(province). Counting reports_wide by
    province (its default facet) went through the province index and read every report's row
    for its site_id (the view joins sites): 455 ms at 56,500 reports in bench_store's database.
    The wider index holds all the facet needs, 81 ms, and still serves `province = ?` sorted
    by year (1 ms)."""
    db.execute("DROP INDEX IF EXISTS idx_reports_province")
    db.execute("CREATE INDEX IF NOT EXISTS idx_reports_province_year_site_id ON reports (province, year, site_id)")


def _plain(decl: str) -> str:
    # ADD COLUMN cannot add PRIMARY KEY/UNIQUE columns; keep the type and references.
    return decl.replace("PRIMARY KEY", "").replace("UNIQUE", "").replace("NOT NULL", "").strip()


def ensure(db: sqlite_utils.Database) -> list[str]:
    """Apply the pending migrations, then rebuild the views and labels if anything changed.
    Returns the names of the migrations applied."""
    pending = [m.name for m in MIGRATIONS.pending(db)]
    MIGRATIONS.apply(db)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if pending or version != schema.SCHEMA_VERSION or any(not db[v].exists() for v in schema.VIEWS):
        with db.atomic():
            for name, sql in schema.VIEWS.items():
                db.execute(f"DROP VIEW IF EXISTS [{name}]")
                db.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
            schema.load_labels(db)
        db.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
    return pending


def pending(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations a database still needs (read-only)."""
    return [m.name for m in MIGRATIONS.pending(db)]
