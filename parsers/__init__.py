"""The shared report parser: any form of an annual report -> the official structure.

Public entry points:
    parse_bytes(data, name=None, url=None) -> dict   (the JSON shape documented in README)
    parse_path(path) -> dict
    parse_images(images, title=None, url=None, metadata=None) -> dict   (pictures of a report, by OCR)
    parse_picture_page(page, images, url=None, title=None) -> dict   (a 图片版 page with its images)
    title_organ(title) -> str   (the body a report title names, '' if none)
    inspect_page(data, url=None, declared=None, text=None) -> PageInspection   (a fetched page decoded
        and extracted once; parse_bytes(..., inspection=it) reuses it)
    ParseError: raised with a one-line reason for input that is not a readable report.
"""
from parsers.errors import ParseError
from parsers.inspection import PageInspection, inspect_page
from parsers.pictures import parse_picture_page
from parsers.report import parse_bytes, parse_images, parse_path
from parsers.sections import is_bare_organ, title_organ

__all__ = ["PageInspection", "ParseError", "inspect_page", "parse_bytes", "parse_images", "parse_path",
           "parse_picture_page", "title_organ", "is_bare_organ"]
