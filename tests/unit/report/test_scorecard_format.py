"""Unit tests for the scorecard's pure formatting (no database): numbers, percentages,
terminal widths of CJK text, and the table/JSON/CSV renderings of hand-built rows."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, replace

import pytest

from hrss_warehouse.errors import PipelineError
from hrss_warehouse.formatting import fmt_number, fmt_percent
from hrss_warehouse.report.scorecard import (
    ScorecardRow,
    _width,
    display_row,
    render,
    render_table,
)

pytestmark = pytest.mark.unit


def make_row(**changes) -> ScorecardRow:
    row = ScorecardRow(
        plan_code="zs_hrss_14fyp",
        plan_name_zh="舟山市“十四五”规划",
        domain_name_zh="就业",
        indicator_code="urban_new_jobs",
        indicator_name_zh="城镇新增就业人数",
        region_code="330900",
        region_name_zh="舟山市",
        as_of_date="2024-12-31",
        unit="万人",
        target_kind="cumulative",
        attribute="expected",
        target_notation="(22)",
        actual_value=17.5,
        target_value=22.0,
        attainment_ratio=0.7954545,
        time_elapsed_ratio=0.8,
        pace_gap_pp=-0.5,
        status="on_track",
        status_zh="基本符合预期",
        status_reason="pace within tolerance",
    )
    return replace(row, **changes)


SECOND = dict(
    domain_name_zh="社会保障",
    indicator_code="unemployment_insurance_insured",
    indicator_name_zh="失业保险参保人数",
    region_code="330902",
    region_name_zh="定海区",
    target_kind="level",
    target_notation=None,
    actual_value=None,
    target_value=27.0,
    attainment_ratio=None,
    time_elapsed_ratio=None,
    pace_gap_pp=None,
    status="no_data",
    status_zh="数据不足",
    status_reason=None,
)


# --------------------------------------------------------------------------- fmt_number


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (None, "万人", "—"),
        (12.34, "万人", "12.34万人"),
        (38.58, "%", "38.58%"),
        (17.5, "万人", "17.5万人"),
        (22.0, "万人", "22万人"),
        (100.0, "%", "100%"),  # trailing zeros only, never the integer's own zeros
        (10, "", "10"),
        (0.0, "", "0"),
        (2.1078, "万人", "2.11万人"),  # at most two decimals
        (0.004, "", "0"),
        (1234567.891, "", "1234567.89"),
        (-1.5, "", "-1.5"),
        (0.95, "万人", "0.95万人"),
    ],
)
def test_fmt_number(value, unit, expected):
    assert fmt_number(value, unit) == expected


def test_fmt_number_default_unit_is_empty():
    assert fmt_number(5.5) == "5.5"


@pytest.mark.parametrize(
    ("call", "expected"),
    [(lambda: fmt_number(-0.001, "万人"), "0万人"), (lambda: fmt_percent(-0.0001), "0.0%")],
    ids=["fmt_number", "fmt_percent"],
)
def test_negative_zero_is_shown_without_sign(call, expected):
    assert call() == expected


# --------------------------------------------------------------------------- fmt_percent


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (None, "—"),
        (0.7954545, "79.5%"),
        (0.8, "80.0%"),
        (1.0, "100.0%"),
        (0.0, "0.0%"),
        (1.2346, "123.5%"),
        (-0.25, "-25.0%"),
        (0.12345, "12.3%"),
    ],
)
def test_fmt_percent(ratio, expected):
    assert fmt_percent(ratio) == expected


# --------------------------------------------------------------------------- _width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        ("城镇", 4),
        ("17.5万人", 8),
        ("12.34万人", 9),
        ("％", 2),  # full-width
        ("%", 1),
        ("≤3%", 3),  # ≤ is East-Asian ambiguous: one column
        ("—", 1),
        ("基本符合预期", 12),
        ("(22)万人", 8),
    ],
)
def test_width(text, expected):
    assert _width(text) == expected


# --------------------------------------------------------------------------- display_row


def test_display_row_full():
    assert display_row(make_row()) == {
        "领域": "就业",
        "指标": "城镇新增就业人数",
        "地区": "舟山市",
        "截至": "2024-12-31",
        "实际值": "17.5万人",
        "目标": "(22)万人",
        "完成度": "79.5%",
        "时序进度": "80.0%",
        "状态": "基本符合预期",
    }


def test_a_figure_published_with_a_validation_warning_is_marked():
    row = make_row(validation_flags="与上年同期（2023：4.09）相比变化 +1025%，超出 ±50%，请核实")
    assert display_row(row)["状态"] == "基本符合预期 ⚠"


def test_display_row_without_notation_or_data():
    shown = display_row(make_row(**SECOND))
    assert shown["实际值"] == "—"
    assert shown["目标"] == "27万人"  # falls back to the formatted target value
    assert shown["完成度"] == "—"
    assert shown["时序进度"] == "—"
    assert shown["状态"] == "数据不足"


def test_display_row_bound_notation():
    row = make_row(unit="%", target_notation="≤3", target_value=3.0, actual_value=2.45)
    shown = display_row(row)
    assert shown["目标"] == "≤3%"
    assert shown["实际值"] == "2.45%"


# --------------------------------------------------------------------------- render_table


def test_render_table_empty():
    assert render_table([]) == "(no plan targets in the warehouse)"
    assert render([], "table") == "(no plan targets in the warehouse)"


def test_render_table_aligns_cjk_columns():
    # Column widths by hand (CJK = 2 columns):
    #   领域 8 (社会保障)  指标 16  地区 6  截至 10  实际值 8 (17.5万人)
    #   目标 8 ((22)万人)  完成度 6 (header)  时序进度 8 (header)  状态 12 (基本符合预期)
    out = render_table([make_row(), make_row(**SECOND)])
    gap = "  "
    expected = [
        "舟山市“十四五”规划 (zs_hrss_14fyp)",  # one heading per plan
        gap.join(
            [
                "领域" + " " * 4,
                "指标" + " " * 12,
                "地区" + " " * 2,
                "截至" + " " * 6,
                "实际值" + " " * 2,
                "目标" + " " * 4,
                "完成度",
                "时序进度",
                "状态",  # trailing padding stripped
            ]
        ),
        gap.join("-" * n for n in (8, 16, 6, 10, 8, 8, 6, 8, 12)),
        gap.join(
            [
                "就业" + " " * 4,
                "城镇新增就业人数",
                "舟山市",
                "2024-12-31",
                "17.5万人",
                "(22)万人",
                "79.5%" + " ",
                "80.0%" + " " * 3,
                "基本符合预期",
            ]
        ),
        gap.join(
            [
                "社会保障",
                "失业保险参保人数",
                "定海区",
                "2024-12-31",
                "—" + " " * 7,
                "27万人" + " " * 2,
                "—" + " " * 5,
                "—" + " " * 7,
                "数据不足",
            ]
        ),
    ]
    assert out.split("\n") == expected
    assert out == "\n".join(expected)


def test_render_table_lines_have_equal_display_width_before_last_column():
    out = render_table([make_row(), make_row(**SECOND)])
    lines = out.split("\n")
    assert len(lines) == 5  # plan heading, header, rule, two rows
    # every line has the same display width up to the start of the 状态 column
    prefix = sum((8, 16, 6, 10, 8, 8, 6, 8)) + 2 * 8
    assert _width(lines[2]) == prefix + 12
    for line in lines:
        assert not line.endswith(" ")


# --------------------------------------------------------------------------- render json/csv


def test_render_json():
    rows = [make_row(), make_row(**SECOND)]
    text = render(rows, "json")
    assert "城镇新增就业人数" in text  # ensure_ascii=False: readable Chinese
    assert "\\u" not in text
    data = json.loads(text)
    assert data == [asdict(r) for r in rows]
    assert data[1]["actual_value"] is None
    assert data[0]["attainment_ratio"] == 0.7954545


def test_render_json_empty():
    assert render([], "json") == "[]"


def test_render_csv():
    rows = [make_row(), make_row(**SECOND)]
    text = render(rows, "csv")
    lines = text.split("\r\n")
    assert lines[0] == ",".join(ScorecardRow.__dataclass_fields__)
    assert lines[-1] == ""  # every record ends with the csv line terminator
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == 2
    assert parsed[0]["indicator_name_zh"] == "城镇新增就业人数"
    assert parsed[0]["target_notation"] == "(22)"
    assert parsed[0]["actual_value"] == "17.5"
    assert parsed[0]["target_value"] == "22.0"
    assert parsed[1]["actual_value"] == ""  # None → empty cell, not "None"
    assert parsed[1]["target_notation"] == ""


def test_render_csv_empty_is_header_only():
    assert render([], "csv") == ",".join(ScorecardRow.__dataclass_fields__) + "\r\n"


def test_render_unknown_format():
    with pytest.raises(PipelineError, match="unknown format 'xml'"):
        render([make_row()], "xml")


def test_render_table_one_block_per_plan():
    other = make_row(plan_code="zs_hrss_13fyp", plan_name_zh="舟山市“十三五”规划")
    lines = render_table([make_row(), other]).split("\n")
    assert lines[0] == "舟山市“十四五”规划 (zs_hrss_14fyp)"
    assert lines[4] == ""  # blank line between plans
    assert lines[5] == "舟山市“十三五”规划 (zs_hrss_13fyp)"
    assert lines[6] == lines[1]  # the same column header, same widths


def test_plans_without_any_figure_fold_into_one_line():
    rows = [
        make_row(),
        make_row(plan_code="hn_sw", plan_name_zh="河南", status="no_data", actual_value=None),
        make_row(plan_code="qh", plan_name_zh="青海", status="no_data", actual_value=None),
        make_row(plan_code="qh", indicator_code="x", status="no_data", actual_value=None),
    ]
    folded = render_table(rows, fold_empty=True)
    assert "舟山市“十四五”规划 (zs_hrss_14fyp)" in folded
    assert "河南 (hn_sw)" not in folded and "青海 (qh)" not in folded
    assert folded.splitlines()[-1].startswith(
        "no figures yet for: hn_sw (1 indicators), qh (2 indicators)"
    )
    # Asked for by name, a plan is shown whole even without figures.
    assert "青海 (qh)" in render(rows[2:], "table")
    assert "no figures yet" not in render_table(rows)


@pytest.mark.parametrize(
    ("notation", "value", "unit", "shown"),
    [
        ("35以上", 35.0, "%", "35%以上"),  # 高技能人才占比 35%以上 as plans write it
        ("3000左右", 3000.0, "人", "3000人左右"),
        ("≤3", 3.0, "%", "≤3%"),
        ("(22)", 22.0, "万人", "(22)万人"),
        (None, 27.0, "万人", "27万人"),
        (None, None, "万人", "—"),
        ("——", None, "%", "—"),
    ],
)
def test_targets_are_written_as_the_plan_writes_them(notation, value, unit, shown):
    from hrss_warehouse.formatting import fmt_target

    assert fmt_target(notation, value, unit) == shown
