"""The shared parser on real reports (../shared/corpus) and on the forms portals publish them in."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest

from conftest import CORPUS, SHARED
from parsers import ParseError, parse_bytes, parse_path
from report_builder import report_docx, report_html

SEEDS = CORPUS / "seeds"
HUAIAN = CORPUS / "huaian"


def _scorer():
    spec = importlib.util.spec_from_file_location("score_parse", SHARED / "tools" / "score_parse.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _truth(path: Path) -> dict:
    return json.loads(path.with_name(path.name.split(".")[0] + ".truth.json").read_text(encoding="utf-8"))


def _cases() -> list[Path]:
    out = []
    for tf in sorted(CORPUS.rglob("*.truth.json")):
        stem = tf.name[: -len(".truth.json")]
        out += [p for p in tf.parent.glob(stem + ".*") if not p.name.endswith(".truth.json")]
    return out


@pytest.mark.parametrize("src", _cases(), ids=lambda p: p.name)
def test_corpus_every_cell_and_field_right(src: Path) -> None:
    truth = _truth(src)
    got = parse_path(src)
    right, total, wrong, fields = _scorer().score(truth, got)
    assert not fields, fields
    assert not wrong, wrong[:10]
    assert right == total


def test_score_tool_passes_on_the_cli() -> None:
    """The bar, as the scorer runs it: every cell and field right through `nianbao parse --json`."""
    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([sys.executable, str(SHARED / "tools" / "score_parse.py"), str(CORPUS),
                        "--cmd", f"{exe} parse --json"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-2000:]
    assert "field errors: 0" in p.stdout


def test_lost_cells_in_a_text_dump_are_inferred_and_reported() -> None:
    r = parse_path(SEEDS / "000_61f4a806a08c13ab.txt")
    inferred = [c for c in r["cells"] if c["inferred"]]
    assert inferred, "seed 000 prints six numbers for seven columns in many rows"
    granted = r["tables"]["applications"]["granted"]
    assert granted == {"natural_person": 2, "business": 0, "research": 0, "social_welfare": 0,
                       "legal_service": 0, "other_org": 0, "total": 2}
    notes = [c for c in r["checks"] if c["rule"] == "cells.inferred"]
    assert any("applications/granted" in c["detail"] for c in notes)
    assert all(c["ok"] for c in r["checks"])


def test_ambiguous_lost_cell_is_never_invented() -> None:
    # one row loses a non-zero cell; the columns' identities cannot be evaluated (their other rows
    # are lost too), so the printed values cannot be placed: the row stays blank and a check says so
    text = ("某县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n略。\n二、主动公开政府信息情况\n"
            "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t3\t1\t0\t0\t0\t5\n"
            "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n")
    r = parse_bytes(text.encode("utf-8"))
    assert "received_new" not in r["tables"].get("applications", {})
    lost = [c for c in r["checks"] if c["rule"] == "cells.lost"]
    assert lost and not lost[0]["ok"] and "received_new" in lost[0]["detail"]


def test_report_with_wrong_printed_totals_is_flagged() -> None:
    r = parse_path(HUAIAN / "hzq2023_working.pdf")
    review = r["tables"]["review_litigation"]["review"]
    assert (review["maintained"], review["corrected"], review["total"]) == (10, 1, 0)
    bad = [c for c in r["checks"] if not c["ok"]]
    assert any(c["rule"] == "review_litigation.total" and "row review" in c["detail"] for c in bad)
    assert r["tables"]["applications"]["other_handling"]["total"] == 0  # 2019 row in a 2021 report


def test_pdf_label_split_by_page_break_and_year_over_year() -> None:
    r = parse_path(HUAIAN / "szfgs2024.pdf")
    apps = r["tables"]["applications"]
    assert apps["unavailable_not_held"]["total"] == 769
    assert apps["unavailable_needs_creation"]["total"] == 11
    assert r["tables"]["active_disclosure"]["fees"]["amount_wan_yuan"] == pytest.approx(96171.6)
    y23 = parse_path(HUAIAN / "hzq2023_working.pdf")["tables"]["active_disclosure"]["normative_documents"]
    y24 = parse_path(HUAIAN / "hzq2024_working.pdf")["tables"]["active_disclosure"]["normative_documents"]
    assert y23["in_force"] + y24["issued"] - y24["repealed"] == y24["in_force"] == 8


def test_year_is_the_year_covered_and_organ_from_signature() -> None:
    r = parse_path(SEEDS / "002_51a7ac9068d409eb.txt")
    assert r["year"] == 2021 and r["metadata"]["publish_date"] == "2022-01-14"
    assert r["organ"] == "湟源县人民政府办公室"  # the title says only 县人民政府办公室
    assert r["format"] == "2021"


def test_sections_hold_text_not_table_dumps() -> None:
    r = parse_path(SEEDS / "004_fd2255dcef9b15cd.txt")
    s = r["sections"]
    assert all(s[k] for k in s), [k for k in s if not s[k]]
    assert "本年新收政府信息公开申请数量" not in s["applications"]
    assert "申请人情况" not in s["applications"] and "社会公益组织" not in s["applications"]
    for path in (SEEDS / "000_61f4a806a08c13ab.txt", HUAIAN / "szfgs2024.pdf"):
        apps = parse_path(path)["sections"]["applications"]
        assert "申请人情况" not in apps and "勾稽关系" not in apps, path.name
    assert "行政规范性文件" not in s["active_disclosure"]
    assert "政府信息公开信息处理费管理办法" in s["other_matters"]
    assert s["overview"].startswith("一、总体情况")


def test_typo_header_and_format_2019() -> None:
    r = parse_path(SEEDS / "004_fd2255dcef9b15cd.txt")
    assert r["tables"]["active_disclosure"]["normative_documents"] == {"issued": 9, "repealed": 0, "in_force": 119}
    r19 = parse_path(SEEDS / "001_213733622d4d3974.txt")
    assert r19["format"] == "2019" and r19["year"] == 2020
    assert set(r19["tables"]["active_disclosure"]["procurement"]) == {"projects", "amount"}


def test_legacy_report_sections_and_figures() -> None:
    r = parse_path(CORPUS / "legacy" / "pingtan-zone-2014.txt")
    assert r["format"] == "legacy" and r["year"] == 2014 and not r["tables"]
    assert r["legacy_figures"]["active_disclosed"] == 2543
    assert r["legacy_figures"]["applications_received"] == 1
    assert "主动公开政府信息的数量" in r["sections"]["active_disclosure"]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_html_page_with_rowspan_colspan_in_any_encoding(encoding: str) -> None:
    src = SEEDS / "004_fd2255dcef9b15cd.txt"
    truth = _truth(src)
    page = report_html(truth, "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告")
    r = parse_bytes(page.encode(encoding), url="http://127.0.0.1/art/2022/1/14/art_1_2.html")
    right, total, wrong, fields = _scorer().score(truth, r)
    assert not wrong and right == total == 200
    assert r["source_type"] == "html" and r["organ"] == "洛阳市洛龙区人民政府办公室"
    assert r["metadata"]["publish_date"] == "2022-01-14" and r["metadata"]["views"] == 128
    assert "网站标识码" not in r["text"] and "打印本页" not in r["text"]


def _word_export(page: str) -> str:
    """A page as Word pastes it into portal editors (the Shanghai portal's 2019 report, for one):
    every cell's text in <p align="center">, blank cells holding &nbsp;, nowrap and widths on the
    cells, a <br /> before a heading, and in the active-disclosure table the second value column
    spanning two grid columns, header and values alike."""
    root = lxml.html.fromstring(page)
    for n, table in enumerate(root.iter("table")):
        for tr in table.iter("tr"):
            cells = tr.findall("td")
            if n == 0 and len(cells) >= 3:
                cells[2].set("colspan", "2")
            for td in cells:
                inner = lxml.html.Element("p", align="center")
                inner.text, td.text = td.text or "\xa0", None
                inner.extend(td)  # <br> inside split header cells
                td.append(inner)
                td.set("nowrap", "nowrap")
                td.set("style", "width:47px;")
    html = lxml.html.tostring(root, encoding="unicode")
    return html.replace("<p>四、", "<p><br>四、")


@pytest.mark.parametrize("seed,title,fmt", [
    ("001_213733622d4d3974", "绵阳市游仙区信义镇2020年政府信息公开工作年度报告", "2019"),
    ("004_fd2255dcef9b15cd", "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告", "2021"),
])
def test_html_cells_as_word_exports_them(seed: str, title: str, fmt: str) -> None:
    truth = _truth(SEEDS / f"{seed}.txt")
    # blanks for zero in the applications table, as such reports print them
    for row in truth["tables"]["applications"].values():
        for col, v in row.items():
            if v == 0:
                row[col] = None
    page = _word_export(report_html(truth, title))
    assert page.count("\xa0") > 100 and 'colspan="2"' in page and '<p align="center">' in page
    r = parse_bytes(page.encode("utf-8"))
    right, total, wrong, fields = _scorer().score(truth, r)
    assert not wrong and right == total
    # every field but the publish date, which is the builder's chrome's, not the truth's
    assert not [f for f in fields if not f.startswith("publish_date")] and r["format"] == fmt
    assert r["tables"]["applications"]["received_new"]["research"] is None


def test_html_blank_cells_units_and_dashes_keep_raw_text() -> None:
    truth = _truth(SEEDS / "003_85236c9e0b1ec5a3.txt")
    page = report_html(truth, "桐柏县淮源镇人民政府2023年政府信息公开工作年度报告")
    page = page.replace("<td>0</td>", "<td>0件</td>", 1).replace("<td>0</td>", "<td>—</td>", 1).replace("<td>0</td>", "<td></td>", 1)
    r = parse_bytes(page.encode("utf-8"))
    cells = {(c["table"], c["row"], c["col"]): c for c in r["cells"]}
    reg = [cells[("active_disclosure", "regulations", k)] for k in ("issued", "repealed", "in_force")]
    assert [(c["value"], c["raw"]) for c in reg] == [(0, "0件"), (None, "—"), (None, "")]


@pytest.mark.parametrize("seed,title", [
    ("004_fd2255dcef9b15cd", "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告"),
    ("001_213733622d4d3974", "绵阳市游仙区信义镇2020年政府信息公开工作年度报告"),
])
def test_docx_with_merged_cells(tmp_path: Path, seed: str, title: str) -> None:
    truth = _truth(SEEDS / f"{seed}.txt")
    path = tmp_path / "report.bin"  # content decides, not the extension
    report_docx(truth, title, path)
    r = parse_path(path)
    right, total, wrong, _ = _scorer().score(truth, r)
    assert not wrong and right == total
    assert r["source_type"] == "docx" and r["format"] == truth["format"]
    assert all(c["ok"] for c in r["checks"])


def _damaged_docx(tmp_path: Path) -> bytes:
    """A DOCX whose document.xml has zeroed bytes early in its deflate stream (its code tables)."""
    path = tmp_path / "report.docx"
    report_docx(_truth(SEEDS / "004_fd2255dcef9b15cd.txt"), "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告", path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    at = start + info.compress_size // 10
    data[at: at + 16] = bytes(16)
    return bytes(data)


def _damaged_pdf() -> bytes:
    """A real report PDF whose first stream names a filter no reader knows: it opens, its pages do not."""
    data = (HUAIAN / "hzq2023_working.pdf").read_bytes()
    assert b"/FlateDecode" in data
    return data.replace(b"/FlateDecode", b"/FlaBeDecode", 1)


@pytest.mark.parametrize("damage, reason", [(_damaged_pdf, "not a readable PDF"), (_damaged_docx, "not a readable DOCX")],
                         ids=["pdf", "docx"])
def test_damaged_pdf_and_docx_end_in_a_one_line_reason(tmp_path: Path, damage, reason: str) -> None:
    # found by fuzzing: zlib, pdfminer and python-docx raised their own errors from deeper in the file
    data = damage(tmp_path) if damage is _damaged_docx else damage()
    with pytest.raises(ParseError) as e:
        parse_bytes(data, name="damaged")
    assert str(e.value).startswith(reason) and "\n" not in str(e.value)


def test_label_variants_numbering_widths_and_spaces() -> None:
    text = ("XX县YY镇人民政府 2022 年度政府信息公开工作年度报告\n一．总体情况\n略\n二、主动公开政府信息情况\n"
            "第二十条第(一)项\n信息内容\t本年制发件数\t本年 废止件数\t现行有效件数\n规章\t0\t0\t0\n规范性文件\t2件\t1\t15\n"
            "三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量\t4\t1\t0\t0\t0\t0\t5\n二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
            "三、本年度办理结果\t（1）予以公开\t3\t1\t0\t0\t0\t0\t4\n"
            "（2）部分公开\t1\t0\t0\t0\t0\t0\t1\n（七）总 计\t4\t1\t0\t0\t0\t0\t5\n"
            "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0\n"
            "四、政府信息公开行政复议、行政诉讼情况\n" + "\t".join(["0"] * 14 + ["1"]) + "\n"
            "五、存在的主要问题及改进情况\n无\n六、其他需要报告的事项\n无\n")
    r = parse_bytes(text.encode("utf-8"))
    a = r["tables"]["active_disclosure"]["normative_documents"]
    assert a == {"issued": 2, "repealed": 1, "in_force": 15}
    apps = r["tables"]["applications"]
    assert apps["granted"]["business"] == 1 and apps["processed_total"]["total"] == 5
    assert r["tables"]["review_litigation"]["litigation_after_review"]["total"] == 1
    assert r["year"] == 2022 and r["organ"] == "XX县YY镇人民政府"
    failed = {c["detail"] for c in r["checks"] if not c["ok"]}
    assert any("litigation_after_review" in d for d in failed)  # total 1 beside outcomes 0


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"\x00\x01\x02\x03binary\xff\xfe" * 50, "binary data"),
    ("<html><body><h1>某县2021年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>2021年，我县".encode(), "truncated HTML"),
    (b"%PDF-1.4\n%broken", "PDF"),
    (b"PK\x03\x04garbage", "ZIP"),
])
def test_malformed_input_raises_one_line_reason(content: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_bytes(content)
    assert reason in str(e.value) and "\n" not in str(e.value)


def _textless_pdf() -> bytes:
    """A valid one-page PDF with no text layer (as a scanned report is)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length 23 >>\nstream\n0 0 m 100 100 l S\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for n, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{x:010d} 00000 n \n".encode() for x in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_cli_reports_each_bad_file_and_parses_the_rest(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_textless_pdf())
    good = SEEDS / "003_85236c9e0b1ec5a3.txt"
    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([str(exe), "parse", "--json", str(empty), str(good), str(scan)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    errors = p.stderr.strip().splitlines()
    assert len(errors) == 2 and "Traceback" not in p.stderr
    assert str(empty) in errors[0] and "empty file" in errors[0]
    assert str(scan) in errors[1] and "no text layer" in errors[1]
    parsed = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(parsed) == 1 and parsed[0]["organ"] == "桐柏县淮源镇人民政府" and parsed[0]["year"] == 2023


def test_page_without_a_report_gets_a_status_not_an_empty_report() -> None:
    r = parse_bytes("<html><body><p>欢迎访问某县人民政府网站</p></body></html>".encode())
    assert r["status"] not in ("parsed", "attachment", "image_only") and r["reason"]
    assert r["tables"] == {} and r["cells"] == []


def test_cli_fails_clearly_on_a_page_without_a_report(tmp_path: Path) -> None:
    shell = tmp_path / "shell.html"
    shell.write_text('<html><head><script src="/app.js"></script></head><body><div id="app"></div></body></html>')
    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([str(exe), "parse", str(shell)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and str(shell) in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_cli_human_summary_lays_out_tables_and_checks() -> None:
    exe = Path(sys.executable).with_name("nianbao")
    p = subprocess.run([str(exe), "parse", str(HUAIAN / "hzq2023_working.pdf")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "洪泽区人民政府" in out and "year:    2023" in out and "format:  2021" in out
    assert "一、本年新收政府信息公开申请数量" in out and "FAIL review_litigation.total" in out


def _official_text(sep: str, wrap=lambda cells: cells) -> str:
    """Seed 004's tables re-laid with another cell separator (a copy from a PDF or a web page)."""
    truth = _truth(SEEDS / "004_fd2255dcef9b15cd.txt")
    a, t = truth["tables"]["applications"], truth["tables"]
    from report_builder import APP_COLS, REVIEW_COLS, _T
    lines = ["二〇二一年洛阳市洛龙区人民政府办公室政府信息公开工作年度报告", "一、总体情况", "略。",
             "二、主动公开政府信息情况", sep.join(wrap(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]))]
    for r in ("regulations", "normative_documents"):
        label = {"regulations": "规章", "normative_documents": "行政规范性文件"}[r]
        lines.append(sep.join(wrap([label] + [str(t["active_disclosure"][r][c]) for c in ("issued", "repealed", "in_force")])))
    lines.append("三、收到和处理政府信息公开申请情况")
    for row in _T["applications"]["rows"]:
        if row["key"] in a:
            lines.append(sep.join(wrap([row["label"]] + [str(a[row["key"]][c]) for c in APP_COLS])))
    lines += ["四、政府信息公开行政复议、行政诉讼情况",
              sep.join(wrap([str(t["review_litigation"][r][c]) for r in ("review", "litigation_direct", "litigation_after_review") for c in REVIEW_COLS])),
              "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return "\n".join(lines)


@pytest.mark.parametrize("sep,wrap", [
    (" ", lambda c: c),                                   # cells separated by spaces
    (" | ", lambda c: ["", *c, ""]),                      # markdown pipe rows
], ids=["spaces", "markdown"])
def test_text_layouts_spaces_and_markdown(sep, wrap) -> None:
    text = _official_text(sep, wrap)
    if sep == " | ":
        text = text.replace("\n二、主动公开政府信息情况\n", "\n二、主动公开政府信息情况\n| --- | --- | --- | --- |\n")
    r = parse_bytes(text.encode("utf-8"))
    truth = _truth(SEEDS / "004_fd2255dcef9b15cd.txt")
    a = truth["tables"]["applications"]
    assert r["tables"]["applications"] == {k: v for k, v in a.items()}
    assert r["tables"]["active_disclosure"]["normative_documents"] == {"issued": 9, "repealed": 0, "in_force": 119}
    assert r["tables"]["review_litigation"]["review"]["corrected"] == 1
    assert r["year"] == 2021 and r["organ"] == "洛阳市洛龙区人民政府办公室"  # 二〇二一年 in the title


def test_heading_run_into_its_paragraph() -> None:
    truth = _truth(SEEDS / "003_85236c9e0b1ec5a3.txt")
    page = report_html(truth, "桐柏县淮源镇人民政府2023年政府信息公开工作年度报告")
    page = page.replace("<p>一、总体情况</p><p>", "<p><strong>一、总体情况</strong>")
    page = page.replace("<p>五、存在的主要问题及改进情况</p><p>", "<p><b>五、存在的主要问题及改进情况</b>")
    r = parse_bytes(page.encode("utf-8"))
    assert r["sections"]["overview"].startswith("一、总体情况本年度")
    assert "主要问题是公开内容还不够全面" in r["sections"]["problems"]
    assert "本年度未收取信息处理费" not in r["sections"]["problems"]


def test_image_only_and_attachment_pages_still_name_year_and_body(pages: Path) -> None:
    img = parse_path(pages / "image-only-hanweb.html")
    assert (img["status"], img["year"], img["organ"]) == ("image_only", 2021, "龙泉乡") and img["images"]
    att = parse_path(pages / "attachment-trs.html")
    assert (att["status"], att["year"], att["organ"]) == ("attachment", 2022, "城关镇")
    assert any(a.endswith(".pdf") for a in att["attachments"])


def test_layout_table_holding_the_report_table_and_scripts_in_cells() -> None:
    """Old portals put the whole page in layout tables; a cell may also carry a script."""
    truth = _truth(SEEDS / "004_fd2255dcef9b15cd.txt")
    body = report_html(truth, "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告", chrome=False)
    body = body.replace("<td>一、本年新收政府信息公开申请数量</td>",
                        "<td>一、本年新收政府信息公开申请数量<script>document.write('x')</script></td>")
    page = f"<html><body><table><tr><td>导航</td></tr><tr><td>{body}</td></tr></table></body></html>"
    r = parse_bytes(page.encode("utf-8"))
    assert r["tables"]["applications"]["received_new"]["total"] == 49
    assert r["tables"]["review_litigation"]["review"]["corrected"] == 1


def test_legacy_word_doc_attachment() -> None:
    """A .doc report (OLE container), detected from its bytes: LibreOffice keeps its merged cells;
    antiword alone (no LibreOffice) still gives the frame and the simple tables."""
    import shutil

    path = Path(__file__).parent / "files" / "reports" / "luolong-2021.doc"
    r = parse_path(path)
    truth = _truth(SEEDS / "004_fd2255dcef9b15cd.txt")
    assert (r["source_type"], r["year"], r["organ"], r["format"]) == ("doc", 2021, "洛阳市洛龙区人民政府办公室", "2021")
    assert r["tables"]["active_disclosure"]["normative_documents"] == {"issued": 9, "repealed": 0, "in_force": 119}
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice not installed: merged-cell tables of .doc files are not checked (scripts/test.sh installs it)")
    right, total, wrong, _ = _scorer().score(truth, r)
    assert not wrong and right == total == 200


def test_legacy_word_doc_without_libreoffice_falls_back_to_antiword(monkeypatch) -> None:
    import shutil

    if not shutil.which("antiword"):
        pytest.skip("antiword not installed (scripts/test.sh installs it)")
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name in ("soffice", "libreoffice") else real(name))
    r = parse_path(Path(__file__).parent / "files" / "reports" / "luolong-2021.doc")
    assert (r["year"], r["organ"]) == (2021, "洛阳市洛龙区人民政府办公室")
    assert r["tables"]["active_disclosure"]["normative_documents"] == {"issued": 9, "repealed": 0, "in_force": 119}
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ParseError, match="install libreoffice-writer or antiword"):
        parse_path(Path(__file__).parent / "files" / "reports" / "luolong-2021.doc")


def test_active_disclosure_row_that_lost_a_cell() -> None:
    """No identity covers 主动公开: a dump row with a lost cell is placed only when the printed
    values agree (any placement reads the same), and the loss is reported either way."""
    head = "某县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n略。\n二、主动公开政府信息情况\n"
    header = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
    tail = "三、收到和处理政府信息公开申请情况\n五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n"
    same = parse_bytes((head + header + "规章\t0\t0\n行政规范性文件\t3\t1\t12\n" + tail).encode())
    assert same["tables"]["active_disclosure"]["regulations"] == {"issued": 0, "repealed": 0}
    assert same["tables"]["active_disclosure"]["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 12}
    lost = [c for c in same["checks"] if c["rule"] == "cells.lost"]
    assert len(lost) == 1 and "regulations" in lost[0]["detail"] and not lost[0]["ok"]
    differ = parse_bytes((head + header + "规章\t0\t0\t0\n行政规范性文件\t3\t12\n" + tail).encode())
    assert "normative_documents" not in differ["tables"]["active_disclosure"]
    assert any("normative_documents" in c["detail"] for c in differ["checks"] if c["rule"] == "cells.lost")


def test_private_use_characters_in_cells_survive() -> None:
    """GB18030 maps its user-defined characters to the private-use area (U+E000…): a body name
    spelled with one must not split or lose a table cell."""
    from parsers.html_tokens import from_html

    tokens = from_html("<div><table><tr><td>\ue000\ue001镇</td><td>3</td></tr></table></div>")
    assert [(t.text, t.row) for t in tokens] == [("\ue000\ue001镇", 1), ("3", 1)]
