"""The legal publication deadline of a report.

Reports for 2019 on (the revised 条例 in force from 2019-05-15), 第四十九条:
- 县级以上人民政府部门: by 1月31日 of the following year;
- 县级以上地方人民政府 (its own report, published by its 主管部门): by 3月31日.
It sets no deadline for 乡镇人民政府/街道办事处 or for bodies below county level, so those
get none rather than a guessed one.
Reports up to 2018 (the 2008 条例, 第三十一条): every 行政机关 by 3月31日.
"""
from __future__ import annotations

import datetime as dt


def deadline(year: int | None, body_kind: str | None, region_code: str | None) -> str | None:
    if not year or not region_code:
        return None
    if year <= 2018:
        return f"{year + 1:04d}-03-31"
    county_or_above = len(region_code) <= 6
    if body_kind == "government" and county_or_above:
        return f"{year + 1:04d}-03-31"
    if body_kind == "department" and county_or_above:
        return f"{year + 1:04d}-01-31"
    return None


def days_late(publish_date: str | None, due: str | None) -> int | None:
    """Days after the deadline (0 when on time); None when either date is unknown."""
    if not publish_date or not due:
        return None
    try:
        pub = dt.date.fromisoformat(publish_date[:10])
    except ValueError:
        return None
    return max(0, (pub - dt.date.fromisoformat(due)).days)
