"""The nightly pipeline's steps, free of Airflow so they can be tested and reused.

Each step takes the run configuration (the DAG params / run conf, which may set only
``config.RUN_CONF_KEYS``; everything else comes from the deployment's environment) and
returns a small JSON-serialisable dict, which Airflow passes on as XCom.
The order is the DAG's (dags/hrss_nightly.py; README's data-flow picture): alerts come
from the audited working database, so this run's alerts and their delivery state are
published with it. With ``HRSS_DBT_TARGET=postgres`` the two dbt
steps build on the server and copy the result back for the audit (publish/postgres_dbt.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hrss_warehouse.config import RUN_CONF_KEYS, Settings, run_token
from hrss_warehouse.errors import ConfigError

log = logging.getLogger(__name__)


def settings_from(conf: Mapping[str, Any] | None) -> Settings:
    """The run's settings: the environment, and from the run conf only what a trigger
    may set (RUN_CONF_KEYS). Anything else given is refused, named, before any work."""
    given = {k: v for k, v in dict(conf or {}).items() if v not in (None, "")}
    refused = sorted(set(given) - set(RUN_CONF_KEYS))
    if refused:
        raise ConfigError(
            f"run conf may set only {', '.join(RUN_CONF_KEYS)}; refused: {', '.join(refused)} "
            "(paths, limits and the project home come from the deployment's environment)"
        )
    settings = Settings.load(given)
    settings.ensure_dirs()
    return settings


def batch_id_from(run_id: str | None) -> str:
    """A stable, filesystem- and SQL-safe batch id derived from the Airflow run id."""
    text = run_id or datetime.now(UTC).strftime("manual__%Y%m%dT%H%M%S")
    return re.sub(r"[^A-Za-z0-9_.:+-]", "_", text)


def discover(conf: Mapping[str, Any]) -> dict[str, Any]:
    from hrss_warehouse.ingest.load import discover as discover_files

    return {"files": discover_files(settings_from(conf))}


def ingest(conf: Mapping[str, Any], discovered: Mapping[str, Any], run_id: str | None) -> dict:
    from hrss_warehouse.ingest.load import ingest_files

    return ingest_files(settings_from(conf), list(discovered["files"]), batch_id_from(run_id))


def validate_batch(conf: Mapping[str, Any], run_id: str | None) -> dict[str, Any]:
    from hrss_warehouse.quality.gx import validate_batch as run

    return run(settings_from(conf), batch_id_from(run_id))


def dbt_build(conf: Mapping[str, Any]) -> dict[str, Any]:
    from hrss_warehouse.dbt_runner import build

    return build(settings_from(conf))


def validate_marts(conf: Mapping[str, Any], run_id: str | None) -> dict[str, Any]:
    from hrss_warehouse.dbt_runner import last_build
    from hrss_warehouse.quality.gx import validate_marts as run

    settings = settings_from(conf)
    # The build that left the marts: ones it left that passed are not judged again.
    return run(settings, batch_id_from(run_id), built=last_build(settings))


def publish(conf: Mapping[str, Any]) -> dict[str, Any]:
    from hrss_warehouse.publish.duckdb_file import publish as run

    return run(settings_from(conf))


def evaluate_alerts(conf: Mapping[str, Any], run_id: str | None = None) -> dict[str, Any]:
    from hrss_warehouse.alerts.detect import evaluate

    return evaluate(settings_from(conf), batch_id_from(run_id))


def deliver_alerts(conf: Mapping[str, Any], run_id: str | None = None) -> dict[str, Any]:
    from hrss_warehouse.alerts.delivery import deliver

    return deliver(settings_from(conf), batch_id_from(run_id))


def build_alert_mart(conf: Mapping[str, Any]) -> dict[str, Any]:
    from hrss_warehouse.dbt_runner import build_alert_mart as run

    return run(settings_from(conf))


def dbt_docs(conf: Mapping[str, Any]) -> dict[str, Any]:
    from hrss_warehouse.dbt_runner import generate_docs

    return generate_docs(settings_from(conf))


def render_report(conf: Mapping[str, Any], results: Mapping[str, Any]) -> dict[str, Any]:
    """Write the HTML report and the run summary (which `hrss run` prints)."""
    from hrss_warehouse.report.font import missing_font_warning
    from hrss_warehouse.report.html import write_report

    settings = settings_from(conf)
    report = write_report(settings, results)
    warnings = [w for w in (missing_font_warning(),) if w]
    for warning in warnings:
        log.warning(warning)
    summary = {
        **results,
        "report": report,
        "warnings": warnings,
        "finished_at": datetime.now(UTC).isoformat(),
    }
    # `hrss run` reads its own run's summary back by its token.
    token = run_token()
    paths = [settings.work_dir / "last_run.json"]
    paths += [settings.work_dir / "runs" / f"{token}.json"] if token else []
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), "utf-8")
    return {"report": report}
