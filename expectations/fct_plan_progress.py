"""marts.fct_plan_progress: statuses allowed, ratios finite, nothing dated beyond the data.

"Beyond the data" is judged per plan: a plan's months may run to the month of the latest
figure loaded (capped at the plan's end), to the results its document prints, and always
include its first month — so a plan imported before any figure has arrived (the first
night of every deployment) has one month of 数据不足 rows and publishes, while a row dated
after the last figure when figures exist is still refused. ``validate_marts`` computes
``latest_allowed_date`` per row from the marts."""

from __future__ import annotations

SUITE_NAME = "fct_plan_progress"

# No real ratio comes near this; a larger one means a division by ~0 slipped through.
_FINITE = 1e6


def expectations(params: dict) -> list:
    """``params``: statuses (allowed codes). The frame carries ``latest_allowed_date``."""
    import great_expectations.expectations as gxe

    critical = {"severity": "critical"}
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="status", value_set=params["statuses"], meta=critical
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=c, min_value=-_FINITE, max_value=_FINITE, meta=critical
            )
            for c in ("attainment_ratio", "baseline_progress", "pace_ratio", "actual_value")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="time_elapsed_ratio", min_value=0, max_value=1, meta=critical
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="latest_allowed_date", column_B="as_of_date", or_equal=True, meta=critical
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["plan_code", "indicator_code", "region_code", "as_of_date"],
            meta=critical,
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="as_of_date", meta=critical),
    ]
