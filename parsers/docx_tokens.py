"""DOCX -> tokens (python-docx): paragraphs and tables in document order."""
from __future__ import annotations

import io

from parsers.errors import ParseError
from parsers.tokens import Token, clean_cell


def from_docx(data: bytes, name: str) -> list[Token]:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # zipfile, zlib, lxml and python-docx raise many types for damaged files
        raise ParseError(f"not a readable DOCX ({type(e).__name__})") from None
    try:
        return _read_blocks(document)
    except Exception as e:  # a damaged body (a table row without its cells ...)
        raise ParseError(f"not a readable DOCX ({type(e).__name__}: {str(e)[:80]})") from None


def _read_blocks(document) -> list[Token]:
    """Tokens of the document's paragraphs and tables in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tokens: list[Token] = []
    row = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            for line in block.text.split("\n"):
                line = clean_cell(line)
                if line:
                    row += 1
                    tokens.append(Token(line, row))
        elif isinstance(block, Table):
            seen: set = set()  # the <w:tc> elements themselves: ids of lxml proxies get reused
            for tr in block.rows:
                row += 1
                for cell in tr.cells:
                    tc = cell._tc
                    if tc in seen:  # a merged cell is returned once per grid column it spans
                        continue
                    seen.add(tc)
                    if _is_vmerge_continue(cell):
                        continue
                    tokens.append(Token(clean_cell(cell.text), row, grid=True, table=True))
    return tokens


def _is_vmerge_continue(cell) -> bool:
    tcpr = cell._tc.tcPr
    if tcpr is None:
        return False
    vm = tcpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}vMerge")
    if vm is None:
        return False
    return vm.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") in (None, "continue")
