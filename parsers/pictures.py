"""A 图片版 report: an HTML page whose body is a column of page images, read together with those
images. The page gives the title, the platform block and the publish date; the pictures, read by
OCR (parse_images), give the body and the tables. Used by the crawler (which fetched both) and by
`nianbao reparse` (which finds both stored)."""
from __future__ import annotations

from parsers.errors import ParseError


def parse_picture_page(page: bytes, images: list[bytes], url: str | None = None, title: str | None = None,
                       inspection=None) -> dict:
    """The report of an image-only page and its images. When OCR is off or reads no report, the
    page's own parse comes back (status image_only) with the reason. `inspection`: the page's
    parsers.inspect_page result, if the caller has it (it is not read again)."""
    from parsers.report import parse_bytes, parse_images

    name = (url or "").rsplit("/", 1)[-1] or None
    base = parse_bytes(page, name=name, url=url, inspection=inspection)
    if base.get("status") != "image_only" or not images:
        return base
    try:
        parsed = parse_images(list(images), title=base.get("title") or title, url=url,
                              metadata=base.get("metadata"))
    except ParseError as e:
        base["reason"] = f"pictures not read: {e}"
        return base
    meta = dict(base.get("metadata") or {})
    meta.update({k: v for k, v in (parsed.get("metadata") or {}).items() if v is not None})
    parsed["metadata"] = meta
    parsed["images"] = base.get("images")
    if base.get("title") and not parsed.get("title"):
        parsed["title"] = base["title"]
    return parsed
