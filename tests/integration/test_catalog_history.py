"""Catalog history through real dbt builds: a mid-term revision applies from its
effective date, and every change to the catalog stays auditable (dbt snapshot)."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from hrss_warehouse import pipeline
from hrss_warehouse.catalog.importer import import_plan_table
from tests.integration.support import ROOT, deployment_env, query

pytestmark = pytest.mark.integration

REVISION = """指标\t2020年基数\t2025年规划目标\t属性
三、人才队伍建设
12. 技能人才总量（万人）\t21.3\t25\t预期性
"""


def test_revision_and_audit_trail(tmp_path):
    catalog = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", catalog)
    conf: dict[str, str] = {}
    with deployment_env(warehouse=tmp_path / "hrss.duckdb", catalog_dir=catalog):
        pipeline.ingest(conf, pipeline.discover(conf), "batch-1")
        pipeline.dbt_build(conf)

        # A mid-term evaluation lowers the 技能人才总量 target to 25 from 2023-07-01.
        revision = tmp_path / "revision.txt"
        revision.write_text(REVISION, encoding="utf-8")
        import_plan_table(
            revision,
            plan_code="zs_hrss_14fyp",
            plan_name="舟山市人力资源和社会保障事业发展“十四五”规划",
            region_code="330900",
            start_year=2021,
            end_year=2025,
            baseline_year=None,
            catalog_dir=catalog,
            effective_from=date(2023, 7, 1),
        )
        pipeline.dbt_build(conf)
        work_db = tmp_path / "work" / "hrss_work.duckdb"

        versions = query(
            work_db,
            "select effective_from_date::varchar, effective_to_date::varchar, target_value, is_current "
            "from marts.fct_plan_target_version "
            "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent' "
            "order by effective_from_date",
        )
        assert versions == [
            ("2021-01-01", "2023-06-30", 26.0, False),
            ("2023-07-01", None, 25.0, True),
        ]
        # Progress at each date uses the target in force then (24.4 in 2024 against 25;
        # 22.1 in 2022 against the original 26).
        progress = dict(
            query(
                work_db,
                "select as_of_date::varchar, target_value from marts.fct_plan_progress "
                "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent'",
            )
        )
        assert progress["2022-12-31"] == 26.0
        assert progress["2024-12-31"] == 25.0
        current = query(
            work_db,
            "select target_value from marts.fct_plan_target "
            "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent'",
        )
        assert current == [(25.0,)]

        # The audit trail: the original version's row was closed (its effective_to_date
        # changed) and the revision opened; nothing is overwritten.
        history = query(
            work_db,
            "select effective_from_date::varchar, target_value, valid_to_at is null "
            "from marts.fct_plan_target_history "
            "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent' "
            "order by valid_from_at, effective_from_date",
        )
        assert history == [
            ("2021-01-01", 26.0, False),
            ("2021-01-01", 26.0, True),
            ("2023-07-01", 25.0, True),
        ]
        untouched = query(
            work_db,
            "select count(*) from marts.fct_plan_target_history "
            "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'urban_new_jobs'",
        )
        assert untouched == [(1,)]

        # A warehouse built by an older release has catalog tables of an older shape; the
        # nightly build must replace them, not fail loading the new columns into them.
        with duckdb.connect(str(work_db)) as con:
            con.execute("alter table catalog.plan_indicators drop column result_notation")
        pipeline.dbt_build(conf)
        columns = query(
            work_db,
            "select count(*) from information_schema.columns "
            "where table_schema = 'catalog' and table_name = 'plan_indicators' "
            "and column_name = 'result_notation'",
        )
        assert columns == [(1,)]
