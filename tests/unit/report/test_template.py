"""`hrss template`'s form (report/template.py), read back with openpyxl and through
ingest's own parser (ingest/parse.py) without a warehouse: the form's layout, locks and
validation; a filled form parsed to exactly its figures; empty cells not quarantined;
a text in a value cell quarantined with its cell named. Rows: Zhoushan's 14th FYP
(003 专栏2) × seeds/release_calendar.csv, 职业能力建设处, 2025."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.catalog.releases import Span, expected_figures
from hrss_warehouse.ingest.parse import parse_file
from hrss_warehouse.ingest.template_key import KEY_SHEET, MARKER, TemplateKey
from hrss_warehouse.report.template import COLUMNS, SHEET, previous_figures, write_template
from tests.unit.settings_support import REPO_ROOT

pytestmark = pytest.mark.unit

SEEDS = REPO_ROOT / "seeds"
PLAN = "zs_hrss_14fyp"
TODAY = date(2026, 12, 7)
# Row 4 is the first figure (title, instructions, header above): 职业技能培训 2025年1–12月
# in rows 4–15, then 技能人才总量, 高技能人才数量 and the two certificate counts (16–19).
FILLED = {
    **{4 + m: round(0.35 * (m + 1), 2) for m in range(12)},
    16: 25.3,
    17: 9.1,
    18: 1.2,
    19: 0.45,
}


@pytest.fixture
def form(tmp_path) -> Path:
    figures = expected_figures(SEEDS, PLAN, Span.parse("2025"), "职业能力建设处")
    out = tmp_path / "职业能力建设处_2025.xlsx"
    written = write_template(
        figures, out, plan_code=PLAN, plan_name="舟山市人社“十四五”规划", span=Span.parse("2025"),
        department="职业能力建设处", previous={0: 3.4, 12: 24.4},
    )  # fmt: skip
    assert (written.cells, written.indicators, written.regions) == (16, 5, 1)
    assert (written.periods[0], written.periods[-1], len(written.periods)) == (
        "2025年1月",
        "2025年",
        13,
    )
    return out


def fill(form: Path, values: dict[int, object], out: Path) -> Path:
    book = openpyxl.load_workbook(form)
    for line, value in values.items():
        book[SHEET][f"J{line}"] = value
    book.save(out)
    return out


def parse(path: Path):
    return parse_file(path, Catalog.load(SEEDS), TODAY)


def test_the_form_lays_out_the_rows_locks_all_but_the_cells_to_fill(form):
    book = openpyxl.load_workbook(form)
    assert book.sheetnames == [SHEET, KEY_SHEET]
    assert book[KEY_SHEET].sheet_state == "veryHidden" and book.security.lockStructure
    sheet = book[SHEET]
    assert "统计期：2025年，职业能力建设处" in sheet["A1"].value
    assert [c.value for c in sheet[3]] == [header for header, _ in COLUMNS]
    assert [c.value for c in sheet[4]][:9] == [
        1, "vocational_training", "职业技能培训人次", "330900", "舟山市", "2025年1月", "累计",
        "万人次", 3.4,
    ]  # fmt: skip
    # 技能人才总量: 2024 期末 24.4万人 (004 L89) shown as last period's figure.
    assert [c.value for c in sheet[16]][1:9] == [
        "skilled_talent", "技能人才总量", "330900", "舟山市", "2025年", "期末", "万人", 24.4,
    ]  # fmt: skip
    assert sheet.max_row == 19 and sheet.freeze_panes == "A4"
    assert sheet.protection.sheet
    locked = {c.column_letter for c in sheet[16] if c.protection.locked}
    assert locked == set("ABCDEFGHI")  # J 数值 and K 备注 are open
    (rule,) = sheet.data_validations.dataValidation
    assert (rule.type, rule.operator, rule.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert str(rule.sqref) == " ".join(f"J{line}" for line in range(4, 20))
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"
    key = TemplateKey.from_rows(book[KEY_SHEET].iter_rows(values_only=True))
    assert key is not None
    assert (key.plan_code, key.period, key.department, key.sheet, key.cells) == (
        PLAN, "2025", "职业能力建设处", SHEET, 16,
    )  # fmt: skip


def test_a_filled_form_parses_to_exactly_its_figures(form, tmp_path):
    result = parse(fill(form, FILLED, tmp_path / "filled.xlsx"))
    assert result.quarantined == [] and result.status == "loaded"
    got = {o["row_number"]: o for o in result.observations}
    assert {line: o["value"] for line, o in got.items()} == FILLED
    assert (got[4]["period_code"], got[4]["basis"]) == ("2025-01", "ytd")
    assert (got[16]["indicator_code"], got[16]["period_code"], got[16]["basis"]) == (
        "skilled_talent",
        "2025",
        "end",
    )
    assert {o["region_code"] for o in result.observations} == {"330900"}
    assert result.notes == [
        "按填报模板读取（规划 zs_hrss_14fyp，统计期 2025，职业能力建设处）：应填 16 项，已填 16 项，未填 0 项"
    ]


def test_cells_left_empty_are_not_reported_yet_not_quarantined(form, tmp_path):
    half = {line: value for line, value in FILLED.items() if line in (4, 5, 6, 16)}
    result = parse(fill(form, half, tmp_path / "half.xlsx"))
    assert result.quarantined == [] and result.rows_loaded == 4
    assert result.missing_cells == 12
    assert "已填 4 项，未填 12 项" in result.notes[0]
    empty = parse(form)
    assert [q["message_zh"] for q in empty.quarantined] == [
        "文件“职业能力建设处_2025.xlsx” 文件为空或只有表头：模板未填写任何数值"
    ]


def test_a_text_in_a_value_cell_is_quarantined_with_its_cell_named(form, tmp_path):
    result = parse(fill(form, {**FILLED, 16: "二十五点三"}, tmp_path / "text.xlsx"))
    assert result.rows_loaded == 15 and result.status == "partially_loaded"
    (problem,) = result.quarantined
    assert (problem["row_number"], problem["sheet_name"], problem["reason_code"]) == (
        16,
        SHEET,
        "value_not_numeric",
    )
    assert problem["message_zh"] == (
        "文件“text.xlsx”工作表“填报”第16行（单元格J16） 字段“数值”：“二十五点三” 数值无法识别为数字"
    )


def test_a_hidden_sheet_of_that_name_without_the_marker_is_not_a_key(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标名称", "地区", "统计期", "数值", "单位"])
    sheet.append(["技能人才总量", "舟山市", "2024年", 24.4, "万人"])
    sheet.append(["高技能人才", "舟山市", "2024年", None, "万人"])
    hidden = book.create_sheet(KEY_SHEET)
    hidden.append(["plan_code", PLAN])
    hidden.sheet_state = "hidden"
    book.save(tmp_path / "plain.xlsx")
    result = parse(tmp_path / "plain.xlsx")
    # Not a template: the empty value is quarantined as in any long sheet.
    assert [q["reason_code"] for q in result.quarantined] == ["value_missing"]
    assert result.notes == [f"跳过隐藏工作表“{KEY_SHEET}”"]
    assert TemplateKey.from_rows([[MARKER, "1"], ["plan_code", PLAN], ["cells", "x"]]) is None
    assert TemplateKey.from_rows([]) is None


def test_a_wide_sheet_names_the_cell_of_a_bad_value(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年舟山市就业情况（单位：万人）"])
    sheet.append(["指标", "1月", "2月", "3月"])
    sheet.append(["城镇新增就业", 0.3, 0.6, "四点六"])
    book.save(tmp_path / "wide.xlsx")
    (problem,) = parse(tmp_path / "wide.xlsx").quarantined
    assert "第3行（单元格D3） 字段“3月”：“四点六”" in problem["message_zh"]


def test_the_command_names_what_it_wrote_and_refuses_what_it_cannot_make(
    tmp_path, monkeypatch, capsys
):
    from hrss_warehouse import cli

    monkeypatch.setenv("HRSS_CATALOG_DIR", str(SEEDS))
    monkeypatch.setenv("HRSS_WAREHOUSE", str(tmp_path / "none.duckdb"))
    out = tmp_path / "forms" / "就业.xlsx"
    # The department as typed, with a full-width blank: the calendar's spelling is kept.
    args = ["template", "--plan", PLAN, "--period", "2025-03", "--out", str(out)]
    assert cli.main([*args, "--department", "就业管理　服务中心"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"wrote {out}: 2 cells to fill (2 indicators × 1 region(s), ")
    assert "2025年3月、2025年第一季度" in said and f"(no warehouse at {tmp_path}" in said
    key = TemplateKey.from_rows(openpyxl.load_workbook(out)[KEY_SHEET].iter_rows(values_only=True))
    assert key is not None and key.department == "就业管理服务中心"
    assert cli.main(["template", "--plan", "zs_x", "--period", "2025", "--out", str(out)]) == 1
    assert "规划代码 zs_x 不在目录" in capsys.readouterr().err
    assert cli.main(["template", "--plan", PLAN, "--period", "2025", "--out", "a.csv"]) == 2
    assert "--out must end in .xlsx" in capsys.readouterr().err


def test_a_malformed_key_leaves_an_ordinary_workbook(form, tmp_path):
    book = openpyxl.load_workbook(form)
    key = book[KEY_SHEET]
    for row in key.iter_rows():
        if row[0].value == "cells":
            row[1].value = "1e400"  # not a count: int(float(...)) would overflow
    book[SHEET]["J16"] = 25.3
    book.save(tmp_path / "odd_key.xlsx")
    result = parse(tmp_path / "odd_key.xlsx")
    # Read as any long sheet: the figure loads, the 15 empty rows are 数值为空 again.
    assert result.rows_loaded == 1
    assert {q["reason_code"] for q in result.quarantined} == {"value_missing"}
    assert result.notes == [f"跳过隐藏工作表“{KEY_SHEET}”"]


def _marts(path: Path, rows: list[tuple]) -> Path:
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_indicator_observation (indicator_code varchar, "
            "region_code varchar, period_end_date date, period_grain varchar, basis varchar, "
            "value double)"
        )
        con.executemany(
            "insert into marts.fct_indicator_observation values (?, ?, ?, ?, ?, ?)", rows
        )
    return path


def test_last_periods_figure_is_looked_up_on_the_same_basis(tmp_path):
    figures = expected_figures(SEEDS, PLAN, Span.parse("2025-04"))
    index = {f.indicator_code: i for i, f in enumerate(figures)}
    warehouse = _marts(
        tmp_path / "w.duckdb",
        [
            # 失业保险参保人数 (期末, monthly) reported for the quarter: its end is March's end.
            ("unemployment_insurance_insured", "330900", date(2025, 3, 31), "quarter", "end", 12.6),
            # 城镇新增就业 (累计): March's year to date, not March's own month.
            ("urban_new_jobs", "330900", date(2025, 3, 31), "month", "period", 0.4),
            ("urban_new_jobs", "330900", date(2025, 3, 31), "month", "ytd", 1.02),
            # 工伤保险参保人数: another region's figure is not this one's.
            ("work_injury_insurance_insured", "330100", date(2025, 3, 31), "month", "end", 9.9),
        ],
    )
    previous, unread = previous_figures(warehouse, figures)
    assert unread is None
    assert previous == {
        index["unemployment_insurance_insured"]: 12.6,
        index["urban_new_jobs"]: 1.02,
    }
    (tmp_path / "junk.duckdb").write_bytes(b"not a database")
    none, why = previous_figures(tmp_path / "junk.duckdb", figures)
    assert (
        none == {}
        and why is not None
        and why.startswith(f"{tmp_path / 'junk.duckdb'} not readable: ")
    )
