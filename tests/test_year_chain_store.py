"""Glued 主动公开 rows settled by the same body's stored reports of neighbouring years: the
database applies parsers/year_chain.py to what it holds (storage.reparse.settle_years), after a
crawl and after `nianbao reparse`, on the real pingtan renderings."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED

PINGTAN = SHARED / "new-corpus" / "pingtan-tables"
ROOT = Path(__file__).resolve().parents[1]


def _cells(db: Path, year: int) -> dict:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT c.row_key, c.col_key, c.value FROM cells c JOIN reports r ON r.id = c.report_id "
                            "WHERE r.year = ? AND c.table_key = 'active_disclosure'", [year]).fetchall()
    out: dict = {}
    for row, col, value in rows:
        out.setdefault(row, {})[col] = value
    return out


@pytest.fixture()
def stored(tmp_path):
    if not PINGTAN.exists():
        pytest.skip(f"{PINGTAN} is not there")
    from parsers import parse_bytes
    from storage import Store

    db = tmp_path / "nb.db"
    with Store(db) as store:
        for name in ("pt-zone-2019.txt", "pt-zone-2020.txt"):
            data = (PINGTAN / name).read_bytes()
            store.store_report(parse_bytes(data, name=name), url=f"http://www.pingtan.gov.cn/{name}", site_id=None,
                               content=data, source_type="text", fetched_at="2026-01-01T00:00:00+00:00")
    return db


def test_stored_neighbours_settle_the_chain_rows(stored):
    from storage import Store
    from storage.reparse import settle_years

    truth = json.loads((PINGTAN / "pt-zone-2019.truth.json").read_text(encoding="utf-8"))["tables"]["active_disclosure"]
    assert "licensing" not in _cells(stored, 2019)          # one report alone leaves the row blank
    with Store(stored) as store:
        assert store.year_chain_groups(since="2027-01-01T00:00:00+00:00") == []   # nothing new since then
        assert settle_years(store) == 1
        assert settle_years(store) == 0                      # settled once: nothing changes again
    got = _cells(stored, 2019)
    for row in ("licensing", "other_services", "penalty", "fees"):
        assert got[row] == truth[row], row
    assert "coercion" not in got and "normative_documents" not in got   # not decided: still blank
    with sqlite3.connect(stored) as conn:
        notes = [d for (d,) in conn.execute("SELECT detail FROM checks WHERE rule = 'cells.inferred'")]
    assert any("the 2020 report's 上一年项目数量 = 396: 396|0|181" in d for d in notes)


def test_reparse_keeps_them_settled(stored):
    """reparse settles them as it re-reads them, and a second reparse with the same parser writes
    nothing (a settled report is not first written back blank and then settled again)."""
    def reparse() -> str:
        p = subprocess.run([sys.executable, "-m", "crawler.cli", "reparse", "--db", str(stored)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        return p.stdout

    first = reparse()
    assert "settled_by_years 1" in first, first
    assert _cells(stored, 2019)["licensing"] == {"previous_count": 396, "change": 0, "decisions": 181}
    second = reparse()
    assert "updated 0," in second and "unchanged 2," in second and "settled_by_years 0" in second, second
    assert _cells(stored, 2019)["licensing"] == {"previous_count": 396, "change": 0, "decisions": 181}
