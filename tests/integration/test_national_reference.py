"""The national benchmark's reference (benchmarks/national_reference.sql) computes the
same fct_plan_progress rows as the project's dbt build — checked on a tiny national
history with gaps the catalog completes (roll-ups, a derived indicator, missing months),
so the reference stays honest as the models change. Speed is never asserted here."""

from __future__ import annotations

import pytest

from benchmarks import national_data, national_reference
from hrss_warehouse.config import Settings
from hrss_warehouse.dbt_runner import run_dbt

pytestmark = pytest.mark.integration


def test_reference_script_and_dbt_build_give_the_same_rows(tmp_path):
    gen = national_data.generate(
        tmp_path, counts={"provinces": 2, "cities": 4, "counties": 12}, gaps=True
    )
    national_data.land_month(gen)  # December 2025: the plan months run 2021-01 … 2025-12
    settings = Settings.load(
        {
            "warehouse": tmp_path / "hrss.duckdb",
            "work_dir": gen.work_dir,
            "catalog_dir": gen.catalog_dir,
        },
        environ={},
    )
    # The models and their data tests on this national shape; the dbt unit tests test the
    # SQL on their own fixtures, whatever the data (the sample run runs them).
    run_dbt(settings, "build", "--exclude-resource-type", "unit_test")
    work_db = gen.work_dir / "hrss_work.duckdb"
    out = tmp_path / "reference.duckdb"
    assert national_reference.run_reference(work_db, gen.catalog_dir, out) > 0
    result = national_reference.check(work_db, out)
    assert result["rows"] == 0, national_reference.describe(result)
    assert result["compared"] == (4 + 2 + 12) * national_data.TARGETS_PER_REGION * 60
