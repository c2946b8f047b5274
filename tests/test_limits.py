"""Resource caps on hostile files built at test time (issue 13, item 5): DOCX decompression
bombs, PDFs with endless pages or a content stream inflating to hundreds of MB. Each ends in a
one-line ParseError naming its cap, quickly and with bounded memory."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import ParseError, parse_bytes  # noqa: E402
from parsers.isolated import parse_isolated  # noqa: E402
from tests import bombs  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(ROOT))

_MEASURE = """
import json, resource, sys, time
from parsers import ParseError, parse_path
t = time.time()
try:
    parse_path(sys.argv[1]); error = None
except ParseError as e:
    error = str(e)
print(json.dumps({"error": error, "seconds": time.time() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _parse_measured(path: Path, **env) -> dict:
    """Parse in a fresh interpreter; its error, time and peak memory."""
    p = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], cwd=ROOT, env={**ENV, **env},
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


def test_docx_bomb_stops_at_the_unzipped_cap_with_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(bombs.docx_bomb(200))          # ~0.6 MB that inflates to 200 MiB
    assert bomb.stat().st_size < 2 * bombs.MB
    baseline = _parse_measured(tmp_path / "missing.docx")
    r = _parse_measured(bomb)
    assert "NIANBAO_MAX_UNZIPPED_MB" in r["error"] and "word/document.xml" in r["error"]
    assert "\n" not in r["error"]
    # python-docx held the whole XML tree before (9.4 GB for a 1 GB part): now nothing is inflated
    assert r["peak_mb"] - baseline["peak_mb"] < 60, (r, baseline)
    assert r["seconds"] < 5


def test_docx_of_a_million_empty_paragraphs_stops_at_the_block_cap(tmp_path):
    bomb = tmp_path / "paras.docx"
    bomb.write_bytes(bombs.docx_bomb(16, paragraph=b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"))  # under 32 MiB
    r = _parse_measured(bomb)
    assert "NIANBAO_MAX_DOCX_BLOCKS" in r["error"]
    assert r["seconds"] < 10      # python-docx took 44 s on it before


def test_docx_of_endless_text_stops_at_the_text_cap(tmp_path):
    bomb = tmp_path / "text.docx"
    bomb.write_bytes(bombs.docx_bomb(24))           # ~10 million characters of 信息公开
    r = _parse_measured(bomb)
    assert "NIANBAO_MAX_TEXT_CHARS" in r["error"], r
    # a lower cap from the environment applies to the next parse
    small = _parse_measured(bomb, NIANBAO_MAX_UNZIPPED_MB="8")
    assert "NIANBAO_MAX_UNZIPPED_MB" in small["error"]


def test_pdf_of_thousands_of_pages_stops_at_the_page_cap(tmp_path):
    many = tmp_path / "pages.pdf"
    many.write_bytes(bombs.pdf_pages(5000))
    r = _parse_measured(many)
    assert "5000 pages" in r["error"] and "NIANBAO_MAX_PDF_PAGES" in r["error"]
    assert r["seconds"] < 5
    few = tmp_path / "few.pdf"
    few.write_bytes(bombs.pdf_pages(3))
    assert "NIANBAO_MAX_PDF_PAGES" not in (_parse_measured(few)["error"] or "")


def test_pdf_stream_bomb_costs_only_the_child(tmp_path):
    """A content stream that inflates to 400 MiB: pdfminer inflates and lexes it whole (more
    than five minutes in-process). In the child: the memory cap or the timeout ends it."""
    data = bombs.pdf_stream_bomb(400)
    t = time.time()
    with pytest.raises(ParseError) as e:
        parse_isolated(data, "bomb.pdf", memory_mb=300, timeout=30)
    assert time.time() - t < 40
    assert "\n" not in str(e.value)
    t = time.time()
    with pytest.raises(ParseError, match="NIANBAO_PARSE_TIMEOUT"):
        parse_isolated(data, "bomb.pdf", memory_mb=4096, timeout=2)
    assert time.time() - t < 10


def test_isolated_parse_gives_the_same_report(corpus):
    data = (corpus / "huaian" / "hzq2023_working.pdf").read_bytes()
    here = parse_bytes(data, name="hzq2023_working.pdf")
    there = parse_isolated(data, name="hzq2023_working.pdf")
    assert there["tables"] == here["tables"] and there["text"] == here["text"]
    with pytest.raises(ParseError, match="no text layer|not a readable"):
        parse_isolated(b"%PDF-1.4\n%%EOF\n", "empty.pdf")


def test_nianbao_parse_reports_a_stream_bomb_in_one_line(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(bombs.pdf_stream_bomb(400))
    r = subprocess.run([sys.executable, "-m", "crawler.cli", "parse", str(bomb)], cwd=ROOT,
                       env={**ENV, "NIANBAO_PARSE_MEMORY_MB": "300", "NIANBAO_PARSE_TIMEOUT": "30"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"nianbao parse: {bomb}: "), r.stderr[-2000:]
