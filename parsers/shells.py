"""Pages whose report is data inside a script, not HTML: read it out before extraction.

Guangdong's gkmlpt (政府信息公开目录管理平台) serves each article as a JavaScript shell,
`window._CONFIG = {…, DETAIL: {title, content, publisher, date, identifier, attachment, …}}`,
with the report's HTML JSON-escaped in `content`. unwrap_shell() turns that into an ordinary
page (metadata block in the chrome, the content as the body) for extract_page to read.
"""
from __future__ import annotations

import datetime as dt
import html as htmlmod
import json
import re

_DETAIL = re.compile(r"""(?:\bDETAIL|["']DETAIL["'])\s*[:=]\s*\{""")
_CN = dt.timezone(dt.timedelta(hours=8))


def json_value_at(text: str, start: int):
    """The JSON value that starts at text[start] inside a script (a `{` or `[`), or None."""
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    return value


def _date(value) -> str | None:
    """Epoch seconds (or ms) or a date string -> YYYY-MM-DD as published (China time)."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        n = float(value)
        n = n / 1000 if n > 1e11 else n
        try:
            return dt.datetime.fromtimestamp(n, _CN).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        m = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", value)
        if m:
            return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    return None


def unwrap_shell(page: str | bytes) -> str | None:
    """The report page a platform shell carries, as plain HTML; None for any other page."""
    if isinstance(page, bytes):
        if b"_CONFIG" not in page or b"DETAIL" not in page:
            return None
        page = page.decode("utf-8", "replace")
    elif "_CONFIG" not in page or "DETAIL" not in page:
        return None
    m = _DETAIL.search(page)
    detail = json_value_at(page, m.end() - 1) if m else None
    if not isinstance(detail, dict) or not isinstance(detail.get("content"), str):
        return None
    esc = htmlmod.escape
    title = str(detail.get("title") or "")
    meta = []
    for label, key in (("索引号", "identifier"), ("发布机构", "publisher"), ("文号", "document_number")):
        if detail.get(key):
            meta.append(f"<li>{label}：{esc(str(detail[key]))}</li>")
    date = _date(detail.get("date") or detail.get("publish_time") or detail.get("created_at"))
    if date:
        meta.append(f"<li>发布日期：{date}</li>")
    files = []
    for a in detail.get("attachment") or detail.get("attachments") or []:
        if isinstance(a, dict) and isinstance(a.get("url"), str):
            files.append(f'<p><a href="{esc(a["url"])}">{esc(str(a.get("name") or a["url"]))}</a></p>')
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title></head><body>"
            f"<div class=\"gkmlpt-meta\"><ul>{''.join(meta)}</ul></div>"
            f"<h1>{esc(title)}</h1><div class=\"article-content\">{detail['content']}{''.join(files)}</div>"
            "</body></html>")
