"""DAG integrity, modelled on Airflow's own CI and the Astronomer project template.

Parses the real dags/ folder (located from this file, never the cwd) and fails on
import errors, unexpected DAG ids, missing tags/retries, and anything heavy or
secret-touching done at parse time.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
EXPECTED_DAG_IDS = {"hrss_nightly"}
WRITER_TASKS = {
    "ingest_files",
    "validate_batch",
    "dbt_build",
    "validate_marts",
    "evaluate_alerts",
    "deliver_alerts",
    "build_alert_mart",
    "dbt_docs",
}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dag_folder_has_dag_files():
    # Guards against the test passing on an empty or mislocated folder.
    assert sorted(p.name for p in DAGS.glob("*.py")) == ["hrss_nightly.py"]


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dag_ids(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAG_IDS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_dag_conventions(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags and "hrss" in dag.tags
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.doc_md and "hrss_nightly" in dag.doc_md
    assert dag.timetable.expression == "0 2 * * *"
    assert str(dag.timetable.timezone.name) == "Asia/Shanghai"
    for task in dag.tasks:
        assert task.retries >= 2, task.task_id
        # A task that fails for good alerts the same channels as a trajectory miss.
        assert [c.__name__ for c in task.on_failure_callback] == ["alert_on_failure"], task.task_id


ORDER = [
    "discover_files",
    "ingest_files",
    "validate_batch",
    "dbt_build",
    "validate_marts",
    "evaluate_alerts",
    "deliver_alerts",
    "build_alert_mart",
    "dbt_docs",
    "publish_warehouse",
    "render_report",
]


def test_task_order_and_writer_pool(dagbag):
    dag = dagbag.dags["hrss_nightly"]
    assert {t.task_id for t in dag.tasks} == set(ORDER)
    for upstream, downstream in itertools.pairwise(ORDER):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    for task in dag.tasks:
        expected = "hrss_duckdb_writer" if task.task_id in WRITER_TASKS else "default_pool"
        assert task.pool == expected, task.task_id
    # A cycle would make topological sort fail.
    assert len(dag.topological_sort()) == len(ORDER)


def _summary_keys_of_dag() -> dict[str, str]:
    """The DAG's ``results`` dict: summary key → the task function whose result it is."""
    tree = ast.parse((DAGS / "hrss_nightly.py").read_text("utf-8"))
    assigned = {
        node.targets[0].id: node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    results = assigned["results"]
    return {
        key.value: (assigned[value.id] if isinstance(value, ast.Name) else value).func.id
        for key, value in zip(results.keys, results.values, strict=True)
    }


def test_the_in_process_steps_of_the_integration_tests_follow_the_dag():
    # tests/integration/steps.py runs the steps without Airflow for tests about what the
    # steps do: the same order, each result under the key the DAG gives it.
    from hrss_warehouse import pipeline
    from tests.integration.steps import STEPS

    assert [task for task, _, _ in STEPS] == ORDER
    assert {key: task for task, _, key in STEPS if key} == _summary_keys_of_dag()
    assert all(callable(getattr(pipeline, step)) for _, step, _ in STEPS)


PARSE_PROBE = r"""
import json, sys
from unittest import mock

touched = []
def forbidden(name):
    def fail(*args, **kwargs):
        touched.append(name)
        raise RuntimeError(f"{name} called at DAG parse time")
    return fail

patches = [
    mock.patch("airflow.sdk.Variable.get", forbidden("Variable.get")),
    mock.patch("airflow.sdk.Connection.get", forbidden("Connection.get")),
    mock.patch("airflow.sdk.bases.hook.BaseHook.get_connection", forbidden("BaseHook.get_connection")),
]
for p in patches:
    p.start()
import runpy
runpy.run_path(sys.argv[1])
heavy = sorted(m for m in ("pandas", "great_expectations", "dbt", "duckdb", "hrss_warehouse")
               if m in sys.modules)
print(json.dumps({"touched": touched, "heavy": heavy}))
"""


def test_parse_time_is_light_and_touches_no_secrets(tmp_path):
    """Nothing heavy or secret-bearing at module level (Airflow best practices)."""
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run(
        [sys.executable, "-c", PARSE_PROBE, str(DAGS / "hrss_nightly.py")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"touched": [], "heavy": []}
