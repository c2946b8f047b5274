"""Text chrome: metadata and report text of a plain-text rendering of a report page (a saved
text dump, the legacy archive's one-line renderings)."""
from __future__ import annotations

import re

from parsers.page_labels import (CHROME_TOKEN_RE, DATE_RE, FOOTER_RE, LABEL_RE, PROSE_CHARS, SECTION_RE,
                                 finish_metadata, is_chrome_line, meaningful_over, merge_metadata,
                                 parse_label_line, store_value)


_LEGACY_HEADER_RE = re.compile(r"^(.*?)\n=+\s*正文\s*=+\n", re.S)
_LEGACY_KEYS = {"发布时间": "publish_date", "文号": "doc_number", "发布机构": "publishing_organ"}


def extract_text_metadata(text: str) -> tuple[dict, str]:
    """Metadata and report text of a plain-text rendering of a report page.

    Only the chrome above the report's first section heading (一、) and the footer lines at
    the end are read and removed; dates inside the report (its signature date, periods)
    are never taken."""
    meta: dict = {}
    text = text.replace("\r\n", "\n")
    header = _LEGACY_HEADER_RE.match(text)
    if header:
        meta.update(_legacy_header(header[1]))
        text = text[header.end():]
    head, rest = _split_head(text)
    head_meta, head = _strip_head_chrome(head)
    merge_metadata(meta, head_meta)
    return finish_metadata(meta), _strip_text_footer(head + rest).strip("\n") + "\n"


def _legacy_header(header: str) -> dict:
    meta: dict = {}
    for line in header.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in _LEGACY_KEYS or not value.strip():
            continue
        store_value(meta, _LEGACY_KEYS[key], value.strip())
    return meta


def _split_head(text: str) -> tuple[str, str]:
    """Split at the first section heading 一、 (start of a line, or after chrome on one long line)."""
    m = re.search(r"(?m)^\s*一\s*、", text) or re.search(r"一\s*、", text)
    if not m:
        return text, ""
    return text[: m.start()], text[m.start():]


def _strip_head_chrome(head: str) -> tuple[dict, str]:
    meta: dict = {}
    kept: list[str] = []
    lines = head.split("\n")
    for i, line in enumerate(lines):
        if any(meaningful_over(k, PROSE_CHARS) for k in kept):
            kept.extend(lines[i:])  # past the report's first paragraph: no more chrome here
            break
        chrome, fields = is_chrome_line(line)
        if not chrome:  # a long line may still open with a chrome run (one-line renderings)
            line, inline_fields = _strip_inline_chrome(line)
            merge_metadata(meta, inline_fields)
            chrome, fields = is_chrome_line(line)
        merge_metadata(meta, fields)
        if not chrome:
            kept.append(line)
    return meta, "\n".join(kept)


# One-line renderings (the legacy archive) put breadcrumb, labels and share buttons before the
# report on the same line: cut from 当前位置 to the last chrome token or label value.
_INLINE_START_RE = re.compile(r"当前位置|您现在的位置|您的位置")
_INLINE_GAP = 80  # breadcrumb + repeated title fit in this; report prose does not


def _strip_inline_chrome(line: str) -> tuple[str, dict]:
    start = _INLINE_START_RE.search(line)
    if not start:
        return line, {}
    spans = [(m.start(), m.end()) for m in CHROME_TOKEN_RE.finditer(line, start.end())]
    for m in LABEL_RE.finditer(line, start.end()):
        d = DATE_RE.match(line, m.end())
        spans.append((m.start(), d.end() if d else m.end()))
    # the chrome run ends where the gap to the next chrome piece gets prose-long
    end = start.end()
    for s, e in sorted(spans):
        if s - end > _INLINE_GAP:
            break
        end = max(end, e)
    fields, _ = parse_label_line(line[start.start(): end])
    return line[: start.start()] + line[end:].lstrip(), fields


def _strip_text_footer(rest: str) -> str:
    lines = rest.rstrip().split("\n")
    while lines and (not lines[-1].strip() or _is_footer_line(lines[-1])):
        lines.pop()
    if lines:
        # a trailing chrome word glued to the last line (… 行政诉讼数件00 附件下载)
        lines[-1] = re.sub(r"(?:\s*(?:附件下载|打印本页|关闭窗口|【?\s*关闭\s*】?))+\s*$", "", lines[-1])
    return "\n".join(lines)


def _is_footer_line(line: str) -> bool:
    s = line.strip()
    if FOOTER_RE.search(s) and len(s) < 200:
        return True
    return is_chrome_line(s)[0] and not SECTION_RE.match(s)

