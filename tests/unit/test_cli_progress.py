"""`hrss run` progress: a task Airflow will retry is announced, not silent for minutes."""

from __future__ import annotations

import pytest

from hrss_warehouse.cli import RetryWatch

pytestmark = pytest.mark.unit

# Lines as `airflow dags test` (Airflow 3.3) printed them for a failed first attempt.
LOG = """\
2026-11-23T16:07:53.443737Z [info     ] [DAG TEST] starting task_id=discover_files map_index=-1 [airflow.sdk.definitions.dag] loc=dag.py:1501
2026-11-23T16:08:22.101000Z [info     ] [DAG TEST] starting task_id=build_alert_mart map_index=-1 [airflow.sdk.definitions.dag] loc=dag.py:1501
2026-11-23T16:08:22.901537Z [error    ] Task failed with exception     [task] loc=task_runner.py:1676
Traceback (most recent call last):
  File "/work/main/src/hrss_warehouse/publish/postgres_dbt.py", line 189, in _copy_to_duckdb
_duckdb.CatalogException: Catalog Error: Existing object "fct_alert_event" is of type Table
2026-11-23T16:08:22.923451Z [info     ] Task instance state updated    [airflow.api_fastapi.execution_api.routes.task_instances] loc=task_instances.py:485 new_state=up_for_retry rows_affected=1
"""


def test_a_retried_task_is_announced_with_its_reason():
    watch = RetryWatch()
    notes = [note for line in LOG.splitlines() if (note := watch.feed(line))]
    assert notes == [
        "  task build_alert_mart failed, Airflow retries it after its retry delay: "
        '_duckdb.CatalogException: Catalog Error: Existing object "'
        'fct_alert_event" is of type Table'
    ]


def test_a_run_without_retries_prints_nothing_extra():
    watch = RetryWatch()
    lines = [ln for ln in LOG.splitlines() if "up_for_retry" not in ln]
    assert [watch.feed(line) for line in lines] == [None] * len(lines)
