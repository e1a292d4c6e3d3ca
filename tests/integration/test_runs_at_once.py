"""Two runs at once, or a trigger with conf it may not set, never stop the warehouse.

Five ``hrss run`` on one warehouse (cron plus an operator) while a BI tool reads it: no
DuckDB lock error, no hang, no failure alert; the ones that find a run in progress say so
and exit 75 (or wait with ``--wait`` and then run), and the warehouse ends exactly as one
clean run leaves it. A run conf with ``home``, a limit or a path fails the first task at
once, runs nothing it names, and records why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from hrss_warehouse.cli import airflow_env, bootstrap_airflow
from hrss_warehouse.config import Settings
from hrss_warehouse.runlock import BUSY_EXIT
from tests.integration.support import HRSS, ROOT, query, run_free_snapshot

pytestmark = pytest.mark.integration


def _start(args: list[object], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(HRSS), *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lock_is_held(work_dir: Path) -> bool:
    lock = work_dir / "run.lock"
    return lock.is_file() and '"pid"' in lock.read_text("utf-8")


class Reader(threading.Thread):
    """A BI tool: opens the published file read-only, again and again, until told to stop."""

    def __init__(self, warehouse: Path) -> None:
        super().__init__(daemon=True)
        self.warehouse, self.stop, self.reads, self.errors = warehouse, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with duckdb.connect(str(self.warehouse), read_only=True) as con:
                    con.execute("select count(*) from marts.fct_plan_progress").fetchone()
                self.reads += 1
            except duckdb.Error as error:
                self.errors.append(str(error))
            time.sleep(0.05)


def test_five_runs_at_once_and_a_reader_end_as_one_clean_run(tmp_path, airflow_home, sample_run):
    warehouse = tmp_path / "hrss.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)  # the BI tool has something to read from the start
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_")}
    env.update(AIRFLOW_HOME=str(airflow_home), HRSS_LANDING_SETTLE_S="0")
    env["HRSS_DBT_UNIT_TESTS"] = "never"  # about the runs, not the models' SQL
    env["HRSS_DBT_DOCS"] = "never"  # nor the docs page
    env["HRSS_WAREHOUSE"] = str(warehouse)
    reader = Reader(warehouse)
    reader.start()
    first = _start(["run"], env)
    deadline = time.monotonic() + 60
    while not _lock_is_held(tmp_path / "work") and time.monotonic() < deadline:
        time.sleep(0.1)
    others = [_start(["run"], env) for _ in range(3)]
    waiting = _start(["run", "--wait", "900"], env)
    outputs = {}
    for name, process in [("first", first), ("waiting", waiting)] + [
        (f"other{i}", p) for i, p in enumerate(others)
    ]:
        stdout, stderr = process.communicate(timeout=900)
        outputs[name] = (process.returncode, stdout, stderr)
    reader.stop.set()
    reader.join()

    everything = "".join(out + err for _, out, err in outputs.values())
    assert outputs["first"][0] == 0, outputs["first"][2][-2000:]
    for name in ("other0", "other1", "other2"):
        code, _, stderr = outputs[name]
        assert code == BUSY_EXIT, stderr
        assert stderr.startswith(
            f"hrss run not started: 另一次运行正在进行（PID {first.pid}，开始于 "
        )
    code, stdout, stderr = outputs["waiting"]
    assert code == 0, stderr[-2000:]
    assert stdout.startswith(f"另一次运行正在进行（PID {first.pid}")
    assert "等待其结束（最多 900 秒）" in stdout.splitlines()[0]
    assert "Could not set lock" not in everything and "IO Error" not in everything
    assert not list((tmp_path / "work" / "alert_spool").glob("*.json"))  # no failure alert

    assert reader.errors == [] and reader.reads > 10
    # One state, equal to a single clean run's; nothing loaded twice.
    assert run_free_snapshot(warehouse) == run_free_snapshot(sample_run.warehouse)
    work_db = tmp_path / "work" / "hrss_work.duckdb"
    count_raw = "select count(*) from raw.observations"
    assert query(work_db, count_raw) == query(sample_run.work_db, count_raw)
    assert query(
        warehouse,
        "select count(*) - count(distinct (plan_code, indicator_code, region_code, as_of_date)) "
        "from marts.fct_plan_progress",
    ) == [(0,)]


def test_a_trigger_with_conf_it_may_not_set_is_refused_with_its_reason(tmp_path, airflow_home):
    # What each refused key would do if taken: run this file, lift a limit, write there.
    evil_home = tmp_path / "evil"
    (evil_home / "expectations").mkdir(parents=True)
    ran = tmp_path / "evil_code_ran"
    (evil_home / "expectations" / "evil.py").write_text(
        f"open({str(ran)!r}, 'w').write('ran')\n", "utf-8"
    )
    written = tmp_path / "summary_here.json"
    warehouse = tmp_path / "warehouse" / "hrss.duckdb"
    settings = Settings.load(
        {"warehouse": warehouse, "landing_dir": ROOT / "data" / "sample" / "landing"},
        environ={},
    )
    env = airflow_env(settings)
    env["AIRFLOW_HOME"] = str(airflow_home)
    bootstrap_airflow(env)
    env.update(settings.as_env())
    conf = {"home": str(evil_home), "parse_memory_mb": 999999, "summary_file": str(written)}
    done = subprocess.run(
        [
            str(HRSS.with_name("airflow")),
            "dags",
            "test",
            "hrss_nightly",
            "--conf",
            json.dumps(conf),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    log = done.stdout + done.stderr
    reason = "run conf may set only as_of; refused: home, parse_memory_mb, summary_file"
    assert reason in log
    assert "new_state=up_for_retry" not in log  # refused at once, not retried for 20 minutes
    assert not ran.exists() and not written.exists() and not warehouse.exists()
    assert not (warehouse.parent / "work" / "hrss_work.duckdb").exists()  # nothing was read
    # The failure alert (spooled for the next run to record) carries the reason.
    spooled = [
        json.loads(p.read_text("utf-8"))
        for p in (warehouse.parent / "work" / "alert_spool").glob("*.json")
    ]
    assert [s["task_id"] for s in spooled] == ["discover_files"]
    assert reason in spooled[0]["error"]
