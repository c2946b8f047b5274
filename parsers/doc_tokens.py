"""Legacy Word (.doc, and WPS files in the same OLE container) -> tokens, via antiword.

antiword prints tables as `|cell|cell|` rows, which the text-dump reader already handles.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile

from parsers.errors import ParseError
from parsers.tokens import Token, from_text


def from_doc(data: bytes, name: str) -> list[Token]:
    exe = shutil.which("antiword")
    if not exe:
        raise ParseError("legacy .doc/.wps file: install antiword (apt-get install antiword) to read it")
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        p = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", f.name], capture_output=True, timeout=60)
    if p.returncode != 0 or not p.stdout.strip():
        reason = p.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise ParseError(f"unreadable .doc/.wps file ({reason[0] if reason else 'antiword found no text'})")
    return from_text(p.stdout.decode("utf-8", "replace"))
