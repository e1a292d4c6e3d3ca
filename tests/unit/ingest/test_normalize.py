"""Unit tests for hrss_warehouse.ingest.normalize: periods, values, 口径, headers, messages."""

from __future__ import annotations

from datetime import date

import pytest

from hrss_warehouse.ingest.normalize import (
    REASONS,
    Period,
    RowProblem,
    canonical_column,
    is_missing,
    missing_columns,
    parse_basis,
    parse_period,
    parse_value,
)

pytestmark = pytest.mark.unit


# --------------------------------------------------------------------------- parse_period


@pytest.mark.parametrize(
    ("raw", "code", "grain", "start", "end"),
    [
        # whole years
        ("2024", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024年", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
        ("２０２４年", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),  # full-width
        (" 2024 年 ", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),  # blanks
        # months
        ("2024-03", "2024-03", "month", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024年3月", "2024-03", "month", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024/3", "2024-03", "month", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024.3", "2024-03", "month", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024年1月", "2024-01", "month", date(2024, 1, 1), date(2024, 1, 31)),
        ("2024年02月", "2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),  # leap
        ("2023-02", "2023-02", "month", date(2023, 2, 1), date(2023, 2, 28)),
        ("2024年12月", "2024-12", "month", date(2024, 12, 1), date(2024, 12, 31)),
        ("2024年4月", "2024-04", "month", date(2024, 4, 1), date(2024, 4, 30)),
        # quarters
        ("2024Q1", "2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024q4", "2024-Q4", "quarter", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024年Q2", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
        ("2024年第一季度", "2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024年第三季度", "2024-Q3", "quarter", date(2024, 7, 1), date(2024, 9, 30)),
        ("2024第2季度", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
        # halves
        ("2024年上半年", "2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
        ("2024年下半年", "2024-H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024上半年", "2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ],
)
def test_parse_period_plain_periods(raw, code, grain, start, end):
    period = parse_period(raw)
    assert period == Period(code, grain, start, end, None)
    assert period.implied_basis is None


@pytest.mark.parametrize(
    ("raw", "code", "end"),
    [
        ("2024年1-3月", "2024-03", date(2024, 3, 31)),
        # the merged January-February release: 2024 is a leap year
        ("2024年1-2月", "2024-02", date(2024, 2, 29)),
        ("2023年1-2月", "2023-02", date(2023, 2, 28)),
        ("2024年1~6月", "2024-06", date(2024, 6, 30)),
        ("2024年1至11月", "2024-11", date(2024, 11, 30)),
        ("2024年1-12月", "2024-12", date(2024, 12, 31)),
        ("20241-9月", "2024-09", date(2024, 9, 30)),  # 年 is optional in the pattern
    ],
)
def test_parse_period_year_to_date(raw, code, end):
    period = parse_period(raw)
    assert period.code == code
    assert period.grain == "month"
    assert period.start_date == date(end.year, 1, 1)
    assert period.end_date == end
    assert period.implied_basis == "ytd"


def test_parse_period_merged_jan_feb_is_leap_aware():
    period = parse_period("2024年1-2月")
    assert period == Period("2024-02", "month", date(2024, 1, 1), date(2024, 2, 29), "ytd")


@pytest.mark.parametrize(
    "raw",
    [
        "2024年13月",
        "2024-13",
        "2024-00",
        "2024年0月",
        "2024年1-13月",
        "二〇二四年",
        "24年",
        "2024Q5",
        "2024年第五季度",
        "2024年10-12月",  # not a year-to-date form; rejected rather than misread
        "2024-03-15",
        "March2024",
    ],
)
def test_parse_period_invalid(raw):
    with pytest.raises(RowProblem) as excinfo:
        parse_period(raw)
    assert excinfo.value.reason_code == "period_invalid"
    assert excinfo.value.field == "period"
    assert excinfo.value.text == raw


@pytest.mark.parametrize("raw", ["", None, "   ", "-", "—", "——", "…"])
def test_parse_period_missing(raw):
    with pytest.raises(RowProblem) as excinfo:
        parse_period(raw)
    assert excinfo.value.reason_code == "period_missing"
    assert excinfo.value.field == "period"


def test_parse_period_invalid_text_is_normalized():
    # NFKC + blanks removed before matching, and the problem shows that text.
    with pytest.raises(RowProblem) as excinfo:
        parse_period("２０２４年 １３月")
    assert excinfo.value.reason_code == "period_invalid"
    assert excinfo.value.text == "2024年13月"


# --------------------------------------------------------------------------- parse_value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("４．６", 4.6),  # full-width digits and point (NFKC)
        ("35.3%", 35.3),
        ("３５．３％", 35.3),  # full-width per-cent sign
        (" 12 ", 12.0),
        ("1 234", 1234.0),
        ("0", 0.0),
        ("-1.5", -1.5),
        ("21078", 21078.0),
        (12.34, 12.34),
    ],
)
def test_parse_value_numbers(raw, expected):
    assert parse_value(raw) == expected


@pytest.mark.parametrize(
    "raw", ["—", "——", "-", "–", "…", "...", "", "  ", None, "N/A", "null", "NA"]
)
def test_parse_value_missing_markers_are_missing_never_zero(raw):
    with pytest.raises(RowProblem) as excinfo:
        parse_value(raw)
    assert excinfo.value.reason_code == "value_missing"
    assert excinfo.value.field == "value"


@pytest.mark.parametrize(
    ("parse", "reason"), [(parse_value, "value_missing"), (parse_period, "period_missing")]
)
def test_double_ellipsis_is_a_missing_marker(parse, reason):
    with pytest.raises(RowProblem) as excinfo:
        parse("……")
    assert excinfo.value.reason_code == reason


@pytest.mark.parametrize(
    "raw", ["四点六", "nan", "NaN", "inf", "-inf", "Infinity", "12万", "1.2.3", "abc", "%"]
)
def test_parse_value_not_numeric(raw):
    with pytest.raises(RowProblem) as excinfo:
        parse_value(raw)
    assert excinfo.value.reason_code == "value_not_numeric"
    assert excinfo.value.field == "value"
    assert excinfo.value.text == raw


# --------------------------------------------------------------------------- parse_basis

MONTH = Period("2024-03", "month", date(2024, 3, 1), date(2024, 3, 31))
YTD = Period("2024-03", "month", date(2024, 1, 1), date(2024, 3, 31), "ytd")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("当期", "period"),
        ("累计", "ytd"),
        ("期末", "end"),
        ("period", "period"),
        ("YTD", "ytd"),
        ("End", "end"),
        (" 累计 ", "ytd"),
        ("", "period"),
        (None, "period"),
        ("-", "period"),
    ],
)
def test_parse_basis_without_implied_basis(raw, expected):
    assert parse_basis(raw, MONTH) == expected


def test_parse_basis_blank_takes_the_period_implied_basis():
    assert parse_basis("", YTD) == "ytd"
    assert parse_basis("-", YTD) == "ytd"


def test_parse_basis_ytd_with_ytd_period_ok():
    assert parse_basis("累计", parse_period("2024年1-3月")) == "ytd"


@pytest.mark.parametrize("raw", ["当期", "期末"])
def test_parse_basis_conflicts_with_ytd_period(raw):
    with pytest.raises(RowProblem) as excinfo:
        parse_basis(raw, parse_period("2024年1-3月"))
    assert excinfo.value.reason_code == "basis_conflict"
    assert excinfo.value.field == "basis"
    assert excinfo.value.text == raw


@pytest.mark.parametrize("raw", ["年度", "同比", "累积", "—"])
def test_parse_basis_invalid(raw):
    with pytest.raises(RowProblem) as excinfo:
        parse_basis(raw, MONTH)
    assert excinfo.value.reason_code == "basis_invalid"
    assert excinfo.value.field == "basis"


# --------------------------------------------------------------------------- map_header


def columns_of(header: list[str]) -> dict[str, int]:
    """Header row → {canonical column: first index}, as the layout reads a long sheet."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        if (canonical := canonical_column(cell)) and canonical not in mapping:
            mapping[canonical] = index
    return mapping


def test_canonical_columns_chinese():
    mapping = columns_of(["指标名称", "地区", "统计期", "数值", "单位", "口径", "备注"])
    assert mapping == {
        "indicator_name": 0,
        "region_name": 1,
        "period": 2,
        "value": 3,
        "unit": 4,
        "basis": 5,
        "note": 6,
    }
    assert missing_columns(set(mapping)) == []


def test_canonical_columns_english_case_and_blanks():
    mapping = columns_of(["Indicator_Code", " region_code ", "PERIOD", "value", "Unit", "source"])
    assert mapping == {
        "indicator_code": 0,
        "region_code": 1,
        "period": 2,
        "value": 3,
        "unit": 4,
        "source": 5,
    }
    assert missing_columns(set(mapping)) == []


def test_canonical_columns_alternative_spellings():
    mapping = columns_of(["指标", "行政区划代码", "时期", "值", "计量单位", "指标名称"])
    assert mapping["indicator_name"] == 0  # the first matching column wins
    assert mapping["region_code"] == 1
    assert mapping["period"] == 2
    assert mapping["value"] == 3
    assert mapping["unit"] == 4
    assert missing_columns(set(mapping)) == []


def test_unknown_header_cells_are_not_columns():
    assert canonical_column("序号") is None
    assert canonical_column('x");drop table raw.observations;--') is None


def test_missing_value_column():
    assert missing_columns({"indicator_name", "region_name", "period", "unit"}) == ["数值"]


def test_missing_everything():
    assert missing_columns({"basis"}) == [
        "指标代码|指标名称",
        "地区代码|地区",
        "统计期",
        "数值",
        "单位",
    ]


@pytest.mark.parametrize("text", ["", " ", "-", "—", "——", "…", "……", "...", "/", "N/A", "null"])
def test_missing_markers(text):
    assert is_missing(text)


@pytest.mark.parametrize("text", ["0", "4.6", "四点六"])
def test_figures_and_words_are_not_missing(text):
    assert not is_missing(text)


# --------------------------------------------------------------------------- RowProblem


def test_message_zh_value_not_numeric():
    problem = RowProblem("value_not_numeric", "value", "四点六")
    assert (
        problem.message_zh("a.csv", 12)
        == "文件“a.csv”第12行 字段“数值”：“四点六” 数值无法识别为数字"
    )


def test_message_zh_without_text():
    problem = RowProblem("unit_missing", "unit", None)
    assert problem.message_zh("b.csv", 3) == "文件“b.csv”第3行 字段“单位” 单位为空"
    empty = RowProblem("period_missing", "period", "")
    assert empty.message_zh("b.csv", 4) == "文件“b.csv”第4行 字段“统计期” 统计期为空"


def test_message_zh_without_field():
    problem = RowProblem("duplicate_in_file", None, None)
    assert problem.message_zh("c.csv", 7) == "文件“c.csv”第7行 同一文件内重复的指标、地区、统计期"


def test_message_zh_unit_conversion_and_unmapped_field_name():
    problem = RowProblem("unit_not_convertible", "unit", "公斤→万人")
    assert (
        problem.message_zh("d.csv", 5)
        == "文件“d.csv”第5行 字段“单位”：“公斤→万人” 单位无法换算为目录单位"
    )
    # A field with no Chinese label is shown as its own name.
    other = RowProblem("value_missing", "source", "x")
    assert other.message_zh("e.csv", 2) == "文件“e.csv”第2行 字段“source”：“x” 数值为空"


def test_row_problem_is_raisable():
    with pytest.raises(RowProblem) as excinfo:
        raise RowProblem("period_invalid", "period", "x")
    assert excinfo.value.reason_code == "period_invalid"


def test_every_reason_code_has_a_message():
    assert all(isinstance(v, str) and v for v in REASONS.values())
    for code in (
        "file_not_utf8",
        "file_type_unsupported",
        "header_missing_column",
        "value_missing",
        "value_not_numeric",
        "basis_conflict",
        "basis_invalid",
        "period_in_future",
        "duplicate_in_file",
    ):
        assert code in REASONS


@pytest.mark.parametrize("text", ["0000", "0000年"])
def test_year_zero_is_an_invalid_period_not_a_crash(text):
    with pytest.raises(RowProblem) as caught:
        parse_period(text)
    assert caught.value.reason_code == "period_invalid"


def test_em_dash_year_to_date():
    period = parse_period("2024年1—3月")
    assert (period.code, period.implied_basis) == ("2024-03", "ytd")
