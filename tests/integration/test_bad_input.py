"""Bad input through the real pipeline: nothing is lost, every problem is named, and a
batch that fails a critical Great Expectations rule never reaches the published marts.
The bad files go through the night's steps in this process (tests/integration/steps.py);
the missing folder and --as-of through `hrss run` itself."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.integration.steps import run_steps
from tests.integration.support import ALERT_LOG, ROOT, mart_snapshot, one, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"

BAD_FILE = """指标名称,地区,统计期,数值,单位,口径,来源,备注
技能人才总量,舟山市,2024年,24.4,万人,期末,dept,good row
城镇新增就业,舟山市,2024年,四点六,万人,当期,dept,not a number
城镇新增就业岗位数,舟山市,2024年,4.6,万人,当期,dept,unknown indicator
高技能人才,舟山市,2024年,86,公斤,期末,dept,unit that cannot convert
高技能人才,舟山市,2024年13月,8.6,万人,期末,dept,no 13th month
高技能人才,舟山市,2099年,8.6,万人,期末,dept,future period
高技能人才,舟山市,2024年,8.6,万人,期末,dept,good row
"""


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    shutil.copy(SAMPLE / "01_zhoushan_2024_results_article.csv", landing)
    (landing / "06_bad_rows.csv").write_text(BAD_FILE, encoding="utf-8")
    warehouse = tmp_path_factory.mktemp("bad") / "hrss.duckdb"
    done = run_steps(landing=landing, warehouse=warehouse)
    return landing, warehouse, done.stdout


def test_good_rows_load_and_bad_rows_are_quarantined_with_reasons(bad_run):
    _, warehouse, stdout = bad_run
    work_db = warehouse.parent / "work" / "hrss_work.duckdb"
    ledger = one(work_db, "select * from raw.file_ledger where file_name = '06_bad_rows.csv'")
    assert (ledger["rows_in"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (7, 2, 5)
    assert ledger["status"] == "partially_loaded"
    reasons = query(
        work_db,
        "select row_number, reason_code, message_zh from raw.quarantined_rows "
        "where file_name = '06_bad_rows.csv' order by row_number",
    )
    assert [(r[0], r[1]) for r in reasons] == [
        (3, "value_not_numeric"),
        (4, "indicator_unknown"),
        (5, "unit_not_convertible"),
        (6, "period_invalid"),
        (7, "period_in_future"),
    ]
    assert reasons[0][2] == "文件“06_bad_rows.csv”第3行 字段“数值”：“四点六” 数值无法识别为数字"
    assert "第4行" in reasons[1][2] and "城镇新增就业岗位数" in reasons[1][2]
    # The CLI shows the department-facing messages.
    assert "第3行 字段“数值”：“四点六”" in stdout
    assert "rows loaded: 8  rows quarantined: 5" in stdout  # 6 from file 01 + 2 good rows


def test_loaded_rows_reach_the_marts(bad_run):
    _, warehouse, _ = bad_run
    rows = query(
        warehouse,
        "select indicator_code, value from marts.fct_indicator_observation "
        "where file_name = '06_bad_rows.csv' order by indicator_code",
    )
    assert rows == [("high_skilled_talent", 8.6), ("skilled_talent", 24.4)]


def test_critical_batch_failure_quarantines_batch_and_keeps_published_marts(bad_run):
    landing, warehouse, _ = bad_run
    before = mart_snapshot(warehouse, without=ALERT_LOG)
    # Parses fine row by row, but a rate above 100% breaks a critical GX expectation.
    (landing / "07_rate_over_100.csv").write_text(
        "指标名称,地区,统计期,数值,单位,口径\n"
        "劳动人事争议调解成功率,舟山市,2024年,135,%,期末\n"
        "技能人才总量,舟山市,2023年,22.55,万人,期末\n",
        encoding="utf-8",
    )
    done = run_steps(landing=landing, warehouse=warehouse)
    assert "07_rate_over_100.csv: 2 rows in, 0 loaded, 2 quarantined (quarantined)" in done.stdout
    assert "quarantined whole by validation: expect_column_values_to_be_between(value)" in (
        done.stdout
    )
    work_db = warehouse.parent / "work" / "hrss_work.duckdb"
    ledger = one(work_db, "select * from raw.file_ledger where file_name = '07_rate_over_100.csv'")
    assert (ledger["rows_in"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (2, 0, 2)
    assert ledger["status"] == "quarantined"
    failed = query(
        work_db,
        "select suite_name, expectation_type, column_name from raw.validation_results "
        "where not success and severity = 'critical'",
    )
    assert ("raw_observations", "expect_column_values_to_be_between", "value") in failed
    assert mart_snapshot(warehouse, without=ALERT_LOG) == before


def test_missing_landing_folder_fails_fast_with_one_line_reason(tmp_path, hrss):
    done = hrss(
        "run",
        "--landing",
        tmp_path / "nope",
        "--warehouse",
        tmp_path / "w" / "hrss.duckdb",
        timeout=240,
    )
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("hrss run failed: landing folder does not exist:")
    assert "nope" in last


def test_as_of_evaluates_at_that_month(tmp_path, hrss, sample_run):
    # A month evaluated again on a warehouse that has run (a copy of the sample's): the
    # as-of month is one of the build's inputs, so it is built again, not skipped.
    shutil.copytree(sample_run.warehouse.parent, tmp_path / "w")
    warehouse = tmp_path / "w" / "hrss.duckdb"
    done = hrss("run", "--warehouse", warehouse, "--as-of", "2024-12")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "w" / "work" / "last_run.json").read_text("utf-8"))
    assert summary["dbt"]["summary"].startswith("PASS="), summary["dbt"]
    jobs = one(
        warehouse,
        "select as_of_date, actual_value from marts.fct_plan_progress "
        "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'urban_new_jobs' and is_latest",
    )
    # The 2025 year-to-date figures are ignored: 4.3 + 3.9 + 4.09 + 4.6 at end 2024.
    assert str(jobs["as_of_date"]) == "2024-12-31"
    assert jobs["actual_value"] == pytest.approx(16.89)


def test_malformed_as_of_is_rejected_before_running(tmp_path, hrss):
    done = hrss("run", "--warehouse", tmp_path / "hrss.duckdb", "--as-of", "2024/12")
    assert done.returncode == 1
    assert "as-of must be YYYY-MM" in done.stderr
