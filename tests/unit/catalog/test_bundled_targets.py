"""Issue 18: targets of the five documents as the bundled catalog holds them, each checked
against the document line it comes from (00N = catalog_sources/documents/00N_….txt)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]


def read(name: str) -> list[dict[str, str]]:
    with (ROOT / "seeds" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def row(plan_code: str, indicator_code: str) -> dict[str, str]:
    (found,) = [
        r
        for r in read("plan_indicators.csv")
        if (r["plan_code"], r["indicator_code"]) == (plan_code, indicator_code)
    ]
    return found


def test_every_approximate_target_has_comparator_tilde():
    # 约 / 左右 → "~"; ranges (5—10) keep ">=" even where the text says 左右 elsewhere.
    for r in read("plan_indicators.csv"):
        approximate = "左右" in r["target_notation"] or r["target_notation"].startswith("约")
        if approximate and r["target_growth_rate"] == "":
            assert r["target_comparator"] == "~", r
        if r["target_comparator"] == "~":
            assert approximate and "approximate target" in r["note"], r


def test_approximate_targets_keep_their_kind():
    # 002 L870: 党政人才总量保持在32.5万人左右 — at its baseline: a bound (rule 7), about 32.5.
    party = row("zj_talent_14fyp", "party_government_talent")
    assert (party["target_kind"], party["target_comparator"], party["target_value"]) == (
        "bound_min",
        "~",
        "32.5",
    )
    assert party["target_notation"] == "32.5左右"
    # 003 L290: 舟山大工匠20名左右 (a five-year total), still cumulative.
    craftsmen = row("zs_hrss_14fyp_projects", "zhoushan_grand_craftsmen")
    assert (craftsmen["target_kind"], craftsmen["target_comparator"]) == ("cumulative", "~")
    # 003 L304: 5—10个 品牌专业 is a range, not an approximation.
    majors = row("zs_hrss_14fyp_projects", "technical_school_flagship_majors")
    assert (majors["target_comparator"], majors["target_value"]) == (">=", "5")


def test_pension_coverage_is_a_level_to_reach():
    # 003 L104: 5. 基本养老保险参保率（%）	>95	>96	预期性; 专栏4 (L214, 000 L3):
    # 进一步提高基本养老保险参保率 — a rise to reach by 2025, not a floor.
    pension = row("zs_hrss_14fyp", "pension_insurance_coverage_rate")
    assert (
        pension["target_kind"],
        pension["baseline_value"],
        pension["baseline_comparator"],
        pension["target_value"],
        pension["target_comparator"],
    ) == ("level", "95", ">", "96", ">")
    assert "进一步提高" in pension["note"] and "upper estimate" in pension["note"]
    # 003 L40: 基本医疗保险参保率 >98 → >98 is at its baseline: still a floor (rule 7).
    medical = row("zs_hrss_13fyp", "basic_medical_insurance_coverage_rate")
    assert (medical["target_kind"], medical["target_comparator"]) == ("bound_min", ">")


def test_zhejiang_labour_productivity_is_a_geometric_level():
    # 002 L738: 全员劳动生产率从11.7万元/人增长到16.6万元/人; L874: 全员劳动生产率年均增长6%以上.
    productivity = row("zj_talent_14fyp", "labour_productivity")
    assert (
        productivity["unit"],
        productivity["target_kind"],
        productivity["trajectory_shape"],
        productivity["baseline_value"],
        productivity["target_growth_rate"],
        productivity["target_comparator"],
        productivity["target_notation"],
    ) == ("万元/人", "level", "geometric", "16.6", "6", ">=", "年均增长6%以上")
    assert float(productivity["target_value"]) == pytest.approx(16.6 * 1.06**5)  # 22.2145
    indicators = {r["indicator_code"]: r for r in read("indicators.csv")}
    assert indicators["labour_productivity"]["domain_code"] == "talent"
    assert indicators["labour_productivity"]["is_additive"] == "false"
    assert "labour_productivity_growth" not in indicators  # the growth rate is not a level
