"""Items on the wire: what a worker pushes to Redis and the ingester reads back."""
from __future__ import annotations

import base64
import json
import logging

from crawler.items import CrawlItem

log = logging.getLogger(__name__)


def encode_item(item: CrawlItem, report: dict | None) -> bytes:
    """JSON with the body in base64: any worker, any Python, and readable with redis-cli."""
    fields = dict(item)
    if fields.get("body") is not None:
        fields["body"] = base64.b64encode(bytes(fields["body"])).decode("ascii")
    if fields.get("images"):     # a 图片版 page's pictures, kept by the ingester for reparse
        fields["images"] = [base64.b64encode(bytes(b)).decode("ascii") for b in fields["images"]]
    try:
        return json.dumps({"item": fields, "report": report}, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        # a parse result JSON cannot carry: ship the bytes only, the ingester parses them itself
        log.warning("parse of %s not serialisable; shipped for the ingester to parse", item.get("url"))
        return json.dumps({"item": fields, "report": None}, ensure_ascii=False).encode("utf-8")


def decode_item(raw: bytes) -> tuple[CrawlItem, dict | None]:
    data = json.loads(raw)
    fields = data["item"]
    if fields.get("body") is not None:
        fields["body"] = base64.b64decode(fields["body"])
    if fields.get("images"):
        fields["images"] = [base64.b64decode(b) for b in fields["images"]]
    return CrawlItem(**fields), data.get("report")
