"""The dashboards of `nianbao serve` (/-/dashboards): one aggregate SQL query per chart.

Every query groups in SQLite and returns a few dozen rows at most, so a chart stays the same
size at 40,000 bodies × 7 years; no report row ever reaches the browser. The same WHERE clause
takes the page's facets (province, city, level, year) as named parameters, so the SQL shown
beside a chart runs as it is in Datasette's query page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FACETS = ("province", "city", "level", "year")

FROM_WHERE = """FROM reports r
LEFT JOIN figures f ON f.report_id = r.id
LEFT JOIN sites s ON s.id = r.site_id
WHERE r.year IS NOT NULL
  AND (:province = '' OR r.province = :province)
  AND (:city = '' OR r.city = :city)
  AND (:level = '' OR s.level = :level)
  AND (:year = '' OR r.year = CAST(:year AS INTEGER))"""


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str
    question: str
    sql: str
    chart: str                      # bar, stacked (100 % bars), line, heat
    x: str                          # column on the x axis (heat: the row column)
    series: tuple[tuple[str, str], ...] = field(default=())   # (column, legend label)
    unit: str = ""


DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard(
        "coverage", "报告覆盖 Coverage: reports per province and year",
        "Which provinces (or, with a province chosen, which cities) have reports for which years?",
        f"""SELECT CASE WHEN :province = '' THEN coalesce(r.province, '(未知)')
            ELSE coalesce(r.city, '(未知)') END AS area,
       r.year, count(*) AS reports, count(DISTINCT r.body_key) AS bodies
{FROM_WHERE}
GROUP BY area, r.year
ORDER BY area, r.year""",
        "heat", "area", (("reports", "报告数"),)),
    Dashboard(
        "applications", "申请量 Applications received per year",
        "How many information-disclosure applications did the bodies receive each year?",
        f"""SELECT r.year, sum(f.applications_received) AS applications,
       count(f.applications_received) AS reports
{FROM_WHERE}
GROUP BY r.year
HAVING reports > 0
ORDER BY r.year""",
        "bar", "year", (("applications", "本年新收申请"),), "件"),
    Dashboard(
        "outcomes", "办理结果 Outcome shares",
        "Of the applications handled, what share was granted, partly granted, refused, ...?",
        f"""SELECT r.year, sum(f.granted) AS granted, sum(f.partially_granted) AS partially_granted,
       sum(f.withheld) AS withheld, sum(f.unavailable) AS unavailable,
       sum(f.rejected) AS rejected, sum(f.other_handling) AS other_handling
{FROM_WHERE}
GROUP BY r.year
HAVING sum(f.processed) > 0
ORDER BY r.year""",
        "stacked", "year", (("granted", "予以公开"), ("partially_granted", "部分公开"), ("withheld", "不予公开"),
                            ("unavailable", "无法提供"), ("rejected", "不予处理"), ("other_handling", "其他处理")), "%"),
    Dashboard(
        "corrections", "纠正率 Review and litigation correction rates",
        "How often did 行政复议 and 行政诉讼 correct the body's handling?",
        f"""SELECT r.year, sum(f.review_total) AS reviews, sum(f.review_corrected) AS reviews_corrected,
       round(100.0 * sum(f.review_corrected) / nullif(sum(f.review_total), 0), 1) AS review_rate,
       sum(f.litigation_total) AS lawsuits, sum(f.litigation_corrected) AS lawsuits_corrected,
       round(100.0 * sum(f.litigation_corrected) / nullif(sum(f.litigation_total), 0), 1) AS litigation_rate
{FROM_WHERE}
GROUP BY r.year
HAVING count(f.review_total) > 0
ORDER BY r.year""",
        "line", "year", (("review_rate", "行政复议纠正率"), ("litigation_rate", "行政诉讼纠正率")), "%"),
    Dashboard(
        "late", "逾期公布 Late publication share",
        "Of the reports with a legal deadline and a publication date, how many came late?",
        f"""SELECT r.year, count(r.days_late) AS with_deadline, sum(r.days_late > 0) AS late,
       round(100.0 * sum(r.days_late > 0) / nullif(count(r.days_late), 0), 1) AS late_share
{FROM_WHERE}
GROUP BY r.year
HAVING with_deadline > 0
ORDER BY r.year""",
        "bar", "year", (("late_share", "逾期比例"),), "%"),
    Dashboard(
        "identities", "校验失败率 Identity failures by format and source type",
        "How often do a report's own tables fail their arithmetic, by table format and by what the bytes were?",
        f"""SELECT r.format || ' · ' || coalesce(r.source_type, '?') AS kind, count(r.checks_ok) AS checked,
       sum(r.checks_ok = 0) AS failing,
       round(100.0 * sum(r.checks_ok = 0) / nullif(count(r.checks_ok), 0), 1) AS failure_rate
{FROM_WHERE}
  AND r.checks_ok IS NOT NULL
GROUP BY kind
ORDER BY kind""",
        "bar", "kind", (("failure_rate", "校验失败率"),), "%"),
)

FACET_SQL = {
    "province": "SELECT province AS value, count(*) AS n FROM reports WHERE year IS NOT NULL "
                "AND province IS NOT NULL GROUP BY province ORDER BY n DESC",
    "city": "SELECT city AS value, count(*) AS n FROM reports WHERE year IS NOT NULL AND city IS NOT NULL "
            "AND province = :province GROUP BY city ORDER BY n DESC",
    "level": "SELECT level AS value, count(*) AS n FROM sites WHERE level IS NOT NULL GROUP BY level ORDER BY n DESC",
    "year": "SELECT year AS value, count(*) AS n FROM reports WHERE year IS NOT NULL GROUP BY year ORDER BY year DESC",
}


def params(args: dict) -> dict[str, str]:
    """The facets chosen in the query string, '' for all."""
    return {k: (args.get(k) or "").strip() for k in FACETS}


def chart_data(d: Dashboard, rows: list[dict]) -> dict:
    """What static/nianbao.js gives Chart.js: labels and one dataset per series."""
    if d.chart == "stacked":      # shares of each year's total, so years of any size compare
        out = []
        for row in rows:
            total = sum(row[c] or 0 for c, _ in d.series) or 1
            out.append({c: round(100.0 * (row[c] or 0) / total, 1) for c, _ in d.series})
        values = {c: [o[c] for o in out] for c, _ in d.series}
    else:
        values = {c: [row[c] for row in rows] for c, _ in d.series}
    return {"type": "line" if d.chart == "line" else "bar", "stacked": d.chart == "stacked", "unit": d.unit,
            "labels": [str(row[d.x]) for row in rows],
            "datasets": [{"label": label, "data": values[c]} for c, label in d.series]}


def heat_table(rows: list[dict]) -> dict:
    """Coverage as a grid: areas down, years across, each cell with its share of the maximum."""
    years = sorted({r["year"] for r in rows})
    areas: dict[str, dict] = {}
    for r in rows:
        areas.setdefault(r["area"], {})[r["year"]] = r["reports"]
    top = max((r["reports"] for r in rows), default=1) or 1
    return {"years": years,
            "rows": [{"area": a, "cells": [{"n": ys.get(y), "heat": round((ys.get(y) or 0) / top, 2)} for y in years]}
                     for a, ys in areas.items()]}
