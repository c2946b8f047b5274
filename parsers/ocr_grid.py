"""Table grids of a page from its ruling lines: row boundaries from the horizontal rules, column
boundaries from the vertical rules crossing each row band, merged cells where a rule is missing
between two grid cells (the way pdfplumber reads a PDF's tables from their lines)."""
from __future__ import annotations

import bisect

class Grid:
    """A table: rule positions in page pixels and, for each grid cell, the id of its merged cell."""

    def __init__(self, ys: list[int], xs: list[int], owner: list[list[int]]) -> None:
        self.ys, self.xs, self.owner = ys, xs, owner  # owner[i][j]: id of the merged cell

    def contains(self, x: float, y: float) -> bool:
        return self.ys[0] <= y <= self.ys[-1] and self.xs[0] <= x <= self.xs[-1]

    def at(self, x: float, y: float) -> tuple[int, int]:
        """Grid row and column holding the point."""
        i = min(max(bisect.bisect(self.ys, y) - 1, 0), len(self.ys) - 2)
        j = min(max(bisect.bisect(self.xs, x) - 1, 0), len(self.xs) - 2)
        return i, j

    def cell_box(self, i: int, j: int) -> tuple[int, int, int, int]:
        """x0, y0, x1, y1 of the merged cell that grid cell (i, j) belongs to."""
        cid = self.owner[i][j]
        rows = [r for r, line in enumerate(self.owner) if cid in line]
        cols = [c for c, v in enumerate(self.owner[i]) if v == cid]
        return self.xs[min(cols)], self.ys[min(rows)], self.xs[max(cols) + 1], self.ys[max(rows) + 1]


def find_tables(hmask, vmask, ink, width: int) -> list[Grid]:
    """Tables of a page from its rule masks: each cluster of crossing rules big enough to hold cells."""
    import cv2
    import numpy as np

    both = cv2.dilate(hmask | vmask, np.ones((7, 7), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both)
    out = []
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if w < width * 0.3 or h < 40:
            continue
        t = _grid(hmask, ink, width, x, y, w, h)
        if t is not None:
            out.append(t)
    return out


def _positions(profile, min_len: float) -> list[int]:
    """Centres of the runs of positions whose rule length reaches min_len."""
    out: list[int] = []
    run: list[int] = []
    for i, v in enumerate(profile):
        if v >= min_len:
            run.append(i)
        elif run:
            out.append(run[len(run) // 2])
            run = []
    if run:
        out.append(run[len(run) // 2])
    return out


def _grid(hmask, inkmask, width: int, x: int, y: int, w: int, h: int) -> Grid | None:
    """Rows from the horizontal rules; columns from the vertical rules crossing each row band
    (a value row is often lower than the vertical mask's kernel, so those are looked for in the
    ink itself: a column of ink spanning the band from rule to rule)."""
    hm = hmask[y:y + h, x:x + w] > 0
    ink = inkmask[y:y + h, x:x + w] > 0
    unit = max(20, width // 34)
    ys = _positions(hm.sum(axis=1), unit)
    if len(ys) < 1:
        return None
    # a table cut by the page's end (or start) has rules running past its last (first) rule
    if h - 1 - ys[-1] > 12:
        ys.append(h - 1)
    if ys[0] > 12:
        ys.insert(0, 0)
    if len(ys) < 2:
        return None
    nr = len(ys) - 1
    cover = []  # per band: for each x, the share of the band's height inked
    for i in range(nr):
        a, b = ys[i] + 4, ys[i + 1] - 3
        if b - a < 4:
            a, b = ys[i], ys[i + 1] + 1
        col = ink[a:b, :]
        # a rule of 2-3 px width: take the best of neighbouring columns
        share = col.mean(axis=0)
        cover.append(share)
    import numpy as np

    best = np.max(np.stack(cover), axis=0)
    xs = _positions(best, 0.85)
    xs = [v for n, v in enumerate(xs) if n == 0 or v - xs[n - 1] > 8]
    if len(xs) < 2:
        return None
    nc = len(xs) - 1
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def vrule(i: int, xv: int) -> bool:
        return float(cover[i][max(0, xv - 3):xv + 4].max()) >= 0.85

    def hrule(yv: int, lo: int, hi: int) -> bool:
        a, b = lo + (hi - lo) // 8, hi - (hi - lo) // 8  # skip the corners where rules cross
        if b <= a:
            return True
        return float(hm[max(0, yv - 4):yv + 5, a:b].any(axis=0).mean()) >= 0.6

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not vrule(i, xs[j + 1]):
                parent[find(i * nc + j + 1)] = find(i * nc + j)
            if i + 1 < nr and not hrule(ys[i + 1], xs[j], xs[j + 1]):
                parent[find((i + 1) * nc + j)] = find(i * nc + j)
    owner = [[find(i * nc + j) for j in range(nc)] for i in range(nr)]
    return Grid([v + y for v in ys], [v + x for v in xs], owner)
