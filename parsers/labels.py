"""Official table labels (parsers/schema.json) and the matching of real, messy label text to keys.

Real reports vary the official wording: full/half-width punctuation, spaces and line breaks
inside labels, numbering 1. / 1、/ （1）, parenthetical notes dropped, typos (本年度止件数,
其他法律行政止公开). Matching normalises both sides, then accepts an exact match, a long
prefix, or a close fuzzy match that no other label of the same table shares.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCHEMA: dict = json.loads((Path(__file__).with_name("schema.json")).read_text(encoding="utf-8"))

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
# leading numbering: 一、 （一） (1) 1. 1、 1． ① ...
_NUMBERING = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[)）]?[、.．,，]?|[(（]?\d{1,2}[)）]|\d{1,2}[、.．,，]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")


@lru_cache(maxsize=8192)  # headings and labels recur in every report
def norm(text: str) -> str:
    """Width-fold, drop whitespace and quotes: the form all label comparisons use."""
    t = unicodedata.normalize("NFKC", text)
    return _SPACE.sub("", t).translate(_QUOTES)


def core(text: str) -> str:
    """The label without numbering and without parenthetical notes."""
    t = norm(text)
    for _ in range(2):  # 三、(一) style double numbering
        t = _NUMBERING.sub("", t)
    t = _PAREN.sub("", t)
    return t.strip("、.:：,，;；")


@dataclass(frozen=True)
class Label:
    key: str
    cores: tuple[str, ...]  # the official label and its aliases, in core form


def _labels(entries: list[dict]) -> tuple[Label, ...]:
    seen: dict[str, list[str]] = {}
    for e in entries:
        names = [e["label"], *e.get("aliases", [])]
        seen.setdefault(e["key"], [])
        for n in names:
            c = core(n)
            if c not in seen[e["key"]]:
                seen[e["key"]].append(c)
    return tuple(Label(k, tuple(v)) for k, v in seen.items())


_T = SCHEMA["tables"]
ACTIVE_ROWS = _labels([r for b in _T["active_disclosure"]["blocks"] for r in b["rows"]])
ACTIVE_COLS = _labels([c for b in _T["active_disclosure"]["blocks"] for c in b["cols"]])
APP_ROWS = _labels(_T["applications"]["rows"])
APP_COLS = tuple(c["key"] for c in _T["applications"]["cols"])
REVIEW_ROWS = tuple(r["key"] for r in _T["review_litigation"]["rows"])
REVIEW_COLS = _labels(_T["review_litigation"]["cols"])
REVIEW_COL_KEYS = tuple(c.key for c in REVIEW_COLS)
SECTIONS = tuple((s["key"], s["label"]) for s in SCHEMA["sections"])

# format markers: keys that exist in only one official format
FORMAT_2021 = {"issued", "repealed", "in_force", "amount_wan_yuan", "other_no_correction", "other_unpaid_fee", "other_other"}
FORMAT_2019 = {"made", "published", "total_published", "previous_count", "change", "projects", "amount",
               "other_services", "procurement"}

# labels that group rows but carry no values of their own
GROUP_CORES = {core(x) for x in ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理",
                                  "申请人情况", "法人或其他组织", "信息内容", "行政诉讼", "未经复议直接起诉", "复议后起诉")}


def _score(text: str, cand: str) -> float:
    if text == cand:
        return 1.0
    if len(cand) >= 4 and len(text) >= 4 and (text.startswith(cand) or cand.startswith(text)):
        return 0.95 if min(len(text), len(cand)) >= 6 else 0.9
    if len(cand) < 5 or len(text) < 4:
        return 0.0  # short labels must match exactly: 不予公开 is not 予以公开
    return difflib.SequenceMatcher(None, text, cand, autojunk=False).ratio()


@lru_cache(maxsize=8192)
def match(text: str, table: str, threshold: float = 0.8) -> str | None:
    """The key of `table`'s label (one of: active_rows, active_cols, app_rows, review_cols)
    that `text` names, or None. Unique best match only."""
    c = core(text)
    if not c or len(c) > 60 or c in GROUP_CORES:
        return None
    labels = _BY_NAME[table]
    best, best_key, tie = 0.0, None, False
    for lab in labels:
        s = max(_score(c, cand) for cand in lab.cores)
        if s > best:
            best, best_key, tie = s, lab.key, False
        elif s == best and s > 0 and lab.key != best_key:
            tie = True
    if best >= threshold and not tie:
        return best_key
    return None


_BY_NAME = {"active_rows": ACTIVE_ROWS, "active_cols": ACTIVE_COLS, "app_rows": APP_ROWS, "review_cols": REVIEW_COLS}


def label_of(table: str, kind: str, key: str) -> str:
    """Official Chinese label for a row or column key (for display)."""
    t = _T[table]
    if table == "active_disclosure":
        items = [x for b in t["blocks"] for x in b[kind]]
    else:
        items = t[kind]
    for x in items:
        if x["key"] == key:
            return x["label"]
    return key
