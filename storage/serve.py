"""`nianbao serve --db PATH [--port N] [--host H]`: browse the database with Datasette.

The database is opened read-only (Datasette reads mutable files with mode=ro, and nothing
here enables writes), so it can be served while a crawl is writing to it (WAL mode).
The metadata (storage/metadata.yml) documents every table and column and holds the facets
and canned queries.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import sqlite3
import sys
from functools import lru_cache
from pathlib import Path

import yaml

METADATA = Path(__file__).resolve().parent / "metadata.yml"
TEMPLATE_DB = "nianbao"

# Long texts would otherwise fill the table pages; a row's own page shows them whole.
SETTINGS = {"truncate_cells_html": 160, "facet_time_limit_ms": 1000, "sql_time_limit_ms": 5000,
            "default_page_size": 50}


@lru_cache(maxsize=1)
def _load() -> dict:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


# Tables whose columns grow with their input: extra columns of the sites file, run counters.
_OPEN_TABLES = {"sites": "From the sites file", "runs": "Reported by the crawler for this run"}


def metadata_for(db_path: str | Path) -> dict:
    """The shipped metadata with its database key renamed to the served file's name, and the
    columns that the sites file or the crawler added described as such."""
    meta = copy.deepcopy(_load())
    name = Path(db_path).stem
    dbs = meta.get("databases", {})
    if TEMPLATE_DB in dbs and name != TEMPLATE_DB:
        dbs[name] = dbs.pop(TEMPLATE_DB)
    tables = dbs.get(name, {}).get("tables", {})
    if Path(db_path).exists():
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
        try:
            for table, note in _OPEN_TABLES.items():
                cols = tables.setdefault(table, {}).setdefault("columns", {})
                for row in conn.execute(f"PRAGMA table_info([{table}])"):
                    cols.setdefault(row[1], note)
        finally:
            conn.close()
    return meta


def make_datasette(db_path: str | Path):
    """A Datasette instance on db_path with the project's metadata (also used by the tests)."""
    from datasette.app import Datasette

    return Datasette([str(db_path)], metadata=metadata_for(db_path), settings=SETTINGS)


def run(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if not path.exists():
        print(f"nianbao serve: no database at {path} (run nianbao crawl --db {path} first)", file=sys.stderr)
        return 2
    from storage.store import database_problem
    if database_problem(path):
        print(f"nianbao serve: {path}: {database_problem(path)}", file=sys.stderr)
        return 2
    # Open once as the writer would: creates any missing table/view of an older database.
    # A file we may not write (a copy on a read-only mount) is served as it is.
    from storage.store import Store
    try:
        Store(path).close()
    except sqlite3.OperationalError as e:
        print(f"nianbao serve: not migrating {path} ({e}); serving it as it is", file=sys.stderr)

    import uvicorn

    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    print(f"nianbao: serving {path} at http://{args.host}:{args.port}/{path.stem}", file=sys.stderr)
    uvicorn.run(ds.app(), host=args.host, port=args.port, log_level="warning", lifespan="on")
    return 0
