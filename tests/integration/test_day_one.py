"""Day one of a new deployment, as a bureau's engineer lives it: a catalog with the
reference tables but no plans, the bureau's plan imported with `hrss catalog import`,
and a first night with an empty landing folder. Then a second night with the sample
files, on a machine without a Chinese font (a pip-only install, a slim image)."""

from __future__ import annotations

import shutil

import pytest

from tests.integration.steps import run_steps
from tests.integration.support import ROOT, query

pytestmark = pytest.mark.integration

PLAN = "zs_hrss_14fyp"
# 003_a48a57afb8347c84.txt 专栏2 (L96–L124): 20 indicators, as catalog_sources/manifest.csv
# imports them.
IMPORT = (
    "catalog",
    "import",
    ROOT / "catalog_sources" / "zhoushan_14fyp_zl2.txt",
    "--plan",
    PLAN,
    "--plan-name",
    "舟山市人力资源和社会保障事业发展“十四五”规划",
    "--region",
    "330900",
    "--start",
    "2021",
    "--end",
    "2025",
    "--source-name",
    "003_a48a57afb8347c84.txt",
    "--line-offset",
    "95",
)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, hrss):
    root = tmp_path_factory.mktemp("day_one")
    catalog, landing = root / "catalog", root / "landing"
    catalog.mkdir()
    landing.mkdir()
    for path in (ROOT / "seeds").glob("*.csv"):
        shutil.copy(path, catalog / path.name)
    for name in ("plans.csv", "plan_indicators.csv"):
        header = (ROOT / "seeds" / name).read_text("utf-8").splitlines()[0]
        (catalog / name).write_text(header + "\n", "utf-8")
    imported = hrss(*IMPORT, "--catalog", catalog)
    assert imported.returncode == 0, imported.stderr
    warehouse = root / "warehouse" / "hrss.duckdb"
    args = ("run", "--landing", landing, "--catalog", catalog, "--warehouse", warehouse)
    first = hrss(*args)
    status = hrss("status", "--warehouse", warehouse)
    first_report = (warehouse.parent / "report" / "index.html").read_text("utf-8")
    first_work = root / "night1.duckdb"
    shutil.copy(warehouse.parent / "work" / "hrss_work.duckdb", first_work)
    # The second night: the sample files land; the machine has no Chinese font.
    for path in (ROOT / "data" / "sample" / "landing").iterdir():
        shutil.copy(path, landing / path.name)
    no_fonts = root / "no_fonts"
    no_fonts.mkdir()
    # In this process (what a font changes is the steps' output, not Airflow's).
    second = run_steps(
        landing=landing, catalog=catalog, warehouse=warehouse, env={"HRSS_FONT_DIRS": str(no_fonts)}
    )
    return {
        "warehouse": warehouse,
        "first": first,
        "status": status,
        "first_report": first_report,
        "first_work": first_work,
        "second": second,
    }


def test_the_first_night_publishes_with_nothing_landed(deployment):
    first = deployment["first"]
    assert first.returncode == 0, first.stderr + first.stdout[-3000:]
    assert "files processed: 0" in first.stdout
    rows = query(
        deployment["first_work"],
        "select status, status_zh, status_reason, count(*) from marts.fct_plan_progress "
        "where is_latest group by all",
    )
    # Every one of the 20 targets of 专栏2 is 数据不足, and says why.
    assert rows == [
        (
            "no_data",
            "数据不足",
            "no figure received yet (fct_expected_release lists what is due when)",
            20,
        )
    ]
    published = query(deployment["warehouse"], "select count(*) from marts.fct_plan_target")
    assert published[0][0] == 20


def test_status_and_summary_say_nothing_has_arrived_and_what_is_due(deployment):
    for out in (deployment["first"].stdout, deployment["status"].stdout):
        assert "尚未载入任何统计数据" in out
        # release_calendar.csv: 城镇新增就业 monthly from 就业管理服务中心, due by the 15th of
        # the next month; the plan runs 2021-01 to 2025-12, so 60 months are due, the last
        # (2025-12) by 2026-01-15 — all overdue once that date has passed.
        assert (
            "就业管理服务中心 · 城镇新增就业人数（月报，1 个地区）：已逾期 60 期，"
            "最近一期 2025-12（应于 2026-01-15 前报送）" in out
        )
        # 技能人才总量 yearly from 职业能力建设处, due by 31 March of the next year.
        assert "职业能力建设处 · 技能人才总量（年报，1 个地区）：已逾期 5 期" in out
    assert deployment["status"].returncode == 0


def test_the_report_says_so_too(deployment):
    page = deployment["first_report"]
    assert "<section id='waiting'><h2>尚未收到数据</h2>" in page
    assert page.count("<tr data-indicator=") >= 20 + 20  # the releases due + the scorecard
    assert "<tr data-indicator='urban_new_jobs'><td>就业管理服务中心</td>" in page


def test_the_second_night_without_a_chinese_font_still_publishes_and_reports(deployment):
    out = deployment["second"].stdout  # run_steps raises if a step fails
    assert "files processed: 6" in out and "尚未载入任何统计数据" not in out
    # One warning, saying what is missing and how to install it.
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, warnings
    assert "no Noto Sans CJK SC in" in warnings[0] and "fonts-noto-cjk" in warnings[0]
    report = deployment["warehouse"].parent / "report"
    page = (report / "index.html").read_text("utf-8")
    assert "@font-face" not in page and "'Noto Sans CJK SC'" in page  # the reader's font
    assert "技能人才总量" in page
    svg = list((report / "charts").glob("*.svg"))
    assert len(svg) > 10 and list((report / "charts").glob("*.png")) == []
    assert f"charts:    {len(svg)} SVG, 0 PNG (for e-mail)" in out
    # The figures reached the marts: 技能人才总量 24.4万人 in 2024 (004 L89).
    latest = query(
        deployment["warehouse"],
        "select actual_value from marts.fct_plan_progress where plan_code = ? "
        "and indicator_code = 'skilled_talent' and region_code = '330900' "
        "and reference_date = date '2024-12-31' limit 1",
        [PLAN],
    )
    assert latest == [(24.4,)]


def test_the_audit_still_refuses_a_row_dated_beyond_the_figures(deployment, tmp_path):
    import duckdb

    from hrss_warehouse.config import Settings
    from hrss_warehouse.errors import PipelineError
    from hrss_warehouse.quality.gx import validate_marts

    settings = Settings.load({"warehouse": str(tmp_path / "hrss.duckdb")})
    settings.ensure_dirs()
    shutil.copy(deployment["warehouse"].parent / "work" / "hrss_work.duckdb", settings.work_db)
    assert validate_marts(settings, "audit-ok")["suites"]
    with duckdb.connect(str(settings.work_db)) as con:
        latest = con.execute(
            "select max(period_end_date) from marts.fct_indicator_observation"
        ).fetchone()[0]
        # The sample's latest figure is 2025-06 (04_…_ytd_illustrative.csv); a progress row
        # one month later is a bug in the engine, not news.
        assert str(latest) == "2025-06-30"
        con.execute(
            "update marts.fct_plan_progress set as_of_date = date '2025-07-31' "
            "where plan_code = ? and indicator_code = 'skilled_talent' and is_latest",
            [PLAN],
        )
    with pytest.raises(PipelineError, match=r"greater_than_b\(latest_allowed_date,as_of_date\)"):
        validate_marts(settings, "audit-bad")
