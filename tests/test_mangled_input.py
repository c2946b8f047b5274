"""Mangled input never crashes the parser: truncated, bit-flipped, spliced and tag-injected copies
of real pages and documents end in a report, a status or a one-line ParseError, nothing else.

The mangling is seeded, so a failure names an input that can be rebuilt: run the test alone and
look at the input's number in the assertion message.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from conftest import CORPUS, FILES
from parsers import ParseError, parse_bytes
from report_builder import report_docx

# what real pages carry that the parser must survive in odd places
_SNIPPETS = [b"<template><h1>x</h1>", b"<%", b"<table><tr><td>", b"</table>", b"<?xml version='1.0'?>",
             b"<h2>", b"\x00", b"<script>", b"<!--", b"\x0b\x1f", b'<a href="x\x01.pdf">f</a>', b'<base href="/q/\x02">',
             "一、本年新收政府信息公开申请数量".encode(), "\t3\t".encode()]


def _mangle(rng: random.Random, data: bytes) -> bytes:
    d = bytearray(data)
    op = rng.random()
    if op < 0.3:
        return bytes(d[: rng.randrange(len(d))])
    if op < 0.6:
        for _ in range(rng.randrange(1, 30)):
            d[rng.randrange(len(d))] = rng.randrange(256)
        return bytes(d)
    i, j = sorted((rng.randrange(len(d)), rng.randrange(len(d))))
    if op < 0.8:
        return bytes(d[:i] + d[j:])
    return bytes(d[:i] + rng.choice(_SNIPPETS) + d[i:])


def _survives(inputs: list[bytes], url: str | None) -> list[str]:
    """The inputs that crashed, with what they raised."""
    crashed = []
    for n, data in enumerate(inputs):
        try:
            parse_bytes(data, name=f"mangled-{n}", url=url)
        except ParseError as e:
            assert "\n" not in str(e)
        except Exception as e:  # noqa: BLE001 - this is what the test looks for
            crashed.append(f"input {n}: {type(e).__name__}: {e}")
    return crashed


def test_mangled_pages_and_text_dumps(pages):
    files = sorted(pages.glob("*.htm*")) + sorted((CORPUS / "seeds").glob("*.txt"))
    sources = [p.read_bytes() for p in files]
    rng = random.Random(20261127)
    inputs = [_mangle(rng, rng.choice(sources)) for _ in range(600)]
    assert not _survives(inputs[:300], None)
    assert not _survives(inputs[300:], "http://127.0.0.1/zwgk/nb/1.html")  # links made absolute too


def test_mangled_documents(tmp_path: Path):
    docx = tmp_path / "r.docx"
    report_docx({"format": "2021", "tables": {}}, "某县2021年政府信息公开工作年度报告", docx)
    sources = [docx.read_bytes(), (FILES / "reports" / "luolong-2021.doc").read_bytes(),
               (CORPUS / "huaian" / "hzq2023_working.pdf").read_bytes()]
    rng = random.Random(7)
    # PDFs (layout analysis) and DOCs (a LibreOffice run each) are slow to read: fewer of them
    inputs = ([_mangle(rng, sources[0]) for _ in range(40)] + [_mangle(rng, sources[1]) for _ in range(4)]
              + [_mangle(rng, sources[2]) for _ in range(6)])
    assert not _survives(inputs, None)


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xff\xfe<\x00h\x00", b"PK\x03\x04", b"%PDF-1.4\n%%EOF",
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)])
def test_bare_signatures(data: bytes):
    with pytest.raises(ParseError):
        parse_bytes(data, name="sig")
