"""DOCX -> tokens (python-docx): paragraphs and tables in document order."""
from __future__ import annotations

import io

from parsers.errors import ParseError
from parsers.limits import check_docx_blocks, check_text, check_zip
from parsers.tokens import Token, clean_cell


def from_docx(data: bytes, name: str) -> list[Token]:
    import docx  # python-docx

    # python-docx inflates every part into memory and walks the body in Python: check first
    check_zip(data)
    check_docx_blocks(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # zipfile, zlib, lxml and python-docx raise many types for damaged files
        raise ParseError(f"not a readable DOCX ({type(e).__name__})") from None
    try:
        tokens = _read_blocks(document)
    except ParseError:
        raise
    except Exception as e:  # a damaged body (a table row without its cells ...)
        raise ParseError(f"not a readable DOCX ({type(e).__name__}: {str(e)[:80]})") from None
    return tokens


def _read_blocks(document) -> list[Token]:
    """Tokens of the document's paragraphs and tables in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tokens: list[Token] = []
    row = chars = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            for line in block.text.split("\n"):
                line = clean_cell(line)
                if line:
                    row += 1
                    chars += len(line)
                    tokens.append(Token(line, row))
            check_text(chars, "DOCX")
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
                    text = clean_cell(cell.text)
                    chars += len(text)
                    tokens.append(Token(text, row, grid=True, table=True))
            check_text(chars, "DOCX")
    return tokens


def _is_vmerge_continue(cell) -> bool:
    tcpr = cell._tc.tcPr
    if tcpr is None:
        return False
    vm = tcpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}vMerge")
    if vm is None:
        return False
    return vm.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") in (None, "continue")
