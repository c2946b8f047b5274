"""The organ-tree strategy: how a county platform's catalogue pages lead to every department's
and town's own 年报 column (home → 政务公开 → 部门信息公开 / 乡镇（街道） → an organ's catalogue →
its 政府信息公开年报 column), and the sub-columns (2023年度, 部门年报 …) a 年报 column may hold.

Pure functions over a page's links: which to follow, as what, and the organ a link names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler import discovery as d
from parsers import is_bare_organ

# what is never followed: news, interaction, services, search, site furniture
_NEVER = re.compile(r"新闻|要闻|动态|资讯|互动|交流|留言|信箱|咨询|投诉|访谈|征集|调查|问卷|政务服务|办事|"
                    r"服务大厅|网上服务|便民|搜索|检索|search|登录|注册|English|无障碍|长者|关怀|网站地图|"
                    r"联系我们|专题|图片|视频|直播|招聘|招标|采购|领导|首页|返回|上一页|下一页|尾页", re.I)
# an organ's name ends like this (…局, …委员会, …办公室, …镇, …乡, …街道, 办事处, …中心 …)
_ORGAN_END = re.compile(r"(?:人民政府|政府|局|委员会|管委会|委|办公室|办公厅|办|镇|乡|街道|办事处|中心|"
                        r"法院|检察院|署|所|站|队|馆|联合会|工会|妇联|残联|科协|团委)$")
# the strongest organ endings beat a _NEVER word (县政务服务管理局 is an organ)
_STRONG_END = re.compile(r"(?:局|委员会|办公室|镇|乡|街道|办事处|人民政府)$")
# words a column or document name has and an organ's name has not
_NOT_ORGAN = re.compile(r"公开|年报|报告|制度|指南|目录|规定|文件|政策|规划|计划|总结|通知|公告|意见|"
                        r"办法|职能|概况|简介|动态|\d")
_ORGAN_SUFFIX = re.compile(r"(?:政府信息公开|信息公开|政务公开)(?:目录|专栏|平台|网)?$")
# lists of organs, and the disclosure sections above them
_SECTION = re.compile(r"^(?:[县区市旗]直)?(?:部门|单位|机构|乡镇|镇街|镇|乡|街道|乡镇街道|镇（街道）|乡镇（街道）)"
                      r"(?:信息公开|政务公开|政府信息公开|公开)?(?:目录|专栏|平台)?$|^[县区市旗]直(?:部门|单位|机构)")
_DISCLOSURE = re.compile(r"^(?:政府信息公开|信息公开|政务公开|政府信息公开专栏|信息公开专栏|政府信息公开目录|"
                         r"信息公开目录|公开目录|政府信息公开平台|法定主动公开内容|主动公开)$")
_COLUMN = re.compile(r"年报|年度报告")
_YEAR_SUB = re.compile(r"^(?:19|20)\d{2}\s*年(?:度)?(?:报告|年报)?$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def organ_name(text: str) -> str | None:
    """The organ a link text names (县教育局, 黎集镇, 县教育局信息公开 → 县教育局), or None; never a
    bare 县人民政府 (which says no more than the site itself)."""
    t = _ORGAN_SUFFIX.sub("", _clean(text))
    if not (2 <= len(t) <= 25) or not _ORGAN_END.search(t) or _NOT_ORGAN.search(t) or is_bare_organ(t):
        return None
    if _NEVER.search(t) and not _STRONG_END.search(t):
        return None
    return t


def organ_from_title(title: str) -> str | None:
    """The organ a catalogue page's <title> names (县教育局-信息公开 → 县教育局)."""
    for part in re.split(r"[-_|｜—–·:：>＞\s]+", title or ""):
        name = organ_name(part)
        if name:
            return name
    return None


def is_column_name(text: str | None) -> bool:
    """A 年报 column's name: 政府信息公开年报, 年度报告, 部门年报 …, with no year and no notice words."""
    t = _clean(text or "")
    return (bool(t) and len(t) <= 20 and bool(_COLUMN.search(t)) and not re.search(r"\d{4}", t)
            and d.title_year(t) is None and not d.is_not_report(t) and "网站" not in t and "报表" not in t)


def is_year_subcolumn(text: str | None) -> bool:
    """A per-year sub-column of a 年报 column: 2023年度, 2023年, 2022年度报告."""
    return bool(_YEAR_SUB.match(_clean(text or "")))


def is_platform(url: str) -> bool:
    """A disclosure platform shell the families read (Guangdong's gkmlpt)."""
    path = url.split("?")[0].rstrip("/")
    return path.endswith("/gkmlpt/index") or path.endswith("/gkmlpt")


@dataclass
class Found:
    """A catalogue page's links, by what they lead to."""
    columns: list[d.Link] = field(default_factory=list)
    platforms: list[tuple[d.Link, str | None]] = field(default_factory=list)   # (link, organ)
    organs: list[tuple[d.Link, str]] = field(default_factory=list)             # (link, organ)
    sections: list[d.Link] = field(default_factory=list)


def classify(links: list[d.Link]) -> Found:
    """Sort a catalogue page's links into 年报 columns, platform shells, organs' pages and
    sections (organ lists, disclosure sections); everything else is not followed."""
    found = Found()
    for link in links:
        t = _clean(link.text)
        if d.is_attachment_url(link.url):
            continue
        if is_platform(link.url):
            found.platforms.append((link, organ_name(t)))
        elif is_column_name(t):
            found.columns.append(link)
        elif (organ := organ_name(t)) is not None:
            found.organs.append((link, organ))
        elif _NEVER.search(t):
            continue
        elif _SECTION.match(t) or _DISCLOSURE.match(t):
            found.sections.append(link)
    return found


def subcolumns(links: list[d.Link]) -> list[d.Link]:
    """Sub-columns a 年报 column page links to: per year (2023年度) or per kind (部门年报)."""
    return [l for l in links if not d.is_attachment_url(l.url)
            and (is_year_subcolumn(l.text) or is_column_name(l.text)) and not d.maybe_report_title(l.text)]
