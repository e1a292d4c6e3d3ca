"""report/excel.py's pure parts: a cell's number format from the published precision and
the plan's notation, and sheet names Excel accepts."""

from __future__ import annotations

import pytest

from hrss_warehouse.report.excel import number_format, sheet_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "notation", "expected"),
    [
        (24.4, None, "0.0"),  # 技能人才总量 24.4万人 (004 L89)
        (19.14, None, "0.00"),
        (96.0, None, "0"),
        (7.5578, None, "0.00"),  # published with at most two decimals
        (5.5, "≤5.5", '"≤"0.0'),  # 调查失业率 (003 L101)
        (22.0, "(22)", '"("0")"'),  # 城镇新增就业 five-year total (003 L99)
        (35.0, "35以上", '0"以上"'),
        (26.0, "26", "0"),
        (3.0, "≤ 2.5", "0"),  # a notation about another number is not borrowed
        (None, None, "0"),
    ],
)
def test_the_format_prints_the_figure_as_published(value, notation, expected):
    assert number_format(value, notation) == expected


def test_sheet_names_are_valid_and_unique():
    assert sheet_name("zs_hrss_14fyp", []) == "zs_hrss_14fyp"
    assert sheet_name("a/b:c*d?[e]", []) == "a_b_c_d__e_"
    long = "x" * 40
    first = sheet_name(long, [])
    assert len(first) == 31
    second = sheet_name(long, [first])
    assert len(second) <= 31 and second != first and second.endswith("~2")
    assert sheet_name("ZS", ["zs"]) == "ZS~2"  # Excel compares names without case
