"""What a file is (from its bytes, not its name) and how its text is encoded."""
from __future__ import annotations

import io
import re
import zipfile

from parsers.errors import ParseError

_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|table|div|p|tr|td|span|br|h[1-6])\b", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


def sniff(data: bytes) -> str:
    """One of pdf, docx, doc (OLE: DOC/WPS/XLS), html, text; ParseError for anything else."""
    head = data[:4096]
    if not data or data.isspace():  # (no copy of the file, as data.strip() makes)
        raise ParseError("empty file")
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise ParseError("damaged ZIP/DOCX archive") from None
        if "word/document.xml" in names:
            return "docx"
        raise ParseError("ZIP archive that is not a DOCX document")
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "doc"
    if _looks_binary(head):
        raise ParseError("binary data, not a report (no text, HTML, PDF or DOCX signature)")
    if _HTML_TAG.search(head) or _HTML_TAG.search(data[:65536]):
        # Markdown may hold inline tags (<br>, <table>): a file that opens with a Markdown heading
        # or has a pipe-table rule, and no <html>/<body>, is text, not a cut-off page
        if _is_markdown(data[:65536]) and not _PAGE_TAG.search(data[:65536]):
            return "text"
        return "html"
    return "text"


_MD_HEADING = re.compile(rb"(?:\xef\xbb\xbf)?\s*#{1,6}\s")
_MD_RULE = re.compile(rb"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|", re.M)


def _is_markdown(chunk: bytes) -> bool:
    """Opens with a Markdown heading, or has a pipe-table rule. The rule's regex runs only when
    the page has a `---` at all: with re.M it is tried at every byte (1.4 ms on a 18 KiB page,
    a fifth of parsing a whole report)."""
    return bool(_MD_HEADING.match(chunk)) or (b"---" in chunk and bool(_MD_RULE.search(chunk)))
_PAGE_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.I)


_CONTROL = bytes(b for b in range(32) if b < 9 or 13 < b)


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL))
    return ctrl > len(head) * 0.05


def decode(data: bytes, declared: str | None = None) -> str:
    """Text of an HTML or text file: BOM, then UTF-8, then the declared charset, then GB18030
    (a superset of GBK and GB2312, which pages often use without declaring it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:4096])
    names = [declared, m.group(1).decode("ascii", "ignore") if m else None, "gb18030"]
    for enc in names:
        if not enc:
            continue
        enc = enc.lower()
        if enc in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936"):
            enc = "gb18030"
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    text = data.decode("gb18030", errors="replace")
    if text.count("\ufffd") > len(text) * 0.02:
        raise ParseError("text in an unknown encoding (neither UTF-8 nor GB18030)")
    return text
