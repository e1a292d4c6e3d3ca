"""
### hrss_nightly — plan-indicator progress, every night

Ingests the statistics files departments dropped in the landing folder, validates
them with Great Expectations, builds the dbt star schema that computes progress
against the five-year plans, audits the marts, publishes the warehouse BI tools
read, evaluates which indicators are off trajectory and renders the report.

**Tasks**: discover_files → ingest_files → validate_batch → dbt_build →
validate_marts → evaluate_alerts → deliver_alerts → build_alert_mart → dbt_docs →
publish_warehouse → render_report. A task that fails for good (after its retries)
sends a pipeline-failure alert through the same channels (`alert_on_failure`).

**Params**: `as_of` (YYYY-MM, optional): evaluate as if later figures had not arrived.
That is all a trigger may set; any other key in a run's conf is refused with its name
before any work. Folders, limits and the project home come from the deployment's
`HRSS_*` environment only (a trigger that could set them could run code or write
anywhere).

DuckDB allows one writer per file: every task that writes the working database
runs in the 1-slot pool `hrss_duckdb_writer`, dbt runs as a single `dbt build`,
and `max_active_runs=1`. All logic lives in `src/hrss_warehouse`; this file only
wires tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, chain, dag, task

WRITER_POOL = "hrss_duckdb_writer"


def alert_on_failure(context):
    """A task failed for good: tell the alert channels (imported only when it fires)."""
    from hrss_warehouse.alerts.notifier import on_failure

    on_failure(context)


def run(step: str, params: Mapping[str, Any] | None, **inputs: Any) -> dict[str, Any]:
    """Every task's body: one pipeline step, the package imported only when the task runs
    (never at parse time; airflow_adapter maps its errors to fail-now or retry)."""
    from hrss_warehouse.airflow_adapter import run_step

    return run_step(step, params, **inputs)


# Each task's docstring is its doc in the UI: TaskFlow makes it the task's doc_md.
@dag(
    dag_id="hrss_nightly",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["hrss", "warehouse", "dbt", "great_expectations"],
    default_args={
        "owner": "hrss-data",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        # Channels are read when it fires (HRSS_ALERT_URLS / connection hrss_alerts).
        "on_failure_callback": alert_on_failure,
    },
    params={
        "as_of": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{1,2}$",
            description="YYYY-MM: evaluate as of that month",
        ),
    },
)
def hrss_nightly():
    @task
    def discover_files(params=None):
        """Archives the new files of the landing folder by sha256; refuses links."""
        return run("discover", params)

    @task(pool=WRITER_POOL)
    def ingest_files(discovered, params=None, run_id=None):
        """Loads the discovered files into `raw`, one transaction per file."""
        return run("ingest", params, discovered=discovered, run_id=run_id)

    @task(pool=WRITER_POOL)
    def validate_batch(params=None, run_id=None):
        """Validates each loaded file not yet validated; a critical failure quarantines it."""
        return run("validate_batch", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def dbt_build(params=None):
        """Builds and tests the dbt star schema that computes progress against the plans."""
        return run("dbt_build", params)

    @task(pool=WRITER_POOL)
    def validate_marts(params=None, run_id=None):
        """Audits the marts dbt just built; a critical failure refuses the publish."""
        return run("validate_marts", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def evaluate_alerts(params=None, run_id=None):
        """Records this run's alert events from the audited marts; writes `alerts.json`."""
        return run("evaluate_alerts", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def deliver_alerts(params=None, run_id=None):
        """Sends one digest per alert channel; what a channel missed goes out next run."""
        return run("deliver_alerts", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def build_alert_mart(params=None):
        """Rebuilds `marts.fct_alert_event`, so this run's alerts publish with it."""
        return run("build_alert_mart", params)

    @task(pool=WRITER_POOL)
    def dbt_docs(params=None):
        """Generates the dbt docs as one static page beside the report."""
        return run("dbt_docs", params)

    @task
    def publish_warehouse(params=None):
        """Publishes the audited working database as the warehouse BI tools read."""
        return run("publish", params)

    @task
    def render_report(results, params=None):
        """Writes the HTML report and the run summary from every step's result."""
        return run("render_report", params, results=results)

    ingested = ingest_files(discover_files())
    # Each step's result under its name in the run summary; the XComs resolve as it runs.
    results = {
        "ingest": ingested,
        "batch_validation": validate_batch(),
        "dbt": dbt_build(),
        "marts_validation": validate_marts(),
        "alerts": evaluate_alerts(),
        "alert_delivery": deliver_alerts(),
        "alert_mart": build_alert_mart(),
        "dbt_docs": dbt_docs(),
        "publish": publish_warehouse(),
    }
    # Each step reads what the one before wrote to the working database: order, no data.
    chain(*results.values())
    render_report(results)


hrss_nightly()
