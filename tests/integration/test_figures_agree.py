"""Over the whole sample run, every figure printed agrees with itself and with the mart
(issue 18): each row of the report, each alert the run recorded (Chinese and English)
and `hrss status` show 进度完成度 and 时序进度 whose difference is the 高于/低于时序进度 N
个百分点 beside them, no ratio for a bound, 完成度 never alone; and the figures printed
are the mart's own (进度完成度 = baseline_progress, 目标完成率 = attainment_ratio)."""

from __future__ import annotations

import re

import pytest

from tests.integration.support import query
from tests.unit.report.figures_check import check_agrees, visible_text

pytestmark = pytest.mark.integration

BOUNDS = ("bound_max", "bound_min")


@pytest.fixture(scope="module")
def latest(sample_run) -> dict[tuple, dict]:
    names = [
        "plan_code",
        "indicator_code",
        "region_code",
        "target_kind",
        "attainment_ratio",
        "baseline_progress",
        "pace_gap_pp",
        "status",
    ]
    rows = query(
        sample_run.warehouse,
        f"select {', '.join(names)} from marts.fct_plan_progress where is_latest",
    )
    return {r[:3]: dict(zip(names, r, strict=True)) for r in rows}


def _percent(pattern: str, text: str) -> float | None:
    found = re.search(pattern + r"\s*(-?\d+(?:\.\d+)?)%", text)
    return float(found.group(1)) if found else None


def test_every_report_row_agrees_with_itself_and_the_mart(sample_run, latest):
    page = (sample_run.warehouse.parent / "report" / "index.html").read_text("utf-8")
    sections = re.findall(r"<section class='plan' data-plan='([^']+)'>(.*?)</section>", page, re.S)
    checked = 0
    for plan, section in sections:
        for indicator, region, cells in re.findall(
            r"<tr data-indicator='([^']+)' data-region='([^']+)'>(.*?)</tr>", section, re.S
        ):
            row = latest[(plan, indicator, region)]
            text = visible_text(cells)
            found = check_agrees(text, bound=row["target_kind"] in BOUNDS)
            if row["pace_gap_pp"] is not None and row["baseline_progress"] is not None:
                assert "gap" in found, text
                assert abs(found["progress"] - 100 * row["baseline_progress"]) <= 0.05 + 1e-9
            attainment = _percent(r"目标完成率", text)
            if attainment is not None:
                assert abs(attainment - 100 * row["attainment_ratio"]) <= 0.05 + 1e-9, text
            checked += 1
    assert checked == len(latest)


def test_every_alert_of_the_run_agrees_with_itself(sample_run, latest):
    events = query(
        sample_run.warehouse,
        "select plan_code, indicator_code, region_code, message_zh, message_en "
        "from marts.fct_alert_event where event_kind in ('trajectory', 'recovery')",
    )
    assert events  # the sample run alerts (技能人才总量 进度偏慢, …)
    for plan, indicator, region, zh, en in events:
        row = latest[(plan, indicator, region)]
        is_bound = row["target_kind"] in BOUNDS
        found = check_agrees(zh, bound=is_bound)
        check_agrees(en, bound=is_bound, lang="en")
        if row["pace_gap_pp"] is not None and row["baseline_progress"] is not None:
            assert abs(found["gap"] - row["pace_gap_pp"]) <= 0.1 + 1e-9, zh


def test_hrss_status_labels_every_measure(sample_run, hrss, latest):
    done = hrss("status", "--warehouse", sample_run.warehouse)
    assert done.returncode == 0, done.stderr
    assert not re.search(r"(?<!进度)完成度", done.stdout)
    headers = [line for line in done.stdout.splitlines() if line.startswith("领域")]
    assert headers and all(
        re.findall(r"\S+", h)[6:]
        == ["目标完成率", "进度完成度", "时序进度", "余量/年均增长", "状态", "评估类别"]
        for h in headers
    )
    # No bound's row shows a ratio, even where the mart keeps x/T (a floor to maintain,
    # 工伤保险参保人数 40 → 40: docs/formulas.md); each total shows one 目标完成率（累计）.
    from hrss_warehouse.report.scorecard import display_row, read_scorecard

    shown = [(r, display_row(r)) for r in read_scorecard(sample_run.warehouse)]
    bounds = [cells for r, cells in shown if r.target_kind in BOUNDS and r.actual_value is not None]
    assert bounds and all(
        cells["目标完成率"] == cells["进度完成度"] == cells["时序进度"] == "" for cells in bounds
    )
    assert any(cells["余量/年均增长"].startswith("余量 ") for cells in bounds)
    totals = [
        cells
        for r, cells in shown
        if r.target_kind in ("cumulative", "annual") and r.attainment_ratio is not None
    ]
    assert totals and all(
        c["目标完成率"].endswith("（累计）") and c["进度完成度"] == "" for c in totals
    )
