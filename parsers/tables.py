"""The three statistical tables, read from a token stream by their official labels.

Rows are found by their labels; the values that follow a row label are the cell values in
column order. Grid sources keep blank cells in place; text dumps may have lost cells, and such
rows are completed later only where the tables' identities determine the missing values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from parsers.values import splittable
from parsers.labels import APP_COLS, REVIEW_COL_KEYS, REVIEW_ROWS, core, match
from parsers.tokens import Token
from parsers.values import parse_value


def Cell(table: str, row: str, col: str, value: int | float | None, raw: str | None,  # noqa: N802
         inferred: bool = False) -> dict:
    """One cell, already in the output's long form (`cells` of parse_bytes) so it is built once."""
    return {"table": table, "row": row, "col": col, "value": value, "raw": raw, "inferred": inferred}


@dataclass
class ShortRow:
    """A text-dump row that printed fewer values than the table has columns."""
    table: str
    row: str
    values: list[int | float | None]
    raws: list[str]
    cols: tuple[str, ...]


@dataclass
class TableResult:
    cells: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # key -> Cell(...)
    # the same values as the output's nested form, table -> row -> col -> value, kept as cells
    # are written (whole rows at a time in C, rather than a pass over every cell afterwards)
    tables: dict[str, dict[str, dict]] = field(default_factory=dict)
    short_rows: list[ShortRow] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # token indices that belong to tables
    found: set[str] = field(default_factory=set)  # tables with at least one row read
    rows: set[tuple[str, str]] = field(default_factory=set)  # (table, row) with cells

    def put(self, table: str, row: str, cols: tuple[str, ...] | list[str], vals: list, raws: list) -> None:
        cells = self.cells
        if (table, row) in self.rows and any((table, row, c) in cells for c in cols):
            return  # a label seen twice (repeated header, quoted label): the first reading stands
        for c, v, r in zip(cols, vals, raws):  # Cell(...), inlined: this runs for every cell
            cells[(table, row, c)] = {"table": table, "row": row, "col": c, "value": v, "raw": r, "inferred": False}
        self.tables.setdefault(table, {}).setdefault(row, {}).update(zip(cols, vals))
        self.rows.add((table, row))
        self.found.add(table)

    def set(self, cell: dict) -> None:
        """Write one cell (a completed row's)."""
        table, row, col = cell["table"], cell["row"], cell["col"]
        self.cells[(table, row, col)] = cell
        self.tables.setdefault(table, {}).setdefault(row, {})[col] = cell["value"]
        self.rows.add((table, row))


def _values_after(tokens: list[Token], i: int, end: int, limit: int) -> tuple[list, list, int]:
    """Values following the label at tokens[i]: (values, raws, index after the last one).
    A grid row is read to its end; blank cells that only pad a label spanning two grid columns
    (more cells than the table has columns) are dropped from the left, then from the right."""
    label = tokens[i]
    vals: list = []
    raws: list = []
    j = i + 1
    if label.grid:  # a grid row is read to its end (its <tr>); its blank cells are blanks
        row = label.row
        while j < end:
            t = tokens[j]
            if t.row != row:
                break
            text = t.text
            if text:
                ok, v = parse_value(text)
                if not ok:
                    break
                vals.append(v)
                raws.append(text)
            else:
                vals.append(None)
                raws.append("")
            j += 1
    else:  # a text dump: the values that follow, up to the table's width
        while j < end and len(vals) < limit:
            text = tokens[j].text
            ok, v = parse_value(text) if text else (False, None)
            if not ok:
                break
            vals.append(v)
            raws.append(text)
            j += 1
    while len(vals) > limit and raws[0] == "":
        vals.pop(0), raws.pop(0)
    while len(vals) > limit and raws[-1] == "":
        vals.pop(), raws.pop()
    return vals[:limit], raws[:limit], j


def read_active(tokens: list[Token], start: int, end: int, res: TableResult) -> None:
    """二、主动公开: blocks of a header (column labels) then rows (label + values)."""
    if read_torn_active(tokens, start, end, res):
        return
    header: list[str] = []
    header_open = False
    i = start
    while i < end:
        t = tokens[i]
        if not t.text or parse_value(t.text)[0]:
            i += 1
            continue
        col = match(t.text, "active_cols")
        if col:
            if not header_open:
                header, header_open = [], True
            header.append(col)
            res.used.add(i)
            i += 1
            continue
        row = match(t.text, "active_rows")
        if row and header:
            header_open = False
            vals, raws, j = _values_after(tokens, i, end, len(header))
            if vals:
                res.used.update(range(i, j))
                if len(vals) == len(header) or t.grid:
                    res.put("active_disclosure", row, header, vals, raws)
                elif len(set(vals)) == 1 and not splittable(raws, len(header)):
                    # lost cells in a dump: the printed values all agree, so any placement reads the same
                    res.put("active_disclosure", row, header[: len(vals)], vals, raws)
                    res.short_rows.append(ShortRow("active_disclosure", row, vals, raws, tuple(header)))
                else:
                    res.short_rows.append(ShortRow("active_disclosure", row, vals, raws, tuple(header)))
            i = max(j, i + 1)
            continue
        if t.text.startswith(("第二十条", "信息内容")) or "项" == t.text[-1:] and "第二十条" in t.text:
            header_open = False
            res.used.add(i)
        i += 1


def read_applications(tokens: list[Token], start: int, end: int, res: TableResult) -> None:
    """三、收到和处理: fixed columns (six applicant kinds and the total); rows by label."""
    if read_torn_rows(tokens, start, end, res):
        return
    started = False
    i = start
    n = len(APP_COLS)
    while i < end:
        t = tokens[i]
        if not t.text or parse_value(t.text)[0]:
            i += 1
            continue
        row = match(t.text, "app_rows")
        if row == "received_new":
            started = True
        if row and started:
            vals, raws, j = _values_after(tokens, i, end, n)
            if vals:
                res.used.update(range(i, j))
                if len(vals) == n or t.grid:
                    res.put("applications", row, APP_COLS, vals, raws)
                else:
                    res.short_rows.append(ShortRow("applications", row, vals, raws, APP_COLS))
                i = j
                continue
        if started or t.table or _is_app_header(t.text):
            res.used.add(i)  # the header cells are table, not section text
        i += 1


_APP_HEADER = {core(x) for x in ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织",
                                  "法律服务机构", "其他", "总计")}


def _is_app_header(text: str) -> bool:
    return core(text) in _APP_HEADER or "本列数据的勾稽关系" in text


def read_review(tokens: list[Token], start: int, end: int, res: TableResult) -> None:
    """四、复议诉讼: one header, then fifteen values (review, direct suits, suits after review)."""
    order: list[str] = []
    vals: list = []
    raws: list = []
    for i in range(start, end):
        t = tokens[i]
        if not t.text:
            if t.grid and order:  # a blank cell under the header
                vals.append(None)
                raws.append("")
                res.used.add(i)
            continue
        ok, v = parse_value(t.text)
        if ok:
            vals.append(v)
            raws.append(t.text)
            res.used.add(i)
        else:
            col = match(t.text, "review_cols")
            if col:
                order.append(col)
            if col or t.table or t.text in _REVIEW_HEADS:
                res.used.add(i)
        if len(vals) == 15:
            break
    if not any(r for r in raws):
        return
    cols = order if _is_header(order) else list(REVIEW_COL_KEYS) * 3
    if len(vals) < 15:
        res.short_rows.append(ShortRow("review_litigation", "*", vals, raws, tuple(cols)))
        if len(set(vals)) != 1 or splittable(raws, 15):
            return  # positions of the printed values are unknown (or glued cells, split later)
    for k, row in enumerate(REVIEW_ROWS):
        part = slice(k * 5, k * 5 + 5)
        if vals[part]:
            res.put("review_litigation", row, cols[part][: len(vals[part])], vals[part], raws[part])


_REVIEW_HEADS = {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"}


def _is_header(order: list[str]) -> bool:
    """The header read as three groups of the five outcome columns, in whatever order printed."""
    return len(order) == 15 and all(set(order[k * 5:k * 5 + 5]) == set(REVIEW_COL_KEYS) for k in range(3))


_OTHER_2021 = {"other_no_correction", "other_unpaid_fee", "other_other"}


def read_torn_rows(tokens: list[Token], start: int, end: int, res: TableResult) -> bool:
    """PDF text dumps that tear rows from their labels: a row's values printed on a line of
    their own before its label, or between the lines of a label split over several lines.
    When every row of values is whole (seven values on one line) and there are as many of them
    as row labels, but they do not each follow their label, the k-th row of values belongs to
    the k-th label of the official order. True when the table was read so."""
    n = len(APP_COLS)
    labels: list[tuple[int, str]] = []
    runs: list[tuple[int, int, list, list]] = []  # (first token, after last, values, raws)
    seen: set[str] = set()
    joined: set[int] = set()  # second parts of labels split over two lines
    i = start
    while i < end:
        t = tokens[i]
        if t.grid:
            return False
        ok, _ = parse_value(t.text) if t.text else (False, None)
        if ok:
            j, vals, raws = _value_run(tokens, i, end)
            if len(vals) != n:
                return False  # not whole rows: the ordinary reading (or the glued one) applies
            runs.append((i, j, vals, raws))
            i = j
            continue
        key = match(t.text, "app_rows") if t.text and i not in joined else None
        if t.text and not key and i not in joined:
            # a label split over two lines, neither part enough on its own (8.属于行 / 政查询事项),
            # with the row's values perhaps printed between the parts
            k = i + 1
            while k < end and k - i < 12 and tokens[k].text and parse_value(tokens[k].text)[0]:
                k += 1
            if (k < end and not tokens[k].grid and tokens[k].text and not parse_value(tokens[k].text)[0]
                    and not match(tokens[k].text, "app_rows")):
                key = match(t.text + tokens[k].text, "app_rows")
                if key:
                    joined.add(k)
        if key and (key == "received_new" or labels) and key not in seen:
            labels.append((i, key))
            seen.add(key)
        i += 1
    if seen & _OTHER_2021:  # （六）其他处理 heads the 2021 format's three rows: a group, no values
        labels = [x for x in labels if x[1] != "other_handling"]
    if not labels or len(runs) != len(labels) or _each_follows(labels, runs, end):
        return False  # not one value line a label, or each after its label: the ordinary reading
    for (li, key), (a, b, vals, raws) in zip(labels, runs):
        res.put("applications", key, APP_COLS, vals, raws)
        res.used.add(li)
        res.used.update(range(a, b))
    # the label lines' other fragments (公开申请数量 below 一、本年新收政府信息) are table too
    first, last = min(labels[0][0], runs[0][0]), max(labels[-1][0], runs[-1][1] - 1)
    res.used.update(range(first, last + 1))
    res.used.update(i for i in range(start, end) if tokens[i].table or _is_app_header(tokens[i].text))
    return True


def _each_follows(labels: list[tuple[int, str]], runs: list[tuple], end: int) -> bool:
    """Whether every label has a value line after it (before the next label) and none comes
    before the first: the layout the ordinary readers expect."""
    bounds = [x[0] for x in labels[1:]] + [end]
    return runs[0][0] > labels[0][0] and all(any(lab < r[0] < nxt for r in runs)
                                             for (lab, _), nxt in zip(labels, bounds))


def _value_run(tokens: list[Token], i: int, end: int) -> tuple[int, list, list]:
    """The values printed on token i's line from i on: (index after them, values, raws)."""
    j, vals, raws = i, [], []
    row = tokens[i].row
    while j < end and tokens[j].row == row and tokens[j].text:
        ok, v = parse_value(tokens[j].text)
        if not ok:
            break
        vals.append(v)
        raws.append(tokens[j].text)
        j += 1
    return j, vals, raws


def read_torn_active(tokens: list[Token], start: int, end: int, res: TableResult) -> bool:
    """二、主动公开 in a PDF text dump whose rows are torn from their labels (see
    read_torn_rows): block by block (a header of column labels, then its rows), when every value
    line is as wide as the block's header and there are as many as row labels but they do not
    each follow their label, the k-th value line belongs to the k-th label. True when read so."""
    blocks: list[tuple[list, list, list]] = []  # (column keys, labels, value lines)
    cur: tuple[list, list, list] | None = None
    i = start
    while i < end:
        t = tokens[i]
        if t.grid:
            return False
        if not t.text:
            i += 1
            continue
        if parse_value(t.text)[0]:
            j, vals, raws = _value_run(tokens, i, end)
            if cur is not None:
                cur[2].append((i, j, vals, raws))
            i = j
            continue
        col = match(t.text, "active_cols")
        if col:
            if cur is None or cur[1] or cur[2]:
                cur = ([], [], [])
                blocks.append(cur)
            cur[0].append(col)
        else:
            key = match(t.text, "active_rows")
            if key and cur is not None and cur[0]:
                cur[1].append((i, key))
        i += 1
    torn = False
    for cols, labels, runs in blocks:
        if not labels and not runs:
            continue
        if len(runs) != len(labels) or any(len(r[2]) != len(cols) for r in runs):
            return False
        torn = torn or not _each_follows(labels, runs, end)
    if not torn:
        return False
    for cols, labels, runs in blocks:
        for (li, row_key), (a, b, vals, raws) in zip(labels, runs):
            res.put("active_disclosure", row_key, cols, vals, raws)
            res.used.add(li)
            res.used.update(range(a, b))
    return True
