"""Legacy Word (.doc, and WPS files in the same OLE container) -> tokens.

LibreOffice, where installed, converts the file to DOCX, which keeps merged table cells, and
the DOCX reader takes it from there. antiword is the light fallback: it prints tables as
`|cell|cell|` text rows that the text reader handles, but it splits a cell's lines into
separate rows and gives up on complex merged tables, so figures can be lost.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from parsers.errors import ParseError
from parsers.limits import check_text
from parsers.tokens import Token, from_text


def from_doc(data: bytes, name: str) -> list[Token]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        docx = _via_libreoffice(soffice, data)
        if docx is not None:
            from parsers.docx_tokens import from_docx
            return from_docx(docx, name)
    exe = shutil.which("antiword")
    if not exe:
        raise ParseError("legacy .doc/.wps file: install libreoffice-writer or antiword to read it")
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        p = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", f.name], capture_output=True, timeout=60)
    if p.returncode != 0 or not p.stdout.strip():
        reason = p.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise ParseError(f"unreadable .doc/.wps file ({reason[0] if reason else 'antiword found no text'})")
    text = p.stdout.decode("utf-8", "replace")
    check_text(len(text), "DOC")
    return from_text(text)


def _via_libreoffice(soffice: str, data: bytes) -> bytes | None:
    """The document as DOCX bytes, or None when LibreOffice cannot convert it."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        # a private profile: a second soffice (or a user's running one) must not block this one
        cmd = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            return None
        out = Path(tmp) / "report.docx"
        return out.read_bytes() if out.exists() else None
