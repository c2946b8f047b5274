"""The shared report parser: any form of an annual report -> the official structure.

Public entry points:
    parse_bytes(data, name=None, url=None) -> dict   (the JSON shape documented in README)
    parse_path(path) -> dict
    title_organ(title) -> str   (the body a report title names, '' if none)
    ParseError: raised with a one-line reason for input that is not a readable report.
"""
from parsers.errors import ParseError
from parsers.report import parse_bytes, parse_path
from parsers.sections import is_bare_organ, title_organ

__all__ = ["ParseError", "parse_bytes", "parse_path", "title_organ", "is_bare_organ"]
