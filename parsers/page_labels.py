"""Chrome labels and metadata: the `label: value` pairs of a report page's chrome (发布日期,
信息来源, 索引号 …), the chrome wording (breadcrumbs, share and print buttons, footers) and the
test whether a line is chrome or report prose. Shared by the HTML extraction (parsers.extract)
and the plain-text one (parsers.text_chrome)."""
from __future__ import annotations

import re


_IGNORED = "_ignored"
# (label, metadata key). Longer labels first so 发布时间 wins over 时间 at the same spot.
_LABELS: list[tuple[str, str]] = [
    ("发布日期", "publish_date"), ("发布时间", "publish_date"), ("公开日期", "publish_date"),
    ("公开时间", "publish_date"), ("成文日期", "written_date"),
    ("信息来源", "source"), ("文章来源", "source"), ("来源", "source"),
    ("发布者", "publisher"), ("发布人", "publisher"), ("作者", "publisher"),
    ("发布机构", "publishing_organ"), ("发文机关", "issuing_organ"),
    ("阅读次数", "views"), ("浏览次数", "views"), ("访问量", "views"), ("点击数", "views"),
    ("索引号", "index_no"), ("主题分类", "subject"), ("发文字号", "doc_number"),
    ("文号", "doc_number"), ("有效性", "validity"),
    ("时间", "publish_date"), ("日期", "publish_date"),
    # platform-block labels whose values are not kept: read as labels so that an empty cell
    # before them (文号 | 空 | 关键词 | …) does not take the label as its value
    ("关键词", _IGNORED), ("主题词", _IGNORED), ("体裁分类", _IGNORED), ("组配分类", _IGNORED),
    ("服务对象", _IGNORED), ("公文种类", _IGNORED), ("生效日期", _IGNORED), ("废止日期", _IGNORED),
]
# Short labels are also ordinary words (统计时间, 生效日期, 发文号 …): only count them when
# they do not continue a longer Chinese word.
_GENERIC = {"时间", "日期", "来源", "作者", "文号"}
_SP = "[ \u3000\xa0]*"  # portals pad labels: 索 引 号, 文　　号


def _label_pattern(label: str) -> str:
    body = _SP.join(map(re.escape, label))
    if label not in _GENERIC:
        return body
    # (?<![\u4e00-\u9fff])时间, written with the lookbehind after the first character: every
    # alternative then starts with a literal and re searches by their first characters (4x faster)
    first = re.escape(label[0])
    return first + r"(?<![\u4e00-\u9fff]" + first + ")" + body[len(first):]


_LABEL_KEY = {re.sub(r"\s", "", lab): key for lab, key in _LABELS}
# A label counts when a colon or a table-cell boundary (\t, see _flatten) follows it.
LABEL_RE = re.compile(
    "(" + "|".join(_label_pattern(lab) for lab, _ in _LABELS) + ")" + _SP + r"(?:[:：]|\t)[ \t\u3000\xa0]*"
)
DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"
)
_DATE_KEYS = {"publish_date", "written_date"}
_ORGAN_PUBLISHER = "_organ_publisher"  # internal: publisher taken from 发布机构, see finish_metadata

# Chrome wording: the page furniture that must never reach the stored report text.
_CHROME_TOKENS = (
    r"当前位置|您现在的位置|您的位置|字号|字体|【?\s*大\s*中\s*小\s*】?|打印本页|打印|关闭窗口|关闭"
    r"|分享到|扫一扫在手机打开(?:当前页)?|扫一扫|在手机打开|上一篇|下一篇|相关链接|相关文章|收藏本页|收藏"
    r"|返回顶部|微信|微博|QQ空间|全真版|文字版|文件下载|附件下载|默认|-->"
)
CHROME_TOKEN_RE = re.compile(_CHROME_TOKENS)
# An element whose text starts like this is chrome as a whole (breadcrumbs, neighbours, footer).
CHROME_LINE_RE = re.compile(
    r"^\s*(?:当前位置|您现在的位置|您的位置|上一篇|下一篇|相关链接|相关文章|(?:主办单位|承办单位|技术支持)\s*[:：]"
    r"|网站标识码|版权所有|Copyright|©)"
)
# Footer markers; 主办单位/技术支持 only with a colon, since reports speak of 技术支持 too.
FOOTER_RE = re.compile(r"(?:主办单位|承办单位|技术支持)\s*[:：]|网站标识码|ICP\s*备|公网安备|版权所有")
_VALUE_END_RE = re.compile(r"\t|\n|[ \u3000\xa0]{2,}|[|｜【】\[\]]|" + _CHROME_TOKENS)
SECTION_RE = re.compile(r"^\s*([一二三四五六七八九十])\s*[、.．]")


def _norm_date(m: re.Match) -> tuple[str, str | None] | None:
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if not (1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    time = None
    if m[4] is not None:
        time = f"{int(m[4]):02d}:{m[5]}" + (f":{m[6]}" if m[6] else "")
    return f"{y:04d}-{mo:02d}-{d:02d}", time


def _clean_value(raw: str) -> str:
    raw = raw.lstrip(" \t\u3000\xa0")
    end = _VALUE_END_RE.search(raw)
    value = raw[: end.start()] if end else raw
    return value.strip(" \u3000\xa0:：;；,，")


def parse_label_line(line: str) -> tuple[dict, str]:
    """Read every `label: value` pair of one chrome line.

    Returns (fields, residual) where residual is the line without its label/value pairs
    and chrome tokens, so callers can tell a pure chrome line from report prose."""
    found: dict = {}
    matches = list(LABEL_RE.finditer(line)) if _may_have_label(line) else []
    return found, _read_pairs(line, matches, found, residual=True)


def label_fields(line: str) -> dict:
    """parse_label_line(line)[0], without building the residual."""
    found: dict = {}
    if _may_have_label(line):
        matches = list(LABEL_RE.finditer(line))
        if matches:
            _read_pairs(line, matches, found, residual=False)
    return found


def _read_pairs(line: str, matches: list, found: dict, residual: bool) -> str:
    residual_parts, pos = [], 0
    for i, m in enumerate(matches):
        nxt = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        key = _LABEL_KEY.get(m[1]) or _LABEL_KEY["".join(m[1].split())]  # 索 引 号 -> 索引号
        raw = line[m.end(): nxt]
        used = store_value(found, key, raw)
        residual_parts.append(line[pos: m.start()])
        pos = m.end() + used
    if not residual:
        return ""
    residual_parts.append(line[pos:])
    return CHROME_TOKEN_RE.sub("", "".join(residual_parts))


def store_value(found: dict, key: str, raw: str) -> int:
    """Store one value under key (first one wins); return how many chars of raw it used."""
    if key in _DATE_KEYS:
        m = DATE_RE.match(raw.lstrip())
        parsed = _norm_date(m) if m else None
        if m is None or not parsed:
            return 0
        lead = len(raw) - len(raw.lstrip())
        found.setdefault(key, parsed[0])
        if key == "publish_date" and parsed[1] and found[key] == parsed[0]:
            found.setdefault("publish_time", parsed[1])
        return lead + m.end()
    if key == "views":
        m = re.match(r"[ \u3000\xa0]*(\d+)\s*次?", raw)
        if not m:
            return 0  # counters filled in by script print no number
        found.setdefault(key, int(m[1]))
        return m.end()
    value = _clean_value(raw)
    if value and key == _IGNORED:
        pass  # read over, not kept
    elif value:
        if key == "publishing_organ":
            # 发布机构 is the issuing organ, and the publisher when the page names nobody else
            found.setdefault("issuing_organ", value)
            key = _ORGAN_PUBLISHER
        found.setdefault(key, value)
    if value:
        lead = len(raw) - len(raw.lstrip(" \t\u3000\xa0"))
        return lead + raw.lstrip(" \t\u3000\xa0").find(value) + len(value)
    return 0


def finish_metadata(meta: dict) -> dict:
    organ = meta.pop(_ORGAN_PUBLISHER, None)
    if organ and "publisher" not in meta:
        meta["publisher"] = organ
    return meta


def merge_metadata(into: dict, new: dict) -> None:
    """First value wins; a printed time only joins the date it was printed with."""
    for k, v in new.items():
        if k == "publish_time" and into.get("publish_date", new.get("publish_date")) != new.get("publish_date"):
            continue
        into.setdefault(k, v)


def _may_have_label(line: str) -> bool:
    """False when LABEL_RE cannot match: every label needs a colon or a cell boundary (\t)."""
    return ":" in line or "：" in line or "\t" in line


# What is_chrome_line strips from a label-free line besides chrome tokens.
_LEFTOVER_CHARS = "\u3000\xa0:：|｜【】[]()（）<>/\\·•-—_,，.。次"
_LEFTOVER_RE = re.compile("[\\s" + re.escape(_LEFTOVER_CHARS) + "]")


def _token_chars(pattern: str) -> str | None:
    """Every character a match of the pattern can consume (a superset: its source's characters
    and whitespace), when its only escape is \\s and it has no class or dot; else None."""
    if re.search(r"\\[^s]|\[|\.", pattern):
        return None
    return "".join(sorted(set(pattern)))


_CHROME_CHARS = _token_chars(_CHROME_TOKENS)
# A character neither a chrome token nor the leftover class removes: a label-free line that has
# one is report text, whatever the rest of it (saves the token substitution on every paragraph).
_NOT_CHROME_CHAR_RE = (
    re.compile("[^\\s" + re.escape(_LEFTOVER_CHARS + _CHROME_CHARS) + "]") if _CHROME_CHARS is not None else None
)


def is_chrome_line(line: str, chrome_start: bool | None = None) -> tuple[bool, dict]:
    """A line is chrome when, without label/value pairs and chrome tokens, nothing is left.
    chrome_start=False: the caller knows CHROME_LINE_RE does not match the line."""
    if chrome_start is not False and len(line) <= 200 and CHROME_LINE_RE.match(line):
        return True, label_fields(line)
    if _NOT_CHROME_CHAR_RE is not None and not _may_have_label(line) and _NOT_CHROME_CHAR_RE.search(line):
        return False, {}  # no label pairs, and something would be left over
    fields, residual = parse_label_line(line)
    leftover = _LEFTOVER_RE.sub("", residual)
    if fields and len(leftover) <= 2:
        return True, fields
    if not fields and not leftover and line.strip():
        return True, {}
    return False, fields


PROSE_CHARS = 100  # chrome above a report never runs this long
_NOT_MEANINGFUL_RE = re.compile(r"[\W_]+")  # \s, \u3000 and \xa0 are all \W


def meaningful_len(text: str) -> int:
    return len(_NOT_MEANINGFUL_RE.sub("", text))


def meaningful_over(text: str, n: int) -> bool:
    """meaningful_len(text) > n, counting only as much of text as it takes (the count costs
    about 30 ns a character, and a report body has thousands)."""
    need, pos, end = n + 1, 0, len(text)
    while need > 0:
        if end - pos < need:
            return False  # not enough characters left, even if all of them counted
        step = need + (need >> 3) + 16  # most report text counts nearly every character
        need -= meaningful_len(text[pos: pos + step])
        pos += step
    return True

