"""Parsing apart from the crawl: PDF, DOCX, DOC and pictures are parsed in a forked child with an
address-space limit and a timeout (NIANBAO_PARSE_MEMORY_MB, NIANBAO_PARSE_TIMEOUT: parsers.limits),
so what no cap foresees (a PDF stream that inflates to gigabytes, a pathological layout) costs
that child, never the crawl."""
from __future__ import annotations

import os
import signal

from parsers.errors import ParseError
from parsers.limits import MB, limit


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

    out: tuple[str, dict | str]   # ("ok", report) or (kind, reason)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)   # a C-level abort on a memory cap must not print into the crawl's log
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = _address_space() + memory_mb * MB
        if hard == resource.RLIM_INFINITY or want < hard:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        out = ("ok", parsers.parse_bytes(data, name=name, url=url))
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
