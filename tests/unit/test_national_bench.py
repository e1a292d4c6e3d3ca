"""The national benchmark's generator (benchmarks/national_data.py) at a tiny scale: the
region tree is shaped like GB/T 2260, every region has a 20-target 14th-FYP plan, and
the history has regions × indicators × months figures, 5 % of them revised. (Its speed
is measured by `make bench`, never asserted; tests/integration/test_national_reference.py
keeps the hand-written reference equal to the dbt build.)"""

from __future__ import annotations

import csv
from collections import Counter

import duckdb
import pytest

from benchmarks import national_data

pytestmark = pytest.mark.unit

COUNTS = {"provinces": 2, "cities": 4, "counties": 8}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return national_data.generate(tmp_path_factory.mktemp("national"), counts=COUNTS)


def rows(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_scale_factors_give_the_national_counts():
    assert national_data.counts_for(1) == {"provinces": 31, "cities": 330, "counties": 2800}
    assert national_data.counts_for(0.1) == {"provinces": 3, "cities": 33, "counties": 280}
    assert national_data.counts_for(0.01) == {"provinces": 1, "cities": 3, "counties": 28}


def test_region_tree_is_shaped_like_gbt_2260(generated):
    regions = {r["region_code"]: r for r in rows(generated.catalog_dir / "regions.csv")}
    levels = Counter(r["region_level"] for r in regions.values())
    assert levels["province"] == 2 and levels["city"] == 4
    assert levels["district"] + levels["county"] == 8
    for code, r in regions.items():
        assert len(code) == 6 and code.isdigit()
        if r["region_level"] == "province":
            assert code.endswith("0000") and r["parent_region_code"] == ""
        elif r["region_level"] == "city":
            assert code.endswith("00") and not code.endswith("0000")
            assert r["parent_region_code"] == code[:2] + "0000"
        else:
            assert not code.endswith("00")
            assert r["parent_region_code"] == code[:4] + "00"
        assert r["parent_region_code"] in regions or r["region_level"] == "province"


def test_every_region_has_a_plan_of_20_targets_of_every_kind(generated):
    plans = {p["plan_code"]: p for p in rows(generated.catalog_dir / "plans.csv")}
    regions = {r["region_code"] for r in rows(generated.catalog_dir / "regions.csv")}
    assert sorted(p["region_code"] for p in plans.values()) == sorted(regions)
    assert {(p["start_year"], p["end_year"]) for p in plans.values()} == {("2021", "2025")}
    targets = rows(generated.catalog_dir / "plan_indicators.csv")
    per_plan = Counter(t["plan_code"] for t in targets if not t["effective_from_date"])
    assert set(per_plan) == set(plans)
    assert set(per_plan.values()) == {national_data.TARGETS_PER_REGION}
    kinds = {t["target_kind"] for t in targets}
    assert kinds == {"level", "cumulative", "annual", "bound_max", "bound_min"}
    indicators = {i.code for i in generated.indicators}
    assert len(indicators) == national_data.N_INDICATORS
    assert {t["indicator_code"] for t in targets} <= indicators


def test_history_is_regions_by_indicators_by_months_with_5_percent_revised(generated):
    with duckdb.connect(str(generated.work_dir / "hrss_work.duckdb"), read_only=True) as con:
        total, keys, months, first, last = con.execute(
            "select count(*), count(distinct (indicator_code, region_code, period_code, basis)),"
            " count(distinct period_code), min(period_code), max(period_code)"
            " from raw.observations"
        ).fetchone()
    regions = sum(COUNTS.values())
    assert (months, first, last) == (60, "2020-12", "2025-11")
    assert keys == regions * national_data.N_INDICATORS * 60
    assert total == pytest.approx(keys * 1.05, rel=0.005)
    assert total == generated.raw_rows


def test_the_generator_is_deterministic(generated, tmp_path):
    again = national_data.generate(tmp_path, counts=COUNTS)
    for name in ("regions.csv", "plans.csv", "plan_indicators.csv"):
        assert (again.catalog_dir / name).read_bytes() == (
            generated.catalog_dir / name
        ).read_bytes()
    assert again.raw_rows == generated.raw_rows
