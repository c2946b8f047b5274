"""How long storing N reports takes and how big the database gets.

    .venv/bin/python bench/bench_store.py [--n 10000] [--db /tmp/bench.db] [--corpus ../shared/corpus]

Each corpus report is parsed once; the bench then stores N reports the way a crawl does
(record_page with the raw bytes, then store_report), each with its own URL, bytes, body
(a real township or county government drawn from the division codes, so region resolution
runs for real) and year. It prints the time per phase, the database size and the space per
table, and the time of a few reads Datasette makes.
"""
from __future__ import annotations

import argparse
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
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--db", default="/tmp/nianbao-bench.db")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    samples = corpus_reports(Path(args.corpus))
    parse_s = time.perf_counter() - t0
    names = bodies(args.n, rng)
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

    results: dict[str, float] = {}
    store = Store(db)
    sites = store.upsert_sites([{"name": name, "level": "county", "region_code": "", "url": f"http://bench{k}.gov.cn/"}
                                for k, name in enumerate(counties)])
    raw_bytes = [0]

    def store_all(label: str, fetched_at: str) -> dict:
        counts: dict[str, int] = {}
        spent = 0.0
        raw_bytes[0] = 0
        for i in range(args.n):
            url, k, content, p = variant(i)        # building the variant is not timed
            raw_bytes[0] += len(content)
            t = time.perf_counter()
            store.record_page(url, site_id=sites[k], status=200, body=content, kind="report", fetched_at=fetched_at,
                              headers={"ETag": f'"{i}"', "Content-Type": "text/html"})
            _, outcome = store.store_report(p, url=url, site_id=sites[k], content=content,
                                            source_type=p.get("source_type") or "html", fetched_at=fetched_at)
            spent += time.perf_counter() - t
            counts[outcome] = counts.get(outcome, 0) + 1
        results[label] = spent
        return counts

    first = store_all("store", "2025-03-01T00:00:00+00:00")
    again = store_all("store again (unchanged)", "2025-03-02T00:00:00+00:00")
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

    size = db.stat().st_size
    print(f"corpus samples: {len(samples)} reports parsed once in {parse_s:.1f}s")
    print(f"stored {args.n} reports: {first} in {results['store']:.1f}s "
          f"({args.n / results['store']:.0f} reports/s, {1000 * results['store'] / args.n:.2f} ms each)")
    print(f"stored them again: {again} in {results['store again (unchanged)']:.1f}s")
    for k, v in results.items():
        if k.startswith(("search", "reports_wide", "year_over", "missing")):
            print(f"  {k}: {1000 * v:.0f} ms")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"database size: {size / 1e6:.1f} MB ({size / args.n / 1e3:.1f} kB per report); "
          f"raw bytes: {raw_bytes[0] / 1e6:.1f} MB before compression "
          f"({sum(1 for x in samples if x[0].endswith('.pdf'))} of {len(samples)} samples are PDFs)")
    for name, pgsize in size_by_table(db)[:10]:
        print(f"  {name}: {pgsize / 1e6:.1f} MB")
    print(f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
