"""What one report may cost to parse, and parsing apart from the crawl.

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

The crawl also parses PDF, DOCX and DOC files in a forked child (`parse_isolated`) with an
address-space limit and a timeout (NIANBAO_PARSE_MEMORY_MB 2048, NIANBAO_PARSE_TIMEOUT 180 s,
also Scrapy settings of the same names): what no cap foresees (a PDF stream that inflates to
gigabytes, a pathological layout) costs that child, never the crawl.
"""
from __future__ import annotations

import io
import os
import re
import signal
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


# --- parsing in a child process ------------------------------------------------------------

ISOLATED_KINDS = ("pdf", "docx", "doc")


def _address_space() -> int:
    """This process's current virtual size in bytes (the child's limit is on top of it)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn, data: bytes, name: str | None, url: str | None, memory_mb: int) -> None:
    import resource

    import parsers      # parse_bytes looked up at call time (tests patch it)

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)   # a C-level abort on a memory cap must not print into the crawl's log
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = _address_space() + memory_mb * MB
        if hard == resource.RLIM_INFINITY or want < hard:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        out: tuple[str, object] = ("ok", parsers.parse_bytes(data, name=name, url=url))
    except ParseError as e:
        out = ("parse", str(e))
    except MemoryError:
        out = ("parse", f"parsing needs more than {memory_mb} MiB (NIANBAO_PARSE_MEMORY_MB)")
    except BaseException as e:  # noqa: BLE001 - reported to the parent as a parser crash
        out = ("crash", f"{type(e).__name__}: {str(e)[:300]}")
    try:
        conn.send(out)
    except MemoryError:
        conn.send(("parse", f"parsing needs more than {memory_mb} MiB (NIANBAO_PARSE_MEMORY_MB)"))
    conn.close()


class ParserCrash(Exception):
    """The parser failed in the child with an exception that is not a ParseError (a bug)."""


def parse_isolated(data: bytes, name: str | None = None, url: str | None = None, *,
                   memory_mb: int | None = None, timeout: float | None = None) -> dict:
    """parse_bytes, run in a forked child for PDF, DOCX, DOC and pictures (HTML and text are parsed here:
    their size is capped by the download). ParseError with a one-line reason when the child
    runs out of memory, time, or dies; ParserCrash for a parser bug."""
    import parsers
    from parsers.decode import sniff
    from parsers.ocr import image_kind

    # pictures are read by OCR (a scanned PDF too, inside the child): they are isolated as well
    if not image_kind(data) and sniff(data) not in ISOLATED_KINDS:
        return parsers.parse_bytes(data, name=name, url=url)
    import multiprocessing

    memory_mb = memory_mb or limit("NIANBAO_PARSE_MEMORY_MB")
    timeout = timeout or limit("NIANBAO_PARSE_TIMEOUT")
    ctx = multiprocessing.get_context("fork")   # the parsers are imported already: no start-up cost
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, data, name, url, memory_mb), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(timeout):
            _kill(proc)
            raise ParseError(f"parsing took longer than {timeout:g} s (NIANBAO_PARSE_TIMEOUT)")
        try:
            status, payload = recv.recv()
        except (EOFError, OSError):
            proc.join(5)
            code = proc.exitcode
            why = f"killed by signal {-code}" if code and code < 0 else f"exit status {code}"
            raise ParseError(f"the parser process died ({why}), most likely over its memory cap of {memory_mb} MiB "
                             "(NIANBAO_PARSE_MEMORY_MB)") from None
    finally:
        recv.close()
        if proc.is_alive():
            proc.join(5)
            _kill(proc)
    if status == "ok":
        return payload
    if status == "parse":
        raise ParseError(payload)
    raise ParserCrash(payload)


def _kill(proc) -> None:
    """SIGKILL the child and everything it started: a LibreOffice conversion runs in its own
    process group, so it is found by walking /proc for the child's descendants first."""
    if not proc.pid or not proc.is_alive():
        return
    family = _descendants(proc.pid)
    for pid in [proc.pid, *family]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.join(5)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        for kid in children.get(todo.pop(), []):
            out.append(kid)
            todo.append(kid)
    return out
