"""marts.fct_plan_target: every plan indicator has a kind, a direction and (unless kind none) a target."""

from __future__ import annotations

SUITE_NAME = "fct_plan_target"


def expectations(params: dict) -> list:
    import great_expectations.expectations as gxe

    critical = {"severity": "critical"}
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="target_kind",
            value_set=["cumulative", "level", "bound_max", "bound_min", "annual", "none"],
            meta=critical,
        ),
        gxe.ExpectColumnValuesToBeInSet(column="direction", value_set=[1, -1], meta=critical),
        gxe.ExpectColumnValuesToNotBeNull(
            column="target_value",
            row_condition='target_kind!="none"',
            condition_parser="pandas",
            meta=critical,
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["plan_code", "indicator_code", "region_code"], meta=critical
        ),
    ]
