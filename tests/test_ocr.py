"""OCR of image-only and scanned reports, on pictures built from the corpus (truth known):
corpus PDFs rendered to page images, corpus reports laid out as portal pages and rendered by
chromium, and scans of both (skew, blur, speckles, JPEG q60, a red seal over the signature)."""
from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import ocr_fixtures as F
from conftest import CORPUS, SHARED
from parsers import ParseError, parse_bytes, parse_images, parse_path
from parsers.checks import run_checks
from parsers.ocr import image_kind
from parsers.ocr_report import _res, correct_digits

SEEDS = CORPUS / "seeds"
HUAIAN = CORPUS / "huaian"
SEED_2021 = ("004_fd2255dcef9b15cd", "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告", "洛阳市洛龙区人民政府办公室")
SEED_2019 = ("001_213733622d4d3974", "绵阳市游仙区信义镇2020年政府信息公开工作年度报告", "绵阳市游仙区信义镇人民政府")
needs_chromium = pytest.mark.skipif(F.chromium() is None, reason="chromium not installed (scripts/test.sh installs it)")


def _score(truth: dict, got: dict):
    spec = importlib.util.spec_from_file_location("score_parse", SHARED / "tools" / "score_parse.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.score(truth, got)


def _truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


_RENDERS: dict = {}


def _html_render(seed: tuple[str, str, str], dpi: int):
    """The seed's report as a portal page rendered by chromium (cached for the session: OCR tests
    are slow enough without rendering twice)."""
    key = (seed[0], dpi)
    if key not in _RENDERS:
        truth = _truth(SEEDS / f"{seed[0]}.truth.json")
        _RENDERS[key] = F.html_png(F.report_page(truth, seed[1], seed[2]), dpi)
    return _RENDERS[key]


def _wrong_cells_flagged(result: dict, wrong: list[str]) -> list[str]:
    """The wrong cells (scorer's `table/row/col: want .. got ..`) no check points at: neither a
    failed identity over its row or column nor an ocr.corrected note naming it."""
    unflagged = []
    for w in wrong:
        table, row, col = w.split(":")[0].split("/")
        named = any(c["rule"].startswith("ocr.") and f"{table}/{row}/{col}" in c["detail"] for c in result["checks"])
        failed = any(not c["ok"] and c["rule"].startswith(table + ".")
                     and (c["detail"].startswith(f"row {row}:") or c["detail"].startswith(f"column {col}:")
                          or row in c["detail"].split(": ", 1)[-1])
                     for c in result["checks"])
        if not (named or failed):
            unflagged.append(w)
    return unflagged


def test_clean_render_of_a_scanned_corpus_pdf_reads_every_cell_and_field() -> None:
    """A corpus PDF printed and scanned clean: pages at 200 dpi packed as an image-only PDF."""
    src = HUAIAN / "hzq2023_working.pdf"
    data = F.image_pdf(F.pdf_pages(src, 200), 200)
    r = parse_bytes(data)
    right, total, wrong, fields = _score(_truth(HUAIAN / "hzq2023_working.truth.json"), r)
    assert not wrong and not fields and right == total == 186
    assert r["source_type"] == "scan" and r["ocr_pages"] == 5
    assert 0.9 < r["ocr_confidence"] <= 1
    cells = [c for c in r["cells"] if c["raw"]]
    assert cells and all(0 < c["confidence"] <= 1 and isinstance(c["raw"], str) for c in cells)
    assert "2023年,洪泽区人民政府坚持以习近平新时代中国特色社会主义思想为指导" in r["sections"]["overview"]


def test_a_pdf_whose_table_pages_are_scans_reads_them_by_ocr_in_their_place() -> None:
    """A corpus PDF whose pages 3 and 4 (the end of the 主动公开 table, the applications and
    review tables) were printed and scanned back in: they are read by OCR between the pages
    that keep their text layer."""
    src = HUAIAN / "hzq2023_working.pdf"
    data = F.part_scanned_pdf(src, [2, 3], 200)
    truth = _truth(HUAIAN / "hzq2023_working.truth.json")
    unread = parse_bytes(data, ocr=False)           # the text layer alone: the scanned tables are blank
    _, _, wrong_unread, _ = _score(truth, unread)
    assert len(wrong_unread) >= 10 and any(w.startswith("applications/") for w in wrong_unread)
    assert [c["detail"] for c in unread["checks"] if c["rule"] == "pdf.scanned_pages"] == [
        "page(s) 3, 4 are scans, not read: OCR is turned off (NIANBAO_OCR=0)"]
    r = parse_bytes(data)
    right, total, wrong, fields = _score(truth, r)
    assert not wrong and not fields and right == total == 186
    assert r["source_type"] == "pdf" and r["ocr_pages"] == 2 and 0.9 < r["ocr_confidence"] <= 1
    assert not any(c["rule"] == "pdf.scanned_pages" for c in r["checks"])
    read_by_ocr = {c["confidence"] is not None for c in r["cells"] if c["table"] == "applications" and c["raw"]}
    assert read_by_ocr == {True}
    assert any(c["confidence"] is None for c in r["cells"] if c["raw"])     # the text layer's cells
    # the pages with a text layer are read from it, as in the PDF before its pages were scanned
    assert r["sections"]["overview"] == parse_bytes(src.read_bytes())["sections"]["overview"] != ""


@needs_chromium
def test_clean_portal_page_picture_at_150_dpi_through_the_cli(tmp_path: Path) -> None:
    """A 图片版 report: the whole 2021-format report as one tall PNG, read by `nianbao parse`."""
    path = tmp_path / "report.png"
    _html_render(SEED_2021, 150).save(path)
    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([str(exe), "parse", "--json", str(path)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    right, total, wrong, fields = _score(_truth(SEEDS / f"{SEED_2021[0]}.truth.json"), r)
    assert not wrong and right == total == 200
    assert r["source_type"] == "image" and r["format"] == "2021" and r["organ"] == SEED_2021[2] and r["year"] == 2021


@needs_chromium
@pytest.mark.parametrize("seed,dpi,packed", [(SEED_2021, 200, "images"), (SEED_2019, 150, "pdf")],
                         ids=["2021-200dpi-page-images", "2019-150dpi-image-pdf"])
def test_degraded_scans_read_with_every_error_flagged(seed, dpi: int, packed: str) -> None:
    """Scans (skew ±1.5°, blur, speckles, JPEG q60, red seal over the signature): at least 98% of
    cells right, and any cell still wrong shows as a failed identity or an ocr note."""
    img = _html_render(seed, dpi)
    scan = F.degrade(img, seed=dpi, skew=1.5 if packed == "images" else -1.5, dpi=dpi, stamp=F.signature_point(img))
    pages = F.split_pages(scan, dpi)
    assert len(pages) >= 2
    if packed == "images":  # the pictures of an image_only page, as the crawler hands them over
        r = parse_images([F.jpeg(p, 60) for p in pages], title=seed[1], metadata={"publish_date": "2022-01-14"})
        assert r["source_type"] == "image" and r["metadata"]["publish_date"] == "2022-01-14"
    else:
        r = parse_bytes(F.image_pdf(pages, dpi))
        assert r["source_type"] == "scan"
    truth = _truth(SEEDS / f"{seed[0]}.truth.json")
    right, total, wrong, fields = _score(truth, r)
    assert right >= 0.98 * total, wrong
    assert not _wrong_cells_flagged(r, wrong), wrong
    assert seed[2] in r["sections"]["other_matters"]  # the signature under the seal is read
    html = parse_bytes(F.report_page(truth, seed[1], seed[2]).encode("utf-8"))
    assert (r["organ"], r["year"], r["format"]) == (html["organ"], html["year"], html["format"])
    assert 0.5 < r["ocr_confidence"] < 1


def _ocr_like(result: dict) -> dict:
    """A report read from a text dump, its cells given confidences as OCR gives them."""
    r = copy.deepcopy(result)
    for c in r["cells"]:
        c["confidence"] = 0.9 if c["raw"] else None
    return r


def _misread(r: dict, key: tuple[str, str, str], text: str, value: int) -> None:
    cell = next(c for c in r["cells"] if (c["table"], c["row"], c["col"]) == key)
    cell["raw"], cell["value"] = text, value
    r["tables"][key[0]][key[1]][key[2]] = value
    cells = {(c["table"], c["row"], c["col"]): c for c in r["cells"]}
    r["checks"] = run_checks(_res(cells))


def test_confused_digit_is_corrected_when_one_change_restores_every_identity() -> None:
    base = parse_path(SEEDS / f"{SEED_2021[0]}.txt")
    assert base["tables"]["applications"]["granted"]["natural_person"] == 10
    r = _ocr_like(base)
    _misread(r, ("applications", "granted", "natural_person"), "16", 16)
    assert any(not c["ok"] for c in r["checks"])
    correct_digits(r)
    cell = next(c for c in r["cells"] if (c["table"], c["row"], c["col"]) == ("applications", "granted", "natural_person"))
    assert cell["value"] == 10 and cell["inferred"] and cell["raw"] == "16"
    assert r["tables"]["applications"]["granted"]["natural_person"] == 10
    note = [c for c in r["checks"] if c["rule"] == "ocr.corrected"]
    assert len(note) == 1 and "applications/granted/natural_person" in note[0]["detail"] and "'16'" in note[0]["detail"]
    assert all(c["ok"] for c in r["checks"] if c["rule"].startswith("applications."))


def test_two_misread_cells_are_kept_as_read_and_the_identities_fail() -> None:
    r = _ocr_like(parse_path(SEEDS / f"{SEED_2021[0]}.txt"))
    _misread(r, ("applications", "granted", "natural_person"), "16", 16)
    _misread(r, ("applications", "received_new", "natural_person"), "18", 18)  # 48 read as 18
    before = copy.deepcopy(r)
    correct_digits(r)
    assert r["tables"] == before["tables"] and not any(c["inferred"] for c in r["cells"] if c["raw"])
    assert any(not c["ok"] and c["rule"] == "applications.row_total" for c in r["checks"])


def test_image_kinds_by_signature_and_ocr_turned_off(monkeypatch, tmp_path: Path) -> None:
    from PIL import Image
    img = Image.new("RGB", (64, 32), "white")
    blobs = {}
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
        path = tmp_path / f"x.{fmt.lower()}"
        img.save(path, fmt)
        blobs[fmt] = path.read_bytes()
    assert [image_kind(b) for b in blobs.values()] == ["png", "jpeg", "gif", "bmp", "tiff"]
    assert image_kind(b"BMW 2021 report text") is None
    with pytest.raises(ParseError, match="no text found by OCR"):
        parse_bytes(blobs["PNG"])  # a blank picture: a clear reason, not an empty report
    with pytest.raises(ParseError, match="not a readable image"):
        parse_bytes(blobs["PNG"][:40])
    monkeypatch.setenv("NIANBAO_OCR", "0")
    with pytest.raises(ParseError, match="NIANBAO_OCR=0"):
        parse_bytes(blobs["JPEG"])
    scan = F.image_pdf([img], 72)
    with pytest.raises(ParseError, match="no text layer"):
        parse_bytes(scan)
    with pytest.raises(ParseError, match="NIANBAO_OCR=0"):
        parse_images([blobs["PNG"]])
