"""Reports whose layout was lost: the one-line renderings of ../shared/new-corpus/pingtan-tables,
and one-line dumps generated from every truth file with glued or spaced cells (seeded).

A generated dump must come out with every cell right, or with the rows it cannot decide left
blank and named in a `cells.ambiguous` check: never a wrong value."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED
from parsers import parse_bytes, parse_path
from test_parser import _scorer

PINGTAN = SHARED / "new-corpus" / "pingtan-tables"
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "parsers" / "schema.json").read_text(encoding="utf-8"))
_T = SCHEMA["tables"]


def _sources(folder: Path, with_truth: bool) -> list[Path]:
    out = []
    for src in sorted(folder.glob("*.txt")):
        if src.with_name(src.stem + ".truth.json").exists() == with_truth:
            out.append(src)
    return out


# pt-zone-2019's 主动公开 table prints its cells glued (规范性文件898989, 行政许可3960181,
# 政府集中采购13575394432.52元): no identity covers that table and its narrative states none of
# those figures, so 10, 11, 4, 16, 7, 2 and 10 readings fit its seven rows. The truth took the
# cuts from the archived HTML page, which the text does not carry; the parser leaves the rows
# blank with cells.ambiguous checks instead of guessing (see the next test).
_UNDECIDABLE = {"pt-zone-2019.txt": {"normative_documents", "licensing", "other_services", "penalty", "coercion",
                                     "fees", "procurement"}}


@pytest.mark.parametrize("src", _sources(PINGTAN, True), ids=lambda p: p.name)
def test_pingtan_one_line_renderings_every_cell_and_field_right(src: Path) -> None:
    if src.name in _UNDECIDABLE:
        pytest.xfail("cells the text does not determine (see _UNDECIDABLE)")
    truth = json.loads(src.with_name(src.stem + ".truth.json").read_text(encoding="utf-8"))
    got = parse_path(src)
    right, total, wrong, fields = _scorer().score(truth, got)
    assert not fields, fields
    assert not wrong, wrong[:10]
    assert right == total


@pytest.mark.parametrize("src", _sources(PINGTAN, False), ids=lambda p: p.name)
def test_pingtan_renderings_without_truth_read_whole(src: Path) -> None:
    """No truth: the identities are the test. Every table row is read, and every identity the
    source itself keeps holds (pt-zone-2020 prints outcome rows that add up to 27 under a 总计
    of 21: that column check must fail, as printed, and only that one)."""
    r = parse_path(src)
    app = r["tables"]["applications"]
    assert len(app) == (23 if r["format"] == "2019" else 25)
    assert all(len(row) == 7 for row in app.values())
    assert {k: len(v) for k, v in r["tables"]["review_litigation"].items()} == {
        "review": 5, "litigation_direct": 5, "litigation_after_review": 5}
    failing = [c for c in r["checks"] if not c["ok"] and c["rule"] != "cells.ambiguous"]
    if src.stem == "pt-zone-2020":
        assert {c["rule"] for c in failing} == {"applications.processed_total"}
        assert all("20 ≠ 26" in c["detail"] or "21 ≠ 27" in c["detail"] for c in failing)
    else:
        assert not failing, failing
        assert not [c for c in r["checks"] if c["rule"] == "cells.ambiguous"]


def test_undecidable_rows_are_blank_and_listed_never_guessed() -> None:
    src = PINGTAN / "pt-zone-2019.txt"
    truth = json.loads(src.with_name(src.stem + ".truth.json").read_text(encoding="utf-8"))
    got = parse_path(src)
    right, total, wrong, fields = _scorer().score(truth, got)
    assert not fields
    assert {w.split("/")[1] for w in wrong} == _UNDECIDABLE[src.name]
    assert all(w.endswith("got None") for w in wrong)  # blank, never a wrong value
    ambiguous = {c["detail"].split(":")[0] for c in got["checks"] if c["rule"] == "cells.ambiguous"}
    assert ambiguous == {f"active_disclosure/{r}" for r in _UNDECIDABLE[src.name]}
    detail = next(c["detail"] for c in got["checks"] if c["detail"].startswith("active_disclosure/licensing"))
    assert "396|0|181" in detail and "11 readings fit" in detail


def test_the_next_years_report_settles_the_chain_rows_it_decides() -> None:
    """pt-zone-2020 prints 上一年项目数量 396, 10, 2648, 35 (glued too): given together with
    pt-zone-2019, `nianbao parse` fills 2019's 行政许可, 其他对外管理服务事项, 行政处罚 and
    行政事业性收费 from previous_count(2019) + change(2019) = previous_count(2020), each right by
    the truth; 行政强制 keeps two readings (126|0|25, 1260|2|5) and stays blank, and rows the
    chain does not cover (规范性文件, 采购) are untouched."""
    import subprocess
    import sys

    src, nxt = PINGTAN / "pt-zone-2019.txt", PINGTAN / "pt-zone-2020.txt"
    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([str(exe), "parse", "--json", str(src), str(nxt)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    got = {Path(r["path"]).name: r for r in map(json.loads, p.stdout.splitlines())}
    truth = json.loads(src.with_name(src.stem + ".truth.json").read_text(encoding="utf-8"))
    right, total, wrong, fields = _scorer().score(truth, got[src.name])
    assert not fields
    assert {w.split("/")[1] for w in wrong} == {"normative_documents", "coercion", "procurement"}
    assert all(w.endswith("got None") for w in wrong)
    notes = {c["detail"].split(":")[0]: c["detail"] for c in got[src.name]["checks"] if c["rule"] == "cells.inferred"}
    assert "the 2020 report's 上一年项目数量 = 396: 396|0|181" in notes["active_disclosure/licensing"]
    coercion = next(c["detail"] for c in got[src.name]["checks"] if c["detail"].startswith("active_disclosure/coercion"))
    assert "2 readings fit" in coercion and "126|0|25" in coercion and "1260|2|5" in coercion
    # alone, the same file still leaves those rows blank (test_undecidable_rows_are_blank_and_listed_never_guessed)
    later = next(c["detail"] for c in got[nxt.name]["checks"] if c["detail"].startswith("active_disclosure/licensing"))
    assert "the 2019 report's 上一年项目数量 + 本年增/减 = 396" in later and "5 readings fit" in later


def test_pingtan_folder_scores_through_the_cli() -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([sys.executable, str(SHARED / "tools" / "score_parse.py"), str(PINGTAN),
                        "--cmd", f"{exe} parse --json"], capture_output=True, text=True, timeout=300)
    # every file but the one with undecidable rows is all right; that one misses only those rows
    assert "reports: 5, all right: 4, failed to run: 0, field errors: 0" in p.stdout, p.stdout[-2000:]
    misses = [ln.split()[1].rstrip(":") for ln in p.stdout.splitlines() if ln.startswith("MISS")]
    assert misses == list(_UNDECIDABLE)


def test_row_number_glued_to_the_values_before_it() -> None:
    """`10000016.属于四类过程性信息`: 1|0|0|0|0|0|1 for row 5, then row 6 (the 6 is its number)."""
    r = parse_path(PINGTAN / "pt-zone-2022.txt")
    app = r["tables"]["applications"]
    assert app["withheld_internal_affairs"]["total"] == 1 and app["withheld_process_info"]["total"] == 2
    cell = next(c for c in r["cells"] if c["row"] == "received_new" and c["col"] == "natural_person")
    assert cell["value"] == 71 and cell["inferred"] and cell["raw"] == "71"
    assert any(c["rule"] == "cells.inferred" and "713000074" in c["detail"] for c in r["checks"])


# --- generated one-line dumps -------------------------------------------------------------------

def _fmt(v) -> str:
    if v is None:
        return "0"
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def _cells(values: list, rng: random.Random) -> str:
    """Values of one row: each boundary glued or spaced at random."""
    out = _fmt(values[0])
    for v in values[1:]:
        out += rng.choice(("", " ")) + _fmt(v)
    return out


def glued_dump(truth: dict, rng: random.Random) -> str:
    """A truth file's report as a one-line text rendering: section headings, table headers and
    rows all on one line, cells glued or spaced at random."""
    fmt = truth["format"]
    t = truth["tables"]
    year = truth.get("year") or 2021
    parts = [f"{truth.get('organ') or '某县人民政府'}{year}年政府信息公开工作年度报告 ",
             "一、总体情况 略。二、主动公开政府信息情况 "]
    ad = t.get("active_disclosure", {})
    for block in _T["active_disclosure"]["blocks"]:
        cols = [c for c in block["cols"] if fmt in c["formats"]]
        rows = [r for r in block["rows"] if fmt in r["formats"] and r["key"] in ad]
        if not cols or not rows:
            continue
        parts.append(block["article"] + "信息内容" + "".join(c["label"] for c in cols))
        for r in rows:
            parts.append(r["label"] + _cells([ad[r["key"]].get(c["key"]) for c in cols], rng))
    parts.append("三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
                 "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他")
    app = t.get("applications", {})
    cols = [c["key"] for c in _T["applications"]["cols"]]
    group = None
    for r in _T["applications"]["rows"]:
        if r["key"] not in app:
            continue
        if r.get("group") and r["group"] != group and r["group"] != "三、本年度办理结果":
            parts.append(r["group"])
        if r["key"] == "granted":
            parts.append("三、本年度办理结果")
        group = r.get("group")
        parts.append(r["label"] + _cells([app[r["key"]].get(c) for c in cols], rng))
    parts.append("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼" + "结果维持结果纠正其他结果尚未审结总计"
                 + "未经复议直接起诉复议后起诉" + "结果维持结果纠正其他结果尚未审结总计" * 2)
    rl = t.get("review_litigation", {})
    rcols = [c["key"] for c in _T["review_litigation"]["cols"]]
    parts.append(_cells([rl.get(r, {}).get(c) for r in ("review", "litigation_direct", "litigation_after_review")
                         for c in rcols], rng))
    parts.append(" 五、存在的主要问题及改进情况 略。六、其他需要报告的事项 无。")
    return "".join(parts) + "\n"


def _truth_files() -> list[Path]:
    out = [tf for tf in sorted(CORPUS.rglob("*.truth.json")) if json.loads(tf.read_text())["tables"]]
    return out + sorted(PINGTAN.glob("*.truth.json"))


SEEDS_PER_FILE = 6


def _judge(truth: dict, got: dict) -> tuple[int, int, list[str]]:
    """(cells right, cells left blank as ambiguous, wrong cells)."""
    same = _scorer().same
    ambiguous = " ".join(c["detail"] for c in got["checks"] if c["rule"] == "cells.ambiguous")
    right = blank = 0
    wrong = []
    for table, rows in truth["tables"].items():
        for row, cols in rows.items():
            for col, want in cols.items():
                have = got["tables"].get(table, {}).get(row, {}).get(col)
                if same(want, have):
                    right += 1
                elif have is None and (f"{table}/{row}:" in ambiguous or f"{table}: printed" in ambiguous):
                    blank += 1
                else:
                    wrong.append(f"{table}/{row}/{col}: want {want}, got {have}")
    return right, blank, wrong


def glued_share() -> tuple[int, int, int, int]:
    """Over every generated dump: (dumps, dumps fully resolved, cells right, cells in all)."""
    dumps = whole = right = total = 0
    for tf in _truth_files():
        truth = json.loads(tf.read_text(encoding="utf-8"))
        for seed in range(SEEDS_PER_FILE):
            got = parse_bytes(glued_dump(truth, random.Random(f"{tf.name}:{seed}")).encode("utf-8"))
            r, b, wrong = _judge(truth, got)
            assert not wrong, (tf.name, seed, wrong[:5])
            dumps += 1
            whole += b == 0
            right += r
            total += r + b
    return dumps, whole, right, total


@pytest.mark.parametrize("tf", _truth_files(), ids=lambda p: p.name.split(".")[0])
def test_generated_glued_dumps_never_yield_a_wrong_value(tf: Path) -> None:
    truth = json.loads(tf.read_text(encoding="utf-8"))
    resolved = 0
    for seed in range(SEEDS_PER_FILE):
        text = glued_dump(truth, random.Random(f"{tf.name}:{seed}"))
        assert len(text.splitlines()) == 1
        got = parse_bytes(text.encode("utf-8"))
        right, blank, wrong = _judge(truth, got)
        assert not wrong, (seed, wrong[:5], text[:300])
        # the applications table is held by its identities: its rows are always resolved
        app_blank = [c for c in got["checks"] if c["rule"] == "cells.ambiguous" and "applications/" in c["detail"]]
        assert not app_blank, (seed, app_blank)
        resolved += blank == 0
    assert right > 0


if __name__ == "__main__":  # the figure the README reports
    d, w, r, n = glued_share()
    print(f"{d} generated one-line dumps: {w} fully resolved ({100 * w / d:.0f}%); "
          f"cells right {r}/{n} ({100 * r / n:.1f}%), the rest left blank as ambiguous, none wrong")


def test_readings_of_glued_runs() -> None:
    from parsers.glue import readings

    def values(raws, n, **kw):
        return sorted(r[0] for r in readings(raws, n, **kw))

    # the row total picks one of the seven cuts without a leading zero
    assert len(values(["713000074"], 7)) == 7
    assert values(["713000074"], 7, totals=((0, 7),)) == [(71, 3, 0, 0, 0, 0, 74)]
    # a space is a certain boundary; 000023 cannot be one cell (leading zero)
    assert values(["230", "000023"], 7, totals=((0, 7),)) == [(23, 0, 0, 0, 0, 0, 23)]
    # a decimal ends its run's last cell; a sign starts a cell; the unit stays on the last raw
    got = readings(["13575394432.52元"], 2)
    assert (135, 75394432.52) in [r[0] for r in got] and all(r[1][1].endswith("元") for r in got)
    assert all(isinstance(r[0][0], int) for r in got)
    assert (2648, -18, 538) in values(["2648-18538"], 3)
    # fifteen cells of 复议诉讼: three totals prune the cuts
    assert values(["0110210001", "00000"], 15, totals=((0, 5), (5, 10), (10, 15))) == [
        (0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0)]


def test_two_readings_leave_the_row_blank_with_both_listed() -> None:
    """Neither the row total nor any column identity can tell 1|11|0|0|0|0|12 from 11|1|0|0|0|0|12
    when the other rows share the ambiguity: the row stays blank, both readings are listed."""
    text = ("某县2021年政府信息公开工作年度报告 一、总体情况 略。二、主动公开政府信息情况 "
            "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
            "一、本年新收政府信息公开申请数量1110000 12二、上年结转政府信息公开申请数量0000000"
            "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼 000000000000000 "
            "五、存在的主要问题及改进情况 略。六、其他需要报告的事项 无。" * 1)
    r = parse_bytes(text.encode())
    assert "received_new" not in r["tables"]["applications"]
    assert r["tables"]["applications"]["carried_over"]["total"] == 0
    amb = [c for c in r["checks"] if c["rule"] == "cells.ambiguous"]
    assert len(amb) == 1 and "1|11|0|0|0|0|12" in amb[0]["detail"] and "11|1|0|0|0|0|12" in amb[0]["detail"]


def test_narrative_figures_break_the_tie() -> None:
    """The same two readings, and a narrative that states 自然人11件: 11|1|0|0|0|0|12 is filled."""
    text = ("某县2021年政府信息公开工作年度报告 一、总体情况 全年共收到政府信息公开申请12件，其中自然人11件。"
            "二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构"
            "社会公益组织法律服务机构其他一、本年新收政府信息公开申请数量1110000 12二、上年结转政府信息公开申请数量0000000"
            "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼 000000000000000 五、存在的主要问题及改进情况 略。"
            "六、其他需要报告的事项 无。")
    r = parse_bytes(text.encode())
    assert r["tables"]["applications"]["received_new"] == {
        "natural_person": 11, "business": 1, "research": 0, "social_welfare": 0, "legal_service": 0, "other_org": 0,
        "total": 12}
    assert any("figures the text states" in c["detail"] for c in r["checks"] if c["rule"] == "cells.inferred")
    # the narrative of pt-zone-2022 (现行有效行政规范性文件698件, 本年度制发的规范性文件88件) picks 88|55|698
    z = parse_path(PINGTAN / "pt-zone-2022.txt")
    assert z["tables"]["active_disclosure"]["normative_documents"] == {"issued": 88, "repealed": 55, "in_force": 698}


def test_dump_that_does_not_glue_keeps_a_long_number_out_of_the_table() -> None:
    """No run in the dump has a leading zero, so nothing shows gluing: 8855698 under three
    columns is a row that lost cells, left blank (not 8855698 in the first column)."""
    text = ("某县2022年政府信息公开工作年度报告\n一、总体情况\n略。\n二、主动公开政府信息情况\n"
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t2\t3\n行政规范性文件\t8855698\n"
            "五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n")
    r = parse_bytes(text.encode())
    assert r["tables"]["active_disclosure"] == {"regulations": {"issued": 1, "repealed": 2, "in_force": 3}}
    lost = [c["detail"] for c in r["checks"] if c["rule"] == "cells.lost"]
    assert lost and "normative_documents" in lost[0] and "left blank" in lost[0] and "all 8855698" not in lost[0]
