"""Issue 13 on the loopback portal: bad sites rows, the lock through a symlink and under
`scrapy crawl`, the contact in the User-Agent, exit statuses, killed runs, readable logs, a
failures row for every failed page, the progress line on a terminal."""
from __future__ import annotations

import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portal import content as c  # noqa: E402
from tests.portal.families import write_sites  # noqa: E402
from tests.portal.server import Portal, closed_port  # noqa: E402
from tests.test_crawl import FAST, crawl  # noqa: E402
from tests.test_crawl_nightly import SEEDS, TrsColumn  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture()
def county(corpus, tmp_path):
    """One TRS county with three reports on two list pages."""
    p = Portal()
    site = p.site("county")
    docs = [c.load(corpus, k) for k in SEEDS[:3]]
    paths = [f"202201/t2022011{i}_{500 + i}.html" for i in range(len(docs))]
    for path, doc in zip(paths, docs):
        site.page(f"/nb/{path}", c.report_page(doc))
    TrsColumn(site, [(paths[i], docs[i].title) for i in range(3)])
    yield p, site, [site.url(f"/nb/{x}") for x in paths]
    p.stop()


def _stored(db: Path) -> set[str]:
    with _db(db) as conn:
        return {r[0] for r in conn.execute("SELECT url FROM reports WHERE content_sha256 IS NOT NULL")}


# --- item 4: the sites file ---------------------------------------------------------------

def test_bad_sites_rows_are_reported_and_skipped_and_the_rest_runs(county, tmp_path):
    p, site, urls = county
    sites = write_sites(tmp_path / "sites.csv", [
        ("好县", "county", "410311", site.url("/nb/index.html")),
        ("端口县", "county", "410312", "http://127.0.0.1:99999/nb/"),
        ("括号县", "county", "410313", "http://[::1/nb/"),
        ("协议县", "county", "410314", "ftp://127.0.0.1/nb/"),
    ])
    db = tmp_path / "nb.db"
    r = crawl("--sites", str(sites), "--db", str(db), "--mode", "backfill")
    # before: start_error with a traceback, every sites row "ok", nothing fetched
    assert r.returncode == 1, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    for line_no, what in ((3, "99999"), (4, "[::1"), (5, "ftp://")):
        lines = [ln for ln in r.stderr.splitlines() if f"sites.csv:{line_no}:" in ln]
        assert len(lines) == 1 and what in lines[0] and "skipped" in lines[0], r.stderr[-3000:]
    assert re.search(r"sites skipped\s+3", r.stdout) and re.search(r"sites ok\s+1", r.stdout)
    assert _stored(db) == set(urls)
    with _db(db) as conn:
        rows = {row["name"]: row["crawl_status"] for row in conn.execute("SELECT * FROM sites")}
        assert rows == {"好县": "ok"}
        assert conn.execute("SELECT status FROM runs").fetchone()[0] == "finished"


# --- item 8: the lock -----------------------------------------------------------------------

def test_lock_holds_through_a_symlinked_db_and_under_scrapy_crawl(county, tmp_path):
    from storage.store import WriterLock

    p, site, urls = county
    sites = write_sites(tmp_path / "sites.csv", [("好县", "county", "410311", site.url("/nb/index.html"))])
    real = tmp_path / "data" / "nb.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    first = crawl("--sites", str(sites), "--db", str(real), "--mode", "backfill")   # creates the database
    assert first.returncode == 0, first.stderr[-3000:]
    p.reset_log()
    held = WriterLock.acquire(real)           # a crawl running on the real path
    try:
        r = crawl("--sites", str(sites), "--db", str(link))
        assert r.returncode == 75, r.stderr[-3000:]
        assert "another crawl is running" in r.stderr
        s = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sites={sites}",
                            "-s", f"NIANBAO_DB={link}", *FAST], cwd=ROOT, env=ENV, capture_output=True,
                           text=True, timeout=120)
        assert "another crawl is running" in s.stderr, s.stderr[-3000:]
        assert "Closing spider (locked)" in s.stderr
    finally:
        held.release()
    assert [h for h in p.log if h.path != "/robots.txt"] == [], "a locked-out crawl fetched pages"
    with _db(real) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1, "a locked-out crawl started a run"
    # and the lock is free again: the symlinked path crawls
    r = crawl("--sites", str(sites), "--db", str(link))
    assert r.returncode == 0, r.stderr[-3000:]


# --- item 9: the contact in the User-Agent -----------------------------------------------------

def test_contact_setting_reaches_the_user_agent(county, tmp_path):
    p, site, _ = county
    sites = write_sites(tmp_path / "sites.csv", [("好县", "county", "410311", site.url("/nb/index.html"))])
    contact = "https://example.org/nianbao-operator"
    r = crawl("--sites", str(sites), "--db", str(tmp_path / "nb.db"), "-s", f"NIANBAO_CONTACT={contact}")
    assert r.returncode == 0, r.stderr[-3000:]
    agents = {h.headers.get("User-Agent") for h in p.log}
    assert len(agents) == 1 and contact in agents.pop(), "robots.txt and pages must carry the contact"
    assert site.hits("/robots.txt")
    # the same under scrapy crawl
    p.reset_log()
    s = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sites={sites}",
                        "-s", f"NIANBAO_DB={tmp_path / 'nb2.db'}", "-s", f"NIANBAO_CONTACT={contact}/2", *FAST],
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert s.returncode == 0, s.stderr[-3000:]
    assert p.log and all(f"{contact}/2" in h.headers.get("User-Agent", "") for h in p.log)


# --- item 10: exit statuses and killed runs ---------------------------------------------------

def test_nothing_reachable_exits_3_with_one_line_per_site(tmp_path):
    rows = [(f"断网{i}县", "county", "410311", f"http://127.0.0.1:{closed_port()}/") for i in range(5)]
    sites = write_sites(tmp_path / "sites.csv", rows)
    r = crawl("--sites", str(sites), "--db", str(tmp_path / "nb.db"))
    assert r.returncode == 3, r.stderr[-3000:]
    # logs a person can read: no traceback, no dumps, nothing deprecated, one warning per site
    assert "Traceback" not in r.stderr
    for noise in ("Overridden settings", "Enabled extensions", "Dumping Scrapy stats", "Versions:",
                  "Deprecat", "Gave up retrying", "Error downloading"):
        assert noise not in r.stderr, noise
    site_lines = [ln for ln in r.stderr.splitlines() if "WARNING: site " in ln]
    assert len(site_lines) == 5 and all("failed" in ln for ln in site_lines)
    assert len(r.stderr.splitlines()) <= 5 * 2 + 8, r.stderr
    # the summary is what comes last
    assert r.stdout.rstrip().splitlines()[-1].startswith("storage errors")
    assert re.search(r"sites failed\s+5", r.stdout)
    # every failed page has a failures row, list and entry pages too (only report pages had one)
    with _db(tmp_path / "nb.db") as conn:
        failed = {r[0] for r in conn.execute("SELECT url FROM failures WHERE status = 'failed'")}
        assert failed == {row[3] for row in rows}


def test_tracebacks_only_at_debug(tmp_path):
    sites = write_sites(tmp_path / "sites.csv", [("断网县", "county", "410311", f"http://127.0.0.1:{closed_port()}/")])
    r = crawl("--sites", str(sites), "--db", str(tmp_path / "nb.db"), "-L", "DEBUG")
    assert r.returncode == 3
    assert "Traceback" in r.stderr   # the robots.txt middleware's chained connection error


def test_failing_database_exits_3_and_says_so_in_one_line_per_item(county, tmp_path):
    p, site, urls = county
    sites = write_sites(tmp_path / "sites.csv", [("好县", "county", "410311", site.url("/nb/index.html"))])
    db = tmp_path / "nb.db"
    from storage import Store
    Store(db).close()
    with sqlite3.connect(db) as conn:   # every write of a page fails, as on a failing disk
        conn.execute("CREATE TRIGGER io_error BEFORE INSERT ON pages BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    r = crawl("--sites", str(sites), "--db", str(db), "--mode", "backfill")
    assert r.returncode == 3, r.stderr[-3000:]   # was 0
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if "cannot store" in ln]
    assert errors and all("disk I/O error" in ln for ln in errors)
    assert re.search(r"storage errors\s+[1-9]", r.stdout)
    with _db(db) as conn:
        assert conn.execute("SELECT status FROM runs").fetchone()[0] == "failed"


def test_a_killed_run_is_closed_as_killed_by_the_next(corpus, tmp_path):
    p = Portal()
    try:
        site = p.site("slow")
        doc = c.load(corpus, SEEDS[0])
        body = c.report_page(doc).encode()

        def slow(**_):
            time.sleep(30)
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body
        site.fn("/nb/2022/t1.html", slow)
        TrsColumn(site, [("./2022/t1.html", doc.title)])
        sites = write_sites(tmp_path / "sites.csv", [("慢县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites), "--db", str(db),
                                 *FAST, "-s", "DOWNLOAD_TIMEOUT=60"], cwd=ROOT, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and not site.hits("/nb/2022/t1.html"):
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with _db(db) as conn:
            assert conn.execute("SELECT status FROM runs").fetchone()[0] == "running"
        site.fn("/nb/2022/t1.html", lambda **_: (200, {"Content-Type": "text/html; charset=utf-8"}, body))
        r = crawl("--sites", str(sites), "--db", str(db))
        assert r.returncode == 0, r.stderr[-3000:]
        with _db(db) as conn:
            runs = conn.execute("SELECT id, status, note FROM runs ORDER BY id").fetchall()
        assert [x["status"] for x in runs] == ["killed", "finished"]
        assert f"closed by run {runs[1]['id']}" in runs[0]["note"]
    finally:
        p.stop()


# --- item 11: the progress line on a terminal ---------------------------------------------------

def _screen(raw: str) -> list[str]:
    """What a terminal shows for `raw`: CR returns to column 0, ESC[K clears to the line's end."""
    lines, cur, col = [], [], 0
    for tok in re.findall(r"\x1b\[K|\r|\n|[^\r\n\x1b]+|\x1b", raw):
        if tok == "\n":
            lines.append("".join(cur))
            cur, col = [], 0
        elif tok == "\r":
            col = 0
        elif tok == "\x1b[K":
            del cur[col:]
        else:
            for ch in tok:
                if col < len(cur):
                    cur[col] = ch
                else:
                    cur.append(ch)
                col += 1
    lines.append("".join(cur))
    return lines


def test_progress_line_stays_below_the_log_lines_on_a_terminal(county, tmp_path):
    p, site, urls = county
    # log lines while the progress line is shown: a 404 report and a slow list page
    site.page("/nb/index_1.html", c.list_page("政府信息公开年报", [
        ("./202201/t20220110_500.html", "测试县2021年政府信息公开工作年度报告", "2022-01-01"),
        ("./missing.html", "测试县2019年政府信息公开工作年度报告", "2022-01-01")]))
    sites = write_sites(tmp_path / "sites.csv", [("好县", "county", "410311", site.url("/nb/index.html")),
                                                 ("断网县", "county", "410312", f"http://127.0.0.1:{closed_port()}/")])
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites), "--db",
                             str(tmp_path / "nb.db"), "--mode", "backfill", *FAST],
                            cwd=ROOT, env=ENV, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    raw = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        raw += chunk
    proc.wait(timeout=60)
    os.close(master)
    text = raw.decode("utf-8", "replace")
    assert proc.returncode == 1, text[-3000:]
    assert "\rsites " in text or "\x1b[Ksites " in text, "no progress line on the terminal"
    shown = _screen(text.replace("\r\n", "\n"))
    logs = [ln for ln in shown if re.search(r"\d\d:\d\d:\d\d \[", ln)]
    assert any("missing.html" in ln for ln in logs) and any("WARNING: site 断网县" in ln for ln in logs)
    for ln in shown:
        # a log line never shares its screen line with the progress text
        assert not (re.search(r"sites \d+/\d+", ln) and re.search(r"\d\d:\d\d:\d\d \[", ln)), ln
    # the summary comes after the last progress line and the last log line
    tail = [ln for ln in shown if ln.strip()]
    assert tail[-1].startswith("storage errors"), tail[-20:]
    assert tail.index(next(ln for ln in tail if ln.startswith("mode "))) > max(
        i for i, ln in enumerate(tail) if re.search(r"sites \d+/\d+|\d\d:\d\d:\d\d \[", ln))


# --- item 5: hostile attachments in the crawl ---------------------------------------------------

def test_bombs_on_a_portal_fail_with_a_reason_and_do_not_swell_the_crawl(corpus, tmp_path):
    from tests import bombs

    p = Portal()
    try:
        site = p.site("hostile")
        doc = c.load(corpus, SEEDS[0])
        site.page("/nb/2022/t1.html", c.report_page(doc))
        files = {"/nb/files/2020.docx": (bombs.docx_bomb(200), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                 "/nb/files/2021.pdf": (bombs.pdf_stream_bomb(400), "application/pdf"),
                 "/nb/files/2019.pdf": (bombs.pdf_pages(5000), "application/pdf")}
        for path, (data, ctype) in files.items():
            site.page(path, data, ctype=ctype)
        items = [("./2022/t1.html", doc.title)]
        for i, path in enumerate(files, start=2):     # each behind its detail page, as 大汉 sites do
            title = f"测试县{Path(path).stem}年政府信息公开工作年度报告"
            site.page(f"/nb/2022/t{i}.html", c.attachment_page(title, path, title + Path(path).suffix))
            items.append((f"./2022/t{i}.html", title))
        TrsColumn(site, items, per_page=10)
        sites = write_sites(tmp_path / "sites.csv", [("测试县", "county", "410311", site.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites), "--db", str(db),
                                 *FAST, "-s", "NIANBAO_PARSE_MEMORY_MB=400", "-s", "NIANBAO_PARSE_TIMEOUT=20"],
                                cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak_kb = 0
        while proc.poll() is None:       # the crawl process's own peak (VmHWM), not its parse child's
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
                peak_kb = max(peak_kb, int(re.search(r"VmHWM:\s+(\d+)", status)[1]))
            except (OSError, TypeError):
                pass
            time.sleep(0.1)
        out, err = proc.communicate()
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err
        assert peak_kb and peak_kb < 400 * 1024, f"crawl peaked at {peak_kb // 1024} MiB"
        with _db(db) as conn:
            rows = {r["url"]: r for r in conn.execute("SELECT url, status, reason, content_sha256 FROM reports")}
        assert rows[site.url("/nb/2022/t1.html")]["status"] == "parsed"
        reasons = {path: rows[site.url(path)]["reason"] or "" for path in files}
        assert all(rows[site.url(path)]["status"] == "failed" for path in files), reasons
        assert "NIANBAO_MAX_UNZIPPED_MB" in reasons["/nb/files/2020.docx"]
        assert "NIANBAO_MAX_PDF_PAGES" in reasons["/nb/files/2019.pdf"]
        assert reasons["/nb/files/2021.pdf"] and all("\n" not in r for r in reasons.values())
    finally:
        p.stop()


def test_a_run_that_ends_early_does_not_call_unfinished_sites_ok(corpus, tmp_path):
    p = Portal()
    try:
        fast, slow = p.site("fast"), p.site("slow")
        doc = c.load(corpus, SEEDS[0])
        fast.page("/nb/2022/t1.html", c.report_page(doc))
        TrsColumn(fast, [("./2022/t1.html", doc.title)])

        def stall(**_):
            time.sleep(20)
            return 200, {"Content-Type": "text/html; charset=utf-8"}, b"<html></html>"
        slow.fn("/nb/index.html", stall)
        sites = write_sites(tmp_path / "sites.csv", [("快县", "county", "410311", fast.url("/nb/index.html")),
                                                     ("慢县", "county", "410312", slow.url("/nb/index.html"))])
        db = tmp_path / "nb.db"
        r = crawl("--sites", str(sites), "--db", str(db), "-s", "CLOSESPIDER_TIMEOUT=4", "-s", "DOWNLOAD_TIMEOUT=30")
        assert r.returncode == 3, r.stderr[-3000:]           # the crawl ended early
        assert "ended early: closespider_timeout" in r.stderr
        with _db(db) as conn:
            status = {row["name"]: (row["crawl_status"], row["crawl_reason"]) for row in conn.execute("SELECT * FROM sites")}
            run = conn.execute("SELECT status, sites_ok, sites_failed FROM runs").fetchone()
        assert status["快县"][0] == "ok"
        assert status["慢县"][0] == "failed" and "ended early" in status["慢县"][1]   # was "ok"
        assert tuple(run) == ("failed", 1, 1)
    finally:
        p.stop()
