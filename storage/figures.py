"""Key figures of a report, one column each, for the wide view (faceting, sorting, export).

Each figure sums one column over some rows of one statistical table; it is NULL when the
report has none of those cells (a legacy report, a table the parser could not read).
"""
from __future__ import annotations

from dataclasses import dataclass

_WITHHELD = ("withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability",
             "withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
             "withheld_enforcement_files", "withheld_query_matters")
_UNAVAILABLE = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")
_REJECTED = ("rejected_petition", "rejected_repeated", "rejected_publication", "rejected_excessive",
             "rejected_confirmation")
_OTHER = ("other_handling", "other_no_correction", "other_unpaid_fee", "other_other")
_LITIGATION = ("litigation_direct", "litigation_after_review")


@dataclass(frozen=True)
class Figure:
    column: str
    label: str                 # Chinese wording of the report, shown in Datasette
    table: str
    rows: tuple[str, ...]
    col: str
    unit: str = "件"


FIGURES: tuple[Figure, ...] = (
    Figure("applications_received", "本年新收政府信息公开申请数量（总计）", "applications", ("received_new",), "total"),
    Figure("carried_over", "上年结转政府信息公开申请数量（总计）", "applications", ("carried_over",), "total"),
    Figure("granted", "予以公开（总计）", "applications", ("granted",), "total"),
    Figure("partially_granted", "部分公开（总计）", "applications", ("partially_granted",), "total"),
    Figure("withheld", "不予公开（八项之和）", "applications", _WITHHELD, "total"),
    Figure("unavailable", "无法提供（三项之和）", "applications", _UNAVAILABLE, "total"),
    Figure("rejected", "不予处理（五项之和）", "applications", _REJECTED, "total"),
    Figure("other_handling", "其他处理（各项之和）", "applications", _OTHER, "total"),
    Figure("processed", "本年度办理结果总计", "applications", ("processed_total",), "total"),
    Figure("carried_forward", "结转下年度继续办理（总计）", "applications", ("carried_forward",), "total"),
    Figure("review_total", "行政复议总计", "review_litigation", ("review",), "total"),
    Figure("review_corrected", "行政复议结果纠正", "review_litigation", ("review",), "corrected"),
    Figure("litigation_total", "行政诉讼总计（未经复议直接起诉＋复议后起诉）", "review_litigation", _LITIGATION, "total"),
    Figure("litigation_corrected", "行政诉讼结果纠正", "review_litigation", _LITIGATION, "corrected"),
    Figure("licensing_decisions", "行政许可本年处理决定数量", "active_disclosure", ("licensing",), "decisions"),
    Figure("penalty_decisions", "行政处罚本年处理决定数量", "active_disclosure", ("penalty",), "decisions"),
    Figure("coercion_decisions", "行政强制本年处理决定数量", "active_disclosure", ("coercion",), "decisions"),
    Figure("fees_wan_yuan", "行政事业性收费本年收费金额", "active_disclosure", ("fees",), "amount_wan_yuan", "万元"),
    Figure("normative_issued", "行政规范性文件本年制发件数", "active_disclosure", ("normative_documents",), "issued"),
    Figure("normative_repealed", "行政规范性文件本年废止件数", "active_disclosure", ("normative_documents",), "repealed"),
    Figure("normative_in_force", "行政规范性文件现行有效件数", "active_disclosure", ("normative_documents",), "in_force"),
)

# Keys a legacy report's parser may give for the same figures (legacy reports have no tables).
_LEGACY_ALIASES = {"received_new": "applications_received", "processed_total": "processed",
                   "received": "applications_received", "reviews": "review_total"}


def compute(cells: list[dict], legacy: dict | None = None) -> dict:
    """{figure column: number or None} from a parse result's cells (and legacy figures)."""
    index: dict[tuple[str, str, str], float | int] = {}
    for c in cells:
        if c.get("value") is not None:
            index[(c["table"], c["row"], c["col"])] = c["value"]
    out: dict = {}
    for f in FIGURES:
        vals = [index[(f.table, r, f.col)] for r in f.rows if (f.table, r, f.col) in index]
        out[f.column] = _tidy(sum(vals)) if vals else None
    for key, value in (legacy or {}).items():
        col = _LEGACY_ALIASES.get(key, key)
        if col in out and out[col] is None and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[col] = value
    return out


def _tidy(v: float | int) -> float | int:
    # Sums of float cells such as 0.1 + 0.2 otherwise show as 0.30000000000000004.
    return round(v, 4) if isinstance(v, float) else v
