"""The `nianbao` command's help, version and one-line errors (issue 13, item 12)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def nianbao(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_version():
    r = nianbao("--version")
    assert r.returncode == 0 and r.stdout.startswith("nianbao 0.")


def test_every_option_has_help_and_defaults_are_shown():
    from crawler.cli import build_parser

    ap = build_parser()
    sub = next(a for a in ap._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for action in p._actions:
            assert action.help, f"nianbao {name} {action.option_strings or action.dest}: no help text"
    serve = nianbao("serve", "--help").stdout
    assert "default: 8001" in serve and "default: 127.0.0.1" in serve
    assert "--db PATH [" in serve.split("options:")[0].replace("\n", " ").replace("  ", " ")   # required: no brackets
    assert "DOC" in nianbao("parse", "--help").stdout
    crawl = nianbao("crawl", "--help").stdout
    assert "default: nightly" in crawl and "required" in crawl and "exit status" in crawl


def test_reparse_and_serve_name_a_file_that_is_not_sqlite(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("这不是数据库\n" * 100, encoding="utf-8")
    for cmd in ("reparse", "serve"):
        r = nianbao(cmd, "--db", str(bad))
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip() == f"nianbao {cmd}: {bad}: not an SQLite database", r.stderr
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    r = nianbao("reparse", "--db", str(damaged))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and str(damaged) in r.stderr, r.stderr


def test_parse_says_a_markdown_file_holds_no_report(tmp_path):
    md = tmp_path / "notes.md"
    md.write_text("# 笔记\n\n一行文字<br>第二行\n\n| 项目 | 数量 |\n|---|---|\n| 申请 | 3 |\n", encoding="utf-8")
    r = nianbao("parse", str(md), str(ROOT / "README.md"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2 and all("no report found" in ln for ln in lines), r.stderr
    assert "truncated HTML" not in r.stderr


def test_lock_files_are_ignored_by_git():
    assert "*.lock" in (ROOT / ".gitignore").read_text().split()


def test_parse_into_a_closed_pipe_stops_quietly():
    """`nianbao parse --json A B | head -c 10`: the reader leaves after 10 bytes; the command
    ends with 141 like other Unix tools, not with a BrokenPipeError traceback."""
    from conftest import CORPUS

    paths = [str(p) for p in sorted((CORPUS / "seeds").glob("*.txt"))[:4]]   # more than a pipe holds
    p = subprocess.Popen([sys.executable, "-m", "crawler.cli", "parse", "--json", *paths], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err
