"""The shared report parser: any form of an annual report -> the official structure.

Public entry points:
    parse_bytes(data, name=None, url=None) -> dict   (the JSON shape documented in README)
    parse_path(path) -> dict
    parse_images(images, title=None, url=None, metadata=None) -> dict   (pictures of a report, by OCR)
    parse_picture_page(page, images, url=None, title=None) -> dict   (a 图片版 page with its images)
    title_organ(title) -> str   (the body a report title names, '' if none)
    ParseError: raised with a one-line reason for input that is not a readable report.
"""
from parsers.errors import ParseError
from parsers.pictures import parse_picture_page
from parsers.report import parse_bytes, parse_images, parse_path
from parsers.sections import is_bare_organ, title_organ

__all__ = ["ParseError", "parse_bytes", "parse_images", "parse_path", "parse_picture_page", "title_organ",
           "is_bare_organ"]
