"""A task that failed for good tells the same people, at once.

The DAG's ``on_failure_callback`` imports this module only when it fires (nothing of
the package is imported at DAG parse time); it reads the channels, sends and spools
then. Airflow calls it once a task has failed for good, after its retries. The working
database may be locked by the failed run (or broken), so the event and what each
channel answered are spooled to ``<work dir>/alert_spool/`` and recorded in
``raw.alert_events`` / ``marts.fct_alert_event`` by the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrss_warehouse.alerts.channels import Channel
    from hrss_warehouse.config import Settings

log = logging.getLogger(__name__)


def on_failure(context: Any) -> None:
    """``on_failure_callback`` for every task of hrss_nightly."""
    ti = context.get("ti") or context.get("task_instance")
    notify_failure(
        dag_id=getattr(ti, "dag_id", None) or "hrss_nightly",
        task_id=getattr(ti, "task_id", None) or "?",
        run_id=str(context.get("run_id") or getattr(ti, "run_id", "") or "?"),
        error=str(context.get("exception") or "task failed"),
        conf=dict(context.get("params") or {}),
    )


def notify_failure(
    *, dag_id: str, task_id: str, run_id: str, error: str, conf: dict[str, Any]
) -> dict[str, Any]:
    """Send a pipeline-failure alert to every channel that takes it and spool it.
    Never raises: a broken notifier must not hide the failure it reports."""
    try:
        return _notify(dag_id, task_id, run_id, error, conf)
    except Exception:
        log.exception("could not send the pipeline-failure alert")
        return {}


def _notify(dag_id: str, task_id: str, run_id: str, error: str, conf: dict) -> dict[str, Any]:
    """notify_failure's work: the event, sent to each channel, then spooled."""
    from hrss_warehouse.alerts.channels import configured_channels
    from hrss_warehouse.config import Settings, alert_options

    # The environment's settings: the run conf may be what failed (a refused trigger).
    settings = Settings.load()
    settings.ensure_dirs()
    channels = configured_channels()
    options = alert_options(settings)
    event = _failure_event(dag_id, task_id, run_id, error, channels)
    deliveries = _send_to_each(event, channels, options)
    event["deliveries"] = deliveries
    _spool(settings, event)
    log.error(
        "pipeline failure in %s: alert sent to %d of %d channel(s)",
        task_id,
        sum(d["is_delivered"] for d in deliveries),
        len(deliveries),
    )
    return event


def _failure_event(
    dag_id: str, task_id: str, run_id: str, error: str, channels: list[Channel]
) -> dict[str, Any]:
    """The pipeline_failure event, keyed by run and task so the next run records it once."""
    from hrss_warehouse.alerts.channels import redact
    from hrss_warehouse.errors import one_line

    now = datetime.now(UTC).replace(tzinfo=None)
    key = f"pipeline_failure|{dag_id}|{run_id}|{task_id}"
    return {
        "event_id": hashlib.sha256(key.encode()).hexdigest()[:16],
        "event_kind": "pipeline_failure",
        "event_key": key,
        "severity": "high",
        "task_id": task_id,
        "run_id": run_id,
        # A traceback can quote anything; keep the gist (its cause named: 磁盘空间不足 …),
        # without channel secrets.
        "error": redact(
            one_line(error.strip().splitlines()[-1]) if error.strip() else "", channels
        ),
        "detected_at": now.isoformat(),
    }


def _send_to_each(
    event: dict[str, Any], channels: list[Channel], options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Send the event alone to every channel that takes it; what each answered."""
    from hrss_warehouse.alerts.channels import ChannelError, send
    from hrss_warehouse.alerts.messages import describe, digest

    line = describe(event, options["language"]).line
    deliveries = []
    for channel in channels:
        if not channel.accepts(event):
            continue
        title, body = digest([{**event, "line": line}], options["language"], options["report_url"])
        try:
            send(channel, title, body, timeout=options["timeout"])
            deliveries.append(
                {
                    "channel_id": channel.channel_id,
                    "channel_label": channel.label,
                    "is_delivered": True,
                }
            )
        except ChannelError as exc:
            deliveries.append(
                {
                    "channel_id": channel.channel_id,
                    "channel_label": channel.label,
                    "is_delivered": False,
                    "error": str(exc),
                }
            )
    return deliveries


def _spool(settings: Settings, event: dict[str, Any]) -> None:
    """Leave the event for the next run to record: this run may hold the database."""
    from hrss_warehouse.alerts.detect import spool_dir

    spool = spool_dir(settings)
    spool.mkdir(parents=True, exist_ok=True)
    (spool / f"{event['event_id']}.json").write_text(json.dumps(event, ensure_ascii=False), "utf-8")
