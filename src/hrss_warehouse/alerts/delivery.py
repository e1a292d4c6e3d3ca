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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from hrss_warehouse import workdb
from hrss_warehouse.alerts.channels import Channel, ChannelError, configured_channels, send
from hrss_warehouse.alerts.detect import records as _records
from hrss_warehouse.alerts.messages import digest
from hrss_warehouse.config import Settings, alert_options

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)


@dataclass
class ChannelDigest:
    """One channel's message this run: what it has not received yet, what is still open
    if a reminder is due, and why sending failed (None once delivered)."""

    channel: Channel
    pending: list[dict]
    reminders: list[dict]
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None

    def result(self) -> dict:
        """The channel's line in the task's result."""
        return {
            "channel": self.channel.label,
            "events": len(self.pending),
            "reminders": len(self.reminders),
            "delivered": self.delivered,
            "error": self.error,
        }


def deliver(settings: Settings, batch_id: str, channels: list[Channel] | None = None) -> dict:
    """Queue this run's events for every channel that takes them, then send each channel
    one digest of all it has not received yet."""
    options = alert_options(settings)
    channels = configured_channels() if channels is None else channels
    now = datetime.now(UTC).replace(tzinfo=None)
    line = "message_en" if options["language"] == "en" else "message_zh"
    with workdb.connect(settings.work_db) as con:
        _queue(con, batch_id, channels)
        results = []
        for channel in channels:
            outgoing = _collect(con, channel, options, now, line)
            if outgoing is None:
                continue
            _send(outgoing, options)
            _record_attempt(con, outgoing, now)
            _log_attempt(outgoing)
            results.append(outgoing.result())
    if not channels:
        log.info("no alert channels configured (HRSS_ALERT_URLS): events recorded, not sent")
    return {"channels": results}


def _queue(con: DuckDBPyConnection, batch_id: str, channels: list[Channel]) -> None:
    """An undelivered row per new event × channel that takes it, committed before any
    send: a channel that is down then loses nothing."""
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


def _collect(
    con: DuckDBPyConnection, channel: Channel, options: dict, now: datetime, line: str
) -> ChannelDigest | None:
    """What the channel has not received (this run's events and earlier runs'), and the
    reminders due that are not among them; None when there is nothing to send."""
    pending = _records(
        con,
        f"select e.*, e.{line} as line from raw.alert_deliveries d "
        "join raw.alert_events e on d.event_id = e.event_id "
        "where d.channel_id = ? and not d.is_delivered order by e.detected_at",
        [channel.channel_id],
    )
    sent_now = {e["event_id"] for e in pending}
    reminders = [
        r for r in _reminders(con, channel, options, now, line) if r["event_id"] not in sent_now
    ]
    if not pending and not reminders:
        return None
    return ChannelDigest(channel, pending, reminders)


def _send(outgoing: ChannelDigest, options: dict) -> None:
    """Send the digest; a channel that fails keeps the reason instead of failing the run."""
    title, body = digest(
        outgoing.pending, options["language"], options["report_url"], outgoing.reminders
    )
    try:
        send(outgoing.channel, title, body, timeout=options["timeout"])
    except ChannelError as exc:
        outgoing.error = str(exc)


def _record_attempt(con: DuckDBPyConnection, outgoing: ChannelDigest, now: datetime) -> None:
    """Count the attempt on each pending row, delivered or with its reason; a reminder
    sent restarts the channel's reminder interval."""
    con.begin()
    con.execute(
        "update raw.alert_deliveries set attempt_count = attempt_count + 1, "
        "last_attempt_at = ?, is_delivered = ?, delivered_at = ?, last_error = ? "
        "where channel_id = ? and not is_delivered and event_id in "
        "(select unnest(?::varchar[]))",
        [
            now,
            outgoing.delivered,
            now if outgoing.delivered else None,
            outgoing.error,
            outgoing.channel.channel_id,
            [e["event_id"] for e in outgoing.pending],
        ],
    )
    if outgoing.reminders and outgoing.delivered:
        con.execute(
            "insert into raw.alert_reminders (channel_id, sent_at, open_count) values (?, ?, ?)",
            [outgoing.channel.channel_id, now, len(outgoing.reminders)],
        )
    con.commit()


def _log_attempt(outgoing: ChannelDigest) -> None:
    """Say how it went; a channel that failed is a warning, its events kept."""
    if outgoing.delivered:
        log.info(
            "alert digest to %s: %d event(s) delivered",
            outgoing.channel.label,
            len(outgoing.pending),
        )
    else:
        log.warning(
            "alert digest to %s not delivered (%s): %d event(s) kept for the next run",
            outgoing.channel.label,
            outgoing.error,
            len(outgoing.pending),
        )


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
