"""Fixtures for integration tests: run the real `hrss` CLI (Airflow, dbt, GX, DuckDB)
against warehouses in temporary folders."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.integration.support import HRSS


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
