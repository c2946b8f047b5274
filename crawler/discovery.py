"""Finding reports on a portal: pure functions over page text, no Scrapy, no I/O.

The spider calls these; keeping them pure makes each CMS quirk unit-testable and lets a
distributed worker reuse them unchanged.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html

from parsers.sections import title_year
from parsers.vocabulary import ATTACHMENT_EXTENSIONS

log = logging.getLogger(__name__)

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
# the year of a title: parsers.sections.title_year, one rule for link titles and report titles


def is_report_title(title: str | None) -> bool:
    """A year plus 政府信息公开(工作)年度报告 / 政务公开工作年度报告 / 信息公开年报, and none of the
    things report columns also carry (notices about compiling reports, 工作要点, 图解, …)."""
    t = re.sub(r"\s+", "", title or "")
    if not t or not _REPORT.search(t) or title_year(t) is None:
        return False
    return not _NOT_REPORT.search(t)


def is_not_report(text: str | None) -> bool:
    """Names the things report columns also carry (notices, 工作要点, 一图读懂 …)."""
    return bool(_NOT_REPORT.search(re.sub(r"\s+", "", text or "")))


def maybe_report_title(title: str | None) -> bool:
    """Looser test for list-page link texts, which CMSs truncate ("…2021年政府信息公开工作…")."""
    t = re.sub(r"\s+", "", title or "")
    if is_report_title(t):
        return True
    if t.endswith(("...", "…", "..")) and title_year(t) is not None and not _NOT_REPORT.search(t):
        return bool(re.search(r"(信息公开|政务公开)", t))
    return False


# --- links ---------------------------------------------------------------------------

ATTACHMENT_EXT = tuple("." + ext for ext in ATTACHMENT_EXTENSIONS)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


@dataclass
class Link:
    url: str
    text: str
    attachments: tuple[str, ...] = ()    # documents a platform lists beside the link (gkmlpt)


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
    if base:
        base_url = absolute(base_url, base[0]) or base_url
    out: list[Link] = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        text = re.sub(r"\s+", " ", a.text_content() or "").strip()
        attr = (a.get("title") or "").strip()
        if attr and len(attr) > len(text):
            text = attr
        url = absolute(base_url, href)
        if url is None:
            log.info("malformed link skipped on %s: %r", base_url, href[:200])
            continue
        out.append(Link(url, text))
    return out


def absolute(base_url: str, href: str) -> str | None:
    """The absolute http(s) URL of a link, or None when it cannot be requested: urljoin fails
    (`http://[::1/…`), the port is out of range (`:99999`), or the host is missing."""
    try:
        url = urljoin(base_url, href).split("#")[0]
        parts = urlsplit(url)
        parts.port   # raises ValueError for a port out of range or not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


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
    return uniq(cols), uniq(disc)


def report_links(html: str, base_url: str) -> list[Link]:
    """Links on a list page whose text names a report (possibly truncated)."""
    return [link for link in links(html, base_url) if maybe_report_title(link.text)]


def is_attachment_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(ATTACHMENT_EXT) or "download.jsp" in path or "/_content/download" in path


def uniq(seq: list[str]) -> list[str]:
    """The items in order, each once."""
    seen: set[str] = set()
    return [x for x in seq if not (x in seen or seen.add(x))]


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
    target = absolute(url, m[1])
    return target if target and target != url else None


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
