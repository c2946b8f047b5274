"""What the pages of `nianbao serve` show, read with a few SQL queries each through Datasette's
Database.execute (so its time limit and the caps of plugins/nianbao_guard.py apply).

home(): the front page's summary; report(): a report's page; body(): a body's timeline;
dashboards(): every dashboard of storage/dashboards.py under the chosen facets.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from storage import dashboards as dash
from storage import reportview
from storage.figures import FIGURES

# Figures drawn on a body's timeline and compared year over year.
TIMELINE = (("applications_received", "本年新收申请"), ("granted", "予以公开"), ("withheld", "不予公开"),
            ("review_total", "行政复议"), ("litigation_total", "行政诉讼"), ("corrected", "复议诉讼纠正"))


async def _rows(db, sql: str, params: dict | None = None) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params or {})).rows]


def host(url: str | None) -> str:
    """A URL's host, for showing long URLs short (the full URL goes in the title)."""
    try:
        return urlsplit(url or "").hostname or (url or "")
    except ValueError:
        return url or ""


async def home(db) -> dict:
    counts = (await _rows(db, """SELECT count(*) AS reports, sum(status = 'parsed') AS parsed,
        count(DISTINCT body_key) AS bodies, count(DISTINCT province) AS provinces,
        min(year) AS first_year, max(year) AS last_year, count(DISTINCT year) AS years,
        sum(checks_ok = 0) AS failing, sum(days_late > 0) AS late FROM reports"""))[0]
    counts["sites"] = (await _rows(db, "SELECT count(*) AS n FROM sites"))[0]["n"]
    run = await _rows(db, "SELECT * FROM runs ORDER BY id DESC LIMIT 1")
    provinces = await _rows(db, """SELECT province, count(*) AS n FROM reports WHERE province IS NOT NULL
        GROUP BY province ORDER BY n DESC""")
    years = await _rows(db, "SELECT year, count(*) AS n FROM reports WHERE year IS NOT NULL GROUP BY year ORDER BY year")
    return {"counts": counts, "run": run[0] if run else None, "provinces": provinces, "years": years}


async def report(db, report_id: int) -> dict | None:
    got = await _rows(db, "SELECT * FROM reports WHERE id = :id", {"id": report_id})
    if not got:
        return None
    r = got[0]
    cells = await _rows(db, "SELECT table_key, row_key, col_key, value, raw, inferred FROM cells "
                            "WHERE report_id = :id", {"id": report_id})
    checks = await _rows(db, "SELECT rule, ok, detail FROM checks WHERE report_id = :id ORDER BY id", {"id": report_id})
    failing = reportview.failing_checks(checks)
    for n, c in enumerate(failing, 1):
        c["n"], c["chinese"] = n, reportview.detail_in_chinese(c)
    inferred = next((c for c in checks if c["rule"] == "cells.inferred"), None)
    sections = [(label, r.get(f"section_{key}")) for key, label in reportview.section_labels()]
    region = [r[k] for k in ("province", "city", "county", "township") if r.get(k)]
    yoy = await _year_over_year(db, r)
    legacy = json.loads(r["legacy_figures"]) if r.get("legacy_figures") else None
    return {"r": r, "region": region, "tables": reportview.official_tables(r["format"], cells, checks),
            "failing": failing, "inferred_check": inferred, "sections": sections, "yoy": yoy,
            "legacy": legacy, "url_host": host(r["url"]), "n_checks": sum(c["rule"] != "cells.inferred" for c in checks),
            "text_only": not any(text for _, text in sections)}


async def _year_over_year(db, r: dict) -> dict | None:
    if not r.get("body_key") or not r.get("year"):
        return None
    prev = await _rows(db, """SELECT id, year, title, publish_date FROM reports WHERE body_key = :k AND year = :y
        ORDER BY id DESC LIMIT 1""", {"k": r["body_key"], "y": r["year"] - 1})
    if not prev:
        return {"previous": None}
    cols = ", ".join(f.column for f in FIGURES)
    figs = {x["report_id"]: x for x in await _rows(
        db, f"SELECT report_id, {cols} FROM figures WHERE report_id IN (:a, :b)", {"a": r["id"], "b": prev[0]["id"]})}
    cur, old = figs.get(r["id"], {}), figs.get(prev[0]["id"], {})
    rows = [{"label": f.label, "unit": f.unit, "previous": old.get(f.column), "current": cur.get(f.column)}
            for f in FIGURES if old.get(f.column) is not None or cur.get(f.column) is not None]
    carry = None
    if cur.get("carried_over") is not None and old.get("carried_forward") is not None:
        carry = {"ok": cur["carried_over"] == old["carried_forward"], "carried_over": cur["carried_over"],
                 "previous_carried_forward": old["carried_forward"]}
    return {"previous": prev[0], "rows": rows, "carry": carry}


async def body(db, key: str) -> dict | None:
    cols = ", ".join(f"f.{f.column}" for f in FIGURES)
    reports = await _rows(db, f"""SELECT r.id, r.year, r.title, r.organ, r.status, r.format, r.publish_date,
        r.deadline, r.days_late, r.checks_ok, r.checks_failed, r.province, r.city, r.county, r.township,
        r.body_kind, {cols},
        coalesce(f.review_corrected, 0) + coalesce(f.litigation_corrected, 0) AS corrected
        FROM reports r LEFT JOIN figures f ON f.report_id = r.id
        WHERE r.body_key = :k ORDER BY r.year, r.id""", {"k": key})
    sites = await _rows(db, "SELECT id, name, level, url FROM sites WHERE body_key = :k", {"k": key})
    if not reports and not sites:
        return None
    for r in reports:
        if r["review_total"] is None and r["litigation_total"] is None:
            r["corrected"] = None
    # A year counts once (the latest report of it); years between the first and the last with
    # no report are gaps in the lines, not zeros.
    by_year = {r["year"]: r for r in reports if r["year"]}
    years = list(range(min(by_year), max(by_year) + 1)) if by_year else []
    late = {y for y in years if by_year.get(y, {}).get("days_late")}
    labels = [f"{y}（缺）" if y not in by_year else f"{y}（逾期）" if y in late else str(y) for y in years]
    chart = {"type": "bar", "unit": "件", "labels": labels,
             "late": [bool(by_year.get(y, {}).get("days_late")) for y in years],
             "missing": [y not in by_year for y in years],
             "datasets": [{"label": label, "data": [by_year[y][col] if y in by_year else None for y in years]}
                          for col, label in TIMELINE]}
    latest = reports[-1] if reports else {}
    name = latest.get("organ") or (sites[0]["name"] if sites else key)
    region = [latest[k] for k in ("province", "city", "county", "township") if latest.get(k)]
    return {"key": key, "name": name, "region": region, "reports": reports, "sites": sites, "chart": chart,
            "missing_years": [y for y in years if y not in by_year],
            "late_years": [y for y in years if by_year.get(y, {}).get("days_late")]}


async def dashboards(db, args: dict, only: str | None = None) -> dict:
    p = dash.params(args)
    facets = {}
    for name, sql in dash.FACET_SQL.items():
        if name == "city" and not p["province"]:
            continue
        facets[name] = await _rows(db, sql, p)
    out = []
    for d in dash.DASHBOARDS:
        if only and d.key != only:
            continue
        rows = await _rows(db, d.sql, p)
        item = {"d": d, "rows": rows, "columns": list(rows[0]) if rows else [],
                "query": urlencode({"sql": d.sql, **p})}
        if d.chart == "heat":
            item["heat"] = dash.heat_table(rows)
        else:
            item["chart"] = dash.chart_data(d, rows)
        out.append(item)
    return {"params": p, "facets": facets, "dashboards": out,
            "chosen": {k: v for k, v in p.items() if v}}
