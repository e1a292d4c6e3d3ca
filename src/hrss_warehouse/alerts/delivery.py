"""Send this run's alert events, and whatever earlier runs could not deliver: one
digest per channel per run, recorded per event × channel in ``raw.alert_deliveries``.

A channel that is down neither fails the run nor loses anything: its rows stay
undelivered (with the redacted reason) and go out with the next run's digest.

Settings (none of them is a secret except the URLs): HRSS_ALERT_URLS (channels, see
channels.py), HRSS_ALERT_LANGUAGE, HRSS_ALERT_REMIND_DAYS, HRSS_ALERT_TIMEOUT_S and
HRSS_REPORT_URL, read and defaulted in config.py (``alert_urls``, ``alert_options``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from hrss_warehouse import workdb
from hrss_warehouse.alerts.channels import Channel, ChannelError, configured_channels, send
from hrss_warehouse.alerts.detect import records as _records
from hrss_warehouse.alerts.messages import digest
from hrss_warehouse.config import Settings, alert_options

log = logging.getLogger(__name__)


def deliver(settings: Settings, batch_id: str, channels: list[Channel] | None = None) -> dict:
    options = alert_options(settings)
    channels = configured_channels() if channels is None else channels
    now = datetime.now(UTC).replace(tzinfo=None)
    line = "message_en" if options["language"] == "en" else "message_zh"
    with workdb.connect(settings.work_db) as con:
        con.begin()
        new_events = _records(con, "select * from raw.alert_events where batch_id = ?", [batch_id])
        for channel in channels:
            for event in new_events:
                if channel.accepts(event):
                    con.execute(
                        "insert into raw.alert_deliveries (event_id, channel_id, channel_label, "
                        "attempt_count, is_delivered) values (?, ?, ?, 0, false) on conflict do nothing",
                        [event["event_id"], channel.channel_id, channel.label],
                    )
        con.commit()
        results = []
        for channel in channels:
            pending = _records(
                con,
                f"select e.*, e.{line} as line from raw.alert_deliveries d "
                "join raw.alert_events e on d.event_id = e.event_id "
                "where d.channel_id = ? and not d.is_delivered order by e.detected_at",
                [channel.channel_id],
            )
            sent_now = {e["event_id"] for e in pending}
            reminders = [
                r
                for r in _reminders(con, channel, options, now, line)
                if r["event_id"] not in sent_now
            ]
            if not pending and not reminders:
                continue
            title, body = digest(pending, options["language"], options["report_url"], reminders)
            error = None
            try:
                send(channel, title, body, timeout=options["timeout"])
            except ChannelError as exc:
                error = str(exc)
            con.begin()
            con.execute(
                "update raw.alert_deliveries set attempt_count = attempt_count + 1, "
                "last_attempt_at = ?, is_delivered = ?, delivered_at = ?, last_error = ? "
                "where channel_id = ? and not is_delivered and event_id in "
                "(select unnest(?::varchar[]))",
                [
                    now,
                    error is None,
                    now if error is None else None,
                    error,
                    channel.channel_id,
                    [e["event_id"] for e in pending],
                ],
            )
            if reminders and error is None:
                con.execute(
                    "insert into raw.alert_reminders (channel_id, sent_at, open_count) values (?, ?, ?)",
                    [channel.channel_id, now, len(reminders)],
                )
            con.commit()
            if error is None:
                log.info("alert digest to %s: %d event(s) delivered", channel.label, len(pending))
            else:
                log.warning(
                    "alert digest to %s not delivered (%s): %d event(s) kept for the next run",
                    channel.label,
                    error,
                    len(pending),
                )
            results.append(
                {
                    "channel": channel.label,
                    "events": len(pending),
                    "reminders": len(reminders),
                    "delivered": error is None,
                    "error": error,
                }
            )
    if not channels:
        log.info("no alert channels configured (HRSS_ALERT_URLS): events recorded, not sent")
    return {"channels": results}


def _reminders(con, channel: Channel, options: dict, now: datetime, line: str) -> list[dict]:
    """What is still open, if this channel's last reminder is older than the interval."""
    days = options["remind_days"]
    if days <= 0:
        return []
    last = con.execute(
        "select max(sent_at) from raw.alert_reminders where channel_id = ?", [channel.channel_id]
    ).fetchone()[0]
    if last is not None and now - last < timedelta(days=days):
        return []
    # The latest trajectory event of every target whose status is still the alerted one.
    rows = _records(
        con,
        f"""
        select e.*, e.{line} as line
        from raw.alert_state s
        join raw.alert_events e
            on e.event_kind = 'trajectory'
            and e.plan_code || '|' || e.indicator_code || '|' || e.region_code = s.subject_key
            and e.status = s.status
        where s.last_alerted_status = s.status
        qualify row_number() over (partition by s.subject_key order by e.detected_at desc) = 1
        order by e.severity, e.plan_code, e.indicator_code
        """,
    )
    return [r for r in rows if channel.accepts(r)]
