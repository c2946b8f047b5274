"""LibreOffice converts .doc attachments without touching the network (issue 13, item 7).

The .doc is made at test time: a DOCX whose picture is linked (r:link to
http://127.0.0.1:PORT/pic.png), converted by LibreOffice itself, inside `unshare -n`, into a
Word 97 file holding INCLUDEPICTURE "http://127.0.0.1:PORT/pic.png" \\d. A logging server then
listens on PORT: converting the file the old way GETs the picture; the parser's way must not.
"""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portal.server import closed_port  # noqa: E402

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (scripts/test.sh installs it)")

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==")


def _linked_docx(url: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某县2023年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    d.add_picture(io.BytesIO(PNG))
    d.add_paragraph("二、主动公开政府信息情况")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":       # embedded picture -> linked picture
                data = re.sub(rb'r:embed="(rId\d+)"', rb'r:link="\1"', data)
            elif info.filename == "word/_rels/document.xml.rels":
                data = re.sub(rb'(<Relationship Id="rId\d+" Type="[^"]+/image") Target="[^"]+"',
                              rb'\1 Target="' + url.encode() + rb'" TargetMode="External"', data)
            elif info.filename.startswith("word/media/"):
                continue
            z.writestr(info, data)
    return out.getvalue()


class _Logger(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def linked_doc(tmp_path_factory):
    """(doc bytes, logging server) for a .doc whose picture is linked to the server."""
    work = tmp_path_factory.mktemp("linkdoc")
    port = closed_port()
    (work / "linked.docx").write_bytes(_linked_docx(f"http://127.0.0.1:{port}/pic.png"))
    netns = ["unshare", "-n"] if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0 else []
    subprocess.run([*netns, SOFFICE, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                    "--convert-to", "doc", "--outdir", str(work), str(work / "linked.docx")],
                   capture_output=True, timeout=180)
    data = (work / "linked.doc").read_bytes()
    assert 'INCLUDEPICTURE  "http://127.0.0.1:'.encode("utf-16-le") in data
    server = ThreadingHTTPServer(("127.0.0.1", port), _Logger)
    server.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield data, server
    server.shutdown()
    server.server_close()


def _soffice_under(marker: Path) -> list[str]:
    """Live soffice processes whose command line names a path under `marker` (the test points
    tempfile at it, so these are the conversions of this test and no one else's)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and b"soffice" in cmd[0] and any(str(marker).encode() in part for part in cmd):
            found.append(f"{proc.name}: {b' '.join(cmd).decode(errors='replace')}")
    return found


@pytest.fixture()
def own_tmp(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_the_old_conversion_fetched_the_linked_picture(linked_doc, tmp_path):
    data, server = linked_doc
    (tmp_path / "r.doc").write_bytes(data)
    server.hits.clear()
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(tmp_path / "r.doc")],
                   capture_output=True, timeout=180)
    assert server.hits and set(server.hits) == {"/pic.png"}, "the crafted file must make a plain LibreOffice fetch it"


@pytest.mark.parametrize("netns", ["1", "0"], ids=["namespace+profile", "profile-only"])
def test_parsing_the_doc_fetches_nothing_and_leaves_no_soffice(linked_doc, monkeypatch, netns, own_tmp):
    from parsers.doc_tokens import from_doc

    data, server = linked_doc
    monkeypatch.setenv("NIANBAO_SOFFICE_NETNS", netns)
    server.hits.clear()
    tokens = from_doc(data, "linked.doc")
    assert "一、总体情况" in [t.text for t in tokens], "the conversion itself must still work"
    time.sleep(0.5)
    assert server.hits == [], f"LibreOffice fetched {server.hits} while converting"
    assert _soffice_under(own_tmp) == []


def test_a_conversion_past_its_time_is_killed_with_its_whole_group(linked_doc, monkeypatch, own_tmp):
    from parsers import doc_tokens

    data, _ = linked_doc
    monkeypatch.setattr(doc_tokens, "_MIN_TIMEOUT", 0.5)
    monkeypatch.setenv("NIANBAO_PARSE_TIMEOUT", "0.1")
    started = time.time()
    assert doc_tokens._via_libreoffice(SOFFICE, data) is None      # LibreOffice needs seconds to start
    assert time.time() - started < 15
    assert _soffice_under(own_tmp) == []


def test_the_parse_child_past_its_time_takes_libreoffice_with_it(linked_doc, monkeypatch, own_tmp):
    from parsers import doc_tokens
    from parsers.errors import ParseError
    from parsers.isolated import parse_isolated

    data, _ = linked_doc
    monkeypatch.setattr(doc_tokens, "_MIN_TIMEOUT", 60.0)   # the converter would wait on ...
    with pytest.raises(ParseError, match="NIANBAO_PARSE_TIMEOUT"):
        parse_isolated(data, "linked.doc", timeout=0.5)        # ... but the parse child's time is up (LibreOffice takes seconds to start)
    time.sleep(0.5)
    assert _soffice_under(own_tmp) == []
