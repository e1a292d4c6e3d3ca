"""catalog/releases.py: which figures a plan expects from whom for a period — the rows of
`hrss template`. The plan is Zhoushan's 14th FYP (catalog_sources/documents/003_…txt
专栏2, L99–L123: 20 indicators); frequencies, publishers and bases are
seeds/release_calendar.csv's."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from hrss_warehouse import dbt_runner
from hrss_warehouse.catalog.releases import (
    Span,
    TemplateError,
    expected_figures,
    release_calendar,
)
from hrss_warehouse.config import Settings
from tests.unit.settings_support import REPO_ROOT

pytestmark = pytest.mark.unit

SEEDS = REPO_ROOT / "seeds"
PLAN = "zs_hrss_14fyp"


def test_a_year_asks_each_month_quarter_and_the_year_from_one_department():
    figures = expected_figures(SEEDS, PLAN, Span.parse("2025"), "职业能力建设处")
    # 职业技能培训 monthly (12 months, 累计), four annual indicators of 专栏2 (技能人才总量
    # L112, 高技能人才 L113, and the two certificate counts): 16 cells.
    assert len(figures) == 16
    training = [f for f in figures if f.indicator_code == "vocational_training"]
    assert [f.period_text for f in training] == [f"2025年{m}月" for m in range(1, 13)]
    assert {(f.basis_zh, f.unit) for f in training} == {("累计", "万人次")}
    skilled = next(f for f in figures if f.indicator_code == "skilled_talent")
    assert (skilled.period_text, skilled.period_code, skilled.basis_zh, skilled.unit) == (
        "2025年",
        "2025",
        "期末",
        "万人",
    )
    assert (skilled.region_code, skilled.region_name) == ("330900", "舟山市")
    assert {f.publisher for f in figures} == {"职业能力建设处"}
    # The plan's order: 职业技能培训 (seq 4) before 技能人才总量 (seq 12).
    assert figures[0].indicator_code == "vocational_training"


def test_a_month_asks_the_periods_ending_in_it():
    figures = expected_figures(SEEDS, PLAN, Span.parse("2025-03"))
    by_code = {f.indicator_code: f for f in figures}
    # Monthly indicators for March; quarterly ones for the first quarter, which ends in
    # March; no annual one (a year ends in December).
    assert {code: f.period_text for code, f in by_code.items()} == {
        "urban_new_jobs": "2025年3月",
        "vocational_training": "2025年3月",
        "unemployment_insurance_insured": "2025年3月",
        "work_injury_insurance_insured": "2025年3月",
        "registered_unemployment_rate": "2025年第一季度",
        "surveyed_unemployment_rate": "2025年第一季度",
        "e_social_security_card_coverage_rate": "2025年第一季度",
    }
    quarter = by_code["registered_unemployment_rate"]
    assert (quarter.period_code, quarter.period_start, quarter.period_end) == (
        "2025-Q1",
        date(2025, 1, 1),
        date(2025, 3, 31),
    )
    assert by_code["urban_new_jobs"].basis == "ytd" and quarter.basis == "end"
    assert Span.parse("2025-02").label == "2025年2月" and Span.parse("2025").label == "2025年"


def test_december_adds_the_year_and_the_fourth_quarter():
    figures = expected_figures(SEEDS, PLAN, Span.parse("2024-12"))
    # 4 monthly, 3 quarterly and 13 annual indicators of the plan's 20.
    assert len(figures) == 20
    assert {f.period_text for f in figures} == {"2024年12月", "2024年第四季度", "2024年"}


@pytest.mark.parametrize(
    ("plan", "period", "department", "message"),
    [
        ("zs_hrss_99fyp", "2025", None, "规划代码 zs_hrss_99fyp 不在目录"),
        (PLAN, "2019", None, "统计期 2019 不在规划 zs_hrss_14fyp 的期限（2021–2025年）内"),
        (PLAN, "2025", "人事处", "没有由“人事处”报送的指标"),
        (PLAN, "2025-13", None, "--period takes YYYY or YYYY-MM"),
        (PLAN, "2025年", None, "--period takes YYYY or YYYY-MM"),
        (PLAN, "", None, "--period takes YYYY or YYYY-MM"),
        # 专业技术人员管理处 publishes annual figures only: none ends in March.
        (
            PLAN,
            "2025-03",
            "专业技术人员管理处",
            "在统计期 2025-03 没有“专业技术人员管理处”应报的数据",
        ),
    ],
)
def test_what_cannot_make_a_form_says_why(plan, period, department, message):
    with pytest.raises(TemplateError) as raised:
        expected_figures(SEEDS, plan, Span.parse(period), department)
    assert message in str(raised.value)


def test_the_department_list_is_given_when_the_name_is_unknown():
    with pytest.raises(TemplateError) as raised:
        expected_figures(SEEDS, PLAN, Span.parse("2025"), "人事处")
    assert "职业能力建设处" in str(raised.value) and "就业管理服务中心" in str(raised.value)
    # Full-width blanks and spaces around the name do not matter.
    assert expected_figures(SEEDS, PLAN, Span.parse("2025"), " 职业能力 建设处")


def _catalog_copy(tmp_path, drop: str | None = None) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(SEEDS, catalog)
    if drop:
        (catalog / drop).unlink()
    return catalog


def test_a_calendar_from_before_the_basis_column_still_makes_forms_and_builds(tmp_path):
    catalog = _catalog_copy(tmp_path)
    calendar = catalog / "release_calendar.csv"
    rows = list(csv.DictReader(calendar.open(encoding="utf-8")))
    old = [{k: v for k, v in r.items() if k != "basis"} for r in rows]
    old.append({**old[0], "indicator_code": "new_local_indicator"})
    with calendar.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(old[0]))
        writer.writeheader()
        writer.writerows(old)
    # The form: the bundled calendar's basis for each indicator it knows, else 当期.
    filled, count = release_calendar(calendar, SEEDS / "release_calendar.csv")
    assert count == len(old)
    by_code = {r["indicator_code"]: r["basis"] for r in filled}
    assert (by_code["urban_new_jobs"], by_code["skilled_talent"]) == ("ytd", "end")
    assert by_code["new_local_indicator"] == "period"
    figures = expected_figures(catalog, PLAN, Span.parse("2025-03"), None, SEEDS)
    assert {f.basis_zh for f in figures if f.indicator_code == "urban_new_jobs"} == {"累计"}
    # The build: the run copy of the catalog gets the column its staging model selects.
    settings = Settings.load(
        environ={"HRSS_CATALOG_DIR": str(catalog), "HRSS_WAREHOUSE": str(tmp_path / "w.duckdb")}
    )
    run_dir = dbt_runner.prepare_project(settings)
    copied = list(
        csv.DictReader((run_dir / "seeds" / "release_calendar.csv").open(encoding="utf-8"))
    )
    assert [r["basis"] for r in copied] == [r["basis"] for r in filled]


def test_a_catalog_without_a_calendar_uses_the_bundled_one(tmp_path):
    catalog = _catalog_copy(tmp_path, drop="release_calendar.csv")
    figures = expected_figures(catalog, PLAN, Span.parse("2025"), "职业能力建设处", SEEDS)
    assert len(figures) == 16


def test_a_plan_region_missing_from_the_regions_file_is_named(tmp_path):
    catalog = _catalog_copy(tmp_path)
    plans = catalog / "plans.csv"
    plans.write_text(plans.read_text("utf-8").replace(",330900,2021", ",330999,2021", 1), "utf-8")
    with pytest.raises(TemplateError, match=r"regions\.csv 中没有 330999"):
        expected_figures(catalog, PLAN, Span.parse("2025"), None, SEEDS)
