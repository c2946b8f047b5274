"""The code's shape, read from its source (AST): no import circle, the layers parsers <- storage <-
crawler, no module reaching into another's private names, no module over 600 lines.

Every import counts, also one inside a function (a lazy import is still a dependency), so a circle
cannot hide behind `def run(): from crawler import distributed`. Each check is a function of the
source tree, so it can be run by hand against an older checkout:
`python -c "from tests.test_structure import *; print(circles(Path('/path/to/checkout')))"`.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("parsers", "storage", "crawler")
# layer -> the packages it may import (parsers is the bottom, crawler the top)
ALLOWED = {"parsers": {"parsers"}, "storage": {"parsers", "storage"}, "crawler": {"parsers", "storage", "crawler"}}
MAX_LINES = 600
# private reaches another branch removes; emptied when that branch is merged
STILL_PRIVATE: set[str] = set()
# modules still over MAX_LINES while another branch splits them; emptied when that branch is merged
STILL_TOO_BIG: set[str] = set()


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the three packages."""
    out = {}
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _base(name: str, node: ast.ImportFrom, mods: dict[str, Path]) -> str:
    """The module a `from ... import` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    pkg = name.split(".")
    if not mods[name].name == "__init__.py":
        pkg = pkg[:-1]
    pkg = pkg[:len(pkg) - node.level + 1]
    return ".".join(pkg + ([node.module] if node.module else []))


def imports(root: Path = ROOT) -> dict[str, dict[str, set[str]]]:
    """Module -> {imported module of the three packages -> names taken from it (`from m import a, b`;
    empty for `import m`)}. Every import statement counts, at any depth."""
    mods = modules(root)
    out: dict[str, dict[str, set[str]]] = {}
    for name, path in mods.items():
        deps: dict[str, set[str]] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in mods:
                        deps.setdefault(alias.name, set())
            elif isinstance(node, ast.ImportFrom):
                base = _base(name, node, mods)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in mods:                 # `from crawler.scaleout import worker`: the module
                        deps.setdefault(sub, set())
                    elif base in mods:
                        deps.setdefault(base, set()).add(alias.name)
        deps.pop(name, None)
        out[name] = deps
    return out


def circles(root: Path = ROOT) -> list[list[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan)."""
    graph = {m: sorted(d) for m, d in imports(root).items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_breaches(root: Path = ROOT) -> list[str]:
    """`module -> import` pairs where a lower layer imports a higher one."""
    return [f"{m} -> {d}" for m, deps in sorted(imports(root).items()) for d in sorted(deps)
            if d.split(".")[0] not in ALLOWED[m.split(".")[0]]]


def _private(attr: str) -> bool:
    return attr.startswith("_") and not (attr.startswith("__") and attr.endswith("__"))


def private_reaches(root: Path = ROOT) -> list[str]:
    """Uses of another module's private names: `from m import _x`, and `name._x` where `name` was
    bound by importing a module of the three packages or a name from one (`Store._write_parts`)."""
    mods = modules(root)
    out = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        bound: dict[str, str] = {}     # local name -> where it comes from
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top in PACKAGES and alias.name != name:
                        bound[alias.asname or top] = alias.asname and alias.name or top
            elif isinstance(node, ast.ImportFrom):
                base = _base(name, node, mods)
                if base.split(".")[0] not in PACKAGES or base == name:
                    continue
                for alias in node.names:
                    if _private(alias.name):
                        out.append(f"{name}: from {base} import {alias.name}")
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
        for node in ast.walk(tree):   # `store = Store(path)`, `with Store(path) as store`: an instance
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
            elif isinstance(node, ast.withitem):
                pairs = [(node.optional_vars, node.context_expr)]
            else:
                continue
            for target, value in pairs:
                if (isinstance(target, ast.Name) and isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                        and value.func.id in bound):
                    bound[target.id] = f"{bound[value.func.id]}()"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and node.value.id in bound):
                out.append(f"{name}: {node.value.id}.{node.attr} ({bound[node.value.id]})")
    return sorted(set(out))


def too_big(root: Path = ROOT) -> dict[str, int]:
    """Modules over MAX_LINES lines, by path relative to the root."""
    out = {}
    for path in modules(root).values():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out[path.relative_to(root).as_posix()] = n
    return out


# Calls that read the wall clock (issue #14, "One now()"): only parsers/vocabulary.py may, so every
# stored timestamp is its `now()` (UTC ISO) and every age is reckoned on the same clock. Durations
# measured with time.monotonic()/perf_counter() are not the wall clock and are fine.
CLOCK_READS = {"time.time", "time.time_ns", "datetime.datetime.now", "datetime.datetime.utcnow",
               "datetime.datetime.today", "datetime.date.today"}
# these read the clock only when given no moment (time.strftime(fmt) formats local time now)
CLOCK_READS_WITHOUT_MOMENT = {"time.strftime": 2, "time.localtime": 1, "time.gmtime": 1, "time.ctime": 1,
                              "time.asctime": 1}
THE_CLOCK = "parsers.vocabulary"


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def clock_reads(root: Path = ROOT) -> list[str]:
    """`module:line call` for every call that reads the wall clock (CLOCK_READS, any `.utcnow()`),
    names resolved through the module's imports (`from datetime import datetime as dt`)."""
    out = []
    for name, path in modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound[alias.asname or alias.name.split(".")[0]] = alias.asname and alias.name or alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            dotted = _dotted(node.func)
            if dotted is None:
                if isinstance(node.func, ast.Attribute) and node.func.attr == "utcnow":
                    out.append(f"{name}:{node.lineno} .utcnow()")
                continue
            head, _, rest = dotted.partition(".")
            full = ".".join(filter(None, [bound.get(head, head), rest]))
            if (full in CLOCK_READS or full.endswith(".utcnow")
                    or len(node.args) < CLOCK_READS_WITHOUT_MOMENT.get(full, 0)):
                out.append(f"{name}:{node.lineno} {full}()")
    return sorted(out)


# --- the tests ------------------------------------------------------------------------------------

def test_the_import_graph_sees_function_level_imports():
    # crawler.run imports the scale-out commands inside run(): the edge must be in the graph
    assert "crawler.scaleout.commands" in imports()["crawler.run"]


def test_no_import_circle():
    assert circles() == []


def test_layers_parsers_storage_crawler():
    assert layer_breaches() == []


def test_no_module_reaches_another_modules_private_names():
    found = set(private_reaches())
    assert found - STILL_PRIVATE == set(), sorted(found)
    assert STILL_PRIVATE <= found, f"fixed, remove from STILL_PRIVATE: {STILL_PRIVATE - found}"


def test_no_module_over_600_lines():
    big = too_big()
    assert set(big) - STILL_TOO_BIG == set(), big
    # an entry that got small enough must leave the list, so it cannot grow back unnoticed
    assert STILL_TOO_BIG <= set(big), f"no longer too big, remove from STILL_TOO_BIG: {STILL_TOO_BIG - set(big)}"


def test_one_clock_for_every_timestamp():
    reads = clock_reads()
    assert [r for r in reads if not r.startswith(THE_CLOCK + ":")] == [], reads
    assert any(r.startswith(THE_CLOCK + ":") for r in reads)     # the one clock is read where it lives


def test_the_clock_check_sees_every_spelling(tmp_path):
    for pkg in PACKAGES:
        (tmp_path / pkg).mkdir()
    (tmp_path / "crawler" / "late.py").write_text(
        "import time\nimport datetime as dtm\nfrom datetime import datetime as dt, date\nfrom time import time as now\n"
        "a = time.time()\nb = dt.now()\nc = dtm.datetime.utcnow()\nd = now()\ne = date.today()\n"
        "f = time.strftime('%Y')\ng = time.strftime('%Y', time.gmtime(0))\nh = time.monotonic()\n"
        "i = time.perf_counter()\nj = dt.fromtimestamp(0)\n", encoding="utf-8")
    assert {int(r.split(" ")[0].split(":")[1]) for r in clock_reads(tmp_path)} == {5, 6, 7, 8, 9, 10}
