"""Core figures a free-format (pre-2019) report states in its text."""
from __future__ import annotations

import re

_N = r"\s*(\d[\d,]*)\s*"
_PATTERNS = {
    # 主动公开政府信息 2543条 / 主动公开各类信息共计29条
    "active_disclosed": re.compile(r"主动公开[^。；，,\d]{0,16}?" + _N + r"(?:条|件|项)"),
    # 收到…申请 21件 / 受理…申请…1条
    "applications_received": re.compile(r"(?:收到|受理)[^。；\d]{0,30}?(?:信息公开|公开信息)[^。；\d]{0,12}?申请[^。；\d]{0,8}?" + _N + r"(?:件|条|次|份)"),
    "reviews": re.compile(r"行政复议[^。；\d]{0,10}?" + _N + r"(?:件|起|宗)"),
    "lawsuits": re.compile(r"行政诉讼[^。；\d]{0,10}?" + _N + r"(?:件|起|宗)"),
}


def legacy_figures(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, pat in _PATTERNS.items():
        m = pat.search(text)
        if m:
            out[key] = int(m.group(1).replace(",", ""))
    return out
