"""Department files as they come, through the real ingest → GX → dbt steps: Excel and
GBK CSV in wide layouts land as observations; a year-to-date series that falls is
rejected as a batch; a re-delivered figure is a revision with its history kept; the
quarantine report goes back to the department safe to open in Excel."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from hrss_warehouse import pipeline
from tests.corpus.cases import CASES
from tests.integration.support import ROOT, deployment_env, query

pytestmark = pytest.mark.integration

BY_NAME = {c.name: c for c in CASES}

FALLING_YTD = (
    "2024年舟山市就业情况,,,\n"
    "项目,1-2月,1-3月,1-4月\n"
    "城镇新增就业人数（万人）,0.52,0.81,0.70\n"  # 1-4月 below 1-3月: cannot be right
)
OLD_FIGURE = "指标名称,地区,统计期,数值,单位,口径\n技能人才总量,舟山市,2013年,15.2,万人,期末\n"
MAY_BELOW_APRIL = (
    "指标名称,地区,统计期,数值,单位,口径\n城镇新增就业人数,舟山市,2024年1-5月,0.90,万人,累计\n"
)
REVISED = (
    "指标名称,地区,统计期,数值,单位,口径\n城镇新增就业人数,舟山市,2024年1-3月,0.83,万人,累计\n"
)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    landing = root / "landing"
    landing.mkdir()
    for name in (
        "17_wide_months_gbk.csv",
        "20_wide_ytd_columns.csv",
        "23_xlsx_two_row_header.xlsx",
        "12_formula_text_stays_text.csv",
    ):
        BY_NAME[name].build(landing / name)
    (landing / "40_falling_ytd.csv").write_text(FALLING_YTD, encoding="utf-8")
    # A figure older than any plan (2013): it must load and join, not fail the build.
    (landing / "45_old_figure.csv").write_text(OLD_FIGURE, encoding="utf-8")
    catalog = root / "seeds"
    shutil.copytree(ROOT / "seeds", catalog)
    conf = {"as_of": "2024-12"}
    with deployment_env(landing_dir=landing, warehouse=root / "hrss.duckdb", catalog_dir=catalog):
        first = pipeline.ingest(conf, pipeline.discover(conf), "run-1")
        pipeline.validate_batch(conf, "run-1")
        pipeline.dbt_build(conf)
        # The next night the employment office corrects 1-3月 (0.81 → 0.83), and a
        # district sends a 1-5月 figure below the 1-4月 one loaded the night before.
        (landing / "50_revision.csv").write_text(REVISED, encoding="utf-8")
        (landing / "60_may_below_april.csv").write_text(MAY_BELOW_APRIL, encoding="utf-8")
        second = pipeline.ingest(conf, pipeline.discover(conf), "run-2")
        pipeline.validate_batch(conf, "run-2")
        pipeline.dbt_build(conf)
    return root, root / "work" / "hrss_work.duckdb", first, second


def test_the_ledger_describes_each_file(landed):
    _, work_db, _, _ = landed
    ledger = {
        r[0]: r[1:]
        for r in query(
            work_db,
            "select file_name, sheets, layout, encoding, rows_in, rows_loaded, "
            "rows_quarantined, missing_cells, status from raw.file_ledger",
        )
    }
    assert ledger["17_wide_months_gbk.csv"] == (None, "wide", "gb18030", 11, 11, 0, 7, "loaded")
    assert ledger["23_xlsx_two_row_header.xlsx"] == ("就业", "wide", None, 6, 6, 0, 0, "loaded")
    # GX rejected the falling series: the whole file moved to quarantine, counts balance.
    assert ledger["40_falling_ytd.csv"][3:6] == (3, 0, 3)
    assert ledger["40_falling_ytd.csv"][-1] == "quarantined"
    for _sheets, _layout, _enc, rows_in, loaded, quarantined, _m, _s in ledger.values():
        assert rows_in == loaded + quarantined


def test_falling_year_to_date_is_a_batch_validation_failure(landed):
    _, work_db, _, _ = landed
    reasons = query(
        work_db,
        "select distinct reason_code from raw.quarantined_rows "
        "where file_name = '40_falling_ytd.csv'",
    )
    assert reasons == [("batch_validation_failed",)]
    # Across nights too: 1-5月 0.90 is below 1-4月 1.09 from 20_wide_ytd_columns.
    assert query(
        work_db,
        "select q.reason_code, l.rows_in, l.rows_loaded from raw.quarantined_rows q "
        "join raw.file_ledger l on q.file_sha256 = l.file_sha256 "
        "where l.file_name = '60_may_below_april.csv'",
    ) == [("batch_validation_failed", 1, 0)]
    message = query(
        work_db,
        "select message_zh from raw.quarantined_rows where file_name = '40_falling_ytd.csv' "
        "order by column_label limit 1",
    )[0][0]
    assert "ytd_not_decreasing" in message


def test_wide_ytd_columns_become_monthly_increments(landed):
    _, work_db, _, _ = landed
    rows = query(
        work_db,
        "select period_code, ytd_value, increment_value, months_spanned, is_merged_jan_feb "
        "from intermediate.int_monthly_increments_derived "
        "where indicator_code = 'urban_new_jobs' and region_code = '330900' "
        "order by period_code",
    )
    # 20_wide_ytd_columns: 1-2月 0.52, 1-3月 0.81 (revised to 0.83 on night 2), 1-4月 1.09.
    assert rows == [
        ("2024-02", 0.52, 0.52, 2, True),
        ("2024-03", 0.83, 0.31, 1, False),
        ("2024-04", 1.09, 0.26, 1, False),
    ]


def test_a_revision_keeps_every_vintage_and_is_flagged(landed):
    _, work_db, _, _ = landed
    latest = query(
        work_db,
        "select value, first_published_value, vintage_count, is_material_revision, "
        "round(revision_ratio, 6) from marts.fct_indicator_observation "
        "where indicator_code = 'urban_new_jobs' and region_code = '330900' "
        "and period_code = '2024-03' and basis = 'ytd'",
    )
    # (0.83 − 0.81) / 0.81 = 2.47% > the 0.5% tolerance
    assert latest == [(0.83, 0.81, 2, True, 0.024691)]
    history = query(
        work_db,
        "select vintage_number, value, file_name, source_column_label, is_first_published "
        "from marts.fct_indicator_observation_vintage "
        "where indicator_code = 'urban_new_jobs' and region_code = '330900' "
        "and period_code = '2024-03' and basis = 'ytd' order by vintage_number",
    )
    assert history == [
        (1, 0.81, "20_wide_ytd_columns.csv", "1-3月", True),
        (2, 0.83, "50_revision.csv", None, False),
    ]


def test_the_quarantine_report_is_safe_to_open_in_excel(landed):
    root, _, first, _ = landed
    [entry] = [f for f in first["files"] if f["file_name"] == "12_formula_text_stays_text.csv"]
    with open(entry["quarantine_report"], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    [row] = rows
    assert row["行号"] == "2" and row["原因代码"] == "value_not_numeric"
    assert row["说明"].startswith("文件“12_formula_text_stays_text.csv”第2行")
    # The value cell starts with =: written with a leading apostrophe, Excel shows it
    # as text instead of running it.
    assert row["数值（原文）"] == "'=cmd|' /C calc'!A0"
    raw = json.loads(row["原始内容"])
    assert raw["数值"] == "=cmd|' /C calc'!A0"
    assert str(root) in entry["quarantine_report"]


def test_identical_bytes_delivered_again_load_nothing(landed):
    _, work_db, _, second = landed
    assert [f["file_name"] for f in second["files"]] == [
        "50_revision.csv",
        "60_may_below_april.csv",
    ]
    assert query(work_db, "select count(*) from raw.file_ledger") == [(8,)]
    # Each file's observations came through a spool file, bulk-loaded and removed.
    assert not list((work_db.parent / "spool").iterdir())


def test_a_figure_older_than_every_plan_loads_and_joins(landed):
    _, work_db, _, _ = landed
    assert query(
        work_db,
        "select o.value, p.period_grain from marts.fct_indicator_observation o "
        "join marts.dim_period p using (period_code) "
        "where o.indicator_code = 'skilled_talent' and o.period_code = '2013'",
    ) == [(15.2, "year")]
