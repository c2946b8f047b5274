"""Server time of every page of `nianbao serve` on a large database (issue 16: ≤ 300 ms each).

    .venv/bin/python bench/bench_store.py --n 10000 --db /tmp/nianbao-bench.db   # builds the database
    .venv/bin/python bench/bench_serve.py --db /tmp/nianbao-bench.db [--rounds 5]

Each page is requested through Datasette's in-process ASGI client (the same app `nianbao serve`
runs under uvicorn, with its plugins, templates and settings), once to warm the caches, then
--rounds times; the median and the worst round are printed with the page's size. The time is
the server's: routing, SQL, templates, no network and no browser.

Two clocks: wall time, and the CPU time of the whole process (every thread: the SQL runs in
Datasette's thread pool) over the request. On a machine shared with other work the wall time
includes waiting for a CPU; the CPU time is what the page costs, and what the budget is checked
against. The machine's load average is printed with the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.serve import make_datasette  # noqa: E402

BUDGET_MS = 300


def pages(db_path: Path) -> list[str]:
    """Every kind of page, on real rows of the database."""
    name = db_path.stem
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as c:
        failing = c.execute("SELECT id FROM reports WHERE checks_ok = 0 ORDER BY id LIMIT 1").fetchone()
        with_prev = c.execute("SELECT report_id FROM year_over_year ORDER BY report_id LIMIT 1").fetchone()
        body = c.execute("SELECT body_key FROM reports WHERE body_key IS NOT NULL GROUP BY body_key "
                         "ORDER BY count(*) DESC LIMIT 1").fetchone()
        province = c.execute("SELECT province FROM reports WHERE province IS NOT NULL GROUP BY province "
                             "ORDER BY count(*) DESC LIMIT 1").fetchone()
        site = c.execute("SELECT id FROM sites LIMIT 1").fetchone()
        town = (c.execute("SELECT county FROM reports WHERE county IS NOT NULL GROUP BY county "
                          "ORDER BY count(*) DESC LIMIT 1").fetchone() or ["人民政府"])[0]
        queries = ["failing_identities", "most_applications", "carry_over_mismatches", "late_publication",
                   "missing_by_year", "text_contains?q=" + quote("复议")]
    out = ["/", f"/{name}", f"/{name}/reports", f"/{name}/reports_wide", f"/{name}/reports_wide?year=2021",
           # a place name (a few hundred reports) and a phrase in nearly every report
           f"/{name}/reports_wide?_search=" + quote(town), f"/{name}/reports_wide?_search=" + quote("依申请公开"),
           f"/{name}/sites", f"/{name}/year_over_year",
           f"/{name}/late_reports", f"/{name}/missing_reports", f"/{name}/checks?ok=0", f"/{name}/cells_labeled"]
    if failing:
        out += [f"/{name}/reports/{failing[0]}", f"/{name}/cells?report_id={failing[0]}"]
    if with_prev:
        out.append(f"/{name}/reports/{with_prev[0]}")
    if body:
        out.append("/-/body?key=" + quote(body[0], safe=""))
    if site:
        out.append(f"/{name}/sites/{quote(site[0])}")
    out += ["/-/dashboards"]
    if province:
        out.append("/-/dashboards?province=" + quote(province[0]))
    out += [f"/{name}/{q}" for q in queries]
    return out


async def measure(db_path: Path, rounds: int) -> list[tuple[str, int, float, float, float, int]]:
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    rows = []
    for path in pages(db_path):
        r = await ds.client.get(path)              # warm-up (and the status to report)
        wall, cpu = [], []
        for _ in range(rounds):
            t, c = time.perf_counter(), time.process_time()
            r = await ds.client.get(path)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        rows.append((path, r.status_code, statistics.median(wall), statistics.median(cpu), max(cpu), len(r.content)))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default="/tmp/nianbao-bench.db")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    db = Path(args.db)
    if not db.exists():
        print(f"bench_serve: no database at {db} (build it with bench/bench_store.py --db {db})", file=sys.stderr)
        return 2
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        n = c.execute("SELECT count(*) FROM reports").fetchone()[0]
    print(f"{db}: {n:,} reports, {args.rounds} rounds a page, budget {BUDGET_MS} ms server time; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':64} {'status':>6} {'wall med':>9} {'CPU med':>8} {'CPU max':>8} {'KB':>6}  (ms)")
    over = 0
    results = asyncio.run(measure(db, args.rounds))
    for path, status, wall, cpu, cpu_max, size in results:
        flag = "" if cpu <= BUDGET_MS and status == 200 else "  <-- over budget" if status == 200 else "  <-- error"
        over += bool(flag)
        print(f"{path[:64]:64} {status:>6} {wall:>9.1f} {cpu:>8.1f} {cpu_max:>8.1f} {size / 1024:>6.0f}{flag}")
    print(f"slowest page: {max(r[3] for r in results):.0f} ms CPU (median of {args.rounds}); "
          f"load average now {os.getloadavg()[0]:.1f}")
    print(f"{over} page(s) over {BUDGET_MS} ms or failing" if over else f"every page within {BUDGET_MS} ms")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
