"""marts.fct_plan_progress: statuses allowed, ratios finite, nothing dated beyond the data."""

from __future__ import annotations

SUITE_NAME = "fct_plan_progress"

# No real ratio comes near this; a larger one means a division by ~0 slipped through.
_FINITE = 1e6


def expectations(params: dict) -> list:
    """``params``: statuses (allowed codes), max_data_date (ISO, latest period end loaded)."""
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
        gxe.ExpectColumnMaxToBeBetween(
            column="as_of_date", max_value=params["max_data_date"], meta=critical
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["plan_code", "indicator_code", "region_code", "as_of_date"],
            meta=critical,
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="as_of_date", meta=critical),
    ]
