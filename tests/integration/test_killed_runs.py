"""A run killed at any moment leaves the published warehouse as it was or as the run
would leave it, and the next run recovers with nothing done by hand
(tests/integration/killing.py: how and where runs are killed; the second chain of 15
kills is tests/integration/test_killed_runs_second_chain.py, on another worker)."""

from __future__ import annotations

import shutil

import pytest

from hrss_warehouse import pipeline
from tests.integration.killing import FIRST_CHAIN, run_chain
from tests.integration.support import ROOT, deployment_env, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"


def test_files_a_killed_run_loaded_are_validated_by_the_next(tmp_path):
    # A run killed between ingest and validate_batch: its files are loaded, not judged.
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "share.csv").write_text(
        "指标名称,地区,统计期,数值,单位,口径\n"
        # 6.9/21.3 = 32.4 %, not the 40 % the same file reports: a critical rule.
        "技能人才总量,舟山市,2020年,21.3,万人,期末\n高技能人才,舟山市,2020年,6.9,万人,期末\n"
        "高技能人才占技能人才比重,舟山市,2020年,40.0,%,期末\n",
        "utf-8",
    )
    shutil.copy(SAMPLE / sorted(p.name for p in SAMPLE.glob("01_*"))[0], landing)
    (landing / "空表.csv").write_text("指标名称,地区,统计期,数值\n", "utf-8")  # no row to judge
    # What a parse killed with its run leaves: the child's stderr and half a spool.
    spool = tmp_path / "work" / "spool"
    spool.mkdir(parents=True)
    for suffix in ("err", "csv"):
        (spool / f"{'ab' * 32}.4242.{suffix}").write_text("half", "utf-8")
    with deployment_env(landing_dir=landing, warehouse=tmp_path / "hrss.duckdb"):
        pipeline.ingest({}, pipeline.discover({}), "killed-run")
        assert list(spool.iterdir()) == []  # the next ingest clears it
        judged = pipeline.validate_batch({}, "next-run")
        again = pipeline.validate_batch({}, "the-run-after")
    verdicts = {f["file_name"]: f["quarantined"] for f in judged["files"]}
    assert verdicts["share.csv"] is True and len(verdicts) == 2
    assert again["files"] == []  # judged once
    work_db = tmp_path / "work" / "hrss_work.duckdb"
    assert query(
        work_db, "select count(*), count(validated_at), sum(rows_loaded) from raw.file_ledger"
    ) == [(3, 3, 6)]  # file 01 has six rows (004 L13–L89, L43)
    # The quarantine belongs to the delivery (the killed run's batch), as if never killed.
    assert query(
        work_db,
        "select distinct batch_id from raw.quarantined_rows where file_name = 'share.csv'",
    ) == [("killed-run",)]
    assert query(
        work_db, "select count(*) from raw.observations where file_name = 'share.csv'"
    ) == [(0,)]


def test_fifteen_kills_through_every_task_leave_the_warehouse_before_or_after(
    tmp_path, airflow_home, sample_run
):
    run_chain(FIRST_CHAIN, tmp_path, airflow_home, sample_run.warehouse)
