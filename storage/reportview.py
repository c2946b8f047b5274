"""A report's three statistical tables laid out as the official forms print them
(国办公开办函〔2019〕60号 / 〔2021〕30号), for the report page of `nianbao serve`.

Row and column labels come from parsers/schema.json (the shared vocabulary); this module only
decides where each label and value goes in the grid, and which cells a failing identity
concerns. Output is plain data (lists of rows of cells) that templates/row.html draws.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from storage.schema import schema_json_path

# Rows of the applications table that make up 三、本年度办理结果 (grouped under it in the form).
_OUTCOME_FIRST, _OUTCOME_LAST = "granted", "processed_total"
_OUTCOME_GROUP = "三、本年度办理结果"
_APPLICANT_GROUP = "申请人情况"


@lru_cache(maxsize=1)
def spec() -> dict:
    return json.loads(schema_json_path().read_text(encoding="utf-8"))


def section_labels() -> list[tuple[str, str]]:
    """[(key, 一、总体情况), ...] for the six sections."""
    return [(s["key"], s["label"]) for s in spec()["sections"]]


def table_label(table: str) -> str:
    return spec()["tables"][table]["label"]


def _in_format(item: dict, fmt: str) -> bool:
    return not item.get("formats") or fmt in item["formats"]


def _label_cell(text: str, rowspan: int = 1, colspan: int = 1, header: bool = True) -> dict:
    return {"label": text, "rowspan": rowspan, "colspan": colspan, "header": header}


def failing_cells(checks: list[dict], fmt: str) -> dict[tuple[str, str, str], list[int]]:
    """{(table, row, col): [numbers of the failing checks that concern the cell]}.

    A check's detail names the row or column the identity was tested on ("row review: ...",
    "column total: ..."); the rule says which cells of that row or column take part.
    """
    tables = spec()["tables"]
    app_rows = [r["key"] for r in tables["applications"]["rows"] if _in_format(r, fmt)]
    app_cols = [c["key"] for c in tables["applications"]["cols"]]
    outcome = app_rows[app_rows.index(_OUTCOME_FIRST):app_rows.index(_OUTCOME_LAST) + 1]
    rl_cols = [c["key"] for c in tables["review_litigation"]["cols"]]
    out: dict[tuple[str, str, str], list[int]] = {}
    for n, check in enumerate(checks, 1):
        m = re.match(r"(row|column) (\w+):", check.get("detail") or "")
        if not m:
            continue
        axis, key = m.groups()
        rule = check["rule"]
        if rule == "applications.row_total" and axis == "row":
            cells = [("applications", key, c) for c in app_cols]
        elif rule == "applications.balance" and axis == "column":
            cells = [("applications", r, key) for r in ("received_new", "carried_over", "processed_total",
                                                        "carried_forward")]
        elif rule == "applications.processed_total" and axis == "column":
            cells = [("applications", r, key) for r in outcome]
        elif rule == "review_litigation.total" and axis == "row":
            cells = [("review_litigation", key, c) for c in rl_cols]
        else:
            continue
        for cell in cells:
            out.setdefault(cell, []).append(n)
    return out


def detail_in_chinese(check: dict) -> str:
    """The check's detail with row and column keys replaced by their official labels."""
    table = (check.get("rule") or "").split(".")[0]
    t = spec()["tables"].get(table)
    if not t:
        return check.get("detail") or ""
    words: dict[str, str] = {}
    for block in t.get("blocks", [t]):
        for item in [*block.get("rows", []), *block.get("cols", [])]:
            words.setdefault(item["key"], re.sub(r"（区分处理的.*?）", "", item["label"]))
    return re.sub(r"\b[a-z_]+\b", lambda m: words.get(m.group(0), m.group(0)),
                  (check.get("detail") or "").replace("row ", "").replace("column ", ""))


def _value_cell(cells: dict, fails: dict, table: str, row: str, col: str) -> dict:
    c = cells.get((table, row, col))
    shown = None
    if c is not None:
        shown = c["raw"] if c.get("raw") not in (None, "") else c["value"]
    return {"label": None, "value": shown, "inferred": bool(c and c.get("inferred")),
            "fails": fails.get((table, row, col), []), "key": f"{table}.{row}.{col}"}


def active_disclosure(cells: dict, fails: dict, fmt: str) -> list[list[dict]]:
    """二、主动公开: one header row per 第二十条 block, then its rows."""
    grid = []
    for block in spec()["tables"]["active_disclosure"]["blocks"]:
        rows = [r for r in block["rows"] if _in_format(r, fmt)]
        cols = [c for c in block["cols"] if _in_format(c, fmt)]
        if not rows or not cols:
            continue
        grid.append([_label_cell(block["article"], colspan=1)] + [_label_cell(c["label"]) for c in cols])
        grid[-1].insert(1, _label_cell("信息内容"))
        for r in rows:
            grid.append([_label_cell(r["label"], colspan=2, header=False)]
                        + [_value_cell(cells, fails, "active_disclosure", r["key"], c["key"]) for c in cols])
    return grid


def applications_header() -> list[list[dict]]:
    cols = spec()["tables"]["applications"]["cols"]
    org = [c for c in cols if c.get("group") == "法人或其他组织"]
    return [
        [_label_cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         _label_cell(_APPLICANT_GROUP, colspan=len(cols))],
        [_label_cell(cols[0]["label"], rowspan=2), _label_cell("法人或其他组织", colspan=len(org)),
         _label_cell(cols[-1]["label"], rowspan=2)],
        [_label_cell(c["label"]) for c in org],
    ]


def applications(cells: dict, fails: dict, fmt: str) -> list[list[dict]]:
    """三、申请情况: rows with the form's nested groups (三、本年度办理结果 › （三）不予公开 › 1.…)."""
    t = spec()["tables"]["applications"]
    rows = [r for r in t["rows"] if _in_format(r, fmt)]
    keys = [r["key"] for r in rows]
    first, last = keys.index(_OUTCOME_FIRST), keys.index(_OUTCOME_LAST)
    grid = []
    for i, r in enumerate(rows):
        labels: list[dict] = []
        if first <= i <= last:
            if i == first:
                labels.append(_label_cell(_OUTCOME_GROUP, rowspan=last - first + 1))
            sub = r.get("group") if r.get("group") != _OUTCOME_GROUP else None
            if sub:
                members = [j for j in range(first, last + 1) if rows[j].get("group") == sub]
                if i == members[0]:
                    labels.append(_label_cell(sub, rowspan=len(members)))
                labels.append(_label_cell(r["label"], header=False))
            else:
                labels.append(_label_cell(r["label"], colspan=2, header=False))
        else:
            labels.append(_label_cell(r["label"], colspan=3, header=False))
        grid.append(labels + [_value_cell(cells, fails, "applications", r["key"], c["key"]) for c in t["cols"]])
    return grid


def review_litigation_header() -> list[list[dict]]:
    t = spec()["tables"]["review_litigation"]
    cols, lit = t["cols"], [r for r in t["rows"] if r.get("group") == "行政诉讼"]
    return [
        [_label_cell("行政复议", colspan=len(cols)), _label_cell("行政诉讼", colspan=len(cols) * len(lit))],
        [_label_cell(c["label"], rowspan=2) for c in cols] + [_label_cell(r["label"], colspan=len(cols)) for r in lit],
        [_label_cell(c["label"]) for _ in lit for c in cols],
    ]


def review_litigation(cells: dict, fails: dict, fmt: str) -> list[list[dict]]:
    """四、复议诉讼: the form's single row of fifteen numbers."""
    t = spec()["tables"]["review_litigation"]
    return [[_value_cell(cells, fails, "review_litigation", r["key"], c["key"]) for r in t["rows"] for c in t["cols"]]]


def failing_checks(checks: list[dict]) -> list[dict]:
    """The failing identities, in the order their numbers are shown on the cells."""
    return [c for c in checks if not c["ok"] and c["rule"] != "cells.inferred"]


def official_tables(fmt: str | None, cell_rows: list[dict], checks: list[dict]) -> list[dict]:
    """The three tables of a 2019/2021-format report, ready to draw; [] for other formats."""
    if fmt not in ("2019", "2021"):
        return []
    cells = {(c["table_key"], c["row_key"], c["col_key"]): c for c in cell_rows}
    fails = failing_cells(failing_checks(checks), fmt)
    return [
        {"key": "active_disclosure", "label": table_label("active_disclosure"), "head": [],
         "rows": active_disclosure(cells, fails, fmt)},
        {"key": "applications", "label": table_label("applications"), "head": applications_header(),
         "rows": applications(cells, fails, fmt)},
        {"key": "review_litigation", "label": table_label("review_litigation"), "head": review_litigation_header(),
         "rows": review_litigation(cells, fails, fmt)},
    ]
