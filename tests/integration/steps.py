"""The nightly DAG's steps run in the test's own process, for tests whose subject is what
the steps do (validation rules, quarantine, the form round trip, delivery remembered from
night to night, a PostgreSQL publish, a report without a font), not Airflow.

A run of `hrss run` spends ~25 s of CPU before and around the steps on any input:
Airflow's start (its in-process execution API builds its versioned routes, ~5 s),
task bookkeeping, a fresh import of Great Expectations (~7 s). Here the steps run in
the DAG's order (STEPS, checked against the DAG in tests/unit/test_dag_integrity.py)
with the deployment's settings, and the summary is printed by the CLI's own
``print_summary``, so a test reads what `hrss run` would print. Airflow itself —
retries, failure alerts, the run lock, kills, what reaches the run's logs — stays tested
through `hrss run` (test_nightly_pipeline, test_killed_runs*, test_runs_at_once,
test_hostile_landing, and the first night of test_alert_delivery, test_day_one,
test_postgres_serving and test_dbt_on_postgres)."""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.integration.support import deployment_env

# (DAG task id, pipeline step, key of its result in the run summary), in the DAG's order.
STEPS = (
    ("discover_files", "discover", None),
    ("ingest_files", "ingest", "ingest"),
    ("validate_batch", "validate_batch", "batch_validation"),
    ("dbt_build", "dbt_build", "dbt"),
    ("validate_marts", "validate_marts", "marts_validation"),
    ("evaluate_alerts", "evaluate_alerts", "alerts"),
    ("deliver_alerts", "deliver_alerts", "alert_delivery"),
    ("build_alert_mart", "build_alert_mart", "alert_mart"),
    ("dbt_docs", "dbt_docs", "dbt_docs"),
    ("publish_warehouse", "publish", "publish"),
    ("render_report", "render_report", None),
)


class _Lines(logging.Handler):
    """The steps' own log messages, as a task's log holds them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _forget_process_caches() -> None:
    """What a new `airflow dags test` process would not know: the package's functools
    caches (the font found on this machine, under another test's HRSS_FONT_DIRS)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("hrss_warehouse"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def _as_xcom(result: object) -> object:
    """A step's result as the next task receives it: through XCom, i.e. JSON."""
    return json.loads(json.dumps(result, default=str))


def _run_in_order(pipeline, run_id: str) -> None:
    results: dict[str, object] = {}
    discovered: dict = {}
    for _, step, key in STEPS:
        logging.getLogger(__name__).info("step %s", step)
        function = getattr(pipeline, step)
        if step == "discover":
            discovered = _as_xcom(function({}))
        elif step == "ingest":
            results[key] = _as_xcom(function({}, discovered, run_id))
        elif step == "render_report":
            function({}, results)
        else:
            # A step whose batch id comes from the run id takes it, as its task does.
            takes_run_id = "run_id" in inspect.signature(function).parameters
            results[key] = _as_xcom(function({}, run_id) if takes_run_id else function({}))


def run_steps(
    *,
    warehouse: Path,
    landing: Path | None = None,
    catalog: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> SimpleNamespace:
    """One night's steps on ``warehouse`` as `hrss run --landing --catalog --warehouse`
    would run them (without the dbt unit tests and docs page, as the ``hrss`` fixture),
    with ``env`` as the rest of the deployment's environment (alert channels, PostgreSQL);
    returns what `hrss run` would have printed, as ``stdout``, and the steps' log messages
    (``log``). A failing step raises."""
    from hrss_warehouse import pipeline
    from hrss_warehouse.cli import print_summary
    from hrss_warehouse.config import Settings

    settings: dict[str, object] = {"warehouse": warehouse}
    settings |= {"landing_dir": landing} if landing else {}
    settings |= {"catalog_dir": catalog} if catalog else {}
    # The form of an Airflow manual run's id, unique to the microsecond.
    run_id = f"manual__{datetime.now(UTC).isoformat()}"
    printed = io.StringIO()
    with deployment_env(**settings), pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        _forget_process_caches()
        logged = _Lines()
        logger = logging.getLogger("hrss_warehouse")
        level = logger.level
        logger.addHandler(logged)
        logger.setLevel(logging.INFO)  # as a task logs, whatever pytest's log level
        try:
            _run_in_order(pipeline, run_id)
        finally:
            logger.removeHandler(logged)
            logger.setLevel(level)
            _forget_process_caches()  # nor leave this run's to the next test
        loaded = Settings.load()
        summary = json.loads((loaded.work_dir / "last_run.json").read_text("utf-8"))
        with contextlib.redirect_stdout(printed):
            print_summary(loaded, summary)
    return SimpleNamespace(stdout=printed.getvalue(), log="\n".join(logged.lines))
