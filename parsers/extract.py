"""Extraction stage: separate a portal page's report body from its chrome.

Contract (used by parsers.report and the crawler):
    extract_page(html: str, url: str | None = None) -> Extraction
    extract_text_metadata(text: str) -> tuple[dict, str]

How the body is found, cheapest first:
  1. the content containers real CMS templates use (TRS_Editor, UCAP-CONTENT, 大汉 #zoom,
     博达 vsb_content / v_news_content, common article classes);
  2. the lowest element holding the report's section headings (一、 … 六、);
  3. trafilatura, only to *locate* the body: its output is mapped back to the original
     element, because trafilatura rewrites tables and drops rowspan/colspan.
Metadata (publish date, source, views, the 索引号 block …) is read from the page's chrome,
i.e. the page with the report body cut out, plus label lines found above the report's
first section inside the body container; never from the report text itself.

Statuses:
    ok          the report body is there
    attachment  the body only points at PDF/DOC/DOCX/WPS/XLS(X)/ET files (see .attachments)
    image_only  the report is published as images (图片版) (see .images)
    empty       nothing to extract (no body, or a body without text, images or files)
    login_wall  the page asks for a login instead of showing the report
    js_shell    the page is a JavaScript shell whose content is filled in by scripts
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from parsers.shells import unwrap_shell

STATUS_OK = "ok"
STATUS_ATTACHMENT = "attachment"
STATUS_IMAGE_ONLY = "image_only"
STATUS_EMPTY = "empty"
STATUS_LOGIN_WALL = "login_wall"
STATUS_JS_SHELL = "js_shell"


@dataclass
class Extraction:
    status: str = STATUS_OK
    title: str | None = None
    metadata: dict = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    reason: str | None = None
    # the body element itself, so the parser reads it without serialising and parsing it again
    body: object = field(default=None, repr=False, compare=False)
    _html: str | None = field(default=None, repr=False, compare=False)

    @property
    def body_html(self) -> str:
        """The body serialised (tables intact), made on first use: the parser reads `body`."""
        if self._html is None:
            self._html = _tostring(self.body) if self.body is not None else ""
        return self._html


# --------------------------------------------------------------------------- labels

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
_LABEL_RE = re.compile(
    "(" + "|".join(_label_pattern(lab) for lab, _ in _LABELS) + ")" + _SP + r"(?:[:：]|\t)[ \t\u3000\xa0]*"
)
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"
)
_DATE_KEYS = {"publish_date", "written_date"}
_ORGAN_PUBLISHER = "_organ_publisher"  # internal: publisher taken from 发布机构, see _finish

# Chrome wording: the page furniture that must never reach the stored report text.
_CHROME_TOKENS = (
    r"当前位置|您现在的位置|您的位置|字号|字体|【?\s*大\s*中\s*小\s*】?|打印本页|打印|关闭窗口|关闭"
    r"|分享到|扫一扫在手机打开(?:当前页)?|扫一扫|在手机打开|上一篇|下一篇|相关链接|相关文章|收藏本页|收藏"
    r"|返回顶部|微信|微博|QQ空间|全真版|文字版|文件下载|附件下载|默认|-->"
)
_CHROME_TOKEN_RE = re.compile(_CHROME_TOKENS)
# An element whose text starts like this is chrome as a whole (breadcrumbs, neighbours, footer).
_CHROME_LINE_RE = re.compile(
    r"^\s*(?:当前位置|您现在的位置|您的位置|上一篇|下一篇|相关链接|相关文章|(?:主办单位|承办单位|技术支持)\s*[:：]"
    r"|网站标识码|版权所有|Copyright|©)"
)
# Footer markers; 主办单位/技术支持 only with a colon, since reports speak of 技术支持 too.
_FOOTER_RE = re.compile(r"(?:主办单位|承办单位|技术支持)\s*[:：]|网站标识码|ICP\s*备|公网安备|版权所有")
_VALUE_END_RE = re.compile(r"\t|\n|[ \u3000\xa0]{2,}|[|｜【】\[\]]|" + _CHROME_TOKENS)
_SECTION_RE = re.compile(r"^\s*([一二三四五六七八九十])\s*[、.．]")


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
    matches = list(_LABEL_RE.finditer(line)) if _may_have_label(line) else []
    return found, _read_pairs(line, matches, found, residual=True)


def _label_fields(line: str) -> dict:
    """parse_label_line(line)[0], without building the residual."""
    found: dict = {}
    if _may_have_label(line):
        matches = list(_LABEL_RE.finditer(line))
        if matches:
            _read_pairs(line, matches, found, residual=False)
    return found


def _read_pairs(line: str, matches: list, found: dict, residual: bool) -> str:
    residual_parts, pos = [], 0
    for i, m in enumerate(matches):
        nxt = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        key = _LABEL_KEY.get(m[1]) or _LABEL_KEY["".join(m[1].split())]  # 索 引 号 -> 索引号
        raw = line[m.end(): nxt]
        used = _store(found, key, raw)
        residual_parts.append(line[pos: m.start()])
        pos = m.end() + used
    if not residual:
        return ""
    residual_parts.append(line[pos:])
    return _CHROME_TOKEN_RE.sub("", "".join(residual_parts))


def _store(found: dict, key: str, raw: str) -> int:
    """Store one value under key (first one wins); return how many chars of raw it used."""
    if key in _DATE_KEYS:
        m = _DATE_RE.match(raw.lstrip())
        parsed = _norm_date(m) if m else None
        if not parsed:
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


def _finish(meta: dict) -> dict:
    organ = meta.pop(_ORGAN_PUBLISHER, None)
    if organ and "publisher" not in meta:
        meta["publisher"] = organ
    return meta


def _merge(into: dict, new: dict) -> None:
    """First value wins; a printed time only joins the date it was printed with."""
    for k, v in new.items():
        if k == "publish_time" and into.get("publish_date", new.get("publish_date")) != new.get("publish_date"):
            continue
        into.setdefault(k, v)


def _may_have_label(line: str) -> bool:
    """False when _LABEL_RE cannot match: every label needs a colon or a cell boundary (\t)."""
    return ":" in line or "：" in line or "\t" in line


# What _is_chrome_line strips from a label-free line besides chrome tokens.
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


def _is_chrome_line(line: str, chrome_start: bool | None = None) -> tuple[bool, dict]:
    """A line is chrome when, without label/value pairs and chrome tokens, nothing is left.
    chrome_start=False: the caller knows _CHROME_LINE_RE does not match the line."""
    if chrome_start is not False and len(line) <= 200 and _CHROME_LINE_RE.match(line):
        return True, _label_fields(line)
    if _NOT_CHROME_CHAR_RE is not None and not _may_have_label(line) and _NOT_CHROME_CHAR_RE.search(line):
        return False, {}  # no label pairs, and something would be left over
    fields, residual = parse_label_line(line)
    leftover = _LEFTOVER_RE.sub("", residual)
    if fields and len(leftover) <= 2:
        return True, fields
    if not fields and not leftover and line.strip():
        return True, {}
    return False, fields


# --------------------------------------------------------------------------- plain text


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
    _merge(meta, head_meta)
    return _finish(meta), _strip_text_footer(head + rest).strip("\n") + "\n"


def _legacy_header(header: str) -> dict:
    meta: dict = {}
    for line in header.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in _LEGACY_KEYS or not value.strip():
            continue
        _store(meta, _LEGACY_KEYS[key], value.strip())
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
        if any(_meaningful_over(k, _PROSE_CHARS) for k in kept):
            kept.extend(lines[i:])  # past the report's first paragraph: no more chrome here
            break
        chrome, fields = _is_chrome_line(line)
        if not chrome:  # a long line may still open with a chrome run (one-line renderings)
            line, inline_fields = _strip_inline_chrome(line)
            _merge(meta, inline_fields)
            chrome, fields = _is_chrome_line(line)
        _merge(meta, fields)
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
    spans = [(m.start(), m.end()) for m in _CHROME_TOKEN_RE.finditer(line, start.end())]
    for m in _LABEL_RE.finditer(line, start.end()):
        d = _DATE_RE.match(line, m.end())
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
    if _FOOTER_RE.search(s) and len(s) < 200:
        return True
    return _is_chrome_line(s)[0] and not _SECTION_RE.match(s)


# --------------------------------------------------------------------------- HTML

_BLOCK = {
    "p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "header", "footer", "nav", "dl", "dt", "dd", "form", "center", "br",
    "hr", "blockquote", "pre", "aside", "main", "caption",
}
_CELL = {"td", "th"}
_BODY_MARK = "\x00BODY\x00"
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "link", "meta")


# line break between blocks while flattening: a lone surrogate, which text decoded from libxml2's
# UTF-8 never holds (nor NUL, which _BODY_MARK uses), so text's own \r\n can be replaced at once
_LINE = "\ud800"
_LINK_ITEMS = etree.XPath("count(li[.//a])")


def _flatten(el, out: list[str], stop) -> None:
    """Text of el as lines: block elements break lines (_LINE), table cells are tab-separated.
    Text keeps its own \r and \n here; _lines turns them into spaces."""
    if el is stop:
        out.append(_LINE + _BODY_MARK + _LINE)
    elif _is_link_list(el):
        pass  # menus and related-article lists: their dates belong to other pages
    elif isinstance(el.tag, str):
        tag = el.tag.lower()
        block = tag in _BLOCK
        if block:
            out.append(_LINE)
        if tag in _CELL:
            out.append("\t")
        if el.text and tag not in _DROP_TAGS:
            out.append(el.text)
        _flatten_children(el, out, stop)
        if block:
            out.append(_LINE)
    if el.tail:
        out.append(el.tail)


def _flatten_children(el, out: list[str], stop) -> None:
    """_flatten over el's children, inlined: a function call per element cost more than the rest."""
    append = out.append
    for child in el:
        tag = child.tag
        if child is stop:
            append(_LINE + _BODY_MARK + _LINE)
        elif isinstance(tag, str) and not ((tag == "ul" or tag == "ol") and _LINK_ITEMS(child) >= 2):
            tag = tag.lower()
            text = child.text
            if tag in _BLOCK:
                append(_LINE)
                if text and tag not in _DROP_TAGS:
                    append(text)
                if len(child):
                    _flatten_children(child, out, stop)
                append(_LINE)
            else:
                if tag in _CELL:
                    append("\t")
                if text and tag not in _DROP_TAGS:
                    append(text)
                if len(child):
                    _flatten_children(child, out, stop)
        tail = child.tail
        if tail:
            append(tail)


def _is_link_list(el) -> bool:
    return el.tag in ("ul", "ol") and _LINK_ITEMS(el) >= 2


def _lines(root, stop=None) -> tuple[list[str], list[str]]:
    """Non-empty text lines of root before and after the stop element."""
    out: list[str] = []
    _flatten(root, out, stop)
    before, _, after = "".join(out).replace("\r", " ").replace("\n", " ").partition(_BODY_MARK)
    clean = lambda s: [ln.strip() for ln in s.split(_LINE) if ln.strip()]  # noqa: E731
    return clean(before), clean(after)


_STRING = etree.XPath("string()", smart_strings=False)  # what HtmlElement.text_content() runs


def _text(el) -> str:
    # str.split() splits on exactly the characters re's \s matches (Py_UNICODE_ISSPACE);
    # an element without children holds no text but its own (string() costs a context setup)
    return " ".join((el.text or "").split() if len(el) == 0 else _STRING(el).split())


def _classes(el) -> str:
    return f"{el.get('id', '')} {el.get('class', '')}".lower()


def _parse(html: str | bytes):
    if isinstance(html, bytes):  # decoding is the caller's job; be lenient rather than crash
        try:
            html = html.decode("utf-8")
        except UnicodeDecodeError:
            html = html.decode("gb18030", errors="replace")
    # str input: an XML declaration makes lxml refuse it; JSP wrappers leave <% %> text.
    decl = _XML_DECL.match(html)
    if decl:
        html = html[decl.end():]
    if _has_jsp_tag(html):
        html = re.sub(r"<%.*?%>", "", html, flags=re.S)
    if not html or html.isspace():
        return None
    try:
        # plain etree elements: lxml.html's Python-level element class lookup costs more than
        # the parse itself once the page is walked a few times (same parser options otherwise)
        root = etree.fromstring(html, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root  # None for a document without elements, as lxml.html's "Document is empty"


_PARSER = etree.HTMLParser(collect_ids=False)  # no hash of id attributes: nothing looks elements up by id
_XML_DECL = re.compile(r"\s*<\?xml[^>]*\?>")


def _has_jsp_tag(html: str) -> bool:
    """"<%" in html, looked for from the rarer "%" (a search for "<%" stops at every tag and
    takes 10x as long); pages full of %-encoded links get the plain search."""
    i = html.find("%")
    for _ in range(32):
        if i == -1:
            return False
        if i and html[i - 1] == "<":
            return True
        i = html.find("%", i + 1)
    return "<%" in html


# Content containers of the CMS families county and town portals run on.
_CONTENT_IDS_CLASSES = (
    "ucap-content", "trs_editor", "trs_ueditor", "trs_editor_view", "vsb_content", "vsb_content_2",
    "v_news_content", "zoom", "article-content", "article_content", "articlecontent", "news_content",
    "newscontent", "art_con", "artcon", "pages_content", "xl_content", "xlcontent", "detail-content",
    "detail_content", "content_text", "wzcon", "view_content", "con_text", "contenttext", "bt_content",
)


def _name_re(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, names)) + r")(?:\s|$)", re.I)


def _has_name(named: tuple, names: frozenset, name_re: re.Pattern) -> bool:
    """name_re.search(name) for an entry (el, name, tokens) of _named_elements: for an ASCII
    id/class string (nearly all) the same test as a lookup of its lower-cased whitespace-separated
    tokens (re.I adds no case pairs within ASCII)."""
    tokens = named[2]
    if tokens is not None:
        return not names.isdisjoint(tokens)
    return name_re.search(named[1]) is not None


_CONTENT_RE = _name_re(_CONTENT_IDS_CLASSES)
_CONTENT_NAMES = frozenset(n.lower() for n in _CONTENT_IDS_CLASSES)
# Elements with an id or a class, in document order, in C: //@id/.. | //@class/.. with the
# cheaper descendant steps (a predicate on every element, //*[@id or @class], costs 3x as much)
_NAMED = etree.XPath("descendant-or-self::*/@id/.. | descendant-or-self::*/@class/..")


def _named_elements(doc) -> list[tuple]:
    """(element, "id class", its lower-cased tokens or None unless ASCII) for the candidates of
    _by_selectors and _title_candidates."""
    out = []
    for el in _NAMED(doc):
        name = f"{el.get('id', '')} {el.get('class', '')}"
        out.append((el, name, name.lower().split() if name.isascii() else None))
    return out


def _by_selectors(named: list):
    """The content container, and its raw string() (which _find_body reuses)."""
    cands, raws = [], []
    for entry in named:
        el = entry[0]
        if _has_name(entry, _CONTENT_NAMES, _CONTENT_RE):  # its id or one of its classes is in the list
            raw = _STRING(el)
            if (raw and not raw.isspace()) or next(el.iterdescendants("img"), None) is not None:  # text or an image
                cands.append(el)
                raws.append(raw)
    if len(cands) <= 1:
        return (cands[0], raws[0]) if cands else (None, None)
    sizes = [len(" ".join(raw.split())) for raw in raws]  # len(_text(el))
    size = max(sizes)
    best = cands[sizes.index(size)]  # the first of the largest, as max() picks it
    # nested containers (vsb_content > v_news_content): the innermost that keeps the text
    inner = [(el, raw) for el, raw, n in zip(cands, raws, sizes)
             if el is not best and best in el.iterancestors() and n >= 0.9 * size]
    return inner[-1] if inner else (best, raws[sizes.index(size)])


# Rows of the applications table read like section headings (一、本年新收…): not headings.
_TABLE_ROW_HEAD_RE = re.compile(r"本年新收|上年结转|本年度办理结果|结转下年度")


def _by_sections(doc):
    """Lowest element holding the report's section headings 一、 … (at least two different ones).

    Headings are looked for in every piece of own text (an element's text and its children's
    tails), so reports laid out with <br> inside one layout cell are found too."""
    heads, numerals = [], set()
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in _DROP_TAGS:
            continue
        for seg in [el.text or ""] + [c.tail or "" for c in el]:
            m = _SECTION_RE.match(seg)
            if m and not _TABLE_ROW_HEAD_RE.search(seg[:20]):
                heads.append(el)
                numerals.add(m[1])
    if len(numerals) < 2:
        return None
    return _common_ancestor(heads)


def _own_text(el) -> str:
    """Text directly in el (its text and its children's tails): where <br>-laid-out prose lives."""
    parts = [el.text or ""] + [c.tail or "" for c in el]
    return re.sub(r"\s+", " ", "".join(parts))


def _common_ancestor(els: list):
    paths = [list(reversed([e, *e.iterancestors()])) for e in els]
    common = None
    for level in zip(*paths):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    if common is not None and common.tag == "html":
        return common.find("body")  # the report sits directly in <body>; chrome is removed later
    return common


def _by_trafilatura(doc, html: str):
    """trafilatura finds the main text; map it back to the original element (its own HTML
    output loses rowspan/colspan, so it is never used as the body)."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - pinned dependency
        return None
    text = trafilatura.extract(html, include_tables=True, include_comments=False, favor_recall=True)
    if not text:
        return None
    # trafilatura renders table rows as "| a | b |": probe with cell-sized pieces
    lines = [p.strip() for ln in text.splitlines() for p in ln.split("|") if len(p.strip()) >= 8]
    # trafilatura keeps some chrome (tool bars, footers) at the ends: not probes
    lines = [ln for ln in lines if not _FOOTER_RE.search(ln) and not _is_chrome_line(ln)[0]]
    if not lines:
        return None
    probes = [lines[0][:20], lines[-1][:20]]
    hits = []
    for probe in probes:
        for el in doc.iter():
            if isinstance(el.tag, str) and el.tag not in _DROP_TAGS and probe in _own_text(el):
                hits.append(el)
                break
    if len(hits) < 2:
        return hits[0].getparent() if hits else None
    return _common_ancestor(hits)


# --------------------------------------------------------------------------- body cleaning


def _clean_body(body, meta: dict, data_tables: set | None = None, before_drop=None) -> dict:
    """Drop chrome inside the body container. Label lines above the first section feed meta;
    chrome lines inside the report (an info bar under the text) are returned separately,
    to be used only after the chrome outside the body. The data tables found (left untouched)
    are added to data_tables; before_drop() runs before anything is dropped."""
    state = {"in_report": bool(_SECTION_RE.match(body.text or "")), "late": {},
             "tables": set() if data_tables is None else data_tables, "before_drop": before_drop or _nothing}
    _clean_el(body, meta, state)
    return state["late"]


def _nothing() -> None:
    pass


def _clean_el(el, meta: dict, state: dict) -> None:
    for child in list(el):
        if not isinstance(child.tag, str):
            if isinstance(child, etree._Comment):
                state["before_drop"]()
                _drop(child)
            continue
        tag = child.tag.lower()
        if tag in _DROP_TAGS:
            state["before_drop"]()
            _drop(child)
            continue
        if tag == "table" and not state["in_report"] and _META_BLOCK_RE.search(_text(child)[:400]):
            for line in _lines(child)[0]:  # the 索引号 block inside the container: metadata, not report
                _merge(meta, _label_fields(line))
            state["before_drop"]()
            _drop(child)
            continue
        if tag == "table" and _is_data_table(child):
            state["in_report"] = True  # the statistical tables: kept untouched, cell by cell
            state["tables"].add(child)
            continue
        text = _text(child)
        if not state["in_report"] and _SECTION_RE.match(text):
            state["in_report"] = True
        # cells and tables are never dropped whole (that would shift a table's grid);
        # layout tables lose their chrome rows and the chrome inside their cells
        if tag in _CELL or tag in ("table", "tbody", "thead", "tfoot") or not _is_chrome_element(child, text, meta, state):
            _clean_el(child, meta, state)
            if not state["in_report"] and _meaningful_over(text, _PROSE_CHARS):
                state["in_report"] = True  # reports without numbered sections: past the first paragraph
        else:
            state["before_drop"]()
            _drop(child)
        if not state["in_report"] and _SECTION_RE.match(child.tail or ""):
            state["in_report"] = True  # <br>-laid-out report: headings are tails


def _is_data_table(table) -> bool:
    """A table of figures: no nested tables, several rows, not the 索引号 metadata block."""
    if next(table.iterdescendants("table"), None) is not None or len(list(islice(table.iterdescendants("tr"), 4))) < 4:
        return False
    return not _META_BLOCK_RE.search(_text(table)[:400])


_META_BLOCK_RE = re.compile(r"索[ \u3000]*引[ \u3000]*号|主题分类|成文日期|发文机关")
_PROSE_CHARS = 100  # chrome above a report never runs this long


def _is_chrome_element(el, text: str, meta: dict, state: dict) -> bool:
    if not text:
        return next(el.iterdescendants("img"), None) is None and el.tag not in ("br", "hr") and _is_widget(el)
    if len(text) > 200:
        return False
    if _CHROME_LINE_RE.match(text) or (len(text) < 120 and _FOOTER_RE.search(text)):
        return True
    chrome, fields = _is_chrome_line(text, chrome_start=False)
    if not chrome:
        return False
    if fields and state["in_report"]:
        # one label line inside the report is report text (发布日期：… under a signature);
        # an info bar (several labels, or a counter) is chrome
        if len(fields) < 2 and "views" not in fields:
            return False
        _merge(state["late"], fields)
        return True
    _merge(meta, fields)
    return True


def _is_widget(el) -> bool:
    """Empty share/QR/print widgets."""
    return bool(re.search(r"share|bdshare|qrcode|ewm|print|font|zihao", _classes(el)))


def _drop(el) -> None:
    """Remove el (an element with its subtree, or a comment), keeping its tail text."""
    if el.getparent() is not None:
        _drop_tree(el)


def _drop_tree(el) -> None:
    """lxml.html's HtmlElement.drop_tree for plain elements: the tail joins the previous node."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            _set_text(parent, "text", (parent.text or "") + el.tail)
        else:
            _set_text(previous, "tail", (previous.tail or "") + el.tail)
    parent.remove(el)


# What lxml will not set from Python although libxml2's HTML parser keeps it in text and
# attributes (pages pasted from Word carry such control characters).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _set_text(el, which: str, value: str) -> None:
    """el.text or el.tail = value, without the characters lxml refuses."""
    try:
        setattr(el, which, value)
    except ValueError:
        setattr(el, which, _XML_UNSAFE.sub("", value))


def _set_attr(el, name: str, value: str) -> None:
    try:
        el.set(name, value)
    except ValueError:
        el.set(name, _XML_UNSAFE.sub("", value))


# --------------------------------------------------------------------------- links & media

_FILE_EXT = r"\.(?:pdf|docx?|wps|xlsx?|et)"
_FILE_HREF_RE = re.compile(_FILE_EXT + r"(?:$|[?#&])", re.I)
_FILE_TEXT_RE = re.compile(_FILE_EXT + r"\b", re.I)
_ICON_RE = re.compile(r"icon|logo|qrcode|ewm|share|print|spacer|blank|arrow|bg\.|dot\.|line\.|button|btn", re.I)


def _abs(url: str | None, href: str) -> str:
    return urljoin(url, href) if url else href


class _One:
    """Lets lxml.html's iterlinks (plain Python over self.iter()) read one plain element."""
    __slots__ = ("el",)

    def __init__(self, el) -> None:
        self.el = el

    def iter(self, *_):
        return (self.el,)


# elements iterlinks can report: a superset, found in C; iterlinks itself decides
_LINKED = etree.XPath(
    "descendant-or-self::*[@*[" + " or ".join(f"name()='{a}'" for a in sorted(lxml.html.defs.link_attrs | {"style"}))
    + "] or self::object or self::meta or self::param or self::style]"
)
_BASE_HREF = etree.XPath("//base[@href]|//x:base[@href]", namespaces={"x": lxml.html.XHTML_NAMESPACE})


def _make_links_absolute(root, base_url: str) -> None:
    """HtmlElement.make_links_absolute(base_url, resolve_base_href=False) for plain elements,
    same results: lxml.html's rewrite_links still applies (and drops) the page's <base href>
    first, and only the elements that carry a link are visited."""
    _rewrite_links(root, lambda href: urljoin(base_url, href))


def _rewrite_links(root, link_repl) -> None:
    base_href = None
    for b in _BASE_HREF(root):  # HtmlMixin.resolve_base_href, run by every rewrite_links
        base_href = b.get("href")
        _drop_tree(b)
    if base_href:
        _rewrite_links(root, lambda href: urljoin(base_href, href))
    for one in _LINKED(root):
        for el, attrib, link, pos in lxml.html.HtmlMixin.iterlinks(_One(one)):
            new_link = link_repl(link.strip())
            if new_link == link:
                continue
            if attrib is None:
                _set_text(el, "text", el.text[:pos] + new_link + el.text[pos + len(link):])
            else:
                cur = el.get(attrib)
                if not pos and len(cur) == len(link):
                    new = new_link
                else:
                    new = cur[:pos] + new_link + cur[pos + len(link):]
                _set_attr(el, attrib, new)


def _attachment_links(scopes: list, url: str | None) -> list[str]:
    out: list[str] = []
    for scope in scopes:
        for a in scope.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            if _FILE_HREF_RE.search(href) or ("download" in href.lower() and _FILE_TEXT_RE.search(_text(a))):
                full = _abs(url, href)
                if full not in out:
                    out.append(full)
    return out


def _attachment_scopes(body) -> list:
    """The body, plus sibling blocks after it that list 附件 (VSB and TRS put them there)."""
    scopes = [body]
    for anchor in (body, body.getparent()):
        if anchor is None:
            continue
        for sib in anchor.itersiblings():
            if isinstance(sib.tag, str):
                raw = _STRING(sib)
                if "附件" in raw:  # else not in _text(sib) either: normalising only touches whitespace
                    text = " ".join(raw.split())
                    if "附件" in text[:40] and len(text) < 500:
                        scopes.append(sib)
    return scopes


def _content_images(body, url: str | None) -> list[str]:
    out: list[str] = []
    for img in body.iter("img"):
        src = (img.get("src") or img.get("data-src") or img.get("original") or "").strip()
        if not src or src.startswith("data:") or _ICON_RE.search(src):
            continue
        if any(_small(img.get(dim)) for dim in ("width", "height")):
            continue
        full = _abs(url, src)
        if full not in out:
            out.append(full)
    return out


def _small(value: str | None) -> bool:
    m = re.match(r"\s*(\d+)", value or "")
    return bool(m) and int(m[1]) < 60


# --------------------------------------------------------------------------- page status

_LOGIN_RE = re.compile(r"请先?登录|登录后(?:查看|浏览|访问)|用户登录|统一身份认证|请输入(?:用户名|密码)")
_JS_RE = re.compile(r"JavaScript|javascript|启用脚本|开启脚本|浏览器不支持")
_ATTACH_HINT_RE = re.compile(r"详见附件|见附件|附件[:：]|点击下载|下载附件|全文下载")
_IMAGE_HINT_RE = re.compile(r"图片版|图解|一图读懂")
_MIN_REPORT_CHARS = 200


_NOT_MEANINGFUL_RE = re.compile(r"[\W_]+")  # \s, \u3000 and \xa0 are all \W


def _meaningful_len(text: str) -> int:
    return len(_NOT_MEANINGFUL_RE.sub("", text))


def _meaningful_over(text: str, n: int) -> bool:
    """_meaningful_len(text) > n, counting only as much of text as it takes (the count costs
    about 30 ns a character, and a report body has thousands)."""
    need, pos, end = n + 1, 0, len(text)
    while need > 0:
        if end - pos < need:
            return False  # not enough characters left, even if all of them counted
        step = need + (need >> 3) + 16  # most report text counts nearly every character
        need -= _meaningful_len(text[pos: pos + step])
        pos += step
    return True


def _page_status(doc, scripts: int, page_text) -> tuple[str, str]:
    """Why a page without a report body is empty."""
    page_text = str(page_text)
    if doc.xpath("//input[@type='password']") or (_LOGIN_RE.search(page_text) and not _meaningful_over(page_text, 299)):
        return STATUS_LOGIN_WALL, "the page asks for a login instead of showing the report"
    noscript = " ".join(_text(n) for n in doc.iter("noscript"))
    if scripts and (_JS_RE.search(noscript) or not _meaningful_over(page_text, 39)):
        return STATUS_JS_SHELL, "the page is a JavaScript shell: its content is loaded by scripts"
    return STATUS_EMPTY, "no report body on the page"


# --------------------------------------------------------------------------- title

_TITLE_NAMES = (
    "title", "bt", "tit", "article-title", "art_title", "xl_title", "news_title", "titlestyle",
    "detail-title", "content_title", "content-title", "con_title", "wz_title", "biaoti",
)
_TITLE_RE = _name_re(_TITLE_NAMES)
_TITLE_NAME_SET = frozenset(n.lower() for n in _TITLE_NAMES)
_BANNER_RE = re.compile(r"logo|header|banner|top")


def _title_candidates(headings: list, named: list) -> list:
    """h1/h2 headings (all of the page's, in document order) and elements named like a title,
    in document order."""
    titled = [e[0] for e in named if e[0].tag in ("h1", "h2") or _has_name(e, _TITLE_NAME_SET, _TITLE_RE)]
    bare = [h for h in headings if h.get("id") is None and h.get("class") is None]  # the rest are in named
    if not (titled and bare):
        return titled or bare
    return sorted(titled + bare, key=_document_order)


def _document_order(el) -> list[int]:
    """A sort key for document order: el's index among its siblings at every level."""
    key = []
    parent = el.getparent()
    while parent is not None:
        key.append(parent.index(el))
        el, parent = parent, parent.getparent()
    key.reverse()
    return key


def _title(doc, body, named: list, tags: "_Tags") -> str | None:
    """The heading the page shows for the report; else its meta ArticleTitle or <title>."""
    head_title = next(doc.iterdescendants("title"), None)  # doc.findtext(".//title"), in C
    raw = " ".join((head_title.text or "").split()) if head_title is not None else ""
    parts = [p.strip() for p in re.split(r"\s*(?:[-_|｜—–]+)\s*", raw) if p.strip()]
    site = _meta_content(tags.metas, "SiteName") or (parts[-1] if len(parts) > 1 else None)
    for el in _title_candidates(tags.headings, named):
        ancestors = list(el.iterancestors())
        if body is not None and (el is body or any(a is body for a in ancestors)):
            continue
        if _BANNER_RE.search(_classes(el)) or any(_BANNER_RE.search(_classes(a)) for a in ancestors):
            continue
        t = _text(el)
        if 4 <= len(t) <= 120 and t != site and not _CHROME_TOKEN_RE.match(t) and not _LABEL_RE.search(t):
            if _REPORT_TITLE_RE.search(t):
                return t
            heading = t
            break
    else:
        heading = None
    art = _meta_content(tags.metas, "ArticleTitle")
    parts = [p for p in parts if p != site]
    head_title = max(parts, key=len) if parts else (raw or None)
    if heading and not _REPORT_TITLE_RE.search(heading):
        # a heading that is not the report's (the column's name, 政务公开): the page's
        # ArticleTitle or <title> when that one names the report
        for other in (art, head_title):
            if other and _REPORT_TITLE_RE.search(other):
                return other
    return heading or art or head_title


_REPORT_TITLE_RE = re.compile(r"报告|年报|情况总结|工作情况")


def _meta_content(metas: list, name: str) -> str | None:
    for m in metas:
        if (m.get("name") or "").lower() == name.lower() and (m.get("content") or "").strip():
            return m.get("content").strip()
    return None


# --------------------------------------------------------------------------- entry point


def extract_page(html: str | bytes, url: str | None = None) -> Extraction:
    """Split a saved report page into report body, metadata, attachments and a status."""
    shell = unwrap_shell(html)   # a platform shell carrying the report as script data (gkmlpt)
    if shell is not None:
        html = shell
    doc = _parse(html)
    if doc is None:
        return Extraction(status=STATUS_EMPTY, reason="the page is empty")
    tags = _Tags(doc)
    scripts = 0  # scripts that load or hold code: a page filled in by them may be a JS shell
    for bad in tags.drop:
        if bad.tag == "script" and (bad.get("src") is not None or _SCRIPT_HAS_CODE(bad)):
            scripts += 1
        _drop(bad)
    page_text = _PageText(doc)  # the text before cleaning, for _page_status

    named = _named_elements(doc)
    body, body_raw = _find_body(doc, html, named, page_text)
    meta: dict = {}
    title = _title(doc, body, named, tags.after_drop(doc))
    late: dict = {}
    data_tables: set = set()  # tables _clean_body judged data tables and left as they were
    if body is not None:
        late = _clean_body(body, meta, data_tables, page_text.freeze)
    _merge(meta, _chrome_metadata(doc, body))
    _merge(meta, late)
    _finish(meta)

    if body is None:
        status, reason = _page_status(doc, scripts, page_text)
        return Extraction(status=status, title=title, metadata=meta, reason=reason)
    if page_text.raw is not None:
        body_raw = None  # _clean_body dropped something (it froze the page text first): read it again
    return _classify(body, doc, title, meta, url, scripts, page_text, data_tables, body_raw)


class _Tags:
    """The elements extract_page looks up by tag, from one walk over the page in C: what is
    dropped first (comments, script, style, template; the XPath //comment() would add the
    comments outside <html>, which have no parent and which _drop leaves alone anyway), and the
    h1/h2 headings and <meta> elements for the title."""
    __slots__ = ("drop", "headings", "metas")

    def __init__(self, doc) -> None:
        self.drop, self.headings, self.metas = [], [], []
        for el in doc.iter(etree.Comment, "script", "style", "template", "h1", "h2", "meta"):
            tag = el.tag
            if tag == "meta":
                self.metas.append(el)
            elif tag == "h1" or tag == "h2":
                self.headings.append(el)
            else:
                self.drop.append(el)

    def after_drop(self, doc) -> "_Tags":
        """Without headings and metas that were inside a dropped <template> (the only dropped
        element that holds elements)."""
        if any(el.tag == "template" for el in self.drop):
            self.headings = [h for h in self.headings if _in_tree(h, doc)]
            self.metas = [m for m in self.metas if _in_tree(m, doc)]
        return self


def _in_tree(el, root) -> bool:
    return any(a is root for a in el.iterancestors())


_SCRIPT_HAS_CODE = etree.XPath("boolean(@src or normalize-space(text()))")


class _PageText:
    """_text(doc) of the page as it is now, read only if a status needs it. The page's text
    changes only where _clean_el drops an element: it calls freeze() first. (The other change
    to the tree, _make_links_absolute, changes no text: it rewrites attributes and <style> text,
    but every <style> is gone by then, and the tail of a dropped <base> stays where it was.)"""
    __slots__ = ("doc", "raw", "_text")

    def __init__(self, doc) -> None:
        self.doc, self.raw, self._text = doc, None, None

    def freeze(self) -> None:
        if self.raw is None:
            self.raw = _STRING(self.doc)

    def __str__(self) -> str:
        if self._text is None:
            self.freeze()
            self._text = " ".join(self.raw.split())
        return self._text


def _find_body(doc, html: str, named: list, page_text: _PageText) -> tuple:
    """The body element, and its raw string() when that was read on the way (else None)."""
    body, raw = _by_selectors(named)
    if body is None:
        body = _by_sections(doc)
    if body is None and _meaningful_over(str(page_text), _MIN_REPORT_CHARS):
        body = _by_trafilatura(doc, html)
    if body is not None and _is_footer_block(body, raw):
        return None, None  # what looked like the main block is the site footer (list pages, frames)
    return body, raw


def _is_footer_block(el, raw: str | None = None) -> bool:
    if raw is None:
        raw = _STRING(el)
    # cheapest test first (whitespace never counts, so the raw text will do): the footer regex
    # over a whole report body costs ~0.05 ms
    if _meaningful_over(raw, 299):
        return False
    text = " ".join(raw.split())
    return bool(_FOOTER_RE.search(text)) and not _SECTION_RE.search(text)


def _chrome_metadata(doc, body) -> dict:
    """Label pairs of the page outside the body, those above the body first."""
    before, after = _lines(doc, body)
    meta: dict = {}
    for line in before + after:
        _merge(meta, _label_fields(line))  # most chrome lines carry no label: cheap
    return meta


_META_CONTENT_TYPE = '<meta http-equiv="Content-Type"'
_META_CONTENT_TYPE_RE = re.compile(re.escape(_META_CONTENT_TYPE) + "[^>]*>")


def _tostring(el) -> str:
    """lxml.html.tostring(el, encoding="unicode", with_tail=False): libxml2's HTML serialisation
    without the Content-Type <meta> it writes (its regex only runs when there is one)."""
    html = etree.tostring(el, method="html", encoding="unicode", with_tail=False)
    return _META_CONTENT_TYPE_RE.sub("", html) if _META_CONTENT_TYPE in html else html


def _classify(body, doc, title, meta, url, scripts, page_text, data_tables: set = frozenset(),
              raw: str | None = None) -> Extraction:
    """raw: the body's string(), if known (links made absolute change no text)."""
    if url:
        _make_links_absolute(body, url)
    attachments = _attachment_links(_attachment_scopes(body), url)
    if raw is None:
        raw = _STRING(body)  # whitespace never counts as meaningful: no need to normalise it yet
    result = Extraction(title=title, metadata=meta, attachments=attachments, body=body)
    if _meaningful_over(raw, _MIN_REPORT_CHARS - 1) or any(
        t in data_tables or _is_data_table(t) for t in body.iter("table")  # figures, not a link box
    ):
        return result
    text = " ".join(raw.split())  # _text(body)
    images = _content_images(body, url)
    if attachments:
        result.status, result.reason = STATUS_ATTACHMENT, "the report is published as attached files"
    elif images:
        result.status, result.images = STATUS_IMAGE_ONLY, images
        result.reason = "the report is published as images (图片版)"
    elif not _meaningful_over(text, 0):
        result.status, result.reason = _page_status(doc, scripts, page_text)
    elif _LOGIN_RE.search(text):
        result.status, result.reason = STATUS_LOGIN_WALL, "the page asks for a login instead of showing the report"
    else:
        result.status, result.reason = STATUS_EMPTY, f"the body has only {_meaningful_len(text)} characters of text"
    return result
