"""A report read by OCR: provenance (each cell's recognised text and confidence, the report's mean
confidence) and the identity-guided correction of digits OCR confuses (0/6/8, 1/7)."""
from __future__ import annotations

from parsers.checks import run_checks
from parsers.ocr import Page
from parsers.tables import TableResult
from parsers.values import parse_value

# digits the recogniser mistakes for each other on blurred or noisy scans
CONFUSABLE = {"0": "68", "6": "08", "8": "06", "1": "7", "7": "1"}
IDENTITY_RULES = {"applications.row_total", "applications.balance", "applications.processed_total",
                  "review_litigation.total"}


def finish(result: dict, pages: list[Page]) -> dict:
    """Add OCR provenance to a report built from OCR tokens, then correct confused digits."""
    confs = [b.conf for p in pages for b in p.boxes]
    result["ocr_confidence"] = round(sum(confs) / len(confs), 4) if confs else None
    result["ocr_pages"] = len(pages)
    for cell in result["cells"]:
        raw = cell["raw"]
        conf = getattr(raw, "conf", None)
        cell["confidence"] = None if conf is None else round(conf, 4)
        if raw is not None:
            cell["raw"] = str(raw)  # a plain str again (OcrText only carried the confidence here)
    correct_digits(result)
    return result


def _failing(checks: list[dict]) -> list[dict]:
    """Identity checks that fail on values (not for a row missing from the report)."""
    return [c for c in checks if c["rule"] in IDENTITY_RULES and not c["ok"] and "rows not found" not in c["detail"]]


def _res(cells: dict) -> TableResult:
    res = TableResult()
    res.cells = cells
    res.rows = {(t, r) for t, r, _ in cells}
    return res


def variants(raw: str) -> list[tuple[str, int | float]]:
    """Every reading of `raw` with exactly one confusable digit changed, and its value."""
    out = []
    for i, ch in enumerate(raw):
        for alt in CONFUSABLE.get(ch, ""):
            text = raw[:i] + alt + raw[i + 1:]
            ok, v = parse_value(text)
            if ok and v is not None:
                out.append((text, v))
    return out


def correct_digits(result: dict) -> None:
    """Where the identities fail and exactly one single-digit change (0/6/8, 1/7) in one OCR'd
    cell makes every one of them hold, apply it: the cell keeps what was read in `raw`, takes the
    corrected value, is marked `inferred`, and an `ocr.corrected` check names it. Otherwise
    nothing changes and the failed identities stay visible."""
    checks = result["checks"]
    if not _failing(checks):
        return
    cells = {(c["table"], c["row"], c["col"]): c for c in result["cells"]}
    fixes = []
    for key, cell in cells.items():
        raw = cell["raw"]
        if not raw or cell.get("confidence") is None or cell["table"] == "active_disclosure":
            continue  # only recognised cells of the tables the identities cover
        for text, value in variants(raw):
            trial = dict(cells)
            trial[key] = {**cell, "value": value}
            if not _failing(run_checks(_res(trial))):
                fixes.append((key, text, value))
    if len(fixes) != 1:
        if fixes:
            where = ", ".join(f"{k[0]}/{k[1]}/{k[2]}: {cells[k]['raw']!r}->{v}" for k, _, v in fixes[:6])
            checks.append({"rule": "ocr.corrected", "ok": False,
                           "detail": f"the identities fail and {len(fixes)} one-digit corrections would each "
                                     f"restore them ({where}); none applied"})
        return
    key, text, value = fixes[0]
    cell = cells[key]
    read = cell["raw"]
    cell["value"], cell["inferred"] = value, True
    result["tables"][key[0]][key[1]][key[2]] = value
    kept = [c for c in checks if c["rule"] not in IDENTITY_RULES]
    fresh = run_checks(_res(cells))
    checks[:] = fresh + kept
    checks.append({"rule": "ocr.corrected", "ok": True,
                   "detail": f"{key[0]}/{key[1]}/{key[2]}: read {read!r}, kept {value} (the one one-digit change "
                             f"that makes every identity hold)"})
