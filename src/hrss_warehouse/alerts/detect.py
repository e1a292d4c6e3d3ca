"""What the people who must act need to hear, once: alert events from the audited marts.

Runs on the working database after the marts pass their audit (before publishing), so
the events, and their deliveries, reach ``marts.fct_alert_event`` in the same run.

Events (``raw.alert_events``), each once:

- ``trajectory``: a plan target whose status changed into needs_acceleration, lagging,
  regressing, at_risk, breached (超限, a ceiling), below_floor (低于下限) or not_achieved — or into any status the mart rates
  ``high`` (a binding 约束性 indicator that is not good) — once per
  (plan, indicator, region, status) transition (``raw.alert_state`` remembers the last
  status); ``recovery`` when it comes back to on_track, compliant, achieved or
  achieved_early (提前实现, never an alert of its own);
- ``release_overdue``: the latest figure the release calendar expected is overdue;
- ``batch_quarantined``: a delivered file validation quarantined whole (once per file),
  also one that had bad rows before it failed a critical rule;
- ``material_revision``: a published figure revised beyond ``revision_tolerance``;
- ``pipeline_failure``: a task failed (sent at once by the Airflow failure notifier,
  spooled, and recorded here on the next run).

A result printed in a finished plan's own document is history, not news: no event.
``report/alerts.json`` lists what is open now (for the report and scripts).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrss_warehouse import workdb
from hrss_warehouse.config import Settings, alert_overdue_window_days

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)

ALERT_STATUSES = {
    "needs_acceleration",
    "lagging",
    "regressing",
    "at_risk",
    "breached",
    "below_floor",
    "not_achieved",
}
# 提前实现 (achieved_early) is good: no alert, and a recovery after one.
RECOVERY_STATUSES = {"on_track", "compliant", "achieved", "achieved_early"}

LATEST_PROGRESS_SQL = """
select
    progress.plan_code,
    plan.plan_name_zh,
    progress.indicator_code,
    indicator.indicator_name_zh,
    indicator.indicator_name_en,
    indicator.domain_code,
    progress.region_code,
    region.region_name_zh,
    progress.status,
    progress.target_kind,
    status.status_zh,
    status.status_en,
    progress.severity,
    progress.unit,
    progress.actual_value,
    progress.expected_value,
    progress.target_value,
    target.target_notation,
    progress.trajectory_shape,
    progress.target_comparator,
    progress.attainment_ratio,
    progress.baseline_progress,
    progress.time_elapsed_ratio,
    progress.pace_basis,
    progress.pace_gap_pp,
    progress.is_baseline_imputed,
    progress.is_compliant,
    progress.headroom,
    progress.observed_growth_rate,
    progress.target_growth_rate,
    progress.evaluation_category_zh,
    progress.projected_end_value,
    progress.evidence_source,
    cast(coalesce(progress.reference_date, progress.as_of_date) as varchar) as as_of_date
from marts.fct_plan_progress as progress
inner join marts.dim_plan as plan on progress.plan_code = plan.plan_code
inner join marts.dim_indicator as indicator on progress.indicator_code = indicator.indicator_code
inner join marts.dim_region as region on progress.region_code = region.region_code
inner join staging.stg_catalog__progress_statuses as status on progress.status = status.status_code
inner join marts.fct_plan_target as target
    on progress.plan_code = target.plan_code
    and progress.indicator_code = target.indicator_code
    and progress.region_code = target.region_code
where progress.is_latest
order by progress.plan_code, target.indicator_seq, progress.region_code
"""


def records(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _event_id(key: str, batch_id: str) -> str:
    return hashlib.sha256(f"{key}|{batch_id}".encode()).hexdigest()[:16]


def trajectory_events(rows: list[dict], state: dict[str, dict]) -> list[dict]:
    """Transitions since the last run: into an alerting status, or back to good."""
    events = []
    for row in rows:
        if row["evidence_source"] == "plan_document":
            continue
        subject = f"{row['plan_code']}|{row['indicator_code']}|{row['region_code']}"
        before = state.get(subject) or {}
        previous = before.get("status")
        status = row["status"]
        if status == previous:
            continue
        if status in ALERT_STATUSES or row["severity"] == "high":
            kind = "trajectory"
        elif status in RECOVERY_STATUSES and before.get("last_alerted_status"):
            kind = "recovery"
        else:
            continue
        events.append(
            {
                **row,
                "event_kind": kind,
                "event_key": f"{kind}|{subject}|{status}",
                "subject_key": subject,
                "previous_status": previous,
                "previous_actual_value": before.get("actual_value"),
                "severity": row["severity"] if kind == "trajectory" else None,
            }
        )
    return events


def evaluate(settings: Settings, batch_id: str | None = None) -> dict[str, Any]:
    """Detect this run's alert events in the working database (audited marts)."""
    batch_id = batch_id or datetime.now(UTC).strftime("manual__%Y%m%dT%H%M%S")
    now = datetime.now(UTC).replace(tzinfo=None)
    with workdb.connect(settings.work_db) as con:
        rows = records(con, LATEST_PROGRESS_SQL)
        spooled = _spooled_failures(settings)
        events = _detect(con, rows, spooled)
        # The events, their deliveries and the state they leave behind land together.
        con.begin()
        for event in events:
            _record(con, event, batch_id, now)
        _remember(con, rows, events, now)
        con.commit()
    _clear_spool(spooled)
    open_alerts = _write_open_alerts(settings, rows)
    return _summarise(settings, events, open_alerts)


def _detect(con: DuckDBPyConnection, rows: list[dict], spooled: list[dict]) -> list[dict]:
    """This run's events: status transitions since the last run, then each once-only
    event (overdue release, quarantined file, revision, spooled failure) not raised yet."""
    state = {r["subject_key"]: r for r in records(con, "select * from raw.alert_state")}
    raised = _raised_keys(con)
    events = trajectory_events(rows, state)
    _name_previous_status(con, events)
    once = _overdue_releases(con) + quarantined_files(con) + _revisions(con) + spooled
    return events + [e for e in once if e["event_key"] not in raised]


def _raised_keys(con: DuckDBPyConnection) -> set[str]:
    """The keys of the once-only events already raised by an earlier run."""
    return {
        r[0]
        for r in con.execute(
            "select event_key from raw.alert_events where event_kind in "
            "('release_overdue', 'batch_quarantined', 'material_revision', 'pipeline_failure')"
        ).fetchall()
    }


def _name_previous_status(con: DuckDBPyConnection, events: list[dict]) -> None:
    """Give each transition its previous status in words, Chinese and English."""
    labels = {
        code: (zh, en)
        for code, zh, en in con.execute(
            "select status_code, status_zh, status_en from staging.stg_catalog__progress_statuses"
        ).fetchall()
    }
    for event in events:
        if event["previous_status"] in labels:
            event["previous_status_zh"], event["previous_status_en"] = labels[
                event["previous_status"]
            ]


def _record(con: DuckDBPyConnection, event: dict, batch_id: str, now: datetime) -> None:
    """One event in ``raw.alert_events``, with its texts in both languages (delivery
    sends the one HRSS_ALERT_LANGUAGE names)."""
    from hrss_warehouse.alerts.messages import describe

    zh, en = describe(event, "zh"), describe(event, "en")
    con.execute(
        "insert into raw.alert_events (event_id, event_kind, event_key, plan_code, "
        "indicator_code, region_code, domain_code, status, previous_status, severity, "
        "title_zh, message_zh, message_en, batch_id, detected_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
        [
            event.get("event_id") or _event_id(event["event_key"], batch_id),
            event["event_kind"],
            event["event_key"],
            event.get("plan_code"),
            event.get("indicator_code"),
            event.get("region_code"),
            event.get("domain_code"),
            event.get("status"),
            event.get("previous_status"),
            event.get("severity"),
            zh.title,
            zh.line,
            en.line,
            batch_id,
            event.get("detected_at") or now,
        ],
    )
    _record_deliveries(con, event)


def _record_deliveries(con: DuckDBPyConnection, event: dict) -> None:
    """What each channel answered a spooled failure: the notifier sent it at once (the
    failed run may hold the database); recorded now."""
    for delivery in event.get("deliveries", []):
        con.execute(
            "insert into raw.alert_deliveries (event_id, channel_id, channel_label, "
            "attempt_count, is_delivered, delivered_at, last_attempt_at, last_error) "
            "values (?, ?, ?, 1, ?, ?, ?, ?) on conflict do nothing",
            [
                event["event_id"],
                delivery["channel_id"],
                delivery["channel_label"],
                delivery["is_delivered"],
                event["detected_at"] if delivery["is_delivered"] else None,
                event["detected_at"],
                delivery.get("error"),
            ],
        )


def _summarise(settings: Settings, events: list[dict], open_alerts: list[dict]) -> dict[str, Any]:
    """Log the run's events by kind and return them as the task's result."""
    counts: dict[str, int] = {}
    for event in events:
        counts[event["event_kind"]] = counts.get(event["event_kind"], 0) + 1
    log.info(
        "%d alert event(s) this run (%s); %d indicator(s) off trajectory",
        len(events),
        ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none",
        len(open_alerts),
    )
    return {
        "new_events": len(events),
        "events_by_kind": counts,
        "open_alerts": len(open_alerts),
        "file": str(settings.report_dir / "alerts.json"),
    }


def _remember(con, rows: list[dict], events: list[dict], now: datetime) -> None:
    alerted = {e["subject_key"]: e for e in events if e["event_kind"] in ("trajectory", "recovery")}
    for row in rows:
        if row["evidence_source"] == "plan_document":
            continue
        subject = f"{row['plan_code']}|{row['indicator_code']}|{row['region_code']}"
        event = alerted.get(subject)
        con.execute(
            """
            insert into raw.alert_state (subject_key, status, actual_value,
                last_alerted_status, updated_at)
            values (?, ?, ?, ?, ?)
            on conflict (subject_key) do update set
                status = excluded.status,
                actual_value = excluded.actual_value,
                last_alerted_status = case
                    when ? then excluded.last_alerted_status
                    else raw.alert_state.last_alerted_status
                end,
                updated_at = excluded.updated_at
            """,
            [
                subject,
                row["status"],
                row["actual_value"],
                (row["status"] if event["event_kind"] == "trajectory" else None) if event else None,
                now,
                event is not None,
            ],
        )


def _overdue_releases(con) -> list[dict]:
    rows = records(
        con,
        """
        select release.indicator_code, indicator.indicator_name_zh, indicator.indicator_name_en,
               indicator.domain_code, release.region_code, region.region_name_zh,
               release.period_code, release.publisher_zh,
               cast(release.due_date as varchar) as due_date
        from marts.fct_expected_release as release
        inner join marts.dim_indicator as indicator on release.indicator_code = indicator.indicator_code
        inner join marts.dim_region as region on release.region_code = region.region_code
        where release.release_status = 'overdue' and release.is_latest_due
            -- A gap older than the window is known history (a plan long finished), not news.
            and release.due_date >= release.run_date - to_days(?)
        order by release.indicator_code, release.region_code
        """,
        [alert_overdue_window_days()],
    )
    return [
        {
            **r,
            "event_kind": "release_overdue",
            "event_key": f"release_overdue|{r['indicator_code']}|{r['region_code']}|{r['period_code']}",
            "severity": "medium",
        }
        for r in rows
    ]


def quarantined_files(con) -> list[dict]:
    """Files validation quarantined whole: the published warehouse did not change for
    them, and the department has to send them again. Every such file, whichever run
    validated it (a run killed after its ingest leaves the validation to the next):
    ``evaluate`` drops those whose event_key was already raised.

    Known by their rows quarantined as ``batch_validation_failed``, not by the ledger's
    first_error: a file that also had bad rows keeps the first of those there. The
    message is then the validation's own, from the file's first row it quarantined."""
    rows = records(
        con,
        """
        with failed as (
            select file_sha256, arg_min(message_zh, row_number) as first_reason
            from raw.quarantined_rows
            where reason_code = 'batch_validation_failed'
            group by file_sha256
        )
        select ledger.file_name, ledger.file_sha256, ledger.rows_in,
            case
                when ledger.first_error like '文件未通过数据校验%' then ledger.first_error
                else failed.first_reason
            end as first_error
        from raw.file_ledger as ledger
        inner join failed on ledger.file_sha256 = failed.file_sha256
        where ledger.status = 'quarantined'
        order by ledger.file_name
        """,
    )
    return [
        {
            **r,
            "event_kind": "batch_quarantined",
            "event_key": f"batch_quarantined|{r['file_sha256']}",
            "severity": "high",
        }
        for r in rows
    ]


def _revisions(con) -> list[dict]:
    rows = records(
        con,
        """
        select observation.observation_id, observation.indicator_code,
               indicator.indicator_name_zh, indicator.indicator_name_en, indicator.domain_code,
               observation.region_code, region.region_name_zh, observation.period_code,
               observation.unit, observation.value, observation.first_published_value,
               observation.revision_ratio, observation.file_name
        from marts.fct_indicator_observation as observation
        inner join marts.dim_indicator as indicator on observation.indicator_code = indicator.indicator_code
        inner join marts.dim_region as region on observation.region_code = region.region_code
        where observation.is_material_revision
        order by observation.indicator_code, observation.region_code, observation.period_code
        """,
    )
    return [
        {
            **r,
            "event_kind": "material_revision",
            "event_key": f"material_revision|{r['observation_id']}|{r['value']!r}",
            "severity": "medium",
        }
        for r in rows
    ]


# ------------------------------------------------------------------ failure spool


def spool_dir(settings: Settings) -> Path:
    return settings.work_dir / "alert_spool"


def _spooled_failures(settings: Settings) -> list[dict]:
    events = []
    for path in sorted(spool_dir(settings).glob("*.json")):
        event = json.loads(path.read_text("utf-8"))
        event["detected_at"] = datetime.fromisoformat(event["detected_at"])
        event["_spool_path"] = str(path)
        events.append(event)
    return events


def _clear_spool(events: list[dict]) -> None:
    """Remove the spooled failures this run read (recorded now or before); one spooled
    meanwhile waits for the next run."""
    for event in events:
        Path(event["_spool_path"]).unlink(missing_ok=True)


def _write_open_alerts(settings: Settings, rows: list[dict]) -> list[dict]:
    open_alerts = [
        {
            "key": f"{r['plan_code']}|{r['indicator_code']}|{r['region_code']}|{r['status']}",
            "kind": "trajectory",
            "severity": r["severity"],
            "indicator": r["indicator_name_zh"],
            "region": r["region_name_zh"],
            "as_of_date": r["as_of_date"],
            "status": r["status"],
            "status_zh": r["status_zh"],
        }
        for r in rows
        if r["evidence_source"] != "plan_document"
        and (r["status"] in ALERT_STATUSES or r["severity"] == "high")
    ]
    settings.report_dir.mkdir(parents=True, exist_ok=True)
    (settings.report_dir / "alerts.json").write_text(
        json.dumps(
            {"evaluated_at": datetime.now(UTC).isoformat(), "alerts": open_alerts},
            ensure_ascii=False,
            indent=2,
        ),
        "utf-8",
    )
    return open_alerts
