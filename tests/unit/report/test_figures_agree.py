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

pytestmark = pytest.mark.unit

BASE = {
    "plan_code": "zs_hrss_14fyp",
    "plan_name_zh": "舟山市人力资源和社会保障事业发展“十四五”规划",
    "domain_code": "talent",
    "domain_name_zh": "人才队伍建设",
    "indicator_code": "skilled_talent",
    "indicator_name_zh": "技能人才总量",
    "indicator_name_en": "Skilled workers",
    "region_code": "330900",
    "region_name_zh": "舟山市",
    "as_of_date": "2024-12-31",
    "unit": "万人",
    "target_kind": "level",
    "attribute": "expected",
    "target_notation": "26",
    "trajectory_shape": "linear",
    "target_comparator": "",
    "actual_value": 24.4,
    "expected_value": 25.06,
    "target_value": 26.0,
    "attainment_ratio": 24.4 / 26,
    "baseline_progress": 3.1 / 4.7,
    "time_elapsed_ratio": 0.8,
    "pace_gap_pp": 100 * (3.1 / 4.7 - 0.8),
    "is_baseline_imputed": False,
    "is_compliant": None,
    "headroom": None,
    "observed_growth_rate": None,
    "target_growth_rate": None,
    "projected_end_value": 25.175,
    "status": "needs_acceleration",
    "status_zh": "进度偏慢",
    "status_en": "Needs acceleration",
    "status_reason": "C=0.66 e=0.8 rho=0.825",
    "evaluation_category_zh": "滞后",
    "severity": "low",
    "evidence_source": "observation",
}


def bound(**changes) -> dict:
    return {
        **BASE,
        "unit": "%",
        "attainment_ratio": None,  # null for a bound (the engine's contract)
        "baseline_progress": None,
        "pace_gap_pp": None,
        "expected_value": None,
        "projected_end_value": None,
        "evaluation_category_zh": None,
        **changes,
    }


ROWS = {
    "level": BASE,
    "level ahead": {**BASE, "baseline_progress": 0.9, "pace_gap_pp": 10.0, "status": "on_track"},
    "regressing": {**BASE, "baseline_progress": -0.1, "pace_gap_pp": -90.0, "status": "regressing"},
    "achieved early": {
        **BASE,
        "actual_value": 26.5,
        "attainment_ratio": 26.5 / 26,
        "baseline_progress": 5.2 / 4.7,
        "pace_gap_pp": 100 * (5.2 / 4.7 - 0.8),
        "status": "achieved_early",
        "status_zh": "提前实现",
        "evaluation_category_zh": "提前实现",
    },
    # 城镇新增就业 (22): 17.5 to the end of 2024.
    "cumulative": {
        **BASE,
        "target_kind": "cumulative",
        "target_notation": "(22)",
        "actual_value": 17.5,
        "target_value": 22.0,
        "attainment_ratio": 17.5 / 22,
        "baseline_progress": 17.5 / 22,
        "pace_gap_pp": 100 * (17.5 / 22 - 0.8),
    },
    # 每年帮扶困难人员实现就业1300人, 700 by June 2025: paced on the year (6/12), not on
    # the plan's 54/60.
    "annual": {
        **BASE,
        "target_kind": "annual",
        "unit": "人",
        "target_notation": "1300",
        "as_of_date": "2025-06-30",
        "actual_value": 700,
        "target_value": 1300,
        "attainment_ratio": 700 / 1300,
        "baseline_progress": 700 / 1300,
        "time_elapsed_ratio": 0.9,
        "pace_gap_pp": 100 * (700 / 1300 - 0.5),
        "status": "on_track",
    },
    "bound_max": bound(
        target_kind="bound_max",
        target_notation="≤3",
        target_comparator="<=",
        actual_value=2.5,
        target_value=3.0,
        headroom=0.5,
        is_compliant=True,
        status="compliant",
        status_zh="达标",
    ),
    "bound_max broken": bound(
        target_kind="bound_max",
        target_notation="≤3",
        target_comparator="<=",
        actual_value=3.3,
        target_value=3.0,
        headroom=-0.3,
        is_compliant=False,
        status="breached",
        status_zh="超限",
    ),
    "bound_min": bound(
        target_kind="bound_min",
        target_notation=">96",
        target_comparator=">",
        actual_value=95.4,
        target_value=96.0,
        headroom=-0.6,
        is_compliant=False,
        status="below_floor",
        status_zh="低于下限",
    ),
    # 党政人才 32.5万人左右: a band of ±5 %, 32.4 inside it.
    "band": bound(
        target_kind="bound_min",
        unit="万人",
        target_notation="32.5左右",
        target_comparator="~",
        actual_value=32.4,
        target_value=32.5,
        headroom=1.525,
        is_compliant=True,
        status="compliant",
        status_zh="达标",
    ),
    "band left above": bound(
        target_kind="bound_min",
        unit="万人",
        target_notation="32.5左右",
        target_comparator="~",
        actual_value=35.0,
        target_value=32.5,
        headroom=-0.875,
        is_compliant=False,
        status="breached",
        status_zh="超限",
    ),
    # 全员劳动生产率 16.6 → 年均增长6%以上, 19.7 at the end of 2023 (docs/formulas.md).
    "geometric": {
        **BASE,
        "unit": "万元/人",
        "trajectory_shape": "geometric",
        "target_comparator": ">=",
        "actual_value": 19.7,
        "target_value": 22.2145,
        "attainment_ratio": 19.7 / 22.2145,
        "baseline_progress": 0.5877,
        "time_elapsed_ratio": 0.6,
        "pace_gap_pp": 100 * (0.5877 - 0.6),
        "observed_growth_rate": 100 * ((19.7 / 16.6) ** (1 / 3) - 1),
        "target_growth_rate": 6.0,
        "status": "on_track",
    },
    # 留温率 30 (end 2019, imputed) → 36 (end 2021) → 40, 2019–2022: e = 24/36 from the
    # first figure, not the plan's 36/48.
    "imputed baseline": {
        **BASE,
        "unit": "%",
        "actual_value": 36.0,
        "target_value": 40.0,
        "attainment_ratio": 0.9,
        "baseline_progress": 0.6,
        "time_elapsed_ratio": 0.75,
        "pace_gap_pp": 100 * (0.6 - 24 / 36),
        "is_baseline_imputed": True,
    },
    "no data": {
        **BASE,
        "actual_value": None,
        "attainment_ratio": None,
        "baseline_progress": None,
        "pace_gap_pp": None,
        "expected_value": None,
        "projected_end_value": None,
        "status": "no_data",
        "status_zh": "数据不足",
    },
    "no numeric target": {
        **BASE,
        "target_value": None,
        "target_notation": None,
        "attainment_ratio": None,
        "baseline_progress": None,
        "pace_gap_pp": None,
        "status": "worsening",
        "status_zh": "趋差",
    },
}


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
    assert "目标完成率（累计） 53.8% 时序进度 50.0% 高于时序进度 3.8 个百分点" in shown("annual")
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
