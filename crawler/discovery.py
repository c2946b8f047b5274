"""Finding reports on a portal: pure functions over page text, no Scrapy, no I/O.

The spider calls these; keeping them pure makes each CMS quirk unit-testable and lets a
distributed worker reuse them unchanged.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

# --- what a report is ---------------------------------------------------------------

# Link texts naming the report column on a home or disclosure page.
COLUMN_WORDS = ("政府信息公开年报", "信息公开年报", "政府信息公开工作年度报告", "政务公开年报",
                "年度报告", "公开年报")
# Link texts naming the disclosure section, from which the column is usually one more click.
DISCLOSURE_WORDS = ("政府信息公开", "信息公开", "政务公开")

_REPORT = re.compile(r"(政府信息公开|政务公开|信息公开)(工作)?(年度)?(报告|年报)")
# Items published in report columns that are not reports.
_NOT_REPORT = re.compile(
    r"通知|关于做好|报送|编制工作|工作要点|一图读懂|图解|解读|法治政府|报表|征求意见|的函|函$|落实情况|督查|指南|目录")
_YEAR_ARABIC = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_YEAR_HAN = re.compile(r"([二〇○零一二三四五六七八九]{4})\s*年")
_HAN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4",
               "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def title_year(title: str) -> int | None:
    """The report year a title names (2021年度… / 二〇二一年…), or None."""
    m = _YEAR_ARABIC.search(title or "")
    if m:
        return int(m[1])
    m = _YEAR_HAN.search(title or "")
    if m:
        digits = "".join(_HAN_DIGITS.get(c, "") for c in m[1])
        if len(digits) == 4:
            return int(digits)
    return None


def is_report_title(title: str | None) -> bool:
    """A year plus 政府信息公开(工作)年度报告 / 政务公开工作年度报告 / 信息公开年报, and none of the
    things report columns also carry (notices about compiling reports, 工作要点, 图解, …)."""
    t = re.sub(r"\s+", "", title or "")
    if not t or not _REPORT.search(t) or title_year(t) is None:
        return False
    return not _NOT_REPORT.search(t)


def maybe_report_title(title: str | None) -> bool:
    """Looser test for list-page link texts, which CMSs truncate ("…2021年政府信息公开工作…")."""
    t = re.sub(r"\s+", "", title or "")
    if is_report_title(t):
        return True
    if t.endswith(("...", "…", "..")) and title_year(t) is not None and not _NOT_REPORT.search(t):
        return bool(re.search(r"(信息公开|政务公开)", t))
    return False


# --- links ---------------------------------------------------------------------------

ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


@dataclass
class Link:
    url: str
    text: str


def _doc(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def links(html: str, base_url: str) -> list[Link]:
    """Every <a href> as (absolute url, best text): the title attribute wins when the visible
    text is a truncated form of it."""
    doc = _doc(html)
    if doc is None:
        return []
    base = doc.xpath("//base/@href")
    base_url = urljoin(base_url, base[0]) if base else base_url
    out: list[Link] = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        text = re.sub(r"\s+", " ", a.text_content() or "").strip()
        attr = (a.get("title") or "").strip()
        if attr and len(attr) > len(text):
            text = attr
        out.append(Link(urljoin(base_url, href).split("#")[0], text))
    return out


def column_links(html: str, base_url: str) -> tuple[list[str], list[str]]:
    """(report-column links, disclosure-section links) named by their text."""
    cols, disc = [], []
    for link in links(html, base_url):
        t = link.text.replace(" ", "")
        if len(t) > 20 or title_year(t) is not None or re.search(r"\d{4}", t):
            continue  # a column name carries no year; "XX镇2021年政府信息公开工作年度报告" is a report
        if any(w in t for w in COLUMN_WORDS) and "网站" not in t and "报表" not in t:
            cols.append(link.url)
        elif any(t.endswith(w) or t == w for w in DISCLOSURE_WORDS) or t in ("政府信息公开专栏", "信息公开目录"):
            disc.append(link.url)
    return _uniq(cols), _uniq(disc)


def report_links(html: str, base_url: str) -> list[Link]:
    """Links on a list page whose text names a report (possibly truncated)."""
    return [link for link in links(html, base_url) if maybe_report_title(link.text)]


def is_attachment_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(ATTACHMENT_EXT) or "download.jsp" in path or "/_content/download" in path


def _uniq(seq: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in seq if not (x in seen or seen.add(x))]


# --- pagination ----------------------------------------------------------------------

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
_NEXT_WORDS = ("下一页", "下页", "后一页", "next", "Next", ">", "›", "»")
_LAST_WORDS = ("尾页", "末页", "最后一页")


def trs_pages(html: str, url: str) -> list[str]:
    """TRS WCM static pages announced only by a script: index.html, index_1.html, …"""
    m = _CREATE_PAGE.search(html)
    if m:
        count, prefix, ext = int(m[1]), m[3], m[4]
    else:
        m = _COUNT_PAGE.search(html)
        if not m:
            return []
        count = int(m[1])
        path = urlsplit(url).path
        name = path.rsplit("/", 1)[-1]
        stem, _, ext = name.partition(".")
        prefix = re.sub(r"_\d+$", "", stem) or "index"
        ext = ext or "html"
    return [urljoin(url, f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}") for i in range(count)]


def pager_links(html: str, url: str) -> tuple[list[str], list[str]]:
    """(next-page links, every page link: numbers, 尾页, next) from a generic pager.
    VSB's count-down pages (ndbg/3.htm, ndbg/2.htm …) arrive here as ordinary 下页 links."""
    nxt, every = [], []
    for link in links(html, url):
        t = link.text.strip()
        if not t or len(t) > 6 or is_attachment_url(link.url):
            continue
        if any(t == w or t.startswith(w) for w in ("下一页", "下页", "后一页")) or t in _NEXT_WORDS:
            nxt.append(link.url)
            every.append(link.url)
        elif t in _LAST_WORDS or re.fullmatch(r"\[?\d{1,4}\]?", t):
            every.append(link.url)
    return _uniq(nxt), _uniq(every)


# --- 大汉 Hanweb jcms ----------------------------------------------------------------

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_PERPAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)", re.I)
_COLID = re.compile(r"/col/col(\d+)/")
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
PROXY_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
                "webname", "permissiontype")


@dataclass
class Hanweb:
    records_html: str
    embedded: int
    total: int | None
    perpage: int
    form: dict = field(default_factory=dict)


def hanweb_datastore(text: str, url: str) -> Hanweb | None:
    """The embedded <datastore> of a jcms column page (or a dataproxy answer)."""
    m = _DATASTORE.search(text)
    if not m:
        return None
    block = m[1]
    records = _RECORD.findall(block)
    total = _TOTAL.search(text)
    perpage = _PERPAGE.search(text)
    form: dict[str, str] = {}
    ng = _NEXTGROUP.search(block)
    if ng:
        href = re.search(r"href\s*=\s*['\"]([^'\"]+)", ng[1])
        if href:
            form.update({k: v for k, v in parse_qsl(urlsplit(href[1].replace("&amp;", "&")).query) if k in PROXY_FIELDS})
    # jcms pages also carry the proxy parameters in their own script
    for key in PROXY_FIELDS:
        if key not in form:
            m2 = re.search(rf"['\"]?{key}['\"]?\s*[:=]\s*['\"]?([^'\",&\s}}]+)", text)
            if m2:
                form[key] = m2[1]
    col = _COLID.search(url)
    if col:
        form.setdefault("columnid", col[1])
    form.setdefault("col", "1")
    form.setdefault("appid", "1")
    form.setdefault("path", "/")
    form.setdefault("permissiontype", "0")
    return Hanweb("\n".join(records), len(records), int(total[1]) if total else None,
                  int(perpage[1]) if perpage else 15, form)


def hanweb_proxy_requests(hw: Hanweb, url: str) -> list[tuple[str, dict]]:
    """The dataproxy POSTs (url, form) for the records after the embedded ones.
    jcms answers in groups as large as the embedded block (commonly three pages)."""
    if not hw.total or hw.total <= hw.embedded or hw.embedded == 0:
        return []
    group = hw.embedded
    out = []
    start = hw.embedded + 1
    while start <= hw.total:
        end = min(start + group - 1, hw.total)
        q = urlencode({"startrecord": start, "endrecord": end, "perpage": hw.perpage})
        out.append((urljoin(url, f"{PROXY_PATH}?{q}"), dict(hw.form)))
        start = end + 1
    return out


# --- list pages filled by a search API from JavaScript ------------------------------

_API_URL = re.compile(
    r"""['"]((?:https?://[^'"\s/]+)?(?:\.{0,2}/)?[^'"\s]*?"""
    r"""(?:was5/web/search|common/search/|searchapi|api/[^'"\s]*list|\.json)[^'"\s]*)['"]""",
    re.I)


def api_urls(html: str, url: str) -> list[str]:
    """Search-API endpoints a list page's script fetches its items from."""
    doc = _doc(html)
    if doc is None:
        return []
    out = []
    for script in doc.xpath("//script[not(@src)]/text()"):
        for m in _API_URL.finditer(script):
            out.append(urljoin(url, m[1]))
    return _uniq(out)


def api_items(data: bytes | str, url: str) -> tuple[list[Link], int | None]:
    """(items, page count) from a JSON search-API answer of any common shape: every object
    with a title-like and a url-like key is an item."""
    try:
        obj = json.loads(data)
    except (ValueError, TypeError):
        return [], None
    items: list[Link] = []
    pages: list[int] = []

    def walk(o):
        if isinstance(o, dict):
            title = next((o[k] for k in ("title", "Title", "DOCTITLE", "doctitle", "name") if isinstance(o.get(k), str)), None)
            link = next((o[k] for k in ("url", "URL", "link", "DOCPUBURL", "docpuburl", "href", "pubUrl") if isinstance(o.get(k), str)), None)
            if title and link:
                items.append(Link(urljoin(url, link), re.sub(r"<[^>]+>", "", title).strip()))
            for k in ("pageCount", "totalPage", "totalPages", "pages", "pagecount"):
                if isinstance(o.get(k), int):
                    pages.append(o[k])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(obj)
    return items, (max(pages) if pages else None)


def api_page_url(url: str, page: int) -> str:
    """The same API URL asking for another page (page= / pageNo= / _page= parameter)."""
    parts = urlsplit(url)
    q = parse_qsl(parts.query, keep_blank_values=True)
    keys = [k for k, _ in q if k.lower() in ("page", "pageno", "pagenum", "_page", "pageindex", "curpage")]
    key = keys[0] if keys else "page"
    q = [(k, v) for k, v in q if k != key] + [(key, str(page))]
    return urlunsplit(parts._replace(query=urlencode(q)))


# --- challenges and shells -------------------------------------------------------------

_WAF = re.compile(r"(安全狗|云盾|创宇盾|知道创宇|WAF|Web应用防火墙|访问被拦截|请求被拦截|非法请求|"
                  r"安全验证|人机验证|滑动验证|verify you are human|Access Denied|403 Forbidden)", re.I)
_JS_REDIRECT = re.compile(r"""(?:window\.|top\.|self\.|document\.)?location(?:\.href)?\s*(?:=|\.replace\(|\.assign\()\s*['"]([^'"]+)['"]""")


def visible_text(html: str) -> str:
    doc = _doc(html)
    if doc is None:
        return ""
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return re.sub(r"\s+", "", doc.text_content() or "")


def js_redirect(html: str, url: str) -> str | None:
    """Target of a tiny page whose only job is location.replace('…') (common portal shells)."""
    if len(html) > 4000:
        return None
    m = _JS_REDIRECT.search(html)
    if not m or m[1].startswith("javascript"):
        return None
    target = urljoin(url, m[1])
    return target if target != url else None


def challenge_reason(status: int, html: str) -> str | None:
    """Why a response is an anti-bot challenge (412 + script, WAF page, script-only shell), or None."""
    has_script = "<script" in html.lower()
    text = visible_text(html) if html else ""
    if status == 412:
        return "HTTP 412 challenge" + (" with script" if has_script else "")
    if status in (403, 405, 418, 429, 503) and _WAF.search(html[:20000]):
        return f"HTTP {status} WAF page"
    if status == 200 and _WAF.search(html[:20000]) and len(text) < 600:
        return "WAF page"
    if status == 200 and has_script and len(text) < 40 and not js_redirect(html, "http://x/"):
        # a page that is nothing but script: a cookie-setting JavaScript challenge
        if re.search(r"document\.cookie|eval\(|\\x[0-9a-f]{2}|atob\(|setTimeout\(", html):
            return "JavaScript-only challenge"
    return None
