"""Fixtures for integration tests: run the real `hrss` CLI (Airflow, dbt, GX, DuckDB)
against warehouses in temporary folders."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
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
        # Likewise the dbt docs page (~9 s a new warehouse): the sample run makes it and
        # test_nightly_pipeline checks it; the kill chains (their own env) make it too.
        env["HRSS_DBT_DOCS"] = "never"
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


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes
        yield


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, hrss, worker_id):
    """`hrss run` on the sample landing files, once for the session: under xdist the first
    worker to ask builds it in the session's folder and the others wait for it and read
    it (the pipeline tests, the kill chains' reference, the report's browser tests). Read
    only: a test that runs on it again works on a copy (test_nightly_pipeline)."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # this session's folder, above every worker's own
    folder = shared / "sample_run"
    warehouse = folder / "hrss.duckdb"
    with _exclusive(shared / "sample_run.lock"):
        if not (folder / "outcome.json").exists():
            folder.mkdir(exist_ok=True)
            seeds = {p.name: p.read_text("utf-8") for p in (ROOT / "seeds").glob("*.csv")}
            done = hrss(
                "run",
                "--warehouse",
                warehouse,
                env={"HRSS_DBT_UNIT_TESTS": "auto", "HRSS_DBT_DOCS": "auto"},
            )
            outcome = {"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
            outcome["seeds_before"] = seeds  # the catalog as it was before the run
            (folder / "outcome.json").write_text(json.dumps(outcome), "utf-8")
    outcome = json.loads((folder / "outcome.json").read_text("utf-8"))
    assert outcome["code"] == 0, outcome["stderr"] + outcome["stdout"][-4000:]
    return SimpleNamespace(
        warehouse=warehouse,
        work_db=folder / "work" / "hrss_work.duckdb",
        stdout=outcome["stdout"],
        summary=json.loads((folder / "work" / "last_run.json").read_text("utf-8")),
        seeds_before=outcome["seeds_before"],
    )
