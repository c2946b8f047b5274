"""Glued 主动公开 rows that one report leaves open, settled by the same body's neighbouring years.

In the 2019 format, 行政许可, 其他对外管理服务事项, 行政处罚, 行政强制 and 行政事业性收费 print
上一年项目数量 | 本年增/减 (| 处理决定数量). Next year's 上一年项目数量 is this year's count at the
year's end, so across two reports of one body:

    previous_count(Y) + change(Y) = previous_count(Y + 1)

A one-line rendering that glues `3960181` leaves eleven readings on its own (396|0|181,
39|60|181, …); the next year's report printing 上一年项目数量 396 leaves one. That is an identity
between two documents, not a guess, so a reading it singles out is filled and marked `inferred`,
as glue.py does with a report's own identities. Readings it does not settle stay blank with their
`cells.ambiguous` check (the check then lists only the readings left).

Pure functions over parsed reports (`parsers.parse_bytes` results): `nianbao parse` applies them
to the files given together. (The crawl stores one report at a time and does not apply them yet.)
"""
from __future__ import annotations

import re

from parsers.glue import readings
from parsers.labels import SCHEMA

# the rows that carry the chain, with their 2019-format columns in printed order
CHAIN_ROWS: dict[str, tuple[str, ...]] = {
    row["key"]: tuple(c["key"] for c in block["cols"] if "2019" in c.get("formats", ()))
    for block in SCHEMA["tables"]["active_disclosure"]["blocks"]
    for row in block["rows"]
    if any(c["key"] == "previous_count" for c in block["cols"]) and "2019" in row.get("formats", ())
}
_AMBIGUOUS = re.compile(r"^active_disclosure/(\w+): printed (.+?) for (\d+) cells;")


def _count(report: dict, row: str, col: str):
    value = ((report.get("tables") or {}).get("active_disclosure") or {}).get(row, {}).get(col)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _ambiguous_rows(report: dict) -> dict[str, tuple[int, str, list]]:
    """{row: (index of its check, printed text, readings)} for the chain rows left blank."""
    out = {}
    for i, check in enumerate(report.get("checks") or []):
        m = _AMBIGUOUS.match(check.get("detail") or "") if check.get("rule") == "cells.ambiguous" else None
        if not m or m.group(1) not in CHAIN_ROWS or int(m.group(3)) != len(CHAIN_ROWS[m.group(1)]):
            continue
        row, printed = m.group(1), m.group(2)
        n = len(CHAIN_ROWS[row])
        found = readings(printed.split(" "), n) or readings(printed.split(" "), n, strict=False) or []
        out[row] = (i, printed, found)
    return out


def _pairs(report: dict, row: str, open_rows: dict) -> set[tuple] | None:
    """The (上一年项目数量, 本年增/减) pairs the report may hold for `row`: the printed pair, or
    those of its readings; None when the report says nothing about the row."""
    if row in open_rows:
        return {tuple(r[0][:2]) for r in open_rows[row][2]}
    prev, change = _count(report, row, "previous_count"), _count(report, row, "change")
    if prev is None:
        return None
    return {(prev, change)}


def neighbours_of(report: dict, others: list[dict]) -> tuple[dict | None, dict | None]:
    """The same body's 2019-format reports of the year before and the year after, if given."""
    year = report.get("year")
    if not isinstance(year, int):
        return None, None
    by_year = {o.get("year"): o for o in others
               if o is not report and o.get("format") == "2019" and o.get("organ") == report.get("organ")}
    return by_year.get(year - 1), by_year.get(year + 1)


def settle(report: dict, before: dict | None, after: dict | None) -> list[str]:
    """Narrow `report`'s ambiguous chain rows by the year before (`before`) and after (`after`),
    in place: a row left with one reading is filled (tables, cells marked `inferred`, its check
    turned into a `cells.inferred` note); one left with several keeps its check, listing those.
    A neighbour's own glued row counts by every reading it may hold. Returns the rows filled."""
    if report.get("format") != "2019" or (before is None and after is None):
        return []
    open_rows = _ambiguous_rows(report)
    filled: list[str] = []
    checks = report.get("checks") or []
    for row, (i, printed, found) in open_rows.items():
        cols = CHAIN_ROWS[row]
        why = []
        starts = _pairs(before, row, _ambiguous_rows(before)) if before is not None else None
        if before is not None and starts:
            ends = {p + c for p, c in starts if c is not None}
            found = [r for r in found if r[0][0] in ends]
            left = sorted({r[0][0] for r in found})
            why.append(f"the {before['year']} report's 上一年项目数量 + 本年增/减 = {' or '.join(map(str, left))}")
        nexts = _pairs(after, row, _ambiguous_rows(after)) if after is not None else None
        if after is not None and nexts:
            prevs = {p for p, _ in nexts}
            found = [r for r in found if r[0][1] is not None and r[0][0] + r[0][1] in prevs]
            left = sorted({r[0][0] + r[0][1] for r in found})
            why.append(f"the {after['year']} report's 上一年项目数量 = {' or '.join(map(str, left))}")
        if not why or not found or len(found) == len(open_rows[row][2]):
            continue
        shown = ["|".join(r[1]) for r in found]
        if len(found) > 1:
            checks[i] = dict(checks[i], detail=(
                f"active_disclosure/{row}: printed {printed} for {len(cols)} cells; {len(found)} readings fit "
                f"({'; '.join(why)}): {'; '.join(shown[:8])}; the row is left blank"))
            continue
        values, texts, cut = found[0]
        table = report.setdefault("tables", {}).setdefault("active_disclosure", {})
        table[row] = dict(zip(cols, values))
        report.setdefault("cells", []).extend(
            {"table": "active_disclosure", "row": row, "col": c, "value": v, "raw": t, "inferred": bool(k)}
            for c, v, t, k in zip(cols, values, texts, cut))
        checks[i] = {"rule": "cells.inferred", "ok": True,
                     "detail": f"active_disclosure/{row}: printed {printed}; {'; '.join(why)}: {shown[0]}"}
        filled.append(row)
    return filled


def settle_all(reports: list[dict]) -> dict[int, list[str]]:
    """Settle every report against the others given with it (same organ, adjacent years).
    Returns {index: rows filled} for the reports that changed."""
    changed: dict[int, list[str]] = {}
    progress = True
    while progress:   # a row one report settles may settle its neighbour's in turn
        progress = False
        for n, report in enumerate(reports):
            rows = settle(report, *neighbours_of(report, reports))
            if rows:
                changed.setdefault(n, []).extend(rows)
                progress = True
    return changed
