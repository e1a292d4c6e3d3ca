"""Every sentence agrees with its own numbers: for fct_plan_progress rows of every kind
(level, cumulative, annual, bound_max, bound_min, a band (~), geometric, an imputed
baseline, ahead, regressing, no data, no numeric target) and hundreds of random level
rows, the alert texts (Chinese and English), the report's rows and the scorecard show
进度完成度 and 时序进度 whose difference is the 高于/低于时序进度 N 个百分点 printed beside
them, no ratio for a bound, and 完成度 never alone (figures_check.py)."""

from __future__ import annotations

import random
import re
from dataclasses import fields

import pytest

from hrss_warehouse.alerts.messages import describe
from hrss_warehouse.report.html import _scorecard_row
from hrss_warehouse.report.scorecard import ScorecardRow, display_row, render_table
from tests.unit.report.figures_check import check_agrees, visible_text
from tests.unit.report.progress_rows import BASE, ROWS

pytestmark = pytest.mark.unit


def _random_rows(n: int = 400) -> list[dict]:
    """Level rows with C and e anywhere, including the .x5 rounding edges."""
    rng = random.Random(18)
    rows = []
    for i in range(n):
        c = rng.choice([rng.uniform(-0.3, 1.3), round(rng.uniform(0, 1), 3) + 0.0005])
        e = rng.choice([rng.uniform(0.1, 1.0), round(rng.uniform(0.1, 1), 3) + 0.0005])
        rows.append(
            {
                **BASE,
                "indicator_code": f"r{i}",
                "baseline_progress": c,
                "pace_basis": e,
                "pace_gap_pp": 100 * (c - e),
            }
        )
    return rows


CASES = list(ROWS.items())


def _is_bound(row: dict) -> bool:
    return row["target_kind"] in ("bound_max", "bound_min")


def _scorecard(row: dict) -> ScorecardRow:
    names = {f.name for f in fields(ScorecardRow)}
    return ScorecardRow(**{k: v for k, v in row.items() if k in names})


def _check_alert(row: dict) -> None:
    for lang in ("zh", "en"):
        line = describe({**row, "event_kind": "trajectory"}, lang).line
        found = check_agrees(line, bound=_is_bound(row), lang=lang)
        if row["pace_gap_pp"] is not None:
            assert "gap" in found, line
            # Within rounding of the mart's own gap.
            assert abs(found["gap"] - row["pace_gap_pp"]) <= 0.1 + 1e-9, line


def _check_report_row(row: dict) -> None:
    text = visible_text(_scorecard_row(_scorecard(row), None))
    found = check_agrees(text, bound=_is_bound(row))
    assert ("gap" in found) == (row["pace_gap_pp"] is not None), text


@pytest.mark.parametrize(("name", "row"), CASES, ids=[c[0] for c in CASES])
def test_alert_texts_and_report_rows_agree_with_their_numbers(name, row):
    _check_alert(row)
    _check_report_row(row)


def test_random_rows_agree_at_every_rounding_edge():
    for row in _random_rows():
        _check_alert(row)
        _check_report_row(row)


@pytest.mark.parametrize(
    "text",
    [
        # Issue 18's contradiction: 86.0 % is x/T, the 30 points are C = 0.50 against 0.80.
        "完成度 86.0%，时序进度 80.0%，低于时序进度 30.0 个百分点",
        "进度完成度 50.0%，时序进度 80.0%，低于时序进度 14.0 个百分点",
        "进度完成度 90.0%，时序进度 80.0%，低于时序进度 10.0 个百分点",
        "目标完成率 93.8%，低于时序进度 14.0 个百分点",
    ],
)
def test_the_check_catches_a_contradiction(text):
    with pytest.raises(AssertionError):
        check_agrees(text, bound=False)


def test_the_check_catches_a_ratio_for_a_bound():
    with pytest.raises(AssertionError, match="a bound with a ratio"):
        check_agrees("实际 2.5%；目标完成率 120.0%；目标 ≤3%", bound=True)


def test_the_report_shows_each_kind_as_its_measure():
    def shown(name: str) -> str:
        return visible_text(_scorecard_row(_scorecard(ROWS[name]), None))

    assert "目标完成率 93.8% 进度完成度 66.0% 时序进度 80.0% 低于时序进度 14.0 个百分点" in shown(
        "level"
    )
    assert "目标完成率（累计） 79.5% 时序进度 80.0% 低于时序进度 0.5 个百分点" in shown(
        "cumulative"
    )
    for annual in ("annual", "annual without pace_basis"):
        assert "目标完成率（累计） 53.8% 时序进度 50.0% 高于时序进度 3.8 个百分点" in shown(annual)
    assert "达标 余量 0.5个百分点" in shown("bound_max")
    assert "超限 超出上限 0.3个百分点" in shown("bound_max broken")
    assert "低于下限 低于下限 0.6个百分点" in shown("bound_min")
    assert "超限 超出上限 2.5万人" not in shown("band left above")  # headroom, not x − T
    assert "超出上限 0.88万人" in shown("band left above")
    assert "年均增长 5.9%（目标 6%以上）" in shown("geometric")
    assert "进度完成度 60.0% 时序进度 66.7% 低于时序进度 6.7 个百分点" in shown("imputed baseline")
    assert "提前实现" in shown("achieved early")
    for name in ("bound_max", "bound_min", "band"):
        assert "class='bar'" not in _scorecard_row(_scorecard(ROWS[name]), None)


def test_the_scorecard_labels_every_measure():
    table = render_table([_scorecard(r) for r in ROWS.values()])
    header = table.splitlines()[1]
    assert re.findall(r"\S+", header)[6:] == [
        "目标完成率",
        "进度完成度",
        "时序进度",
        "余量/年均增长",
        "状态",
        "评估类别",
    ]
    assert not re.search(r"(?<!进度)完成度", table)
    for name, row in ROWS.items():
        shown = display_row(_scorecard(row))
        if _is_bound(row):
            assert shown["目标完成率"] == shown["进度完成度"] == shown["时序进度"] == "", name
        if row["target_kind"] in ("cumulative", "annual"):
            assert shown["进度完成度"] == "" and shown["目标完成率"].endswith("（累计）"), name
