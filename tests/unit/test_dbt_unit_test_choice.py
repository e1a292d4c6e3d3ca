"""When a build runs dbt's unit tests (dbt_runner.unit_test_args, HRSS_DBT_UNIT_TESTS).

They check the SQL of the models, not the night's data: under `auto` a build runs them
when the dbt code, the target or dbt's version is new to the warehouse, and not again
until one of them changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hrss_warehouse import dbt_runner
from hrss_warehouse.config import Settings
from hrss_warehouse.errors import ConfigError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SKIP = ["--exclude-resource-type", "unit_test"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A project home whose dbt code the test may edit."""
    home = tmp_path / "home"
    shutil.copytree(
        ROOT / "dbt_project",
        home / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    return home


def settings(home: Path, **env: str) -> Settings:
    environ = {"HRSS_HOME": str(home), "HRSS_WAREHOUSE": str(home / "w" / "hrss.duckdb"), **env}
    return Settings.load(environ=environ)


def record(s: Settings) -> None:
    units, fingerprint = dbt_runner.unit_test_args(s)
    assert units == [] and fingerprint
    s.work_dir.mkdir(parents=True, exist_ok=True)
    dbt_runner._record_unit_tests_passed(s, fingerprint)


def test_auto_runs_them_on_a_new_warehouse_then_skips_them(home):
    s = settings(home)
    assert s.dbt_unit_tests == "auto"
    units, fingerprint = dbt_runner.unit_test_args(s)
    assert units == [] and fingerprint == dbt_runner.code_fingerprint(s)
    record(s)
    assert dbt_runner.unit_test_args(s) == (SKIP, None)


@pytest.mark.parametrize(
    "edit",
    [
        "models/marts/fct_plan_progress.sql",
        "models/intermediate/_intermediate__models.yml",  # where the unit tests live
        "macros/new_macro.sql",  # a file added
        "dbt_project.yml",
    ],
)
def test_auto_runs_them_again_when_the_code_changes(home, edit):
    s = settings(home)
    record(s)
    path = home / "dbt_project" / edit
    path.write_text((path.read_text() if path.exists() else "") + "\n-- edited\n")
    passed = json.loads((s.work_dir / dbt_runner.UNIT_TESTS_PASSED).read_text())
    units, fingerprint = dbt_runner.unit_test_args(s)
    assert units == [] and fingerprint != passed["fingerprint"]


def test_the_catalog_is_data_not_code(home):
    s = settings(home)
    record(s)
    (home / "dbt_project" / "seeds").mkdir(exist_ok=True)
    (home / "dbt_project" / "seeds" / "plans.csv").write_text("plan_code\nx\n")
    assert dbt_runner.unit_test_args(s) == (SKIP, None)


def test_another_target_is_another_dialect(home):
    s = settings(home)
    record(s)
    pg = settings(home, HRSS_DBT_TARGET="postgres")
    assert dbt_runner.code_fingerprint(pg) != dbt_runner.code_fingerprint(s)
    assert dbt_runner.unit_test_args(pg)[0] == []


def test_a_half_written_record_runs_them(home):
    s = settings(home)
    s.work_dir.mkdir(parents=True)
    (s.work_dir / dbt_runner.UNIT_TESTS_PASSED).write_text('{"fingerp')
    assert dbt_runner.unit_test_args(s)[0] == []


def test_always_and_never(home):
    record(settings(home))
    units, fingerprint = dbt_runner.unit_test_args(settings(home, HRSS_DBT_UNIT_TESTS="always"))
    assert units == [] and fingerprint
    fresh = settings(home, HRSS_WORK_DIR=str(home / "other_work"), HRSS_DBT_UNIT_TESTS="never")
    assert dbt_runner.unit_test_args(fresh) == (SKIP, None)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ConfigError, match="HRSS_DBT_UNIT_TESTS must be one of auto, always"):
        Settings.load(environ={"HRSS_DBT_UNIT_TESTS": "sometimes"})
