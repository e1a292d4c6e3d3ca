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
from tests.unit.report.progress_rows import BASE

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
        pace_gap_pp=100 * (0.7954545 - 0.8),
        status="on_track",
        status_zh="基本符合预期",
        status_reason="pace within tolerance",
        baseline_progress=0.7954545,
        evaluation_category_zh="基本符合预期",
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
    baseline_progress=None,
    evaluation_category_zh=None,
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
    # A five-year total: x/T is the share of the target and the progress at once, shown
    # once, as 目标完成率（累计）.
    assert display_row(make_row()) == {
        "领域": "就业",
        "指标": "城镇新增就业人数",
        "地区": "舟山市",
        "截至": "2024-12-31",
        "实际值": "17.5万人",
        "目标": "(22)万人",
        "目标完成率": "79.5%（累计）",
        "进度完成度": "",
        "时序进度": "80.0%",
        "余量/年均增长": "",
        "状态": "基本符合预期",
        "评估类别": "基本符合预期",
    }


# 技能人才总量 at the end of 2024: 21.3 → 26 (003 L112), 24.4 (004 L89).
SKILLED = {k: v for k, v in BASE.items() if k in ScorecardRow.__dataclass_fields__}


def test_a_level_target_shows_both_measures_under_their_names():
    shown = display_row(make_row(**SKILLED))
    assert (shown["目标完成率"], shown["进度完成度"], shown["时序进度"]) == (
        "93.8%",
        "66.0%",
        "80.0%",
    )
    assert (shown["状态"], shown["评估类别"]) == ("进度偏慢", "滞后")


def test_an_imputed_baseline_is_compared_with_its_own_time_share():
    # 留温率 30 (end 2019, imputed) → 36 (end 2021) → 40, 2019–2022: C = 0.6 against
    # e = 24/36 from the first figure, not the plan's 36/48 (docs/formulas.md).
    row = make_row(
        target_kind="level",
        attainment_ratio=0.9,
        baseline_progress=0.6,
        time_elapsed_ratio=0.75,
        pace_gap_pp=100 * (0.6 - 24 / 36),
        is_baseline_imputed=True,
    )
    assert (display_row(row)["进度完成度"], display_row(row)["时序进度"]) == ("60.0%", "66.7%")


def test_a_bound_shows_its_headroom_and_no_ratio():
    ceiling = make_row(
        target_kind="bound_max",
        unit="%",
        target_notation="≤3",
        actual_value=2.5,
        target_value=3.0,
        attainment_ratio=None,
        baseline_progress=None,
        pace_gap_pp=None,
        headroom=0.5,
        is_compliant=True,
        status="compliant",
        status_zh="达标",
    )
    shown = display_row(ceiling)
    assert [shown[k] for k in ("目标完成率", "进度完成度", "时序进度")] == ["", "", ""]
    assert shown["余量/年均增长"] == "余量 0.5个百分点"
    floor = replace(
        ceiling,
        target_kind="bound_min",
        unit="万人",
        headroom=-0.4,
        is_compliant=False,
        status="below_floor",
        status_zh="低于下限",
    )
    assert display_row(floor)["余量/年均增长"] == "低于下限 0.4万人"


def test_a_growth_target_shows_the_yearly_growth_against_the_required():
    growth = {"trajectory_shape": "geometric", "target_comparator": ">=", "status": "on_track"}
    row = make_row(**{**SKILLED, **growth, "observed_growth_rate": 5.87, "target_growth_rate": 6.0})
    assert display_row(row)["余量/年均增长"] == "年均增长 5.9%（目标 6%以上）"


def test_a_figure_published_with_a_validation_warning_is_marked():
    row = make_row(validation_flags="与上年同期（2023：4.09）相比变化 +1025%，超出 ±50%，请核实")
    assert display_row(row)["状态"] == "基本符合预期 ⚠"


def test_display_row_without_notation_or_data():
    shown = display_row(make_row(**SECOND))
    assert shown["实际值"] == "—"
    assert shown["目标"] == "27万人"  # falls back to the formatted target value
    assert shown["目标完成率"] == shown["进度完成度"] == "—"
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
    #   领域 8 (社会保障)  指标 16  地区 6  截至 10  实际值 8 (17.5万人)  目标 8 ((22)万人)
    #   目标完成率 13 (79.5%（累计）)  进度完成度 10  时序进度 8  余量/年均增长 13 (header)
    #   状态 12 (基本符合预期)  评估类别 12 (基本符合预期)
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
                "目标完成率" + " " * 3,
                "进度完成度",
                "时序进度",
                "余量/年均增长",
                "状态" + " " * 8,
                "评估类别",  # trailing padding stripped
            ]
        ),
        gap.join("-" * n for n in (8, 16, 6, 10, 8, 8, 13, 10, 8, 13, 12, 12)),
        gap.join(
            [
                "就业" + " " * 4,
                "城镇新增就业人数",
                "舟山市",
                "2024-12-31",
                "17.5万人",
                "(22)万人",
                "79.5%（累计）",
                " " * 10,
                "80.0%" + " " * 3,
                " " * 13,
                "基本符合预期",
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
                "—" + " " * 12,
                "—" + " " * 9,
                "—" + " " * 7,
                " " * 13,
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
    # every line has the same display width up to the start of the 评估类别 column
    prefix = sum((8, 16, 6, 10, 8, 8, 13, 10, 8, 13, 12)) + 2 * 11
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
