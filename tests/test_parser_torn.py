"""PDF text dumps that tear table rows from their labels: values printed on the line before the
label, on the line after it, between the lines of a label split in two, or beside it, mixed at
random (seeded) over every truth file of the corpus. Every cell must come out right."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED
from parsers import parse_bytes
from test_parser import _scorer

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "parsers" / "schema.json").read_text(encoding="utf-8"))
_T = SCHEMA["tables"]
APP_COLS = [c["key"] for c in _T["applications"]["cols"]]


def _fmt(v) -> str:
    return "0" if v is None else str(v)


def _torn(label: str, values: str, rng: random.Random, sep: str) -> list[str]:
    """One row's lines: values before the label, after it, between its two parts, or beside it."""
    how = rng.choice(("before", "after", "split", "inline"))
    if how == "before":
        return [values, label]
    if how == "after":
        return [label, values]
    if how == "split" and len(label) >= 10:
        # a PDF line breaks a long label where the cell's width ends: most of it stays on top
        cut = rng.randrange(len(label) * 3 // 5, len(label) - 1)
        return [label[:cut], values, label[cut:]]
    return [label + sep + values]


def torn_dump(truth: dict, rng: random.Random, markdown: bool = False) -> str:
    """The report as a PDF text layer prints it when its rows tear: each row of the 主动公开 and
    applications tables laid out in one of four ways; 复议诉讼 as one line. `markdown`: as a
    PDF-to-markdown converter writes it, every line of the table a pipe row."""
    fmt, t = truth["format"], truth["tables"]
    lines = [f"{truth.get('organ') or '某县人民政府'}{truth.get('year') or 2021}年政府信息公开工作年度报告",
             "一、总体情况", "略。", "二、主动公开政府信息情况"]
    ad = t.get("active_disclosure", {})
    for block in _T["active_disclosure"]["blocks"]:
        cols = [c for c in block["cols"] if fmt in c["formats"]]
        rows = [r for r in block["rows"] if fmt in r["formats"] and r["key"] in ad]
        if cols and rows:
            lines.append("信息内容\t" + "\t".join(c["label"] for c in cols))
            for r in rows:
                lines += _torn(r["label"], "\t".join(_fmt(ad[r["key"]].get(c["key"])) for c in cols), rng, "\t")
    lines += ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人 法人或其他组织 总计", "商业企业 科研机构 社会公益组织 法律服务机构 其他"]
    app = t.get("applications", {})
    for r in _T["applications"]["rows"]:
        if r["key"] not in app:
            continue
        lines += _torn(r["label"], " ".join(_fmt(app[r["key"]].get(c)) for c in APP_COLS), rng, " ")
    if markdown:
        first = lines.index("三、收到和处理政府信息公开申请情况") + 1
        lines[first:] = ["| " + " | ".join(ln.split(" ")) + " |" for ln in lines[first:]]
        lines.insert(first, "| --- | --- | --- | --- | --- | --- | --- | --- |")
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    rl = t.get("review_litigation", {})
    rcols = [c["key"] for c in _T["review_litigation"]["cols"]]
    lines.append(" ".join(_fmt(rl.get(r, {}).get(c)) for r in ("review", "litigation_direct", "litigation_after_review")
                          for c in rcols))
    lines += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return "\n".join(lines) + "\n"


def _truth_files() -> list[Path]:
    files = [tf for tf in sorted(CORPUS.rglob("*.truth.json")) if json.loads(tf.read_text())["tables"]]
    return files + sorted((SHARED / "new-corpus" / "pingtan-tables").glob("*.truth.json"))


@pytest.mark.parametrize("markdown", [False, True], ids=["text", "markdown"])
@pytest.mark.parametrize("tf", _truth_files(), ids=lambda p: p.name.split(".")[0])
def test_torn_rows_are_reattached_to_their_labels(tf: Path, markdown: bool) -> None:
    truth = json.loads(tf.read_text(encoding="utf-8"))
    score = _scorer().score
    for seed in range(6):
        text = torn_dump(truth, random.Random(f"{tf.name}:{seed}"), markdown)
        got = parse_bytes(text.encode("utf-8"))
        right, total, wrong, _ = score(truth, got)
        assert not wrong, (seed, wrong[:6], text[text.find("三、"):][:600])


def test_pdf_text_layer_without_ruling_lines(tmp_path: Path) -> None:
    """A PDF whose tables have no ruling lines (LibreOffice prints the torn dumps as plain
    text): each table line is a paragraph whose label runs into its values and whose header
    labels run together. The rows are read from them, torn rows reattached, every cell right."""
    import shutil
    import subprocess

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice is not installed (scripts/test.sh installs it)")
    picked = [tf for tf in _truth_files() if tf.name.split(".")[0] in ("pt-zone-2022", "hzq2023_working", "001_213733622d4d3974")]
    truths = {}
    for tf in picked:
        truth = json.loads(tf.read_text(encoding="utf-8"))
        name = tf.name.split(".")[0]
        (tmp_path / f"{name}.txt").write_text(torn_dump(truth, random.Random(f"pdf:{name}")).replace("\t", " "),
                                             encoding="utf-8")
        truths[name] = truth
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *[str(tmp_path / f"{n}.txt") for n in truths]],
                   capture_output=True, timeout=240, check=True)
    score = _scorer().score
    for name, truth in truths.items():
        got = parse_bytes((tmp_path / f"{name}.pdf").read_bytes())
        assert got["source_type"] == "pdf"
        right, total, wrong, _ = score(truth, got)
        assert not wrong, (name, wrong[:6])
