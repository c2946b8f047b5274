"""Resolve a reporting body's name (or a region code) to national statistical division codes.

The data are the NBS 2023 统计用区划代码 (province 2 digits, city 4, county 6, township 9),
shipped as storage/data/divisions.tsv.gz (built from ../shared/data/divisions with
`python -m storage.divisions build DIR`). A name such as 桐柏县淮源镇人民政府 is read as a
chain of division names, each inside the previous one, followed by what is left
(人民政府, 办公室, 财政局 ...). Short names shared by many places (龙湖镇) are resolved only
with a hint (the site's region code); otherwise the levels they leave ambiguous stay empty.
"""
from __future__ import annotations

import csv
import gzip
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "divisions.tsv.gz"
LEVEL_BY_LEN = {2: "province", 4: "city", 6: "county", 9: "township"}

# Placeholder "cities" of the statistical codes: they name no real city.
_MUNICIPAL_CITIES = {"市辖区", "县"}            # under 北京/天津/上海/重庆: shown as the municipality
_NO_CITY = {"省直辖县级行政区划", "自治区直辖县级行政区划"}

# Bodies whose name is not a statistical division (zones, management committees).
ALIASES = {
    "平潭综合实验区": "350128",   # 平潭综合实验区 administers 平潭县
}

# What a government's own name may end with; anything else left after the divisions is a department.
GOV_SUFFIXES = ("人民政府", "政府", "管理委员会", "管委会", "行政公署", "办事处")
_STRIP = re.compile(r"[\s\u3000]+|（[^）]*）$|\([^)]*\)$")


@dataclass
class Resolution:
    province_code: str | None = None
    province: str | None = None
    city_code: str | None = None
    city: str | None = None
    county_code: str | None = None
    county: str | None = None
    township_code: str | None = None
    township: str | None = None
    rest: str = ""                      # the name after its divisions: 人民政府办公室, 财政局 ...
    alias: str | None = None            # a body named by ALIASES: its own body, sharing the code
    source: str | None = None           # "name", "region_code", "name+region_code"
    candidates: list[str] = field(default_factory=list)  # codes left when the name was ambiguous

    @property
    def region_code(self) -> str | None:
        """The most specific code resolved."""
        return self.township_code or self.county_code or self.city_code or self.province_code

    @property
    def kind(self) -> str | None:
        """government (a county-or-above government's own report), township, department, or None."""
        code = self.region_code
        if code is None:
            return None
        own = self.rest == "" or self.rest in GOV_SUFFIXES
        if len(code) == 9:
            return "township" if own else "department"
        return "government" if own else "department"

    @property
    def body_key(self) -> str | None:
        """Same body across years even when it names itself differently (洪泽区人民政府 / 淮安市洪泽区人民政府)."""
        code = self.region_code
        if code is None:
            return None
        rest = "" if self.rest in GOV_SUFFIXES else self.rest
        rest = (self.alias or "") + rest
        return f"{code}/{rest}" if rest else code

    def columns(self) -> dict:
        return {
            "province": self.province, "province_code": self.province_code,
            "city": self.city, "city_code": self.city_code,
            "county": self.county, "county_code": self.county_code,
            "township": self.township, "township_code": self.township_code,
            "region_code": self.region_code, "body_key": self.body_key, "body_kind": self.kind,
        }


class Divisions:
    def __init__(self, rows: list[tuple[str, str]]):
        self.names: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        for code, name in rows:
            self.names[code] = name
            if name in _MUNICIPAL_CITIES or name in _NO_CITY:
                continue
            self.by_name.setdefault(name, []).append(code)
            short = _short(code, name)
            if short and short != name:
                self.by_name.setdefault(short, []).append(code)
        self.maxlen = max(len(n) for n in self.by_name)

    # -- codes -------------------------------------------------------------------
    def fill(self, code: str) -> Resolution:
        """The resolution of a known code: its own level and every level above it."""
        r = Resolution()
        for n in (2, 4, 6, 9):
            if len(code) < n:
                break
            c = code[:n]
            name = self.names.get(c)
            if name is None:
                continue
            level = LEVEL_BY_LEN[n]
            if level == "city":
                if name in _MUNICIPAL_CITIES:
                    name = self.names.get(code[:2])
                elif name in _NO_CITY:
                    continue
            setattr(r, f"{level}_code", c)
            setattr(r, level, name)
        return r

    def known(self, code: str | None) -> str | None:
        c = normalize_code(code)
        while c and c not in self.names:
            c = {9: c[:6], 6: c[:4], 4: c[:2]}.get(len(c))
        return c or None

    # -- names -------------------------------------------------------------------
    def resolve(self, name: str | None, region_code: str | None = None) -> Resolution:
        hint = self.known(region_code)
        text = _STRIP.sub("", name or "")
        alias = next((a for a in ALIASES if text.startswith(a)), None)
        if alias:
            text = self.names[ALIASES[alias]] + text[len(alias):]
        chains = self._chains(text, 0, "") if text else []
        if chains:
            best_len = max(n for n, _ in chains)
            chains = [(n, ch) for n, ch in chains if n == best_len]
            if hint:
                fits = [(n, ch) for n, ch in chains if _related(ch[-1], hint)]
                chains = fits or chains
            # Prefer chains that spell more levels (南阳市桐柏县 over a township named 南阳...).
            deepest = {ch[-1] for _, ch in chains}
            if len(deepest) == 1:
                code = deepest.pop()
                if hint and len(hint) > len(code) and hint.startswith(code):
                    code = hint        # the name is vaguer than the site's code
                r = self.fill(code)
                r.rest = text[best_len:]
                r.alias = alias
                r.source = "name+region_code" if hint else "name"
                return r
            common = _common_prefix(sorted(deepest))
            if hint and (not common or len(hint) > len(common)):
                common = hint
            r = self.fill(common) if common else Resolution()
            r.rest = text[best_len:]
            r.candidates = sorted(deepest)
            r.source = "region_code" if common == hint and hint else ("name" if common else None)
            return r
        if hint:
            r = self.fill(hint)
            r.rest = text
            r.source = "region_code"
            return r
        return Resolution(rest=text)

    def _chains(self, text: str, pos: int, parent: str) -> list[tuple[int, list[str]]]:
        """Every way to read text[pos:] as nested divisions below parent: (chars consumed, codes)."""
        out: list[tuple[int, list[str]]] = []
        for ln in range(2, min(self.maxlen, len(text) - pos) + 1):
            for code in self.by_name.get(text[pos:pos + ln], ()):
                if len(code) <= len(parent) or not code.startswith(parent):
                    continue
                end = pos + ln
                out.append((end, [code]))
                for n, ch in self._chains(text, end, code):
                    out.append((n, [code] + ch))
        return out


def _short(code: str, name: str) -> str | None:
    """Province and city names without their suffix (河南省 -> 河南), as titles often write them."""
    if len(code) == 2:
        return re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", name)
    if len(code) == 4 and name.endswith("市") and len(name) > 2:
        return name[:-1]
    return None


def _related(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _common_prefix(codes: list[str]) -> str:
    first, last = codes[0], codes[-1]
    for n in (9, 6, 4, 2):
        if len(first) >= n and len(last) >= n and first[:n] == last[:n]:
            return first[:n]
    return ""


def normalize_code(code: str | None) -> str | None:
    """'411330108000' / '411330' / '410000' -> the level-length code ('411330108', '411330', '41')."""
    if not code:
        return None
    c = re.sub(r"\D", "", str(code))
    if len(c) >= 12 and c[9:12] == "000":
        c = c[:9]
    if len(c) > 9:
        return c[:9] if c[9:].strip("0") == "" else None
    if len(c) == 9 and c.endswith("000"):
        c = c[:6]
    if len(c) == 6 and c.endswith("00"):
        c = c[:4]
    if len(c) == 4 and c.endswith("00"):
        c = c[:2]
    return c if len(c) in LEVEL_BY_LEN else None


@lru_cache(maxsize=1)
def load() -> Divisions:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        rows = [tuple(line.rstrip("\n").split("\t", 1)) for line in f if "\t" in line]
    return Divisions(rows)  # type: ignore[arg-type]


def resolve(name: str | None, region_code: str | None = None) -> Resolution:
    return load().resolve(name, region_code)


def build(src: Path, out: Path = DATA) -> int:
    """Write code<TAB>name for the four levels (all the package uses of the source CSVs)."""
    rows: list[tuple[str, str]] = []
    for fname in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv"):
        with open(src / fname, encoding="utf-8") as f:
            rows += [(r["code"], r["name"]) for r in csv.DictReader(f)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as f:   # mtime=0: reproducible bytes
        f.write("".join(f"{c}\t{n}\n" for c, n in sorted(rows)).encode("utf-8"))
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        print(build(Path(sys.argv[2])), "divisions written to", DATA)
    else:
        print("usage: python -m storage.divisions build ../shared/data/divisions", file=sys.stderr)
        sys.exit(2)
