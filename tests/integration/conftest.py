"""Fixtures for integration tests: run the real `hrss` CLI (Airflow, dbt, GX, DuckDB)
against warehouses in temporary folders."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.integration.support import HRSS, ROOT


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory) -> Path:
    # One SQLite metadata DB for the session: `airflow db migrate` runs once.
    return tmp_path_factory.mktemp("airflow_home")


@pytest.fixture(scope="session")
def hrss(airflow_home):
    def run(
        *args: object, timeout: int = 600, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_")}
        env["AIRFLOW_HOME"] = str(airflow_home)
        # Files a test wrote a moment ago are complete: take them at once (the settle
        # time itself is tested with its default in test_hostile_landing.py).
        env["HRSS_LANDING_SETTLE_S"] = "0"
        # dbt's unit tests test the models' SQL, the same in every test's fresh warehouse:
        # the sample run (auto, the default) and the PostgreSQL build run them; 11 s saved
        # on every other first build.
        env["HRSS_DBT_UNIT_TESTS"] = "never"
        env.update(extra)
        return subprocess.run(
            [str(HRSS), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, hrss):
    """`hrss run` on the sample landing files, once for the session (the pipeline tests
    and the report's browser tests read it)."""
    seeds = ROOT / "seeds"
    seeds_before = {p.name: p.read_bytes() for p in seeds.glob("*.csv")}
    warehouse = tmp_path_factory.mktemp("sample") / "hrss.duckdb"
    done = hrss("run", "--warehouse", warehouse, env={"HRSS_DBT_UNIT_TESTS": "auto"})
    assert done.returncode == 0, done.stderr + done.stdout[-4000:]
    return SimpleNamespace(
        warehouse=warehouse,
        work_db=warehouse.parent / "work" / "hrss_work.duckdb",
        stdout=done.stdout,
        summary=json.loads((warehouse.parent / "work" / "last_run.json").read_text("utf-8")),
        seeds_before=seeds_before,
    )
