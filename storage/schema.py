"""The database's tables, views and search index, declared.

TABLES is the schema as it stood when migrations began (storage/migrations.py creates it, as
its first migration): do not edit it to change the schema; add a migration instead. VIEWS are
recreated whenever a migration runs. Everything is plain SQL so it can be read next to the
Datasette metadata (storage/metadata.yml) that documents it for users.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import sqlite_utils

from parsers.sections import SECTION_KEYS
from storage.figures import FIGURES

SCHEMA_VERSION = 2

REGION_COLUMNS = [
    ("province", "TEXT"), ("province_code", "TEXT"), ("city", "TEXT"), ("city_code", "TEXT"),
    ("county", "TEXT"), ("county_code", "TEXT"), ("township", "TEXT"), ("township_code", "TEXT"),
]

# name -> (columns, table constraints, WITHOUT ROWID)
TABLES: dict[str, tuple[list[tuple[str, str]], list[str], bool]] = {
    "sites": ([
        ("id", "TEXT PRIMARY KEY"), ("name", "TEXT"), ("level", "TEXT"), ("region_code", "TEXT"), ("url", "TEXT"),
        *REGION_COLUMNS,
        ("resolved_code", "TEXT"), ("body_key", "TEXT"), ("body_kind", "TEXT"), ("resolved_from", "TEXT"),
        ("added_at", "TEXT"), ("updated_at", "TEXT"),
    ], [], False),
    "blobs": ([
        ("sha256", "TEXT PRIMARY KEY"), ("size", "INTEGER"), ("compression", "TEXT"), ("data", "BLOB"),
    ], [], False),
    "pages": ([
        ("url", "TEXT PRIMARY KEY"), ("site_id", "TEXT REFERENCES sites(id)"), ("kind", "TEXT"),
        ("status", "INTEGER"), ("final_url", "TEXT"), ("etag", "TEXT"), ("last_modified", "TEXT"),
        ("content_type", "TEXT"), ("size", "INTEGER"), ("content_sha256", "TEXT REFERENCES blobs(sha256)"),
        ("error", "TEXT"), ("fetched_at", "TEXT"), ("first_fetched_at", "TEXT"), ("fetch_count", "INTEGER"),
    ], [], False),
    "reports": ([
        ("id", "INTEGER PRIMARY KEY"), ("url", "TEXT NOT NULL UNIQUE"), ("page_url", "TEXT"),
        ("site_id", "TEXT REFERENCES sites(id)"), ("title", "TEXT"), ("organ", "TEXT"), ("year", "INTEGER"),
        ("format", "TEXT"), ("publish_date", "TEXT"), ("source_type", "TEXT"), ("status", "TEXT"), ("reason", "TEXT"),
        ("checks_ok", "INTEGER"), ("checks_failed", "INTEGER"),
        *REGION_COLUMNS,
        ("region_code", "TEXT"), ("body_key", "TEXT"), ("body_kind", "TEXT"), ("deadline", "TEXT"), ("days_late", "INTEGER"),
        ("text", "TEXT"),
        *[(f"section_{k}", "TEXT") for k in SECTION_KEYS],
        ("metadata", "TEXT"), ("attachments", "TEXT"), ("images", "TEXT"), ("legacy_figures", "TEXT"),
        ("content_sha256", "TEXT REFERENCES blobs(sha256)"), ("size", "INTEGER"),
        ("fetched_at", "TEXT"), ("first_seen_at", "TEXT"), ("updated_at", "TEXT"), ("version", "INTEGER"),
        # the organ of the column the report was listed in, and failed fetches' retry schedule
        ("column_organ", "TEXT"), ("attempts", "INTEGER"), ("retry_at", "TEXT"),
        ("ocr_confidence", "REAL"),  # mean OCR confidence of a report read from pictures
    ], [], False),
    "report_versions": ([
        ("id", "INTEGER PRIMARY KEY"), ("report_id", "INTEGER REFERENCES reports(id)"), ("version", "INTEGER"),
        ("superseded_at", "TEXT"), ("url", "TEXT"), ("title", "TEXT"), ("organ", "TEXT"), ("year", "INTEGER"),
        ("format", "TEXT"), ("publish_date", "TEXT"), ("source_type", "TEXT"), ("status", "TEXT"),
        ("checks_ok", "INTEGER"), ("content_sha256", "TEXT REFERENCES blobs(sha256)"), ("fetched_at", "TEXT"),
        ("text", "TEXT"), ("metadata", "TEXT"), ("cells", "TEXT"), ("checks", "TEXT"),
    ], [], False),
    "cells": ([
        ("report_id", "INTEGER NOT NULL REFERENCES reports(id)"), ("table_key", "TEXT NOT NULL"),
        ("row_key", "TEXT NOT NULL"), ("col_key", "TEXT NOT NULL"),
        ("value", "NUMERIC"),        # NUMERIC: integers stay integers, 万元 amounts keep decimals
        ("raw", "TEXT"), ("inferred", "INTEGER"),
        ("confidence", "REAL"),      # OCR's confidence in the recognised text (None when not OCR'd)
    ], ["PRIMARY KEY (report_id, table_key, row_key, col_key)"], True),
    "checks": ([
        ("id", "INTEGER PRIMARY KEY"), ("report_id", "INTEGER NOT NULL REFERENCES reports(id)"),
        ("rule", "TEXT"), ("ok", "INTEGER"), ("detail", "TEXT"),
    ], [], False),
    "figures": ([
        ("report_id", "INTEGER PRIMARY KEY REFERENCES reports(id)"),
        *[(f.column, "NUMERIC") for f in FIGURES],
    ], [], False),
    "labels": ([
        ("table_key", "TEXT NOT NULL"), ("axis", "TEXT NOT NULL"), ("key", "TEXT NOT NULL"),
        ("label", "TEXT"), ("group_label", "TEXT"), ("formats", "TEXT"), ("aliases", "TEXT"),
    ], ["PRIMARY KEY (table_key, axis, key)"], False),
    "failures": ([
        ("id", "INTEGER PRIMARY KEY"), ("url", "TEXT"), ("site_id", "TEXT REFERENCES sites(id)"),
        ("status", "TEXT"), ("reason", "TEXT"), ("at", "TEXT"),
    ], [], False),
    "runs": ([
        ("id", "INTEGER PRIMARY KEY"), ("mode", "TEXT"), ("status", "TEXT"),
        ("started_at", "TEXT"), ("finished_at", "TEXT"),
    ], [], False),
    # what the crawler remembers between runs (storage/crawlstate.py); `at` is REAL in this baseline
    # (epoch seconds, as the first releases wrote it): migration m005 makes it TEXT, now()'s UTC ISO text
    "crawl_state": ([
        ("site_id", "TEXT NOT NULL"), ("url", "TEXT NOT NULL"),
        ("what", "TEXT NOT NULL"),    # column | report_page | not_report | out_of_range | discovered | unfinished
        ("at", "REAL NOT NULL"), ("organ", "TEXT"), ("name", "TEXT"), ("family", "TEXT"),
    ], ["PRIMARY KEY (site_id, url, what)"], False),
}

INDEXES = [
    ("reports", ["site_id", "year"]), ("reports", ["body_key", "year"]), ("reports", ["year"]),
    ("reports", ["province"]), ("reports", ["status"]), ("reports", ["content_sha256"]),
    ("checks", ["report_id"]), ("pages", ["site_id"]), ("pages", ["content_sha256"]),
    ("report_versions", ["report_id"]), ("failures", ["url"]), ("sites", ["body_key"]),
    ("cells", ["table_key", "row_key", "col_key"]),
    # Covers the columns the dashboards, the front page and the reports facets group by, so
    # they scan this index (~100 bytes a report) instead of the report rows with their text.
    ("reports", ["year", "province", "city", "site_id", "status", "format", "source_type", "checks_ok",
                 "days_late", "body_kind", "body_key"]),
]

_FIG_COLS = ", ".join(f"f.{f.column}" for f in FIGURES)

VIEWS = {
    # One row per report with its key figures: the table to facet, sort and export.
    "reports_wide": f"""
SELECT r.id AS report_id, r.year, r.organ, r.title, r.province, r.city, r.county, r.township,
       r.body_kind, s.name AS site, s.level, r.format, r.status, r.checks_ok, r.publish_date,
       r.days_late, {_FIG_COLS}, r.url
FROM reports r
LEFT JOIN figures f ON f.report_id = r.id
LEFT JOIN sites s ON s.id = r.site_id""",
    # Cells with their official Chinese labels.
    "cells_labeled": """
SELECT c.report_id, c.table_key, c.row_key, rl.label AS row_label, rl.group_label AS row_group,
       c.col_key, cl.label AS col_label, c.value, c.raw, c.inferred
FROM cells c
LEFT JOIN labels rl ON rl.table_key = c.table_key AND rl.axis = 'row' AND rl.key = c.row_key
LEFT JOIN labels cl ON cl.table_key = c.table_key AND cl.axis = 'col' AND cl.key = c.col_key""",
    # Each body's report against its report of the year before: applications carried over
    # must equal last year's carried forward; normative documents in force must follow
    # last year's count plus issued minus repealed.
    "year_over_year": """
SELECT cur.body_key, cur.organ, cur.year, cur.id AS report_id, prev.id AS previous_report_id,
       fp.carried_forward AS previous_carried_forward, fc.carried_over,
       CASE WHEN fc.carried_over IS NULL OR fp.carried_forward IS NULL THEN NULL
            ELSE fc.carried_over = fp.carried_forward END AS carry_over_ok,
       fp.normative_in_force AS previous_in_force, fc.normative_issued, fc.normative_repealed,
       fc.normative_in_force,
       CASE WHEN fp.normative_in_force IS NULL OR fc.normative_issued IS NULL
                 OR fc.normative_repealed IS NULL OR fc.normative_in_force IS NULL THEN NULL
            ELSE fp.normative_in_force + fc.normative_issued - fc.normative_repealed = fc.normative_in_force
       END AS in_force_ok,
       cur.province, cur.city, cur.county
FROM reports cur
JOIN reports prev ON prev.body_key = cur.body_key AND prev.year = cur.year - 1
LEFT JOIN figures fc ON fc.report_id = cur.id
LEFT JOIN figures fp ON fp.report_id = prev.id
WHERE cur.body_key IS NOT NULL""",
    # Published after 条例第四十九条's deadline (see storage/deadlines.py).
    "late_reports": """
SELECT r.id AS report_id, r.organ, r.year, r.body_kind, r.publish_date, r.deadline, r.days_late,
       r.province, r.city, r.county, r.title, r.url
FROM reports r
WHERE r.days_late > 0""",
    # Bodies of the sites list without a report for a year the database has reports for.
    "missing_reports": """
WITH years AS (SELECT DISTINCT year FROM reports WHERE year IS NOT NULL)
SELECT s.id AS site_id, s.name, s.level, s.province, s.city, s.county, s.township, y.year, s.url
FROM sites s CROSS JOIN years y
WHERE CASE WHEN s.body_key IS NOT NULL
           THEN NOT EXISTS (SELECT 1 FROM reports r WHERE r.body_key = s.body_key AND r.year = y.year)
           ELSE NOT EXISTS (SELECT 1 FROM reports r WHERE r.site_id = s.id AND r.year = y.year) END""",
}


def schema_json_path() -> Path:
    """parsers/schema.json, found without importing the parsers package (it loads the parser)."""
    spec = importlib.util.find_spec("parsers")
    if spec and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "schema.json"
        if p.exists():
            return p
    return Path(__file__).resolve().parents[1] / "parsers" / "schema.json"


def label_rows() -> list[dict]:
    """The labels table: every row and column key of the three tables with its official wording."""
    spec = json.loads(schema_json_path().read_text(encoding="utf-8"))
    out: dict[tuple, dict] = {}

    def add(table: str, axis: str, item: dict, group: str | None = None) -> None:
        key = (table, axis, item["key"])
        if key in out:
            return
        out[key] = {"table_key": table, "axis": axis, "key": item["key"], "label": item.get("label"),
                    "group_label": item.get("group", group),
                    "formats": ",".join(item.get("formats", [])) or None,
                    "aliases": "；".join(item.get("aliases", [])) or None}

    for tkey, t in spec["tables"].items():
        add(tkey, "table", {"key": tkey, "label": t.get("label")})
        for block in t.get("blocks", [t]):
            for r in block.get("rows", []):
                add(tkey, "row", r, block.get("article"))
            for c in block.get("cols", []):
                add(tkey, "col", c)
    for s in spec.get("sections", []):
        add("sections", "section", s)
    return list(out.values())


def load_labels(db: sqlite_utils.Database) -> None:
    db.table("labels").upsert_all(label_rows(), pk=("table_key", "axis", "key"))
