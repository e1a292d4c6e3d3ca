"""Landing batch: the rows one run loaded into raw.observations."""

from __future__ import annotations

SUITE_NAME = "raw_observations"

# Against the same period a year earlier a rate may move this many points, anything
# else this share of itself, before the figure is flagged for a human to check.
YOY_MAX_CHANGE_PP = 10
YOY_MAX_CHANGE = 0.5
# A recurring report's row count is usual within this share below its smallest and
# above its largest recent issue (src/hrss_warehouse/quality/domain_checks.py).
ROW_COUNT_TOLERANCE = 0.5


def expectations(params: dict) -> list:
    """``params``: indicator_codes, region_codes, units (from the catalog), today (ISO date),
    usual_row_count ((low, high) of this recurring report, or None before its second issue).

    The row-level domain rules are computed per file by validate.domain_verdicts into
    boolean columns (True = the rule holds), which these expectations require."""
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
        # A year-to-date figure below an earlier month's of the same year: the file
        # cannot be right.
        gxe.ExpectColumnValuesToBeInSet(
            column="ytd_not_decreasing", value_set=[True], meta=critical
        ),
        # 1-12月 must equal the year's figure (within printed rounding).
        gxe.ExpectColumnValuesToBeInSet(
            column="december_matches_annual", value_set=[True], meta=critical
        ),
        # A share and its components in the same file must agree within rounding
        # (高技能人才占比 35.3% vs 8.6/24.4); against an earlier file's components the
        # new file may be the correction, so that is a warning.
        gxe.ExpectColumnValuesToBeInSet(
            column="share_matches_components", value_set=[True], meta=critical
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="share_matches_earlier_components", value_set=[True], meta=warning
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="change_within_band", value_set=[True], meta=warning
        ),
        *(
            [
                gxe.ExpectTableRowCountToBeBetween(
                    min_value=params["usual_row_count"][0],
                    max_value=params["usual_row_count"][1],
                    meta=warning,
                )
            ]
            if params.get("usual_row_count")
            else []
        ),
    ]
