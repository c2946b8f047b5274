"""`nianbao serve --db PATH [--port N] [--host H] [--no-sql]`: browse the database with Datasette.

The database is opened read-only (Datasette reads mutable files with mode=ro, and nothing
here enables writes), so it can be served while a crawl is writing to it (WAL mode).
The metadata (storage/metadata.yml) documents every table and column and holds the facets
and canned queries. The front end (home page, report pages in the official layout, body
timelines, dashboards) is Datasette's own extension points: the hooks in storage/plugins/,
the templates in storage/templates/ and the assets in storage/static/ (Chart.js vendored, no CDN).

Anyone who can reach the port can run read-only SQL: `--host 0.0.0.0` exposes that to the
network. The caps below and in storage/plugins/nianbao_guard.py bound what one query can cost;
`--no-sql` turns arbitrary SQL off (tables, rows, facets, canned queries and dashboards stay).
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import sqlite3
import sys
from functools import lru_cache
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # (no stubs pinned; safe_load is all we use)

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yml"
TEMPLATE_DB = "nianbao"

# Long texts would otherwise fill the table pages; a row's own page shows them whole.
# sql_time_limit_ms: every page and canned query takes well under 300 ms at 10,000 reports
# (bench/bench_serve.py), so 1.5 s only stops runaway queries; max_returned_rows bounds the
# rows of one answer and storage/plugins/nianbao_guard.py its bytes.
SETTINGS = {"truncate_cells_html": 160, "facet_time_limit_ms": 500, "sql_time_limit_ms": 1500,
            "max_returned_rows": 1000, "default_page_size": 50,
            # suggested facets cost a query per column on every table page and pushed the rows
            # of reports below the first screen; short facet lists keep them on it
            "suggest_facets": False, "default_facet_size": 6}


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
        from storage.store import Store

        with Store.open_readonly(db_path) as store:
            for table, note in _OPEN_TABLES.items():
                cols = tables.setdefault(table, {}).setdefault("columns", {})
                for row in store.db.execute(f"PRAGMA table_info([{table}])"):
                    cols.setdefault(row[1], note)
    return meta


def make_datasette(db_path: str | Path, *, allow_sql: bool = True):
    """A Datasette instance on db_path with the project's metadata, plugins, templates and
    static files (also used by the tests). allow_sql=False: no arbitrary SQL (nor `_where`)."""
    from datasette.app import Datasette

    return Datasette([str(db_path)], metadata=metadata_for(db_path),
                     settings={**SETTINGS, "default_allow_sql": allow_sql},
                     plugins_dir=str(HERE / "plugins"), template_dir=str(HERE / "templates"),
                     static_mounts=[("nianbao-static", str(HERE / "static"))])


def run(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if not path.exists():
        print(f"nianbao serve: no database at {path} (run nianbao crawl --db {path} first)", file=sys.stderr)
        return 2
    from storage.store import database_problem
    if database_problem(path):
        print(f"nianbao serve: {path}: {database_problem(path)}", file=sys.stderr)
        return 2
    # Open once as the writer would: migrates an older database. A file we may not write (a copy
    # on a read-only mount) is served as it is, and so is one a crawl is writing (it migrated it).
    from storage.store import DatabaseLocked, Store
    try:
        with Store.open_readonly(path) as ro:
            stale = bool(ro.pending_migrations())
        if stale:       # only then take the writer's lock, for the moment of the migration
            Store(path).close()
    except DatabaseLocked:
        pass
    except (sqlite3.OperationalError, OSError) as e:
        print(f"nianbao serve: not migrating {path} ({e}); serving it as it is", file=sys.stderr)

    import uvicorn

    ds = make_datasette(path, allow_sql=not getattr(args, "no_sql", False))
    asyncio.run(ds.invoke_startup())
    print(f"nianbao: serving {path} at http://{args.host}:{args.port}/", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not getattr(args, "no_sql", False):
        print("nianbao serve: anyone reaching this host can run read-only SQL; "
              "use --no-sql to serve tables, canned queries and dashboards only", file=sys.stderr)
    uvicorn.run(ds.app(), host=args.host, port=args.port, log_level="warning", lifespan="on")
    return 0
