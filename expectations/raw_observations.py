"""Landing batch: the rows one run loaded into raw.observations."""

from __future__ import annotations

SUITE_NAME = "raw_observations"


def expectations(params: dict) -> list:
    """``params``: indicator_codes, region_codes, units (from the catalog), today (ISO date)."""
    import great_expectations.expectations as gxe

    critical, warning = {"severity": "critical"}, {"severity": "warning"}
    required = [
        "indicator_code",
        "region_code",
        "period_code",
        "period_end_date",
        "basis",
        "value",
        "unit",
    ]
    return [
        gxe.ExpectTableColumnsToMatchSet(column_set=required, exact_match=False, meta=critical),
        *(gxe.ExpectColumnValuesToNotBeNull(column=c, meta=critical) for c in required),
        gxe.ExpectColumnValuesToBeInSet(
            column="indicator_code", value_set=params["indicator_codes"], meta=critical
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="region_code", value_set=params["region_codes"], meta=critical
        ),
        gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=params["units"], meta=critical),
        gxe.ExpectColumnValuesToBeInSet(
            column="basis", value_set=["period", "ytd", "end"], meta=critical
        ),
        gxe.ExpectColumnValuesToBeOfType(column="value", type_="float64", meta=critical),
        gxe.ExpectColumnMaxToBeBetween(
            column="period_end_date", max_value=params["today"], meta=critical
        ),
        # The same key twice in one batch is ambiguous (which figure is right?).
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["indicator_code", "region_code", "period_code", "basis"], meta=critical
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=0,
            max_value=100,
            row_condition='unit=="%"',
            condition_parser="pandas",
            meta=critical,
        ),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, meta=warning),
        # Computed per file by validate.ytd_not_decreasing: a year-to-date figure below
        # an earlier month's of the same year (the file cannot be right).
        gxe.ExpectColumnValuesToBeInSet(
            column="ytd_not_decreasing", value_set=[True], meta=critical
        ),
    ]
