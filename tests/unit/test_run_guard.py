"""One run at a time, a trigger that cannot change what it may not, and failures named
the same way wherever they surface (issue 16)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from hrss_warehouse.config import Settings
from hrss_warehouse.dbt_runner import dbt_failure_reason
from hrss_warehouse.errors import ConfigError, PipelineError, TransientError, failure_for
from hrss_warehouse.pipeline import settings_from
from hrss_warehouse.runlock import RunBusy, run_lock

pytestmark = pytest.mark.unit


def hold_lock(work_dir, seconds: float = 30) -> subprocess.Popen:
    """Another `hrss run` holding the warehouse, in its own process."""
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from hrss_warehouse.runlock import run_lock
        with run_lock(Path({str(work_dir)!r})):
            print("holding", flush=True)
            time.sleep({seconds})
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    return process


def test_a_second_run_stops_at_once_naming_the_first(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(RunBusy) as busy, run_lock(tmp_path):
            pass
        assert time.monotonic() - started < 2
        message = str(busy.value)
        assert message.startswith(f"另一次运行正在进行（PID {holder.pid}，开始于 20")
        assert message.endswith("；稍后再试，或用 --wait 秒数等待")
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_run_starts_when_the_first_ends(tmp_path):
    holder = hold_lock(tmp_path, seconds=1.5)
    said = []
    started = time.monotonic()
    with run_lock(tmp_path, wait_s=30, notify=said.append, poll_s=0.1):
        waited = time.monotonic() - started
    holder.wait()
    assert 0.5 < waited < 10
    assert len(said) == 1 and said[0].startswith(f"另一次运行正在进行（PID {holder.pid}")
    assert said[0].endswith("：等待其结束（最多 30 秒）…")


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    holder = hold_lock(tmp_path)
    holder.kill()  # SIGKILL: no clean-up of its own runs
    holder.wait()
    with run_lock(tmp_path):
        pass


def test_a_waiting_run_gives_up_after_its_limit(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(RunBusy), run_lock(tmp_path, wait_s=1, notify=lambda m: None):
            pass
        assert 0.9 < time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "conf",
    [
        {"home": "/tmp/evil"},  # would make validation execute /tmp/evil/expectations/*.py
        {"parse_memory_mb": "999999"},  # would lift the sandbox's limit
        {"summary_file": "/etc/cron.d/x"},  # would write JSON anywhere
        {"warehouse": "/tmp/elsewhere.duckdb", "as_of": "2024-12"},
    ],
)
def test_a_trigger_may_set_only_as_of(conf, tmp_path, monkeypatch):
    monkeypatch.setenv("HRSS_WAREHOUSE", str(tmp_path / "hrss.duckdb"))
    with pytest.raises(ConfigError) as refused:
        settings_from(conf)
    named = ", ".join(sorted(k for k in conf if k != "as_of"))
    assert str(refused.value).startswith(f"run conf may set only as_of; refused: {named} ")


def test_a_trigger_setting_as_of_and_nulls_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("HRSS_WAREHOUSE", str(tmp_path / "hrss.duckdb"))
    # Airflow hands every declared param, unset ones as None.
    settings = settings_from({"as_of": "2024-12", "landing_dir": None})
    assert settings.as_of == "2024-12"
    assert settings.warehouse == tmp_path / "hrss.duckdb"


def test_settings_travel_to_a_child_as_its_environment(tmp_path):
    settings = Settings.load({"warehouse": str(tmp_path / "w.duckdb")}, environ={})
    env = settings.as_env()
    assert env["HRSS_WAREHOUSE"] == str(tmp_path / "w.duckdb")
    assert env["HRSS_LANDING_SETTLE_S"] == "60" and "HRSS_AS_OF" not in env
    assert Settings.load(environ=env) == settings


# What dbt 1.11 printed when another process held the working database.
DBT_LOCKED = """\
07:10:27  Running with dbt=1.11.16
07:10:28  Registered adapter: duckdb=1.11.1
07:10:29  Encountered an error:
Runtime Error
  IO Error: Could not set lock on file "/srv/hrss/work/hrss_work.duckdb": Conflicting lock is held in /usr/bin/python3.11 (PID 4242)
"""
DBT_TEST_FAILED = """\
07:10:50  Failure in test not_null_fct_plan_progress_status (models/marts/_marts__models.yml)
07:10:50    Got 3 results, configured to fail if != 0
07:10:51  Done. PASS=194 WARN=0 ERROR=1 SKIP=0 NO-OP=4 TOTAL=199
"""


def test_dbt_says_what_went_wrong_before_any_node():
    assert dbt_failure_reason(DBT_LOCKED.splitlines()) == (
        'Runtime Error IO Error: Could not set lock on file "/srv/hrss/work/hrss_work.duckdb": '
        "Conflicting lock is held in /usr/bin/python3.11 (PID 4242)"
    )


def test_a_locked_database_is_transient_and_a_failed_test_is_not():
    locked = failure_for(
        f"dbt build failed (exit 2): {dbt_failure_reason(DBT_LOCKED.splitlines())}"
    )
    assert isinstance(locked, TransientError)
    assert str(locked).startswith(
        "仓库文件被另一进程占用：dbt build failed (exit 2): Runtime Error"
    )
    failed = failure_for(
        f"dbt build failed (exit 1): {dbt_failure_reason(DBT_TEST_FAILED.splitlines())}"
    )
    assert isinstance(failed, PipelineError)
    assert str(failed) == (
        "dbt build failed (exit 1): Failure in test not_null_fct_plan_progress_status "
        "(models/marts/_marts__models.yml) Got 3 results, configured to fail if != 0"
    )
