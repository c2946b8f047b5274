"""Glued cells: every way a row's printed value runs can be cut into its cells.

When a table loses its layout, neighbouring cells run together: `713000074` is the seven cells
71|3|0|0|0|0|74, `230 000023` is 23|0|0|0|0|0|23 (a space is a certain boundary, its absence
is not). A run of digits alone does not say where one number ends; `readings` lists every cut
into the row's number of cells, and the identities (checks.py) and the narrative's figures
choose among them. A printed cell never starts with 0 unless it is 0, so readings without
such a leading zero are preferred (`strict`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from parsers.checks import equations
from parsers.tables import Cell
from parsers.values import DIGIT_RUN, UNIT, digits, parse_value, splittable

_STRICT = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
_LOOSE = re.compile(r"^-?\d+(?:\.\d+)?$")
_GLUED_RUN = re.compile(r"^[+-]?0\d")
_WIDEST = 12  # digits before the decimal point of any cell (采购总金额 in 元 reaches 11)
LIMIT = 20000  # readings beyond this are not enumerated (the row is left blank as ambiguous)


def readings(raws: list[str], n: int, strict: bool = True,
             totals: tuple[tuple[int, int], ...] = ()) -> list[tuple[tuple, tuple, tuple]] | None:
    """Every cut of the runs into `n` cells: (values, texts, cut) triples, `cut` telling for
    each cell whether it was cut out of a longer run; None when there are more than LIMIT.
    With `strict`, no cell has a leading zero (05). `totals`: (start, stop) spans whose last
    cell must be the sum of the others (a row's total), checked as soon as a span is read, so
    that long runs (the fifteen cells of 复议诉讼) are cut without trying every way."""
    runs = []
    for r in raws:
        r = r.strip()
        unit = UNIT.search(r)
        body = r[: unit.start()] if unit else r
        runs.append((body, unit.group(0) if unit else "", bool(DIGIT_RUN.match(body))))
    out: list[tuple[tuple, tuple, tuple]] = []

    def fits(vals: tuple, before: int) -> bool:
        for a, b in totals:
            if before < b <= len(vals) and abs(sum(x or 0 for x in vals[a:b - 1]) - (vals[b - 1] or 0)) > 1e-6:
                return False
        return True

    def rec(k: int, left: int, vals: tuple, texts: tuple, cut: tuple, before: int = 0) -> bool:
        if totals and not fits(vals, before):
            return True  # a total already broken: no cut of the remaining runs mends it
        if k == len(runs):
            if left == 0:
                out.append((vals, texts, cut))
            return len(out) <= LIMIT
        body, unit, cuttable = runs[k]
        rest = len(runs) - k - 1
        if not cuttable:  # one cell as printed
            ok, v = parse_value(body + unit)
            if ok and left - 1 >= rest:
                return rec(k + 1, left - 1, vals + (v,), texts + (body + unit,), cut + (False,), len(vals))
            return True
        for m in range(1, left - rest + 1):
            pieces = _cuts(body, m, strict)
            if pieces is None:
                return False
            for p in pieces:
                t = p[:-1] + (p[-1] + unit,)
                if not rec(k + 1, left - m, vals + tuple(_num(x) for x in p), texts + t, cut + (m > 1,) * m,
                           len(vals)):
                    return False
        return True

    if not rec(0, n, (), (), ()):
        return None
    return out


def _num(text: str) -> int | float:
    v = float(text) if "." in text else int(text)
    return v


@lru_cache(maxsize=4096)
def _cuts(body: str, m: int, strict: bool) -> tuple[tuple[str, ...], ...] | None:
    """Every way to cut `body` into `m` numbers (None: more than LIMIT)."""
    ok = _STRICT if strict else _LOOSE
    if m == 1:
        return ((body,),) if ok.match(body) and len(body.split(".")[0].lstrip("+-")) <= _WIDEST else ()
    if m > len(body):
        return ()
    out = []
    for i in range(1, len(body)):
        head = body[:i]
        if len(head.lstrip("+-")) > _WIDEST:
            break
        if "." in head or not ok.match(head):  # a decimal ends its run: 45.82 is never 45.8|2
            continue
        tails = _cuts(body[i:], m - 1, strict)
        if tails is None:
            return None
        for tail in tails:
            out.append((head, *tail))
        if len(out) > LIMIT:
            return None
    return tuple(out)


# --- choosing among the readings ------------------------------------------------------------

JOINT_LIMIT = 50000  # combinations of several ambiguous rows tried together


def resolve(res, narrative: str = "") -> list[dict]:
    """Fill the text-dump rows whose printed runs may be glued cells (`res.short_rows` that are
    `splittable`), where exactly one reading survives: the only cut the digits allow, the only
    one the identities allow (the row's own, then across rows), or the only one the narrative's
    stated figures support. Several readings: the row stays blank and a `cells.ambiguous` check
    lists them. The rows handled are removed from `res.short_rows`. Returns the checks."""
    if not res.short_rows:  # every row printed whole (grid sources, most dumps)
        return []
    glued = [sr for sr in res.short_rows if splittable(sr.raws, len(sr.cols))]
    # a short row is glued cells, or a dump that lost blank cells (3 12 for three columns): only
    # a run no cell can be (0000000, 023: a leading zero) shows that the dump glues its cells
    if not any(_GLUED_RUN.match(r.strip()) for sr in glued for r in sr.raws):
        return []
    res.short_rows = [sr for sr in res.short_rows if sr not in glued]
    notes: list[dict] = []
    forced: list[str] = []
    pending: list[tuple] = []  # (short row, keys, readings left)
    present = set(res.rows) | {(sr.table, r) for sr in glued for r in _rows_of(sr)}
    eqs = equations(present)
    for sr in glued:
        keys = _keys(sr)
        spans = _TOTALS.get(sr.table, ())
        rs = readings(sr.raws, len(keys), totals=spans)
        if rs == []:
            rs = readings(sr.raws, len(keys), strict=False, totals=spans)
        if rs == [] and spans:
            # no cut keeps the row's total: if the digits allow one cut only, it is what the
            # source printed (its own wrong total, which the checks then report)
            every = readings(sr.raws, len(keys)) or readings(sr.raws, len(keys), strict=False)
            if every is not None and len(every) == 1:
                _fill(res, sr, keys, every[0])
                notes.append(_note(sr, every[0], "the digits allow this one cut, which breaks the row's total as printed"))
                continue
        if rs is None:
            notes.append(_ambiguous(sr, None))
            continue
        if len(rs) == 1 and sum(digits(r) for r in sr.raws) == len(keys):  # one digit a cell
            _fill(res, sr, keys, rs[0])
            forced.append(_where(sr))
            continue
        own = [e for e in eqs if all(k in keys for k in e[2] + e[3])]
        rs = [r for r in rs if _fits(dict(zip(keys, r[0])), own, res)]
        if len(rs) == 1:
            _fill(res, sr, keys, rs[0])
            notes.append(_note(sr, rs[0], "the row's own identity leaves one reading"))
        elif not rs:
            notes.append(_ambiguous(sr, []))
        else:
            pending.append((sr, keys, rs))
    pending = _across_rows(res, pending, eqs, notes)
    for sr, keys, rs in pending:
        best = _narrative_choice(sr, keys, rs, narrative, res)
        if best is not None:
            _fill(res, sr, keys, best)
            notes.append(_note(sr, best, "of the readings the identities allow, one matches the figures the text states"))
        else:
            notes.append(_ambiguous(sr, rs))
    if forced:
        notes.insert(0, {"rule": "cells.inferred", "ok": True,
                         "detail": f"glued cells split where the digits allow one cut only: {', '.join(forced)}"})
    return notes


# each row's total is the sum of the cells before it: applications (six applicant kinds, total),
# 复议诉讼 (three rows of four outcomes and a total, read as one run of fifteen)
_TOTALS = {"applications": ((0, 7),), "review_litigation": ((0, 5), (5, 10), (10, 15))}


def _rows_of(sr) -> list[str]:
    if sr.row != "*":
        return [sr.row]
    from parsers.labels import REVIEW_ROWS
    return list(REVIEW_ROWS)


def _keys(sr) -> list[tuple[str, str, str]]:
    rows = _rows_of(sr)
    if sr.row == "*":
        return [(sr.table, rows[n // 5], c) for n, c in enumerate(sr.cols)]
    return [(sr.table, sr.row, c) for c in sr.cols]


def _where(sr) -> str:
    return f"{sr.table}/{sr.row}" if sr.row != "*" else sr.table


def _value(k, cand: dict, res):
    """A term's value: the candidate's, else the cell read (blank = 0), else unknown (None)."""
    if k in cand:
        return cand[k] or 0
    c = res.cells.get(k)
    if c is None:
        return None
    return c["value"] or 0


def _fits(cand: dict, eqs, res) -> bool:
    """No identity whose terms are all known is broken by the candidate values."""
    for _, _, left, right in eqs:
        total = 0
        for sign, side in ((1, left), (-1, right)):
            for k in side:
                v = _value(k, cand, res)
                if v is None:
                    break
                total += sign * v
            else:
                continue
            break
        else:
            if abs(total) > 1e-6:
                return False
    return True


def _across_rows(res, pending: list[tuple], eqs, notes: list[dict]) -> list[tuple]:
    """Filter each row's readings by the identities across rows (balance, outcome rows to
    总计), row by row while that settles any, then all remaining rows of a table together."""
    changed = True
    while changed and pending:
        changed = False
        left = []
        for sr, keys, rs in pending:
            touching = [e for e in eqs if any(k in keys for k in e[2] + e[3])]
            ok = [r for r in rs if _fits(dict(zip(keys, r[0])), touching, res)]
            if len(ok) == 1:
                _fill(res, sr, keys, ok[0])
                notes.append(_note(sr, ok[0], "the identities across rows leave one reading"))
                changed = True
            else:
                left.append((sr, keys, ok or rs))
        pending = left
    if len(pending) < 2:
        return pending
    size = 1
    for _, _, rs in pending:
        size *= len(rs)
    if size > JOINT_LIMIT:
        return pending
    touching = [e for e in eqs if any(k in keys for _, keys, _ in pending for k in e[2] + e[3])]
    survivors: list[list] = [[] for _ in pending]
    any_ok = False

    def walk(n: int, cand: dict, chosen: list) -> None:
        nonlocal any_ok
        if n == len(pending):
            if _fits(cand, touching, res):
                any_ok = True
                for m, r in enumerate(chosen):
                    if r not in survivors[m]:
                        survivors[m].append(r)
            return
        _, keys, rs = pending[n]
        for r in rs:
            walk(n + 1, {**cand, **dict(zip(keys, r[0]))}, chosen + [r])

    walk(0, {}, [])
    if not any_ok:
        return pending
    left = []
    for (sr, keys, _), rs in zip(pending, survivors):
        if len(rs) == 1:
            _fill(res, sr, keys, rs[0])
            notes.append(_note(sr, rs[0], "the identities across rows, taken together, leave one reading"))
        else:
            left.append((sr, keys, rs))
    return left


def _fill(res, sr, keys, reading) -> None:
    vals, texts, cut = reading
    for k, v, t, c in zip(keys, vals, texts, cut):
        table, row, col = k
        res.set(Cell(table, row, col, v, t, inferred=c))
    res.found.add(sr.table)


def _show(reading) -> str:
    return "|".join(reading[1])


def _note(sr, reading, why: str) -> dict:
    return {"rule": "cells.inferred", "ok": True,
            "detail": f"{_where(sr)}: printed {' '.join(sr.raws)}; {why}: {_show(reading)}"}


def _ambiguous(sr, rs) -> dict:
    where = _where(sr)
    printed = " ".join(sr.raws)
    if rs is None:
        what = f"more than {LIMIT} readings"
    elif not rs:
        what = "no reading satisfies the identities"
    else:
        shown = "; ".join(_show(r) for r in rs[:8])
        what = f"{len(rs)} readings fit: {shown}{' …' if len(rs) > 8 else ''}"
    return {"rule": "cells.ambiguous", "ok": False,
            "detail": f"{where}: printed {printed} for {len(sr.cols)} cells; {what}; the row is left blank"}


# words the narrative uses for a cell, to find its stated figures (现行有效行政规范性文件698件)
_ROW_WORDS = {
    "regulations": "规章", "normative_documents": "规范性文件", "licensing": "许可",
    "other_services": "其他对外管理服务", "penalty": "处罚", "coercion": "强制", "fees": "收费",
    "procurement": "采购",
}
_COL_WORDS = {
    "issued": "制发|印发|出台|发布", "repealed": "废止", "in_force": "现行有效", "made": "制作|制定",
    "published": "新公开", "total_published": "公开总", "previous_count": "上一年|上年",
    "decisions": "决定|作出|办理", "amount_wan_yuan": "收费|金额", "projects": "项目", "amount": "金额",
}
_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:件|条|个|项|万元|元|次)")


def _stated(narrative: str) -> list[tuple[float, str]]:
    """(figure, the clause before it) for each figure with a unit the narrative states."""
    out = []
    for m in _FIGURE.finditer(narrative):
        before = narrative[max(0, m.start() - 24):m.start()]
        before = re.split(r"[。；;，,、]", before)[-1]
        out.append((float(m.group(1)), before))
    return out


def _narrative_choice(sr, keys, rs, narrative: str, res=None):
    """The one reading whose cells the narrative states most often, if one stands out."""
    if not narrative:
        return None
    figures = _stated(narrative)
    if sr.table == "active_disclosure":
        scores = [_active_score(sr, keys, r, figures) for r in rs]
    elif sr.table == "applications" and sr.row == "received_new":
        carried = res.tables.get("applications", {}).get("carried_over", {}) if res is not None else {}
        scores = [_received_score(r, figures, carried) for r in rs]
    elif sr.table == "review_litigation":
        scores = [_review_score(r, figures) for r in rs]
    else:
        return None
    top = max(scores)
    if top == 0 or scores.count(top) > 1:
        return None
    return rs[scores.index(top)]


def _active_score(sr, keys, r, figures) -> int:
    row_word = _ROW_WORDS.get(sr.row)
    if not row_word:
        return 0
    score = 0
    for (_, _, col), v in zip(keys, r[0]):
        if not v:
            continue
        col_words = _COL_WORDS.get(col, "")
        for f, before in figures:
            if abs(f - v) < 1e-9 and row_word in before and (len(keys) == 1 or (col_words and re.search(col_words, before))):
                score += 1
                break
    return score


def _said(figures, pattern: str, value) -> bool:
    return any(abs(f - value) < 1e-9 and re.search(pattern, before) for f, before in figures)


def _received_score(r, figures, carried: dict) -> int:
    """共收到申请75件, 自然人72件: the narrative counts new applications, sometimes with the
    ones carried over from last year."""
    vals = dict(zip(("natural_person", "business", "research", "social_welfare", "legal_service", "other_org",
                     "total"), r[0]))
    score = 0
    for col, pattern in (("total", r"(?:收到|受理|新收|接收).*申请|申请.*(?:收到|受理)"), ("natural_person", "自然人"),
                         ("business", "商业企业|企业")):
        v = vals[col] or 0
        if v and (_said(figures, pattern, v) or _said(figures, pattern, v + (carried.get(col) or 0))):
            score += 1
    return score


def _review_score(r, figures) -> int:
    """行政复议2件, 行政诉讼1件: the totals of review and of the two kinds of suit."""
    v = r[0]
    score = 0
    if v[4] and _said(figures, "复议", v[4]):
        score += 1
    suits = (v[9] or 0) + (v[14] or 0)
    if suits and _said(figures, "诉讼", suits):
        score += 1
    return score
