"""Domain rules on a delivered file (hrss_warehouse.quality.domain_checks), with the figures of
Zhoushan's 2024 results article (004) where it prints them."""

from __future__ import annotations

import pandas as pd
import pytest

from hrss_warehouse.quality.domain_checks import (
    change_within_band,
    december_matches_annual,
    half_unit,
    report_key,
    share_matches_components,
    usual_row_count,
)

pytestmark = pytest.mark.unit

COLUMNS = [
    "indicator_code",
    "region_code",
    "period_code",
    "period_grain",
    "basis",
    "value",
    "value_as_reported",
    "unit",
]
DERIVATIONS = pd.DataFrame(
    [("high_skilled_share", "high_skilled_talent", "skilled_talent", 100)],
    columns=["indicator_code", "numerator_indicator_code", "denominator_indicator_code", "factor"],
)


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def obs(
    code, period, value, *, basis="end", grain=None, printed=None, unit="万人", region="330900"
):
    grain = grain or ("year" if len(period) == 4 else "month")
    printed = printed if printed is not None else str(value)
    return (code, region, period, grain, basis, value, printed, unit)


@pytest.mark.parametrize(
    ("value", "printed", "half"),
    [
        (8.6, "8.6", 0.05),
        (35.3, "35.3%", 0.05),
        (21.3, "213000", 0.00005),  # 人 stored as 万人: half a person
        (4.6, "4.6①", 0.05),
        (1234.0, "1,234", 0.5),
        (3.0, "三", 0.0),  # never printed as a number: compared exactly
    ],
)
def test_half_unit_of_the_printed_figure(value, printed, half):
    assert half_unit(value, printed) == pytest.approx(half)


def test_a_share_agrees_with_its_components_within_rounding():
    # 004 L15: 高技能人才占技能人才比例 35.3%; L89: 技能人才 24.4万, 高技能人才 8.6万.
    # 8.6/24.4 = 35.25 %, and 8.55…8.65 / 24.35…24.45 spans 34.97…35.52 %: it agrees.
    rows = frame(
        obs("skilled_talent", "2024", 24.4),
        obs("high_skilled_talent", "2024", 8.6),
        obs("high_skilled_share", "2024", 35.3, unit="%"),
    )
    in_file, cross = share_matches_components(rows, None, DERIVATIONS)
    assert in_file.ok.all() and cross.ok.all()


def test_a_share_that_contradicts_its_components_in_the_same_file_fails_every_row():
    rows = frame(
        obs("skilled_talent", "2024", 24.4),
        obs("high_skilled_talent", "2024", 8.6),
        obs("high_skilled_share", "2024", 36.0, unit="%"),  # 35.95 > 35.52
    )
    in_file, cross = share_matches_components(rows, None, DERIVATIONS)
    assert in_file.ok.tolist() == [False, False, False]
    assert cross.ok.all()
    assert (
        in_file.message_zh[2]
        == "占比 36 与分项 8.6 / 24.4 × 100 = 35.25 不一致（超出四舍五入误差）"
    )


def test_a_share_that_contradicts_an_earlier_delivery_is_only_a_warning():
    earlier = frame(obs("skilled_talent", "2024", 24.4), obs("high_skilled_talent", "2024", 8.6))
    rows = frame(obs("high_skilled_share", "2024", 36.0, unit="%"))
    in_file, cross = share_matches_components(rows, earlier, DERIVATIONS)
    assert in_file.ok.tolist() == [True]
    assert cross.ok.tolist() == [False]
    # The file re-delivering a component wins over the earlier figure: 9.0/24.4 = 36.9 %.
    rows = frame(
        obs("high_skilled_share", "2024", 36.9, unit="%"), obs("high_skilled_talent", "2024", 9.0)
    )
    in_file, cross = share_matches_components(rows, earlier, DERIVATIONS)
    assert cross.ok.all() and in_file.ok.all()


def test_december_year_to_date_equals_the_annual_figure():
    # 004 L13: 城镇新增就业 4.6万 in 2024; the December 1-12月 figure must say the same.
    good = frame(
        obs("urban_new_jobs", "2024-12", 4.6, basis="ytd"),
        obs("urban_new_jobs", "2024", 4.6, basis="period"),
    )
    assert december_matches_annual(good, None).ok.all()
    rounded = frame(  # 4.6 printed, 4.62 printed: both are 4.6 to one decimal
        obs("urban_new_jobs", "2024-12", 4.62, basis="ytd"),
        obs("urban_new_jobs", "2024", 4.6, basis="period"),
    )
    assert december_matches_annual(rounded, None).ok.all()
    bad = frame(
        obs("urban_new_jobs", "2024-12", 4.3, basis="ytd"),
        obs("urban_new_jobs", "2024", 4.6, basis="period"),
        obs("urban_new_jobs", "2024-11", 4.2, basis="ytd"),
    )
    verdict = december_matches_annual(bad, None)
    assert verdict.ok.tolist() == [False, False, True]
    assert verdict.message_zh[0] == "2024年12月累计值 4.3 与全年值 4.6 不一致"


def test_december_against_an_annual_figure_loaded_before():
    earlier = frame(obs("urban_new_jobs", "2024", 4.6, basis="period"))
    rows = frame(obs("urban_new_jobs", "2024-12", 4.3, basis="ytd"))
    assert december_matches_annual(rows, earlier).ok.tolist() == [False]
    # A December stock equals the year-end stock (技能人才 24.4万, 004 L89).
    rows = frame(obs("skilled_talent", "2024-12", 24.4), obs("skilled_talent", "2024", 24.4))
    assert december_matches_annual(rows, None).ok.all()


def test_change_against_the_same_period_last_year():
    earlier = frame(
        obs("urban_new_jobs", "2023", 4.09, basis="period"),
        obs("pension_coverage", "2023", 96.0, unit="%"),
        obs("unemployment_rate", "2023-06", 2.0, unit="%"),
    )
    rows = frame(
        obs("urban_new_jobs", "2024", 4.6, basis="period"),  # +12 %: plausible
        obs("pension_coverage", "2024", 69.6, unit="%"),  # −26.4 points: 96 keyed as 69.6?
        obs("unemployment_rate", "2024-06", 2.3, unit="%"),  # +0.3 points
        obs("skilled_talent", "2024", 24.4),  # no figure a year earlier
    )
    verdict = change_within_band(rows, earlier, max_change=0.5, max_change_pp=10)
    assert verdict.ok.tolist() == [True, False, True, True]
    assert (
        verdict.message_zh[1]
        == "与上年同期（2023：96）相比变化 -26.4 个百分点，超出 ±10 个百分点，请核实"
    )
    # 4.6 typed as 46 (a slipped decimal point): +1025 %.
    slipped = frame(obs("urban_new_jobs", "2024", 46.0, basis="period"))
    verdict = change_within_band(slipped, earlier, max_change=0.5, max_change_pp=10)
    assert verdict.message_zh[0] == "与上年同期（2023：4.09）相比变化 +1025%，超出 ±50%，请核实"


def test_recurring_report_row_counts():
    assert report_key("舟山市2024年1-3月就业统计.xlsx") == report_key(
        "舟山市2024年1-4月就业统计.XLSX"
    )
    assert report_key("a/舟山市2024年就业统计.csv") != report_key("舟山市2024年社保统计.csv")
    assert usual_row_count([40], 0.5) is None  # one earlier issue is no pattern yet
    assert usual_row_count([40, 44, 42], 0.5) == (20, 66)
