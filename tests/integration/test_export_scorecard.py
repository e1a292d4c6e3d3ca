"""`hrss export scorecard`: the workbook a planning office hands on, read back with
openpyxl — values as numbers, their published precision as the cell format, statuses in
the report's colours, A4 landscape, the header frozen (report/excel.py). Figures from the
sample run (catalog_sources/documents/003_… = Zhoushan 14th FYP, 004_… = 2024 results)."""

from __future__ import annotations

import openpyxl
import pytest

from hrss_warehouse.report.excel import COLUMNS
from hrss_warehouse.report.html import STATUS_COLOURS

pytestmark = pytest.mark.integration

PLAN = "zs_hrss_14fyp"


@pytest.fixture(scope="module")
def workbook(sample_run, hrss, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "规划指标评估表.xlsx"
    done = hrss("export", "scorecard", "--out", out, "--warehouse", sample_run.warehouse)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}: ") and f" {PLAN} (" in done.stdout
    return openpyxl.load_workbook(out)


def rows_of(sheet) -> dict[tuple[str, str], dict]:
    headers = [c.value for c in sheet[1]]
    return {
        (cells[1].value, cells[2].value): dict(zip(headers, cells, strict=True))
        for cells in sheet.iter_rows(min_row=2)
    }


def test_one_sheet_per_plan_in_the_column_layout_and_a_notes_sheet(workbook):
    assert PLAN in workbook.sheetnames and workbook.sheetnames[-1] == "说明"
    sheet = workbook[PLAN]
    assert [c.value for c in sheet[1]] == [header for header, _ in COLUMNS]
    # Every target of 专栏2 for Zhoushan (003 L99–L123: 20 indicators) is a row.
    assert sum(1 for _, region in rows_of(sheet) if region == "舟山市") == 20
    notes = {row[0].value: row[1].value for row in workbook["说明"].iter_rows(min_row=2)}
    assert notes["进度完成度"].startswith("（最新值 − 基期值）÷（目标值 − 基期值）")
    assert notes[f"规划 {PLAN}"].startswith("舟山市人力资源和社会保障")


def test_skilled_talent_is_numbers_with_their_precision(workbook):
    row = rows_of(workbook[PLAN])[("技能人才总量", "舟山市")]
    # 2024: 24.4万人 (004 L89); 2020 base 21.3, 2025 target 26 (003 L112).
    assert (row["最新值"].value, row["最新值"].number_format) == (24.4, "0.0")
    assert (row["基期值"].value, row["目标值"].value) == (21.3, 26)
    assert row["目标值"].number_format == "0"
    assert row["截至"].value == "2024-12-31" and row["单位"].value == "万人"
    # 目标完成率 24.4/26 = 93.8 %; 进度完成度 (24.4−21.3)/(26−21.3) = 66.0 %, against a
    # 时序进度 of 4 of 5 years = 80.0 %: 低于时序进度 14.0 个百分点.
    assert row["目标完成率"].value == pytest.approx(24.4 / 26)
    assert row["进度完成度"].value == pytest.approx(3.1 / 4.7)
    assert row["时序进度"].value == pytest.approx(0.8)
    assert {row[k].number_format for k in ("目标完成率", "进度完成度", "时序进度")} == {"0.0%"}
    assert "低于时序进度 14.0 个百分点" in row["说明"].value
    assert row["属性"].value == "预期性"


def test_statuses_are_filled_in_the_reports_colours(workbook):
    row = rows_of(workbook[PLAN])[("技能人才总量", "舟山市")]
    status = row["状态"]
    assert (status.value, row["评估类别"].value) == ("进度偏慢", "滞后")
    assert status.fill.fgColor.rgb == "00" + STATUS_COLOURS["needs_acceleration"][1:].upper()


def test_a_target_keeps_the_plans_notation_around_its_number(workbook):
    rows = rows_of(workbook[PLAN])
    # ≤5.5 (003 L101) and the five-year total (22) (003 L99) stay numbers.
    surveyed = rows[("调查失业率", "舟山市")]["目标值"]
    assert (surveyed.value, surveyed.number_format) == (5.5, '"≤"0.0')
    jobs = rows[("城镇新增就业人数", "舟山市")]
    assert (jobs["目标值"].value, jobs["目标值"].number_format) == (22, '"("0")"')
    # A total shows x/T once, as 目标完成率; a ceiling shows no ratio at all.
    assert jobs["目标完成率"].value is not None and jobs["进度完成度"].value is None
    assert rows[("调查失业率", "舟山市")]["目标完成率"].value is None


def test_printed_on_a4_landscape_with_the_header_on_every_page(workbook):
    sheet = workbook[PLAN]
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.freeze_panes == "C2"
    assert sheet.print_title_rows == "$1:$1"


def test_as_of_gives_the_scorecard_at_that_month(sample_run, hrss, tmp_path):
    out = tmp_path / "2023.xlsx"
    done = hrss(
        "export",
        "scorecard",
        "--out",
        out,
        "--plan",
        PLAN,
        "--as-of",
        "2023-12",
        "--warehouse",
        sample_run.warehouse,
    )
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [PLAN, "说明"]
    row = rows_of(book[PLAN])[("技能人才总量", "舟山市")]
    assert row["截至"].value <= "2023-12-31"
    assert row["最新值"].value != 24.4


def test_bad_requests_say_what_is_wrong(sample_run, hrss, tmp_path):
    wrong = hrss("export", "scorecard", "--out", tmp_path / "x.csv")
    assert wrong.returncode == 2 and "--out must end in .xlsx" in wrong.stderr
    month = hrss("export", "scorecard", "--out", tmp_path / "x.xlsx", "--as-of", "2023/12")
    assert month.returncode == 1 and "as-of must be YYYY-MM" in month.stderr
    none = hrss(
        "export",
        "scorecard",
        "--out",
        tmp_path / "x.xlsx",
        "--plan",
        "nope",
        "--warehouse",
        sample_run.warehouse,
    )
    assert none.returncode == 1 and "no scorecard rows for plan nope" in none.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.fixture(scope="module")
def draft(sample_run, hrss, tmp_path_factory):
    import docx

    out = tmp_path_factory.mktemp("draft") / "中期评估.docx"
    done = hrss(
        "export", "evaluation", "--plan", PLAN, "--out", out, "--warehouse", sample_run.warehouse
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}: 20 indicators in ")
    return docx.Document(str(out))


def test_the_draft_has_the_cover_line_and_the_indicator_table(draft):
    assert (
        draft.paragraphs[0].text
        == "舟山市人力资源和社会保障事业发展“十四五”规划实施情况评估（初稿）"
    )
    cover = draft.paragraphs[1].text
    assert "（2021—2025年）" in cover and "评估时点：各指标最新数据" in cover
    assert "003_a48a57afb8347c84.txt:L99-L123" in cover  # the plan text the targets come from
    table = draft.tables[0]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert len(rows) == 20  # 专栏2's indicators for Zhoushan (003 L99–L123)
    # 技能人才总量: 2020 21.3, 2025 target 26 (003 L112); 24.4万人 in 2024 (004 L89).
    skilled = rows["技能人才总量"]
    assert skilled[:10] == [
        "技能人才总量", "万人", "21.3", "26", "24.4", "2024-12-31", "93.8%", "66.0%", "80.0%",
        "进度偏慢",
    ]  # fmt: skip
    assert rows["调查失业率"][3] == "≤5.5"  # the plan's notation (003 L101)


def test_each_domain_paragraph_says_what_the_table_says(draft):
    text = "".join(p.text for p in draft.paragraphs)
    assert (
        "技能人才总量达24.4万人，目标完成率93.8%，进度完成度66.0%，低于时序进度 14.0 个百分点，"
        "按当前趋势预计2025年末达" in text
    )
    # Every figure of the table is the one its sentence gives.
    for row in draft.tables[0].rows[1:]:
        name, unit, _, _, latest, _, attainment, progress = (c.text for c in row.cells[:8])
        if latest == "—":
            assert f"{name}尚无数据。" in text
            continue
        assert (
            f"{name}达{latest}{unit}" in text
            or f"{name}为{latest}{unit}" in text
            or (f"{name}累计达{latest}{unit}" in text)
        ), name
        for figure, label in ((attainment, "目标完成率"), (progress, "进度完成度")):
            if figure not in ("", "—"):
                assert f"{label}{figure}" in text, (name, label)
    headings = [p.text for p in draft.paragraphs if p.style.name == "Heading 2"]
    assert "人才队伍建设" in headings and "就业" in headings


def test_targets_at_risk_overdue_releases_charts_and_chinese_font(draft):
    from docx.oxml.ns import qn

    bullets = [p.text for p in draft.paragraphs if p.style.name == "List Bullet"]
    assert "技能人才总量：进度偏慢" in bullets
    assert any("期逾期未报" in b for b in bullets)
    assert len(draft.inline_shapes) >= 10  # the last run's trajectory charts (PNG)
    fonts = draft.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC"


def test_a_draft_for_no_such_plan_is_refused(sample_run, hrss, tmp_path):
    wrong = hrss("export", "evaluation", "--plan", PLAN, "--out", tmp_path / "x.pdf")
    assert wrong.returncode == 2 and "--out must end in .docx" in wrong.stderr
    none = hrss(
        "export", "evaluation", "--plan", "nope", "--out", tmp_path / "x.docx",
        "--warehouse", sample_run.warehouse,
    )  # fmt: skip
    assert none.returncode == 1 and "no scorecard rows for plan nope" in none.stderr
    assert not (tmp_path / "x.docx").exists()
