"""`nianbao serve` under hostile SQL (issue 13, item 6): one query must not take the server's
memory, and --no-sql leaves only tables, canned queries and the front end.

Before the caps, `SELECT randomblob(500000000)` answered 200 after ~10 s with the server at
4 GB. The server runs here under a 3 GB address-space limit so that a regression fails the
test instead of swapping the machine."""
from __future__ import annotations

import json
import resource
import time
import urllib.error
import urllib.parse
import urllib.request


from test_datasette_browser import DB, db_path, serving  # noqa: F401 (db_path: the fixture)


def _get(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _peak_rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def sql(q: str) -> str:
    return f"/{DB}.json?" + urllib.parse.urlencode({"sql": q, "_shape": "array"})


BOMBS = {
    "randomblob": "SELECT randomblob(500000000)",
    "zeroblob": "SELECT zeroblob(500000000)",
    "printf": "SELECT printf('%.*c', 100000000, 'x')",   # SQLite fills its buffer before giving NULL: ~1 s of CPU
    # each value under the per-value cap, a thousand of them over the per-result cap
    "many rows": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                 "SELECT printf('%.*c', 10000000, 'x') FROM n",
}


def test_memory_bombs_are_refused_quickly(db_path):
    with serving(db_path, preexec_fn=_cap_memory) as (base, proc):
        start_rss = _peak_rss_mb(proc.pid)
        for name, q in BOMBS.items():
            t = time.monotonic()
            status, body = _get(base, sql(q))
            took = time.monotonic() - t
            if status == 200:       # printf gives NULL past SQLite's length limit instead of an error
                assert len(body) < 1000 and "null" in body, (name, body[:300])
            else:
                assert status == 400, (name, status, body[:300])
                assert "too big" in body or "result larger than" in body, (name, body[:300])
            assert took < 5, (name, took)
        # the server is still there and answers an ordinary query
        status, body = _get(base, sql("SELECT count(*) AS n FROM reports"))
        assert status == 200 and json.loads(body)[0]["n"] > 10
        grown = _peak_rss_mb(proc.pid) - start_rss
        assert grown < 400, f"server peak memory grew by {grown:.0f} MB"


def test_no_sql_serves_tables_and_canned_queries_only(db_path):
    with serving(db_path, "--no-sql") as (base, _):
        assert _get(base, sql("SELECT 1"))[0] == 403
        assert _get(base, f"/{DB}/reports?_where=1=1")[0] == 403
        status, body = _get(base, f"/{DB}/failing_identities.json?_shape=array")
        assert status == 200 and any(r["organ"] == "洪泽区人民政府" for r in json.loads(body))
        assert _get(base, f"/{DB}/reports_wide.json?year=2024")[0] == 200
        assert _get(base, "/-/dashboards")[0] == 200
