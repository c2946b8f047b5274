"""`nianbao parse PATH... [--json]`: print the structure of saved reports."""
from __future__ import annotations

import json
import sys
from argparse import Namespace

from parsers.errors import ParseError
from parsers.labels import label_of
from parsers.isolated import parse_isolated


# a page that is not the report itself but points to it is a result, not an error
REPORT_STATUSES = {"parsed", "attachment", "image_only"}


def run(args: Namespace) -> int:
    """Parse every PATH; reports given together settle each other's glued 主动公开 rows where
    they are one body's consecutive years (parsers/year_chain.py). Exit 1 if any PATH failed."""
    from parsers.year_chain import settle_all

    failed = 0
    done: list[tuple[str, dict]] = []
    for path in args.paths:
        try:
            result = _parse_file(path)
        except ParseError as e:
            print(f"nianbao parse: {path}: {e}", file=sys.stderr)
            failed += 1
            continue
        except Exception as e:  # a crash on one file must not stop the others
            print(f"nianbao parse: {path}: internal error: {type(e).__name__}: {e}", file=sys.stderr)
            failed += 1
            continue
        if result["status"] not in REPORT_STATUSES:
            print(f"nianbao parse: {path}: {result['status']}: {result.get('reason') or 'no report on the page'}", file=sys.stderr)
            failed += 1
            continue
        done.append((path, result))
    settle_all([r for _, r in done])
    for path, result in done:
        if args.json:
            if len(args.paths) == 1:
                print(json.dumps(result, ensure_ascii=False, indent=1))
            else:
                print(json.dumps({"path": path, **result}, ensure_ascii=False))
        else:
            print(summary(path, result))
    return 1 if failed else 0


def _parse_file(path: str) -> dict:
    """parse_path, with PDF/DOCX/DOC parsed in a child under the memory and time caps."""
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read: {e.strerror or e}") from None
    return parse_isolated(data, name=str(path))


def summary(path: str, r: dict) -> str:
    """A readable account of one report: facts, the three tables laid out, the checks."""
    out = [f"== {path}", f"title:   {r['title']}", f"organ:   {r['organ']}", f"year:    {r['year']}",
           f"format:  {r['format']}   source: {r['source_type']}   status: {r['status']}"]
    meta = {k: v for k, v in r["metadata"].items() if v not in (None, "")}
    if meta:
        out.append("metadata: " + ", ".join(f"{k}={v}" for k, v in meta.items()))
    if r.get("attachments"):
        out.append("attachments: " + " ".join(r["attachments"]))
    for table, rows in r["tables"].items():
        out.append("")
        out.append(f"[{table}]")
        cols: list[str] = []
        for row in rows.values():
            cols += [c for c in row if c not in cols]
        width = max([len(label_of(table, "rows", k)) for k in rows] + [8])
        out.append(" " * (width * 2 + 2) + "".join(f"{c[:10]:>12}" for c in cols))
        for key, row in rows.items():
            label = label_of(table, "rows", key)
            cells = "".join(f"{'' if row.get(c) is None else row.get(c)!s:>12}" for c in cols)
            out.append(f"{label}{' ' * max(0, (width - len(label)) * 2)}  {cells}")
    if r.get("legacy_figures"):
        out.append("figures stated: " + ", ".join(f"{k}={v}" for k, v in r["legacy_figures"].items()))
    bad = [c for c in r["checks"] if not c["ok"]]
    out.append("")
    out.append(f"checks: {len(r['checks']) - len(bad)} ok, {len(bad)} failed")
    for c in bad + [c for c in r["checks"] if c["rule"] == "cells.inferred"]:
        out.append(f"  {'FAIL' if not c['ok'] else 'note'} {c['rule']}: {c['detail']}")
    filled = [k for k, v in r["sections"].items() if v]
    out.append(f"sections: {', '.join(filled) or 'none found'}")
    return "\n".join(out)
