"""The report's frame: the six section headings, title, year and reporting body."""
from __future__ import annotations

import re

from parsers.labels import norm
from parsers.tokens import Token

SECTION_KEYS = ("overview", "active_disclosure", "applications", "review_litigation", "problems", "other_matters")
# A title that names a report, not a column or a section (政务公开): the page's heading against its
# <title>, a title hint against the report's own first lines.
REPORT_TITLE_RE = re.compile(r"报告|年报|情况总结|工作情况")
_NUMS = "一二三四五六"
_NUM_SET = frozenset(_NUMS)
# what each numbered heading says, official wording and the variants of free-format (legacy) reports
_HEAD_WORDS = (
    r"总体情况|概述|总体|基本情况",
    r"主动公开",
    r"收到和处理|依申请|申请公开|受理",
    r"复议|诉讼",
    r"问题|改进",
    r"其他|需要报告|说明|统计表|附",
)
_HEAD_WORDS_RE = tuple(re.compile(w) for w in _HEAD_WORDS)
_HEAD = re.compile(r"^([一二三四五六])\s*[、.．,，:：]\s*(.{0,40})$")
_OFFICIAL_HEAD = re.compile(r"^([一二三四五六])[、.．](?:总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|"
                            r"政府信息公开行政复议、?行政诉讼情况|存在的主要问题及改进情况|其他需要报告的事项)")
_INLINE_HEAD = re.compile(r"(?:^|\s|。)([一二三四五六])\s*[、.．]\s*")


def find_headings(tokens: list[Token]) -> dict[str, int]:
    """Token index of each section heading found, in order (a heading is a short line)."""
    found: dict[str, int] = {}
    nxt = 0
    # candidates first, in one comprehension: a heading starts with 一 … 六 (tokens are stripped)
    for i in [i for i, t in enumerate(tokens) if t.text[:1] in _NUM_SET]:
        t = tokens[i]
        if nxt >= 6:
            break
        if len(t.text) > 45:
            # a heading run into its first paragraph (<p><b>一、总体情况</b>2021年，…): official wording only
            m = _OFFICIAL_HEAD.match(norm(t.text[:80]))  # the official wording is 6 to 21 characters
            if m and m.group(1) == _NUMS[nxt] and nxt < 6:
                found[SECTION_KEYS[nxt]] = i
                nxt += 1
            continue
        m = _HEAD.match(norm(t.text))
        if not m:
            continue
        n = _NUMS.index(m.group(1))
        if n < nxt or not _HEAD_WORDS_RE[n].search(m.group(2)):
            continue
        found[SECTION_KEYS[n]] = i
        nxt = n + 1
    return found


def inline_sections(text: str) -> dict[str, str]:
    """Sections of a report whose text runs on in one block (free-format pages): split at 一、…六、."""
    marks: list[tuple[int, int, int]] = []
    nxt = 0
    for m in _INLINE_HEAD.finditer(text):
        n = _NUMS.index(m.group(1))
        if n < nxt:
            continue
        if not re.match(r"\s*(?:" + _HEAD_WORDS[n] + ")", text[m.end():m.end() + 20]) and not (
            re.match(r"\s*\S{0,16}(?:" + _HEAD_WORDS[n] + ")", text[m.end():m.end() + 28])):
            continue
        marks.append((n, m.start(1), m.end()))
        nxt = n + 1
    out = {k: "" for k in SECTION_KEYS}
    for j, (n, s, e) in enumerate(marks):
        stop = marks[j + 1][1] if j + 1 < len(marks) else len(text)
        out[SECTION_KEYS[n]] = text[s:stop].strip()
    return out


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
_YEAR_START = re.compile(r"^(?:(?:19|20)\d{2}|二[〇零○][〇零○一二三四五六七八九]{2})\s*年")
# 年度报告 with or without 工作, and reports titled …政府信息公开情况总结 / …工作情况
_REPORT_WORDS = re.compile(r"(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)|年度报告|年报"
                           r"|(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:情况总结|工作情况|工作总结)")
# the first line of a title broken over two lines: 2025 年上海市人民政府办公厅政府信息公开 / 工作年度报告
_TITLE_HEAD = re.compile(r"(?:19|20)\d{2}\s*年.{0,40}(?:信息公开|政务公开)\s*$")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)+\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日")


def find_title(tokens: list[Token], limit: int) -> str | None:
    """The report's title: the first short line naming the report, joined to a body name printed
    on the line above it (PDF covers: 洪泽区人民政府 / 2023年政府信息公开工作年度报告)."""
    for i, t in enumerate(tokens[:limit]):
        text = t.text.strip()
        if len(text) > 80 or text.startswith(("根据", "本报告", "按照")):
            continue
        if not _REPORT_WORDS.search(text):
            nxt = tokens[i + 1].text.strip() if i + 1 < len(tokens) else ""
            if _TITLE_HEAD.search(text) and len(nxt) <= 20 and _REPORT_WORDS.search(text + nxt):
                return text + nxt
            continue
        if _YEAR_START.match(text) and i > 0:
            prev = tokens[i - 1].text.strip()
            if 2 <= len(prev) <= 30 and re.search(r"(政府|办公室|局|委员会|镇|乡|街道|办事处|管委会|区|县|市)$", prev):
                return prev + text
        return text
    return None


_CN_DIGITS = str.maketrans("〇零○ＯO一二三四五六七八九", "00000123456789")
_CN_YEAR = re.compile(r"[二][〇零○ＯO][〇零○ＯO一二三四五六七八九]{2}(?=\s*年)")


def arabic_years(text: str) -> str:
    """二〇二一年 -> 2021年 (some titles spell the year in Chinese numerals)."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_HAN_YEAR = re.compile(r"([〇零○ＯO一二三四五六七八九]{4})\s*年")


def title_year(title: str | None) -> int | None:
    """The report year a title names (2021年度… / 二〇二一年…), or None: the one rule for the
    crawler's link titles and the parser's report titles."""
    t = arabic_years(title or "")
    m = _TITLE_YEAR.search(t)
    if m:
        return int(m[1])
    m = _HAN_YEAR.search(t)   # a year before 2000 in Chinese numerals (一九九九年)
    if m:
        digits = m[1].translate(_CN_DIGITS)
        if digits.isdigit() and digits[:2] in ("19", "20"):
            return int(digits)
    return None


def find_year(title: str | None, text: str) -> int | None:
    """The year the report covers: from the title, else the 统计期限, else the first year named."""
    year = title_year(title)
    if year is not None:
        return year
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})\s*年\s*度?(?:政府|政务)?信息公开", text)
    if m:
        return int(m.group(1))
    return None


_ORGAN_END = r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|办公室|管委会|管理委员会|委员会|办事处|局|厅|委|镇|乡|街道|政府|实验区|开发区|新区)"
BARE_ORGAN = re.compile(r"^(?:县|区|市|镇|乡|旗|街道|本|我)?(?:人民政府|政府)?(?:办公室|办公厅)?$")
_SIGNATURE = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}" + _ORGAN_END + "$")
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


def organ_from_title(title: str | None) -> str:
    if not title:
        return ""
    t = re.sub(r"\s+", "", arabic_years(title))
    t = re.sub(r"^[（(][^）)]*[）)]", "", t)
    m = _YEAR_IN_TITLE.search(t)
    if m and m.start() > 0:
        organ = t[:m.start()]
    elif m:
        rest = t[m.end():]
        r = _REPORT_WORDS.search(rest)
        organ = rest[:r.start()] if r else ""
    else:
        r = _REPORT_WORDS.search(t)
        organ = t[:r.start()] if r else ""
    # cover letters: …管理局关于报送2020年度…年度报告的函
    organ = re.sub(r"(?:关于(?:报送|印发|公布|发布|公开|上报|提交)?|的|[:：])$", "", organ)
    return organ.strip(" ,，、")


def find_organ(title: str | None, tokens: list[Token], text: str, hints: list[str]) -> str:
    """The reporting body: from the title; when the title lacks it or only says 县人民政府…,
    from the signature at the end, the page's metadata, or the text."""
    organ = organ_from_title(title)
    if organ and not BARE_ORGAN.match(organ):
        # an abbreviation in the title (财金局): the full name from the signature or the
        # platform block, when it holds the abbreviation's characters in order
        for full in hints:
            if full and _abbreviates(organ, full):
                return full
        if organ[-1] in _AGENCY_ENDS:  # departments are abbreviated (财金局), governments are not
            sig = _signature(tokens)
            if sig and _abbreviates(organ, sig):
                return sig
        return organ
    sig = _signature(tokens)
    if sig and (not organ or sig.endswith(organ) or organ in sig):
        return sig
    for h in hints:
        if h and (not organ or organ in h):
            return h
    if organ:
        # the full name may be printed in the text: 湟源县人民政府办公室 for 县人民政府办公室
        m = re.search(r"([\u4e00-\u9fff]{2,10}?)" + re.escape(organ), text)
        if m:
            return m.group(0)
        return organ
    return sig or ""


_AGENCY_ENDS = frozenset("局委办厅署院站所队处室心")


def _abbreviates(short: str, full: str) -> bool:
    """财金局 abbreviates 平潭综合实验区财政金融局: same last character, not a part of it, and
    its characters in order inside it (with the region prefix they share, if any)."""
    if len(full) <= len(short) or short in full or short[-1] != full[-1]:
        return False
    chars = iter(full)
    return all(ch in chars for ch in short)


def _signature(tokens: list[Token]) -> str | None:
    tail = [t.text.strip() for t in tokens[-8:] if t.text.strip()]
    for i in range(len(tail) - 1, -1, -1):
        line = re.sub(r"\s+", "", tail[i])
        if _SIGNATURE.match(line) and len(line) <= 30:
            nxt = re.sub(r"\s+", "", tail[i + 1]) if i + 1 < len(tail) else ""
            if not nxt or _DATE_LINE.match(nxt):
                return line
    return None


def is_bare_organ(name: str | None) -> bool:
    """县人民政府, 本机关, 区政府办公室 …: a name that does not say which body."""
    return not name or bool(BARE_ORGAN.match(re.sub(r"\s+", "", name)))


def title_organ(title: str | None) -> str:
    """The reporting body a title names, or '' when it names none or only a bare 县人民政府/本机关
    (the crawler then takes the organ of the column the report was listed in)."""
    organ = organ_from_title(title)
    return "" if is_bare_organ(organ) else organ
