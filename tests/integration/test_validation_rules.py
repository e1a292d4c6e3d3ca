"""Each domain rule of the landing suite, broken by a delivered file, through the real
pipeline: a critical rule quarantines that file whole and the published warehouse stays
exactly as it was (and an alert is raised); a warning publishes the figures with the
flag visible in the marts and the report. The night's steps run in this process
(tests/integration/steps.py): the subject is the rules, not Airflow."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest

from tests.integration.steps import run_steps
from tests.integration.support import ALERT_LOG, ROOT, mart_snapshot, one, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"
HEADER = "指标名称,地区,统计期,数值,单位,口径\n"
# Two earlier issues of a recurring monthly report, two figures each.
MONTHLY = {
    "失业保险参保月报_2023年01月.csv": "失业保险参保人员,定海区,2023年1月,10.1,万人,期末\n"
    "失业保险参保人员,普陀区,2023年1月,8.2,万人,期末\n",
    "失业保险参保月报_2023年02月.csv": "失业保险参保人员,定海区,2023年2月,10.2,万人,期末\n"
    "失业保险参保人员,普陀区,2023年2月,8.3,万人,期末\n",
}
CRITICAL = {
    # 1-12月 4.3 against the year's 4.6 loaded from file 01 (004 L13).
    "10_december_mismatch.csv": (
        "december_matches_annual",
        "城镇新增就业,舟山市,2024年1-12月,4.3,万人,累计\n",
    ),
    # 6.9/21.3 = 32.4 %, not the 40 % the same file reports.
    "11_share_contradiction.csv": (
        "share_matches_components",
        "技能人才总量,舟山市,2020年,21.3,万人,期末\n高技能人才,舟山市,2020年,6.9,万人,期末\n"
        "高技能人才占技能人才比重,舟山市,2020年,40.0,%,期末\n",
    ),
    # 1-7月 below the 1-6月 2.25 loaded by file 04.
    "12_ytd_falls.csv": ("ytd_not_decreasing", "城镇新增就业,舟山市,2025年1-7月,2.10,万人,累计\n"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, landing)
    for name, body in MONTHLY.items():
        (landing / name).write_text(HEADER + body, encoding="utf-8")
    warehouse = tmp_path_factory.mktemp("rules") / "hrss.duckdb"
    run_steps(landing=landing, warehouse=warehouse)
    return landing, warehouse


@pytest.fixture(scope="module")
def critical_run(base):
    landing, warehouse = base
    before = mart_snapshot(warehouse, without=ALERT_LOG)
    for name, (_, body) in CRITICAL.items():
        (landing / name).write_text(HEADER + body, encoding="utf-8")
    done = run_steps(landing=landing, warehouse=warehouse)
    return warehouse, before, done.stdout


@pytest.mark.parametrize("name", sorted(CRITICAL))
def test_a_file_breaking_a_critical_rule_is_quarantined_whole(critical_run, name):
    warehouse, _, stdout = critical_run
    rule, body = CRITICAL[name]
    work_db = warehouse.parent / "work" / "hrss_work.duckdb"
    ledger = one(work_db, "select * from raw.file_ledger where file_name = ?", [name])
    rows = body.count("\n")
    assert (ledger["status"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (
        "quarantined",
        0,
        rows,
    )
    failed = query(
        work_db,
        "select distinct v.column_name from raw.validation_results v "
        "join raw.file_ledger f on v.batch_id = f.batch_id "
        "where f.file_name = ? and not v.success and v.severity = 'critical'",
        [name],
    )
    assert (rule,) in failed
    assert f"{name}: {rows} rows in, 0 loaded, {rows} quarantined (quarantined)" in stdout


def test_quarantine_messages_say_which_row_broke_which_rule(critical_run):
    warehouse, _, _ = critical_run
    work_db = warehouse.parent / "work" / "hrss_work.duckdb"
    messages = dict(
        query(
            work_db,
            "select file_name, message_zh from raw.quarantined_rows "
            "where file_name in ('10_december_mismatch.csv', '12_ytd_falls.csv')",
        )
    )
    assert messages["10_december_mismatch.csv"] == (
        "文件“10_december_mismatch.csv”第2行 2024年12月累计值 4.3 与全年值 4.6 不一致（整个文件已隔离）"
    )
    assert messages["12_ytd_falls.csv"] == (
        "文件“12_ytd_falls.csv”第2行 年内累计值下降：低于本年此前月份的累计值（整个文件已隔离）"
    )


def test_the_published_warehouse_is_unchanged_by_quarantined_files(critical_run):
    warehouse, before, _ = critical_run
    assert mart_snapshot(warehouse, without=ALERT_LOG) == before


def test_a_quarantined_file_raises_an_alert(critical_run):
    warehouse, _, _ = critical_run
    alerts = query(
        warehouse,
        "select message_zh, severity from marts.fct_alert_event "
        "where event_kind = 'batch_quarantined' order by message_zh",
    )
    assert [severity for _, severity in alerts] == ["high"] * len(CRITICAL)
    for (message, _), name in zip(alerts, sorted(CRITICAL), strict=True):
        assert message.startswith(f"**文件被隔离** · {name}（")
    december = alerts[0][0]
    assert (
        "文件未通过数据校验：expect_column_values_to_be_in_set(december_matches_annual)" in december
    )


SKILLED_2025 = (
    "select count(*) from marts.fct_indicator_observation where period_code = '2025' "
    "and indicator_code = 'skilled_talent'"
)
READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
sys.stdin.readline()  # held open until the run is over
print(con.execute(sys.argv[2]).fetchone()[0])
"""


@pytest.fixture(scope="module")
def warning_run(critical_run, base):
    landing, warehouse = base
    # 技能人才总量 40 in 2025 against 24.4 in 2024 (004 L89): +64 %, probably a slip.
    (landing / "20_yoy_jump.csv").write_text(
        HEADER + "技能人才总量,舟山市,2025年,40.0,万人,期末\n", encoding="utf-8"
    )
    # The third issue of the monthly report with six figures where it had two.
    (landing / "失业保险参保月报_2023年03月.csv").write_text(
        HEADER
        + "".join(
            f"失业保险参保人员,{district},2023年3月,{value},万人,期末\n"
            for district, value in (("定海区", 10.3), ("普陀区", 8.4), ("岱山县", 3.1))
        )
        + "".join(
            f"工伤保险参保人员,{district},2023年3月,{value},万人,期末\n"
            for district, value in (("定海区", 12.3), ("普陀区", 9.4), ("岱山县", 4.1))
        ),
        encoding="utf-8",
    )
    # A BI tool holding the published file open through the run: another process (in
    # this one, DuckDB would hand the run's own reads the instance it holds open).
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), SKILLED_2025],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline() == "open\n"
        done = run_steps(landing=landing, warehouse=warehouse)
        old_view, _ = reader.communicate("read\n", timeout=60)
    finally:
        reader.kill()
    return warehouse, done.stdout, int(old_view)


def test_a_warning_publishes_the_figure_with_its_flag(warning_run):
    warehouse, stdout, _ = warning_run
    figure = one(
        warehouse,
        "select value, has_validation_warning, validation_flags from marts.fct_indicator_observation "
        "where indicator_code = 'skilled_talent' and period_code = '2025'",
    )
    message = "与上年同期（2024：24.4）相比变化 +64%，超出 ±50%，请核实"
    assert figure == {"value": 40.0, "has_validation_warning": True, "validation_flags": message}
    progress = one(
        warehouse,
        "select reference_date, has_validation_warning, validation_flags from marts.fct_plan_progress "
        "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent' and is_latest",
    )
    assert (str(progress["reference_date"]), progress["validation_flags"]) == (
        "2025-12-31",
        message,
    )
    assert progress["has_validation_warning"] is True
    assert "validation warning: expect_column_values_to_be_in_set(change_within_band)" in stdout
    report = (warehouse.parent / "report" / "index.html").read_text("utf-8")
    assert f"⚠ 数据校验警告：{message}" in report
    assert "20_yoy_jump.csv：警告（数据已发布并标记）" in report
    # Figures without a finding carry none.
    clean = one(
        warehouse,
        "select count(*) as n from marts.fct_indicator_observation where has_validation_warning",
    )
    assert clean["n"] == 1 + 6


def test_an_unusual_row_count_for_a_recurring_report_flags_its_figures(warning_run):
    warehouse, stdout, _ = warning_run
    flags = query(
        warehouse,
        "select distinct validation_flags from marts.fct_indicator_observation "
        "where file_name = '失业保险参保月报_2023年03月.csv'",
    )
    # Two figures in each earlier issue: usual range 1–3 (±50 %); six is outside it.
    assert flags == [
        ("本期报表共 6 条数据，同一报表近几期为 1–3 条的常见范围之外，请核实是否漏报或重复",)
    ]
    assert "validation warning: expect_table_row_count_to_be_between" in stdout


def test_a_reader_holding_the_published_file_is_not_disturbed(warning_run):
    warehouse, _, old_view = warning_run
    # The open connection kept answering, from the version it opened (no 2025 figure) ...
    assert old_view == 0
    # ... while the run published the new one.
    assert query(warehouse, SKILLED_2025) == [(1,)]


def test_marts_failing_a_critical_expectation_are_not_published(warning_run, tmp_path):
    from hrss_warehouse.config import Settings
    from hrss_warehouse.errors import PipelineError
    from hrss_warehouse.quality.gx import validate_marts

    warehouse, _, _ = warning_run
    settings = Settings.load(
        {"warehouse": str(tmp_path / "hrss.duckdb"), "work_dir": str(tmp_path / "work")}
    )
    settings.work_dir.mkdir()
    shutil.copy(warehouse.parent / "work" / "hrss_work.duckdb", settings.work_db)
    assert validate_marts(settings, "audit-ok")["suites"]  # the marts as built pass
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute(
            "update marts.fct_plan_progress set status = 'bogus' "
            "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent' and is_latest"
        )
    with pytest.raises(
        PipelineError, match=r"not publishing: expect_column_values_to_be_in_set\(status\)"
    ):
        validate_marts(settings, "audit-bad")
    failed = query(
        settings.work_db,
        "select suite_name, column_name, unexpected_count from raw.validation_results "
        "where batch_id = 'audit-bad' and not success",
    )
    assert failed == [("fct_plan_progress", "status", 1)]


def test_marts_a_build_left_as_they_were_are_not_validated_again(
    warning_run, tmp_path, monkeypatch
):
    from hrss_warehouse.config import Settings
    from hrss_warehouse.errors import PipelineError
    from hrss_warehouse.quality import gx

    warehouse, _, _ = warning_run
    settings = Settings.load(
        {"warehouse": str(tmp_path / "hrss.duckdb"), "work_dir": str(tmp_path / "work")}
    )
    settings.work_dir.mkdir()
    shutil.copy(warehouse.parent / "work" / "hrss_work.duckdb", settings.work_db)
    first = gx.validate_marts(settings, "night-1", built="build-A")
    assert "unchanged_since" not in first

    def no_gx(settings):
        raise AssertionError("GX loaded for marts it has judged")

    monkeypatch.setattr(gx, "gx_context", no_gx)
    # The next night skipped its build (the same build-A): the verdict stands, and the
    # audit trail has this night's rows, the same as the night that judged them.
    again = gx.validate_marts(settings, "night-2", built="build-A")
    assert again == {**first, "unchanged_since": "night-1"}
    rows = (
        "select suite_name, expectation_type, column_name, severity, success, unexpected_count "
        "from raw.validation_results where batch_id = ? order by all"
    )
    assert query(settings.work_db, rows, ["night-2"]) == query(settings.work_db, rows, ["night-1"])
    assert len(query(settings.work_db, rows, ["night-2"])) > 10
    # A new build, or one nobody recorded (the PostgreSQL target), is validated: here the
    # marts it left are wrong and are refused.
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("update marts.fct_plan_progress set status = 'bogus' where is_latest")
    monkeypatch.undo()
    for built in ("build-B", None):
        with pytest.raises(PipelineError, match="not publishing"):
            gx.validate_marts(settings, f"night-3-{built}", built=built)
