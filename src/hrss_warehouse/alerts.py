"""Which indicators are off their trajectory now, and which became so since the last run.

First version: the evaluation only. It writes ``<report dir>/alerts.json`` (the
open alerts, each marked new or already known, and every file this run's
validation quarantined whole); delivering them to email, DingTalk, WeCom, Feishu
or webhooks is not built yet.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from hrss_warehouse.config import Settings
from hrss_warehouse.scorecard import read_scorecard

log = logging.getLogger(__name__)

ALERT_STATUSES = {
    "needs_acceleration",
    "lagging",
    "regressing",
    "at_risk",
    "breached",
    "not_achieved",
}


def quarantined_files(settings: Settings, batch_id: str) -> list[dict[str, Any]]:
    """Files of this batch that validation quarantined whole (a critical rule failed):
    the published warehouse did not change for them, and somebody has to know."""
    from hrss_warehouse import workdb

    if not settings.work_db.exists():
        return []
    with workdb.connect(settings.work_db, read_only=True) as con:
        rows = con.execute(
            "select file_name, file_sha256, rows_in, first_error from raw.file_ledger "
            "where batch_id = ? and status = 'quarantined' "
            "and first_error like '文件未通过数据校验%' order by file_name",
            [batch_id],
        ).fetchall()
    return [
        {
            "key": f"batch_quarantined|{sha}",
            "kind": "batch_quarantined",
            "is_new": True,
            "severity": "high",
            "file_name": name,
            "rows": rows_in,
            "reason": error,
        }
        for name, sha, rows_in, error in rows
    ]


def evaluate(settings: Settings, batch_id: str | None = None) -> dict[str, Any]:
    rows = read_scorecard(settings.warehouse)
    path = settings.report_dir / "alerts.json"
    previous = {}
    if path.is_file():
        previous = {a["key"]: a for a in json.loads(path.read_text("utf-8"))["alerts"]}
    alerts = []
    for row in rows:
        # A finished plan's result printed in its document is history, not news.
        if row.status not in ALERT_STATUSES or row.evidence_source == "plan_document":
            continue
        key = f"{row.plan_code}|{row.indicator_code}|{row.region_code}|{row.status}"
        alerts.append(
            {
                "key": key,
                "kind": "trajectory",
                "is_new": key not in previous,
                "severity": row.severity,  # fct_plan_progress.severity
                "indicator": row.indicator_name_zh,
                "region": row.region_name_zh,
                "as_of_date": row.as_of_date,
                "status": row.status,
                "status_zh": row.status_zh,
                "reason": row.status_reason,
            }
        )
    quarantined = quarantined_files(settings, batch_id) if batch_id else []
    for item in quarantined:
        log.error(
            "alert: %s quarantined whole by validation: %s", item["file_name"], item["reason"]
        )
    alerts.extend(quarantined)
    path.write_text(
        json.dumps(
            {"evaluated_at": datetime.now(UTC).isoformat(), "alerts": alerts},
            ensure_ascii=False,
            indent=2,
        ),
        "utf-8",
    )
    new = sum(a["is_new"] for a in alerts)
    log.info("%d indicator(s) off trajectory, %d new since the last run", len(alerts), new)
    return {
        "open_alerts": len(alerts),
        "new_alerts": new,
        "quarantined_files": len(quarantined),
        "file": str(path),
    }
