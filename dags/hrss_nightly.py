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

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

WRITER_POOL = "hrss_duckdb_writer"


def alert_on_failure(context):
    """A task failed for good: tell the alert channels (imported only when it fires)."""
    from hrss_warehouse.alerts.notifier import on_failure

    on_failure(context)


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
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("discover", params)

    @task(pool=WRITER_POOL)
    def ingest_files(discovered, params=None, run_id=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("ingest", params, discovered=discovered, run_id=run_id)

    @task(pool=WRITER_POOL)
    def validate_batch(ingested, params=None, run_id=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("validate_batch", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def dbt_build(validated, params=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("dbt_build", params)

    @task(pool=WRITER_POOL)
    def validate_marts(built, params=None, run_id=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("validate_marts", params, run_id=run_id)

    @task
    def publish_warehouse(alert_mart, params=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("publish", params)

    @task(pool=WRITER_POOL)
    def evaluate_alerts(audited, params=None, run_id=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("evaluate_alerts", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def deliver_alerts(evaluated, params=None, run_id=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("deliver_alerts", params, run_id=run_id)

    @task(pool=WRITER_POOL)
    def build_alert_mart(delivered, params=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("build_alert_mart", params)

    @task(pool=WRITER_POOL)
    def dbt_docs(alert_mart, params=None):
        from hrss_warehouse.airflow_adapter import run_step

        return run_step("dbt_docs", params)

    @task
    def render_report(
        ingested, validated, built, audited, alerts, delivered, docs, published, params=None
    ):
        from hrss_warehouse.airflow_adapter import run_step

        results = {
            "ingest": ingested,
            "batch_validation": validated,
            "dbt": built,
            "marts_validation": audited,
            "alerts": alerts,
            "alert_delivery": delivered,
            "dbt_docs": docs,
            "publish": published,
        }
        return run_step("render_report", params, results=results)

    ingested = ingest_files(discover_files())
    validated = validate_batch(ingested)
    built = dbt_build(validated)
    audited = validate_marts(built)
    alerts = evaluate_alerts(audited)
    delivered = deliver_alerts(alerts)
    docs = dbt_docs(build_alert_mart(delivered))
    published = publish_warehouse(docs)
    render_report(ingested, validated, built, audited, alerts, delivered, docs, published)


hrss_nightly()
