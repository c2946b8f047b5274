"""Batched writes (Store.batch, storage/batch.py): the same database as one report per
transaction, and a writer SIGKILLed in the middle of a batch loses only that batch, which a
second run completes."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage import Store  # noqa: E402
from tests import dbdump  # noqa: E402
from tests.test_storage_corpus import FETCHED, FILES, SITES, url_for  # noqa: E402

# The child stores the corpus reports, each under 12 URLs (its own bytes each), in batches of
# BATCH, printing `stored I` after each report and `committed I` after each batch.
BATCH = 20
CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    import parsers
    from storage import Store
    from tests.test_storage_corpus import FETCHED, FILES, SITES, url_for
    corpus = Path({corpus!r})
    docs = []
    for rel in FILES:
        data = (corpus / rel).read_bytes()
        docs.append((rel, data, parsers.parse_bytes(data, name=Path(rel).name, url=url_for(rel))))
    store = Store({db!r})
    ids = store.upsert_sites(SITES)
    items = [(rel, k, data, parsed) for k in range(12) for rel, data, parsed in docs]
    outcomes = {{}}
    for start in range(0, len(items), {batch}):
        with store.batch():
            for i in range(start, min(start + {batch}, len(items))):
                rel, k, data, parsed = items[i]
                url = url_for(rel) + f"?copy={{k}}"
                content = data + f"<!-- {{k}} -->".encode()
                store.record_page(url, site_id=ids[FILES[rel]], status=200, body=content, kind="report",
                                  fetched_at=FETCHED)
                _, outcome = store.store_report(parsed, url=url, site_id=ids[FILES[rel]], content=content,
                                                source_type=parsed.get("source_type") or "html", fetched_at=FETCHED)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                print("stored", i, flush=True)
        print("committed", i, flush=True)
    print("done", outcomes, flush=True)
""")


def run_child(db: Path, corpus: Path, kill_after: int | None = None) -> tuple[list[str], int]:
    """Run the child; with kill_after, SIGKILL it once it has stored that report (mid-batch)."""
    script = CHILD.format(root=str(ROOT), corpus=str(corpus), db=str(db), batch=BATCH)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.strip())
        if kill_after is not None and line.strip() == f"stored {kill_after}":
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    return lines, proc.returncode


def fts_consistent(conn: sqlite3.Connection) -> bool:
    """The search index holds exactly the reports rows (FTS5's own check against its content table)."""
    try:
        conn.execute("INSERT INTO reports_fts (reports_fts, rank) VALUES ('integrity-check', 1)")
        return True
    except sqlite3.DatabaseError:
        return False


def test_sigkill_mid_batch_loses_only_that_batch_and_a_rerun_completes_it(tmp_path, corpus):
    db = tmp_path / "batch.db"
    kill_at = 2 * BATCH + BATCH // 2          # half-way through the third batch
    lines, rc = run_child(db, corpus, kill_after=kill_at)
    assert rc == -signal.SIGKILL, lines[-5:]
    committed = [int(x.split()[1]) for x in lines if x.startswith("committed")]
    assert committed == [BATCH - 1, 2 * BATCH - 1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every committed report is whole, nothing of the killed batch is there
        n = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        assert n == 2 * BATCH
        without_parts = conn.execute("SELECT count(*) FROM reports r WHERE NOT EXISTS "
                                     "(SELECT 1 FROM figures f WHERE f.report_id = r.id)").fetchone()[0]
        assert without_parts == 0
        assert conn.execute("SELECT count(DISTINCT report_id) FROM checks").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM reports_fts_docsize").fetchone()[0] == n
        assert fts_consistent(conn)
        assert conn.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"年度报告\"'").fetchone()[0] > 0

    lines, rc = run_child(db, corpus)         # the same command again
    assert rc == 0, lines[-5:]
    total = 12 * len(FILES)
    assert lines[-1] == f"done {{'unchanged': {2 * BATCH}, 'new': {total - 2 * BATCH}}}"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == total
        assert conn.execute("SELECT count(*) FROM reports_fts_docsize").fetchone()[0] == total
        assert fts_consistent(conn)


def _store_corpus(store: Store, corpus: Path, docs: list) -> None:
    ids = store.upsert_sites(SITES)
    for rel, data, parsed in docs:
        url = url_for(rel)
        store.record_page(url, site_id=ids[FILES[rel]], status=200, body=data, kind="report", fetched_at=FETCHED)
        store.store_report(parsed, url=url, site_id=ids[FILES[rel]], content=data,
                           source_type=parsed.get("source_type") or "html", fetched_at=FETCHED)
    # a second version of one report and a failure, inside the same batch
    rel, data, parsed = docs[0]
    store.store_report({**parsed, "cells": parsed["cells"][:5]}, url=url_for(rel), site_id=ids[FILES[rel]],
                       content=data + b" ", source_type="text", fetched_at=FETCHED)
    store.record_failure("http://www.pingtan.gov.cn/gone.html", site_id=ids[7], status="failed", reason="404",
                         title="平潭2015年政府信息公开工作年度报告")


@pytest.fixture(scope="module")
def docs(corpus):
    import parsers

    return [(rel, (corpus / rel).read_bytes(), parsers.parse_bytes((corpus / rel).read_bytes(), name=Path(rel).name,
                                                                    url=url_for(rel))) for rel in FILES]


def test_a_batch_writes_what_single_transactions_write(tmp_path, corpus, docs):
    with Store(tmp_path / "one.db") as store:
        _store_corpus(store, corpus, docs)
    with Store(tmp_path / "batch.db") as store:
        with store.batch():
            _store_corpus(store, corpus, docs)
            # inside the batch: the rows are there, their cells wait for the end of the batch
            rid = store.db.execute("SELECT id FROM reports WHERE url = ?", [url_for(docs[0][0])]).fetchone()[0]
            assert store.report(rid)["version"] == 2
            assert store.db.execute("SELECT count(*) FROM cells WHERE report_id = ?", [rid]).fetchone()[0] == 0
        assert store.db.execute("SELECT count(*) FROM cells WHERE report_id = ?", [rid]).fetchone()[0] == 5
    one, batch = dbdump.dump(tmp_path / "one.db"), dbdump.dump(tmp_path / "batch.db")
    assert not dbdump.differences(batch, one), dbdump.differences(batch, one)
    assert one["fts"]["年度报告"] and one["report_versions"]


def test_an_error_inside_a_batch_commits_nothing(tmp_path, corpus, docs):
    db = tmp_path / "err.db"
    with Store(db) as store:
        with pytest.raises(RuntimeError):
            with store.batch():
                _store_corpus(store, corpus, docs)
                raise RuntimeError("the ingester died")
        assert store.db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
        _store_corpus(store, corpus, docs)          # and the store goes on working
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == len(FILES) + 1
            assert fts_consistent(conn)


def test_a_failing_call_inside_a_batch_keeps_the_earlier_calls(tmp_path, docs):
    """The ingester stores item by item inside a batch and logs an item that fails: the reports
    stored before it in the batch (also one stored again by the failing call) stay whole."""
    rel, data, parsed = docs[5]
    with Store(tmp_path / "f.db") as store:
        with store.batch():
            rid, outcome = store.store_report(parsed, url="http://x/1.pdf", site_id=None, content=data,
                                              source_type="pdf")
            broken = {**parsed, "cells": [*parsed["cells"], {"row": "no table key"}]}
            with pytest.raises(KeyError):
                store.store_report(broken, url="http://x/1.pdf", site_id=None, content=data + b"2",
                                   source_type="pdf")
            store.record_failure("http://x/2.pdf", site_id=None, status="failed", reason="404")
        assert outcome == "new" and store.report(rid)["version"] == 1
        n = store.db.execute("SELECT count(*) FROM cells WHERE report_id = ?", [rid]).fetchone()[0]
        assert n == len({(c["table"], c["row"], c["col"]) for c in parsed["cells"]}) > 100
        assert store.db.execute("SELECT count(*) FROM report_versions").fetchone()[0] == 0
        assert store.report_urls(include_failures=True) == {"http://x/1.pdf", "http://x/2.pdf"}
        assert fts_consistent(store.db.conn)


def test_a_batch_reads_back_the_raw_bytes_it_has_not_written_yet(tmp_path, docs):
    """Inside a batch the raw bytes wait (compressed by a worker thread) until the batch ends;
    reading them back meanwhile gives the bytes, and a call that fails takes its bytes with it."""
    html = next(d for d in docs if d[0].endswith(".txt"))     # a text dump: zlib packs it
    pdf = next(d for d in docs if d[1].startswith(b"%PDF"))
    with Store(tmp_path / "b.db") as store:
        with store.batch():
            for n, (rel, data, parsed) in enumerate((html, pdf)):
                store.record_page(f"http://x/{n}", site_id=None, status=200, body=data, kind="report")
                assert store.page_content(f"http://x/{n}") == data
                assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0   # not yet
            with pytest.raises(KeyError):
                store.store_report({**html[2], "cells": [{"row": "no table key"}]}, url="http://x/2",
                                   site_id=None, content=html[1] + b"2", source_type="html")
        rows = store.db.execute("SELECT size, compression, length(data) FROM blobs ORDER BY size").fetchall()
        assert sorted(r[0] for r in rows) == sorted([len(html[1]), len(pdf[1])])      # not the failed call's
        assert {r[1] for r in rows} == {"zlib", "none"}                              # the PDF is stored as is
        assert next(r for r in rows if r[1] == "zlib")[2] < len(html[1]) / 2
        assert store.page_content("http://x/0") == html[1] and store.page_content("http://x/1") == pdf[1]
