"""A year-to-date series cannot fall within a year: validate.ytd_not_decreasing, the
column the landing suite expects to be all true (pandas only, no GX run here)."""

from __future__ import annotations

import pandas as pd
import pytest

from hrss_warehouse.quality.gx import ytd_not_decreasing

pytestmark = pytest.mark.unit


def frame(rows):
    columns = ["indicator_code", "region_code", "period_code", "basis", "value"]
    data = pd.DataFrame(rows, columns=columns)
    data["period_end_date"] = pd.to_datetime(data["period_code"] + "-01") + pd.offsets.MonthEnd(0)
    return data


def test_a_fall_within_the_file_is_caught():
    rows = frame(
        [
            ("urban_new_jobs", "330900", "2024-02", "ytd", 0.52),
            ("urban_new_jobs", "330900", "2024-04", "ytd", 0.70),  # below March
            ("urban_new_jobs", "330900", "2024-03", "ytd", 0.81),
            ("urban_new_jobs", "330902", "2024-04", "ytd", 0.30),  # another region
            ("skilled_talent", "330900", "2024-04", "end", 20.0),  # not a YTD
        ]
    )
    assert ytd_not_decreasing(rows).tolist() == [True, False, True, True, True]


def test_a_new_year_starts_from_zero():
    rows = frame(
        [
            ("urban_new_jobs", "330900", "2024-12", "ytd", 4.6),  # 004 L13
            ("urban_new_jobs", "330900", "2025-01", "ytd", 0.3),
        ]
    )
    assert ytd_not_decreasing(rows).tolist() == [True, True]


def test_earlier_runs_count_unless_the_file_redelivers_the_month():
    earlier = frame(
        [
            ("urban_new_jobs", "330900", "2024-03", "ytd", 0.81),
            ("urban_new_jobs", "330900", "2024-04", "ytd", 1.09),
        ]
    )
    # May below April's 1.09 loaded last night: wrong. March re-delivered lower (a
    # revision of the month itself) is fine.
    rows = frame(
        [
            ("urban_new_jobs", "330900", "2024-05", "ytd", 0.90),
            ("urban_new_jobs", "330900", "2024-03", "ytd", 0.80),
        ]
    )
    assert ytd_not_decreasing(rows, earlier).tolist() == [False, True]
    # If the file also re-delivers April (0.85), May 0.90 is consistent with it.
    rows = frame(
        [
            ("urban_new_jobs", "330900", "2024-05", "ytd", 0.90),
            ("urban_new_jobs", "330900", "2024-04", "ytd", 0.85),
        ]
    )
    assert ytd_not_decreasing(rows, earlier).tolist() == [True, True]
