"""The same database contents before and after a change to storage (issue 14): the corpus stored
the way tests/test_storage_corpus.py stores it, and a crawl of the fixture county platforms
(tests/portal/counties.py), compared row by row with snapshots taken from the code before the
change (tests/files/golden/, rewritten by `python -m tests.dbdump --regen` only when a change of
contents is meant)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import dbdump  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402


def corpus_dump(work: Path) -> dict:
    """Every corpus report stored through record_page + parse + store_report, dumped."""
    from tests.test_storage_corpus import build_corpus_db

    return dbdump.dump(build_corpus_db(CORPUS, work / "corpus.db"))


def counties_dump(work: Path) -> dict:
    """A first crawl of the five county structures from their home pages, dumped with each
    fixture site's loopback port written as its name."""
    from tests.portal.counties import RESOLVER, build_counties
    from tests.test_crawl import crawl

    portal, expect = build_counties(CORPUS, work)
    try:
        db = work / "counties.db"
        proc = crawl("--sites", str(expect.sites_csv), "--db", str(db), *RESOLVER)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return dbdump.dump(db, dbdump.port_subst({s.port: name for name, s in portal.sites.items()}))
    finally:
        portal.stop()


def _compare(name: str, got: dict) -> None:
    want = dbdump.load(name)
    diff = dbdump.differences(got, want)
    assert not diff, f"{name}: the database differs from tests/files/golden/{name}.json:\n" + "\n".join(diff)


def test_corpus_database_unchanged(corpus, tmp_path):
    _compare("corpus", corpus_dump(tmp_path))


def test_crawled_counties_database_unchanged(corpus, tmp_path):
    _compare("counties", counties_dump(tmp_path))


def test_the_comparison_sees_a_changed_cell(corpus, tmp_path):
    """The harness itself: one cell changed in the database is reported with its key."""
    import sqlite3

    from tests.test_storage_corpus import build_corpus_db

    db = build_corpus_db(CORPUS, tmp_path / "c.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cells SET value = value + 1 WHERE (report_id, table_key, row_key, col_key) = "
                     "(SELECT report_id, table_key, row_key, col_key FROM cells WHERE value IS NOT NULL LIMIT 1)")
    diff = dbdump.differences(dbdump.dump(db), dbdump.load("corpus"))
    assert len(diff) == 1 and diff[0].startswith("cells [http") and "value: snapshot" in diff[0], diff


if __name__ == "__main__":
    pytest.main([__file__, "-q"])
