"""Cell values: numbers as the report prints them, with units, blanks and dashes."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# a number, optionally signed, with thousands separators and a unit the tables use
_NUM = re.compile(r"^([+-]?)\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(?:件|条|个|项|次|家|人次|人|份|元|万元|亿元|%|％)?$")
# what reports print for "none" in a cell
_NULLS = {"", "-", "—", "——", "－", "–", "/", "／", "无", "空", "/ ", "\\", "×", "Ｘ", "x", "X"}


@lru_cache(maxsize=16384)
def parse_value(text: str) -> tuple[bool, int | float | None]:
    """(is a cell value, the number or None). Label text is not a value."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t in _NULLS:
        return True, None
    m = _NUM.match(t)
    if not m:
        return False, None
    sign, whole, frac = m.group(1), m.group(2).replace(",", ""), m.group(3)
    value: int | float = float(whole + frac) if frac else int(whole)
    return True, -value if sign == "-" else value


# a printed run of a glued row: its unit, and digits with decimals and signs inside (glue.py)
UNIT = re.compile(r"(万元|亿元|元|件|条|个|项|%|％)$")
DIGIT_RUN = re.compile(r"^[+-]?\d[\d.]*(?:[+-]\d[\d.]*)*$")


def digits(raw: str) -> int:
    """How many digits a printed run holds (an upper bound on the cells it can stand for)."""
    return sum(ch.isdigit() for ch in raw)


def splittable(raws: list[str], n: int) -> bool:
    """Whether the runs may be `n` glued cells: fewer runs than cells, enough digits, and only
    plain digit runs among them (a run with a thousands comma or a dash is one cell)."""
    if len(raws) >= n:
        return False
    total = 0
    for r in raws:
        r = UNIT.sub("", r.strip())
        if not r or (not DIGIT_RUN.match(r) and not parse_value(r)[0]):
            return False
        total += digits(r) if DIGIT_RUN.match(r) else 1
    return total >= n
