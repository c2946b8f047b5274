"""Legacy Word (.doc, and WPS files in the same OLE container) -> tokens.

LibreOffice, where installed, converts the file to DOCX, which keeps merged table cells, and
the DOCX reader takes it from there. antiword is the light fallback: it prints tables as
`|cell|cell|` text rows that the text reader handles, but it splits a cell's lines into
separate rows and gives up on complex merged tables, so figures can be lost.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from parsers.errors import ParseError
from parsers.limits import check_text, limit
from parsers.tokens import Token, from_text


_MIN_TIMEOUT = 20.0     # seconds a conversion may always take (LibreOffice needs a few to start)


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
    """The document as DOCX bytes, or None when LibreOffice cannot convert it.

    A report is hostile input: a linked picture (INCLUDEPICTURE "http://…") makes LibreOffice
    fetch that host while converting, past the crawler's host guard. So the conversion runs
    without a network: in a new network namespace (`unshare -n`, where the kernel allows it),
    and with a private profile that blocks links from untrusted documents and sends any HTTP,
    HTTPS or FTP request to a closed local port. It runs in its own process group, killed
    whole on timeout or when done, so no soffice.bin is left behind."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        # a private profile: a second soffice (or a user's running one) must not block this one
        cmd = [*_sandbox(), soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        timeout = max(_MIN_TIMEOUT, 0.8 * limit("NIANBAO_PARSE_TIMEOUT"))   # inside the parse child's timeout
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_lift_memory_cap)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        finally:
            _kill_group(proc)
        out = Path(tmp) / "report.docx"
        return out.read_bytes() if out.exists() else None


# Blocks links from documents outside the trusted locations (there are none), and points the
# proxies at the discard port, where nothing listens: the profile alone keeps LibreOffice off
# the network where no network namespace can be made.
_INET = "/org.openoffice.Inet/Settings"
_SETTINGS = [("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
             (_INET, "ooInetProxyType", "1"), (_INET, "ooInetNoProxy", ""),
             (_INET, "ooInetHTTPProxyName", "127.0.0.1"), (_INET, "ooInetHTTPProxyPort", "9"),
             (_INET, "ooInetHTTPSProxyName", "127.0.0.1"), (_INET, "ooInetHTTPSProxyPort", "9"),
             (_INET, "ooInetFTPProxyName", "127.0.0.1"), (_INET, "ooInetFTPProxyPort", "9")]
_PROFILE = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            + "".join(f'<item oor:path="{p}"><prop oor:name="{n}" oor:op="fuse"><value>{v}</value></prop></item>\n'
                      for p, n, v in _SETTINGS) + "</oor:items>\n")


@lru_cache(maxsize=1)
def _namespace_prefix() -> tuple[str, ...]:
    """`unshare -n` (root) or `unshare -rn` (an unprivileged user namespace), whichever this
    kernel allows; () when neither does."""
    exe = shutil.which("unshare")
    if not exe:
        return ()
    for prefix in ((exe, "-n"), (exe, "-rn")):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return ()


def _sandbox() -> tuple[str, ...]:
    if os.environ.get("NIANBAO_SOFFICE_NETNS", "1") == "0":   # tests check the profile on its own
        return ()
    return _namespace_prefix()


def _lift_memory_cap() -> None:
    """In the converter: the parse child's address-space cap is for the parser, not LibreOffice."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the converter's whole process group (oosplash, soffice.bin and any helper)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
