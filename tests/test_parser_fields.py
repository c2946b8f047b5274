"""Title, body, year, publish date and text as real pages print them (issue: fields real pages break)."""
from __future__ import annotations

import pytest

from conftest import SHARED
from parsers import parse_bytes, parse_path
from parsers.page_labels import parse_label_line

PINGTAN = SHARED / "new-corpus" / "pingtan-tables"
TAIL = "一、总体情况\n略。\n二、主动公开政府信息情况\n五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n"


@pytest.mark.parametrize("head, title, organ, year", [
    # a title broken over two lines, with a space inside
    ("2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n",
     "2025 年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2025),
    # a cover letter: the body is the one sending the report, not "…关于报送"
    ("某市自然资源管理局关于报送2020年度政府信息公开工作年度报告的函\n",
     "某市自然资源管理局关于报送2020年度政府信息公开工作年度报告的函", "某市自然资源管理局", 2020),
    ("某县2020年政府信息公开情况总结\n", "某县2020年政府信息公开情况总结", "某县", 2020),
    ("某镇2020年政府信息公开工作情况\n", "某镇2020年政府信息公开工作情况", "某镇", 2020),
    ("某镇2020年政府信息公开年度报告\n", "某镇2020年政府信息公开年度报告", "某镇", 2020),
])
def test_titles_real_pages_print(head: str, title: str, organ: str, year: int) -> None:
    r = parse_bytes((head + TAIL).encode())
    assert (r["title"], r["organ"], r["year"]) == (title, organ, year)


def test_abbreviated_organ_takes_the_full_name_from_the_signature() -> None:
    r = parse_bytes(("某县财金局2021年政府信息公开工作年度报告\n" + TAIL + "某县财政金融局\n2022年1月10日\n").encode())
    assert r["organ"] == "某县财政金融局"
    # a longer name that merely contains the title's (the office of the same government) is not it
    r = parse_bytes(("某县2021年政府信息公开工作年度报告\n" + TAIL + "某县人民政府办公室\n2022年1月10日\n").encode())
    assert r["organ"] == "某县"


def _page(h1: str, platform: str) -> bytes:
    body = ("<p>一、总体情况</p>" + "<p>本年度本单位认真贯彻落实政府信息公开条例的各项要求，不断完善制度机制，规范办理流程。</p>" * 5
            + "<p>（一）主动公开【重点】：“放管服”《条例》——完成；〔2021〕30号！（括号）</p>"
            + "<p>二、主动公开政府信息情况</p><p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p>")
    return (f"<html><head><title>某县交通运输局2021年政府信息公开工作年度报告_某县人民政府</title></head><body>{h1}"
            f"{platform}<div class='TRS_Editor'>{body}</div></body></html>").encode()


def test_title_from_title_tag_when_the_heading_is_not_the_report_and_platform_dates() -> None:
    platform = ("<table><tr><td>索引号</td><td>001-2022-01</td><td>文号</td><td></td></tr>"
                "<tr><td>关键词</td><td>年报</td><td>公开日期</td><td>2022-01-20</td></tr></table>")
    r = parse_bytes(_page("<h1>政务公开</h1>", platform))
    assert r["title"] == "某县交通运输局2021年政府信息公开工作年度报告"
    assert (r["organ"], r["year"]) == ("某县交通运输局", 2021)
    assert r["metadata"]["publish_date"] == "2022-01-20"
    assert "doc_number" not in r["metadata"]  # the empty 文号 cell does not take 关键词 as its value
    # full-width brackets and punctuation survive into the text and the sections
    line = "（一）主动公开【重点】：“放管服”《条例》——完成；〔2021〕30号！（括号）"
    assert line in r["text"] and line in r["sections"]["overview"]


@pytest.mark.parametrize("line, want", [
    ("索引号\t001\t文号\t\t关键词\t政府信息公开\t公开日期\t2023-01-05", {"index_no": "001", "publish_date": "2023-01-05"}),
    ("发布机构：某县财政局 发布日期：2023年1月5日", {"issuing_organ": "某县财政局", "publish_date": "2023-01-05"}),
    ("文号：\t主题词：年报", {}),
])
def test_platform_block_labels(line: str, want: dict) -> None:
    got = {k: v for k, v in parse_label_line(line)[0].items() if not k.startswith("_")}
    assert got == want


def test_report_printing_the_other_formats_tables_has_the_format_it_prints() -> None:
    """A 2022 report that still prints the 2019 tables: format 2019, the keys it is read into."""
    r = parse_path(PINGTAN / "pt-haitan-2022.txt")
    assert (r["year"], r["format"]) == (2022, "2019")
    assert "procurement" in r["tables"]["active_disclosure"] and "other_handling" in r["tables"]["applications"]


def test_one_line_rendering_keeps_its_punctuation_and_sections() -> None:
    r = parse_path(PINGTAN / "pt-zone-2022.txt")
    assert all(r["sections"][k] for k in r["sections"])
    assert "（国办公开办函〔2021〕30号）" in r["text"]
    assert r["sections"]["problems"].startswith("五、存在的主要问题及改进情况")
    assert "0000000" not in r["sections"]["applications"]  # the table's runs are table, not text
