"""The identities the statistical tables must obey: checking them, and completing cells a
text dump lost where (and only where) the identities determine them."""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from operator import itemgetter

from parsers.labels import APP_COLS, APP_ROWS, REVIEW_COL_KEYS, REVIEW_ROWS
from parsers.tables import Cell, ShortRow, TableResult

PERSON_COLS = APP_COLS[:-1]
OUTCOME_ROWS_2019 = ("granted", "partially_granted", "withheld_state_secret", "withheld_prohibited_by_law",
                     "withheld_security_stability", "withheld_third_party", "withheld_internal_affairs",
                     "withheld_process_info", "withheld_enforcement_files", "withheld_query_matters",
                     "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
                     "rejected_petition", "rejected_repeated", "rejected_publication", "rejected_excessive",
                     "rejected_confirmation")
OTHER_ROWS = ("other_handling", "other_no_correction", "other_unpaid_fee", "other_other")

Key = tuple[str, str, str]


def equations(rows_present: set[tuple[str, str]]) -> list[tuple[str, str, list[Key], list[Key]]]:
    """(rule, detail, left terms, right terms) for every identity over the rows the report has."""
    return _equations(frozenset(rows_present))


@lru_cache(maxsize=256)
def _equations(rows_present: frozenset[tuple[str, str]]) -> list[tuple[str, str, list[Key], list[Key]]]:
    eqs = []
    app_rows = {r for t, r in rows_present if t == "applications"}
    for r in sorted(app_rows, key=_app_order):
        eqs.append(("applications.row_total", f"row {r}: total = sum of the six applicant columns",
                    [("applications", r, "total")], [("applications", r, c) for c in PERSON_COLS]))
    outcomes = [r for r in OUTCOME_ROWS_2019 + OTHER_ROWS if r in app_rows]
    for c in APP_COLS:
        eqs.append(("applications.balance", f"column {c}: received_new + carried_over = processed_total + carried_forward",
                    [("applications", "received_new", c), ("applications", "carried_over", c)],
                    [("applications", "processed_total", c), ("applications", "carried_forward", c)]))
    for c in APP_COLS:
        eqs.append(("applications.processed_total", f"column {c}: processed_total = sum of the outcome rows",
                    [("applications", "processed_total", c)], [("applications", r, c) for r in outcomes]))
    for r in REVIEW_ROWS:
        if ("review_litigation", r) in rows_present:
            eqs.append(("review_litigation.total", f"row {r}: total = maintained + corrected + other + pending",
                        [("review_litigation", r, "total")],
                        [("review_litigation", r, c) for c in REVIEW_COL_KEYS if c != "total"]))
    return eqs


def _app_order(r: str) -> int:
    return _APP_ORDER[r]


_APP_ORDER = {lab.key: n for n, lab in enumerate(APP_ROWS)}


def complete(res: TableResult) -> list[dict]:
    """Place the values of rows that lost cells, where the identities leave one reading. Returns checks."""
    notes = []
    for sr in res.short_rows:
        if sr.table == "active_disclosure":
            if len(set(sr.values)) == 1 and (sr.table, sr.row) in res.rows:
                # placed already (every placement reads the same); the lost cells stay blank
                notes.append({"rule": "cells.lost", "ok": False,
                              "detail": f"{sr.table}/{sr.row}: {len(sr.values)} of {len(sr.cols)} cells printed, all "
                                        f"{sr.values[0]}; no identity fixes the lost ones, so they are left blank"})
                continue
            notes.append({"rule": "cells.lost", "ok": False,
                          "detail": f"{sr.table}/{sr.row}: {len(sr.values)} of {len(sr.cols)} cells printed; "
                                    "no identity fixes their columns, so the row is left blank"})
            continue
        notes.append(_place(res, sr))
    return notes


def _place(res: TableResult, sr: ShortRow) -> dict:
    """Try every placement of the printed values among the row's cells; keep the placements the
    identities allow and solve their lost cells. One resulting row: fill it. Otherwise: leave it."""
    table = sr.table
    rows = [sr.row] if sr.row != "*" else list(REVIEW_ROWS)
    keys: list[Key] = [(table, rows[n // 5] if sr.row == "*" else sr.row, c) for n, c in enumerate(sr.cols)]
    missing = len(keys) - len(sr.values)
    present_rows = {(t, r) for t, r, _ in res.cells} | {(table, r) for r in rows}
    eqs = [e for e in equations(present_rows) if any(k in keys for k in e[2] + e[3])]
    readings: set[tuple] = set()
    placements = 0
    for gaps in combinations(range(len(keys)), missing):
        printed = iter(sr.values)
        known = {k: next(printed) for n, k in enumerate(keys) if n not in gaps}
        unknown = {k for n, k in enumerate(keys) if n in gaps}
        solved = _solve(res, known, unknown, eqs)
        if solved is None:
            continue  # this placement breaks an identity
        placements += 1
        readings.add(tuple(solved[k] for k in keys))
    where = f"{table}/{sr.row}" if sr.row != "*" else table
    if len(readings) == 1 and "?" not in next(iter(readings)):
        filled = _assign(res, keys, next(iter(readings)), sr)
        res.found.add(table)
        how = "" if placements == 1 else f" ({placements} placements of the lost cells fit, all giving these values)"
        return {"rule": "cells.inferred", "ok": True,
                "detail": f"{where}: {len(sr.values)} of {len(keys)} cells printed; the identities determine the rest: "
                          f"{', '.join(f'{k[1]}/{k[2]}={v}' for k, v in filled)}{how}"}
    return {"rule": "cells.lost", "ok": False,
            "detail": f"{where}: {len(sr.values)} of {len(keys)} cells printed and the identities do not determine "
                      "the lost ones, so the row is left blank"}


def _assign(res: TableResult, keys: list[Key], vector: tuple, sr: ShortRow) -> list[tuple[Key, object]]:
    """Write the completed row; mark as inferred the cells no printed value can stand in."""
    # align printed values to the vector greedily from the left to find which cells were printed
    raws = list(zip(sr.values, sr.raws))
    filled = []
    p = 0
    for n, (k, v) in enumerate(zip(keys, vector)):
        remaining_cells = len(keys) - n
        remaining_printed = len(raws) - p
        if p < len(raws) and raws[p][0] == v and remaining_printed <= remaining_cells:
            res.set(Cell(*k, v, raws[p][1]))
            p += 1
        else:
            res.set(Cell(*k, v, None, inferred=True))
            filled.append((k, v))
    return filled


def _solve(res: TableResult, known: dict, unknown: set, eqs) -> dict | None:
    """Propagate: any identity with one unknown term fixes it. None if a placement breaks one."""
    vals = dict(known)
    unk = set(unknown)

    def get(k):
        if k in vals:
            return vals[k]
        c = res.cells.get(k)
        return c["value"] if c else "?"

    changed = True
    while changed:
        changed = False
        for _, _, left, right in eqs:
            terms = [(k, 1) for k in left] + [(k, -1) for k in right]
            open_terms = [(k, s) for k, s in terms if k in unk]
            other = [get(k) for k, _ in terms if k not in unk]
            if "?" in other:
                continue
            total = sum(s * (get(k) or 0) for k, s in terms if k not in unk)
            if len(open_terms) == 1:
                k, s = open_terms[0]
                v = -total * s
                if v < 0 or v != int(v):
                    return None
                vals[k] = int(v)
                unk.discard(k)
                changed = True
            elif not open_terms and total != 0:
                return None
    for k in unk:
        vals[k] = "?"
    return {k: vals[k] for k in list(known) + list(unknown)}


def run_checks(res: TableResult) -> list[dict]:
    """Every identity over the cells read: ok, and a detail naming the row or column.
    A blank cell counts as 0 (a blank in these tables means none)."""
    zeros, compiled = _compiled(frozenset(res.rows))
    value = zeros.copy()  # every term present: item getters need no default
    for k, c in res.cells.items():
        v = c["value"]
        if v:
            value[k] = v
    out = []
    for rule, detail, left, right, missing in compiled:
        if missing:
            out.append({"rule": rule, "ok": False, "detail": f"{detail}: rows not found: {missing}"})
            continue
        lhs = sum(left(value))
        rhs = sum(right(value))
        if lhs == rhs:
            text = str(lhs) if type(lhs) is int else _fmt(lhs)
            out.append({"rule": rule, "ok": True, "detail": f"{detail}: {text} = {text}"})
        else:
            ok = abs(lhs - rhs) < 1e-6
            out.append({"rule": rule, "ok": ok, "detail": f"{detail}: {_fmt(lhs)} {'=' if ok else '≠'} {_fmt(rhs)}"})
    return out


@lru_cache(maxsize=256)
def _compiled(present: frozenset) -> tuple[dict, list[tuple]]:
    """Every term with the value 0 (copied for each report), and the identities to check for a
    set of rows read, each with item getters for its two sides (each returns a tuple) and the
    rows it lacks (balance only)."""
    out = []
    every: set = set()
    for rule, detail, left, right in _equations(present):
        terms = left + right
        if not any((k[0], k[1]) in present for k in terms):
            continue
        missing = ""
        if rule == "applications.balance":
            missing = ", ".join(sorted({k[1] for k in terms if (k[0], k[1]) not in present}))
        every.update(terms)
        out.append((rule, detail, _getter(left), _getter(right), missing))
    return dict.fromkeys(every, 0), out


def _getter(keys: list):
    """itemgetter(*keys) that always returns a tuple (itemgetter of one key returns the item)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda d: (d[key],)
    if not keys:
        return lambda d: ()
    return itemgetter(*keys)


def _fmt(x: float) -> str:
    if type(x) is int:
        return str(x)
    return str(int(x)) if x == int(x) else f"{x:g}"
