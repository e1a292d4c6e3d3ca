"""A run killed at any moment leaves the published warehouse as it was or as the run
would leave it, and the next run recovers with nothing done by hand.

The kill is what an OOM killer, a reboot or ``kill -9`` of a stuck cron job does:
SIGKILL to the whole process group of ``hrss run`` (Airflow, dbt, the parse sandboxes),
with no chance to clean up. The kills are chained: each killed run is the "next run"
of the kill before it, so a kill that left a stale lock, a half-written file or rows
nobody validates shows up as the following run failing or as a final state that
differs from one clean run's."""

from __future__ import annotations

import os
import queue
import random
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest

from hrss_warehouse import pipeline
from tests.integration.support import HRSS, ROOT, deployment_env, query, run_free_snapshot

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"

# hrss_nightly's tasks in the order `airflow dags test` runs them, with how long each
# takes on the sample (seconds, measured on a 2-core machine): a kill aimed at a task
# waits for its start, then a random part of this.
TASKS = {
    "discover_files": 0.15,
    "ingest_files": 1.0,
    "validate_batch": 2.0,
    "dbt_build": 28.0,
    "validate_marts": 1.2,
    "evaluate_alerts": 0.6,
    "deliver_alerts": 0.1,
    "build_alert_mart": 4.5,
    "dbt_docs": 6.5,
    "publish_warehouse": 0.2,
    "render_report": 6.5,
}
NAMES = list(TASKS)
# 30 kills: first where a fresh warehouse has the most to lose (ingest and validation
# of the first files, the first build), then twice through every task.
PLAN = ["ingest_files"] * 3 + ["validate_batch"] * 2 + ["dbt_build"] * 3 + NAMES * 2


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


@dataclass
class Watched:
    """One `hrss run -v`, its output read as it comes: tasks started and finished."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    started: int = 0
    finished: int = 0
    events: queue.Queue[int] = field(default_factory=queue.Queue)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Task started" in line:
                self.started += 1
                self.events.put(self.started)
            elif "Pushing xcom" in line:
                self.finished += 1
        self.events.put(-1)


def _kill_in(task: str, rng: random.Random, env: dict[str, str]) -> str:
    """Start a run, SIGKILL its process group at a random moment of ``task``; return
    the task it was in when killed (a short task may have ended a moment before)."""
    watched = Watched(
        subprocess.Popen(
            [str(HRSS), "run", "-v"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, as cron gives it
        )
    )
    reader = threading.Thread(target=watched.read, daemon=True)
    reader.start()
    target = NAMES.index(task) + 1
    deadline = time.monotonic() + 600
    while (seen := watched.events.get(timeout=max(1, deadline - time.monotonic()))) != target:
        assert seen != -1, f"the run ended before {task}:\n{''.join(watched.lines[-40:])}"
    time.sleep(rng.uniform(0, TASKS[task]))
    started, finished = watched.started, watched.finished
    os.killpg(watched.process.pid, signal.SIGKILL)
    watched.process.wait(timeout=60)
    reader.join(timeout=60)
    # Killed between tasks (the one aimed at had finished, the next not yet started).
    return NAMES[started - 1] if finished < started else f"after {NAMES[finished - 1]}"


def test_thirty_kills_through_every_task_leave_the_warehouse_before_or_after(
    tmp_path, airflow_home, sample_run
):
    seed = int(os.environ.get("HRSS_KILL_SEED", time.time_ns() % 100_000))
    print(f"HRSS_KILL_SEED={seed}")  # to replay a failure
    rng = random.Random(seed)
    warehouse = tmp_path / "hrss.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_")}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        HRSS_LANDING_SETTLE_S="0",
        HRSS_WAREHOUSE=str(warehouse),
        PYTHONUNBUFFERED="1",
    )
    clean = run_free_snapshot(sample_run.warehouse)  # the same files, one clean run
    hit = []
    for task in PLAN:
        hit.append(_kill_in(task, rng, env))
        # Before the first publish there is no warehouse; after it, only a whole one,
        # equal to what a clean run publishes.
        assert not warehouse.exists() or run_free_snapshot(warehouse) == clean, hit
    assert set(NAMES) <= set(hit), f"never killed inside: {set(NAMES) - set(hit)} ({hit})"

    done = subprocess.run(
        [str(HRSS), "run"], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert run_free_snapshot(warehouse) == clean
    work_db = tmp_path / "work" / "hrss_work.duckdb"
    for sql in (
        "select count(*), count(distinct file_sha256) from raw.file_ledger",
        "select count(*) from raw.observations",
        "select status, count(*) from raw.file_ledger group by all order by all",
    ):
        assert query(work_db, sql) == query(sample_run.work_db, sql), sql
    assert query(work_db, "select count(*) from raw.file_ledger where validated_at is null") == [
        (0,)
    ]
    # Nothing of the killed runs is left behind: no staging copy, no spool, no lock holder.
    leftovers = [p.name for p in warehouse.parent.glob(".*publishing*")]
    assert leftovers == [] and not list((tmp_path / "work" / "spool").glob("*"))
