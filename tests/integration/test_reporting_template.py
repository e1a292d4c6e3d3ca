"""`hrss template` end to end: forms written against the sample warehouse (last period's
figures from its marts), filled as a department would, landed and run through the
night's steps on a copy of it (in this process: tests/integration/steps.py). The filled
form lands with no row quarantined and its figures reach the marts unchanged; a form
with a text in a value cell has that row quarantined with the cell named. Figures:
技能人才总量 2024 24.4万人 (catalog_sources/documents/004_…txt L89); the rest are the
sample's illustrative values (data/sample/landing/)."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from hrss_warehouse.report.template import SHEET
from tests.integration.steps import run_steps
from tests.integration.support import one, query

pytestmark = pytest.mark.integration

PLAN = "zs_hrss_14fyp"
# 职业能力建设处, 2025: 职业技能培训 1–12月 累计 (rows 4–15), 技能人才总量, 高技能人才数量 and
# the two certificate counts (rows 16–19).
FILLED = {
    **{4 + m: round(0.35 * (m + 1), 2) for m in range(12)},
    16: 25.3,
    17: 9.1,
    18: 1.2,
    19: 0.45,
}


def _write(hrss, warehouse, out, period, department):
    done = hrss(
        "template", "--plan", PLAN, "--period", period, "--department", department,
        "--out", out, "--warehouse", warehouse,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def landed(sample_run, hrss, tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    landing = folder / "landing"
    landing.mkdir()
    skills = folder / "职业能力建设处_2025.xlsx"
    said = _write(hrss, sample_run.warehouse, skills, "2025", "职业能力建设处")
    jobs = folder / "就业管理服务中心_2025-03.xlsx"
    _write(hrss, sample_run.warehouse, jobs, "2025-03", "就业管理服务中心")
    forms = {name: openpyxl.load_workbook(folder / name) for name in (skills.name, jobs.name)}
    for line, value in FILLED.items():
        forms[skills.name][SHEET][f"J{line}"] = value
    forms[skills.name][SHEET]["K16"] = "年报快报数"
    # 城镇新增就业 1–3月 累计 typed as words; 城镇登记失业率 一季度 as a number.
    forms[jobs.name][SHEET]["J4"] = "一点零二"
    forms[jobs.name][SHEET]["J5"] = 1.8
    for name, book in forms.items():
        book.save(landing / name)
    shutil.copytree(sample_run.warehouse.parent, folder / "sample")  # the session's is shared
    warehouse = folder / "sample" / "hrss.duckdb"
    # The night's steps in this process (tests/integration/steps.py: about the form's
    # round trip, not Airflow), printing what `hrss run` prints.
    done = run_steps(warehouse=warehouse, landing=landing)
    return {
        "said": said,
        "blank": forms,
        "skills": skills,
        "jobs": jobs,
        "warehouse": warehouse,
        "work_db": folder / "sample" / "work" / "hrss_work.duckdb",
        "stdout": done.stdout,
    }


def test_the_form_shows_last_periods_figures_from_the_warehouse(landed):
    assert landed["said"].startswith(f"wrote {landed['skills']}: 16 cells to fill (5 indicators")
    assert "2025年1月…2025年" in landed["said"]
    skills = openpyxl.load_workbook(landed["skills"])[SHEET]
    previous = {skills[f"B{line}"].value: skills[f"I{line}"].value for line in (4, 16, 17)}
    # 技能人才总量 and 高技能人才 at the end of 2024 (004 L89: 24.4万人, 8.6万人); 职业技能培训
    # in January: last year's total (the sample's 2024 annual 3.4万人次) is December's 累计.
    assert previous == {
        "vocational_training": 3.4,
        "skilled_talent": 24.4,
        "high_skilled_talent": 8.6,
    }
    jobs = openpyxl.load_workbook(landed["jobs"])[SHEET]
    # 城镇新增就业 1–2月 累计 0.61万人 (sample 04); 城镇登记失业率 at the end of 2024, 1.7 %.
    assert [jobs[f"{c}4"].value for c in "BFGI"] == ["urban_new_jobs", "2025年3月", "累计", 0.61]
    assert [jobs[f"{c}5"].value for c in "BFGI"] == [
        "registered_unemployment_rate",
        "2025年第一季度",
        "期末",
        1.7,
    ]


def test_a_filled_form_lands_whole_and_its_figures_reach_the_marts(landed):
    ledger = one(
        landed["work_db"],
        "select * from raw.file_ledger where file_name = ?",
        [landed["skills"].name],
    )
    assert (ledger["rows_in"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (16, 16, 0)
    assert ledger["status"] == "loaded" and ledger["layout"] == "long"
    assert (
        "按填报模板读取（规划 zs_hrss_14fyp，统计期 2025，职业能力建设处）：应填 16 项，已填 16 项"
        in (ledger["notes"])
    )
    marts = query(
        landed["warehouse"],
        "select source_row_number, value, basis, period_code, note_text "
        "from marts.fct_indicator_observation where file_name = ? order by 1",
        [landed["skills"].name],
    )
    assert {row[0]: row[1] for row in marts} == FILLED
    assert marts[12][2:] == ("end", "2025", "年报快报数")  # row 16: 技能人才总量 2025 期末
    # The plan's progress reads the new figure: 技能人才总量 at the end of 2025.
    progress = one(
        landed["warehouse"],
        "select actual_value, as_of_date from marts.fct_plan_progress where plan_code = ? "
        "and indicator_code = 'skilled_talent' and region_code = '330900' and is_latest",
        [PLAN],
    )
    assert progress["actual_value"] == 25.3 and str(progress["as_of_date"]) == "2025-12-31"


def test_a_text_in_a_value_cell_is_quarantined_with_the_cell_named(landed):
    rows = query(
        landed["work_db"],
        "select row_number, sheet_name, reason_code, message_zh from raw.quarantined_rows "
        "where file_name = ?",
        [landed["jobs"].name],
    )
    assert rows == [
        (
            4,
            SHEET,
            "value_not_numeric",
            f"文件“{landed['jobs'].name}”工作表“填报”第4行（单元格J4） 字段“数值”：“一点零二” "
            "数值无法识别为数字",
        )
    ]
    loaded = query(
        landed["warehouse"],
        "select indicator_code, period_code, basis, value from marts.fct_indicator_observation "
        "where file_name = ?",
        [landed["jobs"].name],
    )
    assert loaded == [("registered_unemployment_rate", "2025-Q1", "end", 1.8)]
    assert "第4行（单元格J4）" in landed["stdout"]
