"""Report charts: the trajectory the chart draws is the one the engine measures 时序进度 on,
and the SVG and PNG carry the data they plot."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from hrss_warehouse.report.charts import (
    TrajectoryData,
    _expected_path,
    _nice_ticks,
    region_chart,
    to_png,
    to_svg,
    trajectory_chart,
)

pytestmark = pytest.mark.unit


def skilled_talent(**changes) -> TrajectoryData:
    # 技能人才总量: 21.3万人 in 2020 → 26万人 in 2025 (003 L108); 24.4 in 2024 (004 L89).
    values = {
        "chart_id": "zs_hrss_14fyp__skilled_talent__330900",
        "title": "技能人才总量（舟山市）",
        "unit": "万人",
        "target_kind": "level",
        "trajectory_shape": "linear",
        "plan_start": date(2021, 1, 1),
        "plan_end": date(2025, 12, 31),
        "baseline_value": 21.3,
        "target_value": 26.0,
        "target_label": "26万人",
        "observed": [(date(2023, 12, 31), "2023", 22.55), (date(2024, 12, 31), "2024", 24.4)],
        "documented": [],
        "projected_end_value": 24.82,
    }
    return TrajectoryData(**{**values, **changes})


def test_the_linear_path_is_the_engines_expected_value():
    path = dict(_expected_path(skilled_talent()))
    assert len(path) == 61 and path[date(2020, 12, 31)] == 21.3
    # End of 2024: 时序进度 48/60 = 0.8 → 21.3 + 0.8 × 4.7 = 25.06 (fct_plan_progress).
    assert path[date(2024, 12, 31)] == pytest.approx(25.06)
    assert path[date(2025, 12, 31)] == pytest.approx(26.0)
    assert path[date(2022, 2, 28)] == pytest.approx(21.3 + 14 / 60 * 4.7)


def test_a_growth_rate_target_compounds():
    # 浙江 全员劳动生产率 16.6万元 (002 L738), 年均增长6% (L874): T = 16.6 × 1.06^5.
    target = 16.6 * 1.06**5
    path = dict(
        _expected_path(
            skilled_talent(baseline_value=16.6, target_value=target, trajectory_shape="geometric")
        )
    )
    assert path[date(2024, 12, 31)] == pytest.approx(16.6 * 1.06**4)
    assert path[date(2022, 12, 31)] == pytest.approx(16.6 * 1.06**2)


def test_a_cumulative_target_starts_from_zero():
    # 城镇新增就业 five-year total (22)万人 (003 L108 ff.): the time-share line 0 → 22.
    path = dict(_expected_path(skilled_talent(target_kind="cumulative", target_value=22.0)))
    assert path[date(2020, 12, 31)] == 0.0
    assert path[date(2024, 12, 31)] == pytest.approx(0.8 * 22)


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [(1.5, 3.1, [1.5, 2.0, 2.5, 3.0]), (0, 23, [0, 5, 10, 15, 20]), (20.9, 26.4, [22, 24, 26])],
)
def test_axis_ticks_are_round_numbers(low, high, ticks):
    assert _nice_ticks(low, high) == ticks


def test_the_svg_carries_every_point_it_plots():
    svg = to_svg(trajectory_chart(skilled_talent()))
    observed = re.search(r"<g data-role='observed'>(.*?)</g>", svg).group(1)
    assert re.findall(r"data-period='(\d+)' data-value='([\d.]+)'", observed) == [
        ("2023", "22.55"),
        ("2024", "24.4"),
    ]
    assert "<title>2024：24.4万人</title>" in svg
    assert "<title>目标 26万人</title>" in svg
    assert "data-role='limit'" not in svg


def test_a_ceiling_draws_a_limit_line_and_no_path():
    svg = to_svg(
        trajectory_chart(
            skilled_talent(
                title="城镇登记失业率（舟山市）",
                unit="%",
                target_kind="bound_max",
                baseline_value=1.8,
                target_value=3.0,
                target_label="≤3%",
                observed=[(date(2024, 12, 31), "2024", 1.7)],
                projected_end_value=None,
            )
        )
    )
    assert ">上限 ≤3%</text>" in svg and "data-role='path'" not in svg


def test_the_png_is_drawn_at_twice_the_size():
    from PIL import Image

    image = Image.open(io.BytesIO(to_png(trajectory_chart(skilled_talent()))))
    assert image.size == (1280, 600)
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000)) > 50


def test_regions_are_bars_with_their_figures():
    chart = region_chart(
        "x",
        "城镇新增就业人数：各地区 2024",
        "万人",
        [("330902", "定海区", 1.9), ("330903", "普陀区", 1.5)],
        None,
    )
    svg = to_svg(chart)
    assert re.findall(r"data-region='(\d+)' data-value='([\d.]+)'", svg) == [
        ("330902", "1.9"),
        ("330903", "1.5"),
    ]


def test_a_target_without_a_printed_baseline_is_measured_from_its_first_figure():
    # 留温率40% (001) is printed without a baseline; with an illustrative first figure of 31%
    # for 2021 the path starts there and runs straight to the target at the plan end, as
    # the engine measures it (is_baseline_imputed, level_pace_basis).
    data = skilled_talent(
        baseline_value=31.0,
        target_value=40.0,
        is_baseline_imputed=True,
        observed=[(date(2021, 12, 31), "2021", 31.0), (date(2022, 12, 31), "2022", 33.0)],
    )
    path = _expected_path(data)
    assert path[0] == (date(2021, 12, 31), 31.0) and len(path) == 49
    assert dict(path)[date(2023, 12, 31)] == pytest.approx(31 + 24 / 48 * 9)
    # A single figure at the plan end leaves no path to draw.
    assert (
        _expected_path(
            data.__class__(**{**data.__dict__, "observed": [(date(2025, 12, 31), "2025", 38.0)]})
        )
        == []
    )
