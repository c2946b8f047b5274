"""How fast new reports are stored as the database grows, and how big it gets.

    .venv/bin/python bench/bench_store.py [--at 10000,50000] [--measure 2000] [--batch 500] [--db /tmp/bench.db]

Each corpus report is parsed once; the bench then stores reports the way a crawl does
(record_page with the raw bytes, then store_report), each with its own URL, bytes, body
(a real township or county government drawn from the division codes, so region resolution
runs for real) and year. The database is filled in batches up to each size of --at; there it
measures --measure new reports stored in batches of --batch (Store.batch: what reparse and the
ingester do) and a quarter as many stored one transaction each (what the crawl pipeline does),
all in this one run, and prints the rates and their ratios: batched at the largest size over
batched at the smallest (flat cost: close to 1), batched over one-transaction-each, and the
target (>= 1,000 reports/s). Then the database size, the space per table and a few reads.

The floor: at each size the bench also writes the very rows Store wrote for the batched
reports again (as new reports: new ids, URLs and hashes; the same text, cells, checks, figures
and compressed bytes), with bare SQL: one executemany per table per batch, the search index by
one INSERT … SELECT, the bytes compressed beforehand, nothing else. That is what this schema
costs on this machine with no Store logic at all; `Store / floor` says how close Store gets,
and `floor / target` whether the target can be met by Store at all on this machine.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage import Store  # noqa: E402
from storage.divisions import DATA  # noqa: E402

SKIP = ("portal/",)


def corpus_reports(corpus: Path) -> list[tuple[str, bytes, dict]]:
    import parsers
    out = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix in (".json", ".md") or not path.is_file() or any(s in str(path) for s in SKIP):
            continue
        data = path.read_bytes()
        try:
            out.append((path.name, data, parsers.parse_bytes(data, name=path.name)))
        except parsers.ParseError:
            pass
    return out


def bodies(n: int, rng: random.Random) -> list[str]:
    """n real body names: 县 + 乡镇 + 人民政府, or 县 + 人民政府, or 县 + a department."""
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        names = dict(line.rstrip("\n").split("\t", 1) for line in f)
    towns = [c for c in names if len(c) == 9]
    out = []
    for _ in range(n):
        t = rng.choice(towns)
        county = names.get(t[:6], "")
        kind = rng.random()
        if kind < 0.6:
            out.append(f"{county}{names[t]}人民政府")
        elif kind < 0.8:
            out.append(f"{county}人民政府")
        else:
            out.append(f"{county}{rng.choice(['财政局', '教育局', '自然资源局', '人民政府办公室'])}")
    return out


def size_by_table(path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(path) as c:
        try:
            return c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:       # SQLite built without dbstat
            return []


def timed(label: str, fn, results: dict):
    t = time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - t
    return value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--at", default="10000,50000", help="database sizes (reports) to measure at")
    ap.add_argument("--measure", type=int, default=2000, help="new reports stored in batches at each size")
    ap.add_argument("--batch", type=int, default=500, help="reports per batch")
    ap.add_argument("--db", default="/tmp/nianbao-bench.db")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sizes = sorted(int(x) for x in args.at.split(","))
    single_n = max(1, args.measure // 4)
    total = sizes[-1] + len(sizes) * (args.measure + single_n)
    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    samples = corpus_reports(Path(args.corpus))
    parse_s = time.perf_counter() - t0
    names = bodies(total, rng)
    counties = sorted({n.split("县")[0] + "县人民政府" for n in names if "县" in n})[:500]
    n_sites = len(counties)

    def variant(i: int) -> tuple[str, int, bytes, dict]:
        """Report i: a corpus report under another body, year, URL and bytes (cells copied, figures varied)."""
        fname, data, parsed = samples[i % len(samples)]
        year = 2019 + i % 6 if parsed.get("format") != "legacy" else parsed.get("year")
        old_organ = parsed.get("organ") or ""
        text = parsed.get("text") or ""
        cells = [dict(c) for c in parsed.get("cells", [])]
        vary = random.Random(i)
        for c in cells:
            if isinstance(c.get("value"), int) and c["value"] and vary.random() < 0.3:
                c["value"] += vary.randint(0, 3)
        p = {**parsed, "organ": names[i], "year": year, "title": f"{names[i]}{year}年政府信息公开工作年度报告",
             "text": text.replace(old_organ, names[i]) if old_organ else text, "cells": cells,
             "metadata": {**parsed.get("metadata", {}),
                          "publish_date": f"{(year or 2020) + 1}-0{vary.randint(1, 4)}-1{vary.randint(0, 9)}"}}
        content = data + f"\n<!-- {i} {names[i]} -->".encode("utf-8")   # unique bytes per report
        return f"http://bench{i % n_sites}.gov.cn/{i}/{fname}", i % n_sites, content, p

    store = Store(db)
    sites = store.upsert_sites([{"name": name, "level": "county", "region_code": "", "url": f"http://bench{k}.gov.cn/"}
                                for k, name in enumerate(counties)])
    raw_bytes = [0]
    stored = [0]
    floored = [0]      # reports written by the floor measurement (extra rows in the database)

    def store_range(start: int, stop: int, fetched_at: str, batch: int | None) -> tuple[float, dict]:
        """Store reports start..stop-1 in batches of `batch` (None: one transaction each).
        Returns the seconds spent storing (building the variants is not timed) and the outcomes."""
        counts: dict[str, int] = {}
        spent = 0.0
        for b0 in range(start, stop, batch or 1):
            work = [variant(i) for i in range(b0, min(stop, b0 + (batch or 1)))]
            t = time.perf_counter()
            ctx = store.batch() if batch else contextlib.nullcontext()
            with ctx:
                for url, k, content, p in work:
                    store.record_page(url, site_id=sites[k], status=200, body=content, kind="report",
                                      fetched_at=fetched_at, headers={"ETag": f'"{len(content)}"', "Content-Type": "text/html"})
                    _, outcome = store.store_report(p, url=url, site_id=sites[k], content=content,
                                                    source_type=p.get("source_type") or "html", fetched_at=fetched_at)
                    counts[outcome] = counts.get(outcome, 0) + 1
            spent += time.perf_counter() - t
            if outcome == "new":
                raw_bytes[0] += sum(len(w[2]) for w in work)
        return spent, counts

    def floor_range(first_id: int, n: int, batch: int) -> float:
        """Seconds to write again, with bare SQL, the rows of the n reports from id first_id on
        (see the module's docstring); the rows are read and renamed before the clock starts."""
        conn = store.db.conn
        top = conn.execute("SELECT max(id) FROM reports").fetchone()[0]
        spent = 0.0
        for b0 in range(first_id, first_id + n, batch):
            ids = list(range(b0, min(first_id + n, b0 + batch)))
            marks = ",".join("?" * len(ids))
            new = {rid: top + 1 + k for k, rid in enumerate(range(b0, b0 + len(ids)))}
            top += len(ids)

            def rows(sql: str) -> tuple[list[str], list[list]]:
                cur = conn.execute(sql.format(marks=marks), ids)
                return [d[0] for d in cur.description], [list(r) for r in cur]

            rcols, reps = rows("SELECT * FROM reports WHERE id IN ({marks})")
            bcols, blobs = rows("SELECT b.* FROM blobs b JOIN reports r ON r.content_sha256 = b.sha256 WHERE r.id IN ({marks})")
            pcols, pages = rows("SELECT p.* FROM pages p JOIN reports r ON r.url = p.url WHERE r.id IN ({marks})")
            ccols, cells = rows("SELECT * FROM cells WHERE report_id IN ({marks})")
            kcols, checks = rows("SELECT * FROM checks WHERE report_id IN ({marks})")
            fcols, figs = rows("SELECT * FROM figures WHERE report_id IN ({marks})")
            ri, ru, rh = rcols.index("id"), rcols.index("url"), rcols.index("content_sha256")
            for r in reps:
                r[ri], r[ru], r[rh] = new[r[ri]], r[ru] + "#floor", r[rh] + "-floor"
            for b in blobs:
                b[0] += "-floor"
            pu, ph = pcols.index("url"), pcols.index("content_sha256")
            for pg in pages:
                pg[pu], pg[ph] = pg[pu] + "#floor", pg[ph] + "-floor"
            for c in cells:
                c[0] = new[c[0]]
            cells.sort(key=lambda c: (c[1], c[2], c[3], c[0]))
            ki = kcols.index("id")
            for k in checks:
                k[ki], k[kcols.index("report_id")] = None, new[k[kcols.index("report_id")]]
            for f in figs:
                f[0] = new[f[0]]

            def put(table: str, cols: list[str], data: list[list]) -> None:
                if data:
                    conn.executemany(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                                     f"VALUES ({', '.join('?' * len(cols))})", data)
            t = time.perf_counter()
            conn.execute("PRAGMA foreign_keys = OFF")
            with conn:
                put("blobs", bcols, blobs)
                put("pages", pcols, pages)
                put("reports", rcols, reps)
                put("cells", ccols, cells)
                put("checks", kcols, checks)
                put("figures", fcols, figs)
                conn.execute(f"INSERT INTO reports_fts (rowid, title, text) SELECT id, title, text FROM reports "
                             f"WHERE id BETWEEN {min(new.values())} AND {max(new.values())}")
            conn.execute("PRAGMA foreign_keys = ON")
            spent += time.perf_counter() - t
        return spent

    first = "2025-03-01T00:00:00+00:00"
    at: dict[int, dict[str, float]] = {}
    fill_s = 0.0
    for size in sizes:
        s_fill, _ = store_range(stored[0], max(stored[0], size), first, args.batch)
        fill_s += s_fill
        stored[0] = max(stored[0], size)
        first_id = store.db.execute("SELECT max(id) FROM reports").fetchone()[0] + 1
        s_batch, c1 = store_range(stored[0], stored[0] + args.measure, first, args.batch)
        stored[0] += args.measure
        s_floor = floor_range(first_id, args.measure, args.batch)
        floored[0] += args.measure
        s_single, c2 = store_range(stored[0], stored[0] + single_n, first, None)
        stored[0] += single_n
        assert c1 == {"new": args.measure} and c2 == {"new": single_n}, (c1, c2)
        at[size] = {"batched": s_batch / args.measure, "single": s_single / single_n, "floor": s_floor / args.measure}
        print(f"at {size:>6} reports: batched {1 / at[size]['batched']:7.0f} reports/s "
              f"({1000 * at[size]['batched']:.2f} ms each); one transaction each {1 / at[size]['single']:5.0f} reports/s "
              f"({1000 * at[size]['single']:.2f} ms each); bare-SQL floor {1 / at[size]['floor']:5.0f} reports/s "
              f"({1000 * at[size]['floor']:.2f} ms each)", flush=True)
    s_again, again = store_range(0, args.measure, "2025-03-02T00:00:00+00:00", args.batch)

    results: dict[str, float] = {}
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    q = store.db.execute
    timed("search 政府信息公开 (count)",
          lambda: q("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"政府信息公开\"'").fetchone(), results)
    timed("search 淮源镇 (first 50)",
          lambda: q("SELECT rowid FROM reports_fts WHERE reports_fts MATCH '\"淮源镇\"' LIMIT 50").fetchall(), results)
    timed("reports_wide facet province",
          lambda: q("SELECT province, count(*) FROM reports_wide GROUP BY province").fetchall(), results)
    timed("year_over_year mismatches",
          lambda: q("SELECT count(*) FROM year_over_year WHERE carry_over_ok = 0").fetchone(), results)
    timed("missing_reports count", lambda: q("SELECT count(*) FROM missing_reports").fetchone(), results)
    counts = {t: q(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in ("reports", "cells", "checks", "pages", "blobs")}
    store.close()

    lo, hi = at[sizes[0]], at[sizes[-1]]
    size = db.stat().st_size
    print(f"corpus samples: {len(samples)} reports parsed once in {parse_s:.1f}s; filled in batches of {args.batch} "
          f"in {fill_s:.0f}s")
    print(f"ratio, batched ms per report at {sizes[-1]} / at {sizes[0]}: {hi['batched'] / lo['batched']:.2f} (flat = 1)")
    for n in sizes:
        print(f"ratio at {n}: batched / one transaction each, reports/s: {at[n]['single'] / at[n]['batched']:.1f}x; "
              f"batched / target 1000 reports/s: {1 / at[n]['batched'] / 1000:.2f}; "
              f"Store / bare-SQL floor: {at[n]['floor'] / at[n]['batched']:.2f}; "
              f"floor / target: {1 / at[n]['floor'] / 1000:.2f}")
    print(f"stored {args.measure} again (unchanged, batched): {again} in {s_again:.1f}s "
          f"({1000 * s_again / args.measure:.2f} ms each)")
    for k, v in results.items():
        print(f"  {k}: {1000 * v:.0f} ms")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"database size: {size / 1e6:.1f} MB ({size / (stored[0] + floored[0]) / 1e3:.1f} kB per report); "
          f"raw bytes: {raw_bytes[0] / 1e6:.1f} MB before compression "
          f"({sum(1 for x in samples if x[0].endswith('.pdf'))} of {len(samples)} samples are PDFs)")
    for name, pgsize in size_by_table(db)[:10]:
        print(f"  {name}: {pgsize / 1e6:.1f} MB")
    print(f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
