"""`nianbao reparse --db PATH`: rebuild reports, cells, checks and figures from the stored raw
bytes with the current parser, without touching the network.

Each report is re-read from the bytes it was parsed from (reports.content_sha256, else the
pages row of its URL). Metadata the bytes cannot give again (a PDF's publish date taken
from the page that linked it) is kept from the stored row. A report whose parse is
unchanged is not written, so reparse with the same parser changes nothing.
"""
from __future__ import annotations

import argparse
import json
import posixpath
import sys
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from storage.store import DatabaseLocked, Store

_EXT = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "html": ".html", "text": ".txt"}


def name_for(url: str, source_type: str | None) -> str:
    """A file name for the parser's type sniffing: the URL's last path segment, with the
    extension of the stored source type when the URL has none that matches."""
    base = posixpath.basename(urlsplit(url).path) or "index"
    ext = _EXT.get(source_type or "")
    if ext and not base.lower().endswith(ext):
        base += ext
    return base


def reparse(store: Store, parse: Callable[..., dict] | None = None, *, log=None, batch_size: int = 200,
            batch_seconds: float = 10.0) -> dict:
    """Re-parse every stored report. Returns counts: reports, updated, unchanged, failed (the
    parser cannot read the bytes: the row says so), crashed (a parser bug: the row is left as
    stored, and the error goes to log), no_content, settled_by_years (reports whose glued rows
    the same body's neighbouring years settled, and that changed).

    The reports of one body whose glued 主动公开 rows neighbouring years settle
    (Store.year_chain_groups) are re-parsed together and stored settled, so a settled report is
    not first written back blank and then settled again: with the same parser, reparse writes
    nothing. Reports are written in batches (Store.batch) of `batch_size` reports or
    `batch_seconds` of work, whichever comes first: a killed reparse keeps every batch it
    committed, and running it again redoes only the rest (an unchanged parse writes nothing)."""
    rows = store.report_sources()
    group_of = {r["id"]: g for g in store.year_chain_groups() for r in g}
    done: set[int] = set()
    counts = {"reports": 0, "updated": 0, "unchanged": 0, "failed": 0, "crashed": 0, "no_content": 0,
              "settled_by_years": 0}
    i = 0
    while i < len(rows):
        started = time.monotonic()
        with store.batch():
            end = min(len(rows), i + batch_size)
            while i < end and time.monotonic() - started < batch_seconds:
                row = rows[i]
                i += 1
                if row["id"] in done:
                    continue
                group = group_of.get(row["id"])
                if group:
                    _reparse_group(store, group, parse, counts, log)
                    done.update(r["id"] for r in group)
                else:
                    _reparse_one(store, row, parse, counts, log)
    return counts


def parse_stored(store: Store, row: dict, parse: Callable[..., dict] | None = None) -> dict | None:
    """A stored report parsed again from its stored bytes (a 图片版 page with its stored pictures);
    None when the bytes are not stored. ParseError when the parser cannot read them."""
    if parse is None:
        from parsers.isolated import parse_isolated    # a stored hostile file costs a child, not the run
        parse = parse_isolated
    digest = row["content_sha256"]
    data = store.blob(digest) if digest else None
    if data is None:
        return None
    parsed = parse(data, name=name_for(row["url"], row["source_type"]), url=row["url"])
    if parsed.get("status") == "image_only" and parsed.get("images"):
        # a 图片版 page: its pictures were stored by the crawl; read them again
        pictures = [p for p in (store.page_content(u) for u in parsed["images"]) if p]
        if pictures:
            from parsers import parse_picture_page

            parsed = parse_picture_page(data, pictures, url=row["url"])
    _keep_old_metadata(parsed, row)
    return parsed


def _reparse_one(store: Store, row: dict, parse: Callable[..., dict] | None, counts: dict, log) -> None:
    """Re-parse one report and store the result (or the failure), counting the outcome."""
    parsed = _parse_counted(store, row, parse, counts, log)
    if parsed is not None:
        _store_counted(store, row, parsed, counts, log)


def _reparse_group(store: Store, group: list[dict], parse: Callable[..., dict] | None, counts: dict, log) -> None:
    """Re-parse one body's neighbouring years together, settle them, store each (counted)."""
    parsed, settled = _settle_group(group, lambda row: _parse_counted(store, row, parse, counts, log))
    for n, (row, p) in enumerate(parsed):
        if _store_counted(store, row, p, counts, log) and n in settled:
            counts["settled_by_years"] += 1


def _settle_group(group: list[dict], parse_one: Callable[[dict], dict | None]) -> tuple[list[tuple[dict, dict]], dict]:
    """The group's reports parsed (`parse_one`: None to leave one out) and settled together
    (parsers.year_chain.settle_all): the (row, parse) pairs, and what settled in each by index."""
    from parsers.year_chain import settle_all

    parsed = []
    for row in group:
        p = parse_one(row)
        if p is not None:
            p["organ"], p["year"] = row["organ"], row["year"]    # the body and year as stored
            parsed.append((row, p))
    return parsed, settle_all([p for _, p in parsed])


def _parse_counted(store: Store, row: dict, parse: Callable[..., dict] | None, counts: dict, log) -> dict | None:
    """The stored report parsed again; None (counted, and a failure stored) when there is
    nothing to store."""
    from parsers import ParseError

    counts["reports"] += 1
    try:
        parsed = parse_stored(store, row, parse)
    except ParseError as e:
        counts["failed"] += 1
        changed = store.parse_failed(row["id"], str(e))
        counts["updated" if changed else "unchanged"] += 1
        return None
    except Exception as e:  # noqa: BLE001 - a parser bug on one report must not stop the rest
        counts["crashed"] += 1
        if log:
            log(f"parser crashed on report {row['id']} {row['url']}: {type(e).__name__}: {e} (left as stored)")
        return None
    if parsed is None:
        counts["no_content"] += 1
    return parsed


def _store_counted(store: Store, row: dict, parsed: dict, counts: dict, log) -> bool:
    changed = store.replace_parse(row["id"], parsed, content_sha256=row["content_sha256"])
    counts["updated" if changed else "unchanged"] += 1
    if log and changed:
        log(f"updated report {row['id']} {row['url']}")
    return changed


def settle_years(store: Store, parse: Callable[..., dict] | None = None, *, since: str | None = None,
                 log=None) -> int:
    """Glued 主动公开 rows one report leaves open, settled by the same body's stored reports of the
    neighbouring years (parsers/year_chain.py): each group (Store.year_chain_groups) is parsed
    again from its bytes, settled together, and the reports that gained cells are stored.
    Returns how many reports changed. A report that no longer parses is left as stored."""
    from parsers import ParseError

    def parse_one(row: dict) -> dict | None:
        try:
            return parse_stored(store, row, parse)
        except ParseError:
            return None
        except Exception as e:  # noqa: BLE001 - a parser bug on one report must not stop the rest
            if log:
                log(f"parser crashed on report {row['id']} {row['url']}: {type(e).__name__}: {e}")
            return None

    changed = 0
    for group in store.year_chain_groups(since):
        parsed, settled = _settle_group(group, parse_one)
        with store.batch():
            for n in settled:
                row, p = parsed[n]
                if store.replace_parse(row["id"], p, content_sha256=row["content_sha256"]):
                    changed += 1
                    if log:
                        log(f"report {row['id']} {row['url']}: {', '.join(settled[n])} settled by a neighbouring year")
    return changed


def _keep_old_metadata(parsed: dict, row: dict) -> None:
    old = json.loads(row["metadata"]) if row["metadata"] else {}
    if row["publish_date"] and not old.get("publish_date"):
        old["publish_date"] = row["publish_date"]
    new = {k: v for k, v in (parsed.get("metadata") or {}).items() if v is not None}
    parsed["metadata"] = {**old, **new}


def run(args: argparse.Namespace) -> int:
    from storage.store import database_problem

    path = Path(args.db)
    if not path.exists():
        print(f"nianbao reparse: no database at {path}", file=sys.stderr)
        return 2
    problem = database_problem(path)
    if problem:
        print(f"nianbao reparse: {path}: {problem}", file=sys.stderr)
        return 2
    import sqlite3
    try:
        with Store(path) as store:
            counts = reparse(store, log=lambda m: print(m, file=sys.stderr))
            # bodies whose rows only the new parse leaves open were not grouped above
            counts["settled_by_years"] += settle_years(store, log=lambda m: print(m, file=sys.stderr))
            store.reload_labels()      # labels follow the current parsers/schema.json too
    except DatabaseLocked as e:
        print(f"nianbao reparse: {path}: {e}", file=sys.stderr)
        return 75
    except sqlite3.DatabaseError as e:    # a damaged file, a full disk: one line, not a traceback
        print(f"nianbao reparse: {path}: {e}", file=sys.stderr)
        return 2
    print("reparse: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if counts["crashed"] else 0  # a parser bug: let whoever runs this (cron, CI) hear of it
