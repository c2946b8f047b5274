"""What one report may cost to parse.

DOWNLOAD_MAXSIZE caps the bytes fetched, not what they inflate to: a 357 KB DOCX can hold a
1 GB document.xml. The caps below are checked before (ZIP sizes, DOCX paragraphs and cells)
or while (PDF pages, text) the work is done, and end in a ParseError with a one-line reason.
Each is an environment variable (read at each check, so a test or an operator can set it):

    NIANBAO_MAX_UNZIPPED_MB    32         uncompressed size of any one ZIP member (DOCX part)
                               x4         all members of one archive together
    NIANBAO_MAX_ZIP_MEMBERS    10000      members of one archive
    NIANBAO_MAX_DOCX_BLOCKS    50000      paragraphs + table cells of a DOCX body
    NIANBAO_MAX_PDF_PAGES      500        pages of a PDF
    NIANBAO_MAX_TEXT_CHARS     2000000    characters of text of any report

The crawl also parses PDF, DOCX and DOC files in a forked child (parsers.isolated) with an
address-space limit and a timeout (NIANBAO_PARSE_MEMORY_MB 2048, NIANBAO_PARSE_TIMEOUT 180 s,
also Scrapy settings of the same names, with their defaults here).
"""
from __future__ import annotations

import io
import os
import re
import zipfile

from parsers.errors import ParseError

DEFAULTS = {
    "NIANBAO_MAX_UNZIPPED_MB": 32,
    "NIANBAO_MAX_ZIP_MEMBERS": 10000,
    "NIANBAO_MAX_DOCX_BLOCKS": 50000,
    "NIANBAO_MAX_PDF_PAGES": 500,
    "NIANBAO_MAX_TEXT_CHARS": 2_000_000,
    "NIANBAO_PARSE_MEMORY_MB": 2048,   # OCR of a scan: onnxruntime reserves ~1.5 GB of address space
    "NIANBAO_PARSE_TIMEOUT": 180,      # OCR reads a scanned page in ~3 s
}

MB = 1024 * 1024


def limit(name: str) -> int:
    """The current value of a cap (environment variable, else its default)."""
    raw = os.environ.get(name)
    try:
        return int(float(raw)) if raw else DEFAULTS[name]
    except ValueError:
        return DEFAULTS[name]


def check_zip(data: bytes, kind: str = "DOCX") -> None:
    """ParseError when the archive's members would inflate past the caps. zipfile never returns
    more than a member's declared size (a member that inflates further fails its CRC), so the
    declared sizes bound what reading it can cost."""
    member_cap = limit("NIANBAO_MAX_UNZIPPED_MB") * MB
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ParseError(f"not a readable {kind} ({type(e).__name__})") from None
    if len(infos) > limit("NIANBAO_MAX_ZIP_MEMBERS"):
        raise ParseError(f"{kind} has {len(infos)} parts, over the cap of {limit('NIANBAO_MAX_ZIP_MEMBERS')} "
                         "(NIANBAO_MAX_ZIP_MEMBERS)")
    for info in infos:
        if info.file_size > member_cap:
            raise ParseError(f"{kind} part {info.filename} inflates to {info.file_size // MB} MiB, over the cap "
                             f"of {member_cap // MB} MiB (NIANBAO_MAX_UNZIPPED_MB)")
    total = sum(i.file_size for i in infos)
    if total > 4 * member_cap:
        raise ParseError(f"{kind} inflates to {total // MB} MiB in all, over the cap of {4 * member_cap // MB} MiB "
                         "(4 x NIANBAO_MAX_UNZIPPED_MB)")


_BLOCK = re.compile(rb"<w:(?:p|tc)[\s>/]")


def check_docx_blocks(data: bytes) -> None:
    """ParseError when document.xml holds more paragraphs and cells than the cap: python-docx
    spends ~0.1 ms on each, so a million empty paragraphs (30 MB of XML) would take minutes.
    Counted on the inflated stream in 1 MiB steps, without keeping it."""
    cap = limit("NIANBAO_MAX_DOCX_BLOCKS")
    count, tail = 0, b""
    try:
        with zipfile.ZipFile(io.BytesIO(data)).open("word/document.xml") as f:
            while True:
                chunk = f.read(MB)
                if not chunk:
                    break
                buf = tail + chunk
                # the last bytes are searched again with the next chunk (an element name cut in
                # two); a match lying wholly in them was counted already
                count += sum(1 for m in _BLOCK.finditer(buf) if m.end() > len(tail))
                tail = buf[-7:]
                if count > cap:
                    raise ParseError(f"DOCX body has over {cap} paragraphs and table cells "
                                     "(NIANBAO_MAX_DOCX_BLOCKS)")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as e:
        raise ParseError(f"not a readable DOCX ({type(e).__name__})") from None
    except Exception as e:  # zlib.error and friends from a damaged deflate stream
        if isinstance(e, ParseError):
            raise
        raise ParseError(f"not a readable DOCX ({type(e).__name__})") from None


def check_text(chars: int, what: str = "report") -> None:
    """ParseError when a report's text has grown past NIANBAO_MAX_TEXT_CHARS."""
    cap = limit("NIANBAO_MAX_TEXT_CHARS")
    if chars > cap:
        raise ParseError(f"{what} text is over {cap} characters (NIANBAO_MAX_TEXT_CHARS)")


def check_pdf_pages(pages: int) -> None:
    cap = limit("NIANBAO_MAX_PDF_PAGES")
    if pages > cap:
        raise ParseError(f"PDF has {pages} pages, over the cap of {cap} (NIANBAO_MAX_PDF_PAGES)")
