"""The shared report parser: any form of an annual report -> the official structure.

Public entry points:
    parse_bytes(data, name=None, url=None) -> dict   (the JSON shape documented in README)
    parse_path(path) -> dict
    parse_images(images, title=None, url=None, metadata=None) -> dict   (pictures of a report, by OCR)
    ParseError: raised with a one-line reason for input that is not a readable report.
"""
from parsers.errors import ParseError
from parsers.report import parse_bytes, parse_images, parse_path

__all__ = ["ParseError", "parse_bytes", "parse_images", "parse_path"]
