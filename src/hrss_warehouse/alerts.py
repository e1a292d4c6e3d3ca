"""Which indicators are off their trajectory now, and which became so since the last run.

First version: the evaluation only. It writes ``<report dir>/alerts.json`` (the
open alerts, each marked new or already known); delivering them to email,
DingTalk, WeCom, Feishu or webhooks is not built yet.
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


def evaluate(settings: Settings) -> dict[str, Any]:
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
    return {"open_alerts": len(alerts), "new_alerts": new, "file": str(path)}
