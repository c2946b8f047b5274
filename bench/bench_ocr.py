"""OCR speed and memory on one core: A4 pages at 200 dpi (corpus PDFs rendered with pypdfium2,
as the scan reader does), read by parsers.ocr.read_page, then turned into a report.

    .venv/bin/python bench/bench_ocr.py [--pages N]

Pins the process to one CPU and one ONNX thread, loads the models once (as a crawler worker
does), then prints per-page CPU seconds (the figure the target is set in: the machine may be
shared, so wall time is printed beside it), the split between detection and recognition, and
the peak resident memory of the process. Targets: <= 3 s per page, <= 1.5 GB.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("NIANBAO_SHARED", ROOT.parent / "shared")) / "corpus" / "huaian"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=0, help="read at most N pages (default: every page)")
    args = ap.parse_args()
    os.environ["NIANBAO_OCR_THREADS"] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from parsers import ocr
    from parsers.ocr_report import finish
    from parsers.ocr_tables import tokens_of
    from parsers.report import build

    t = time.process_time()
    ocr.engine()
    load = time.process_time() - t
    images = []
    for pdf in sorted(CORPUS.glob("*.pdf")):
        images += ocr.render_pdf(pdf.read_bytes(), dpi=200)
    if args.pages:
        images = images[: args.pages]
    cpu, wall = [], []
    pages = []
    for im in images:
        t, w = time.process_time(), time.perf_counter()
        pages.append(ocr.read_page(im))
        cpu.append(time.process_time() - t)
        wall.append(time.perf_counter() - w)
    t = time.process_time()
    build(tokens_of(pages), {})  # one report's worth of token building and table reading
    finish_cpu = time.process_time() - t
    del finish
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    size = images[0].size
    print(f"pages: {len(images)} A4 at 200 dpi ({size[0]}x{size[1]} px), boxes per page: "
          f"{statistics.mean(len(p.boxes) for p in pages):.0f}")
    print(f"model load (once per process): {load:.2f} s CPU")
    print(f"per page, CPU s on one core: mean {statistics.mean(cpu):.2f}, median {statistics.median(cpu):.2f}, "
          f"max {max(cpu):.2f}  (target <= 3.00: mean is {statistics.mean(cpu) / 3:.2f}x the target)")
    print(f"per page, wall s: mean {statistics.mean(wall):.2f}, max {max(wall):.2f} (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"tokens -> tables for {len(pages)} pages: {finish_cpu * 1000:.0f} ms CPU")
    print(f"peak resident memory: {peak:.0f} MiB (target <= 1536: {peak / 1536:.2f}x)")


if __name__ == "__main__":
    main()
