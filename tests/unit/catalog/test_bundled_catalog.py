"""The bundled catalog (seeds/) is exactly what `hrss catalog import` makes of the
tables in catalog_sources/ (manifest.csv), and it is internally consistent."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from hrss_warehouse.catalog.importer import import_plan_table

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
SOURCES = ROOT / "catalog_sources"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


MANIFEST = read(SOURCES / "manifest.csv")


def test_every_source_table_is_in_the_manifest():
    tables = {p.name for p in SOURCES.iterdir() if p.suffix in (".txt", ".tsv", ".csv", ".xlsx")}
    assert tables - {"manifest.csv"} == {m["file"] for m in MANIFEST}


def test_reimporting_every_source_reproduces_the_bundled_catalog(tmp_path):
    catalog = tmp_path / "seeds"
    shutil.copytree(SEEDS, catalog)
    before = {p.name: p.read_bytes() for p in catalog.glob("*.csv")}
    for entry in MANIFEST:
        import_plan_table(
            SOURCES / entry["file"],
            plan_code=entry["plan_code"],
            plan_name=entry["plan_name"],
            region_code=entry["region_code"],
            start_year=int(entry["start_year"]),
            end_year=int(entry["end_year"]),
            baseline_year=int(entry["baseline_year"]) if entry["baseline_year"] else None,
            catalog_dir=catalog,
            source_name=entry["source_name"] or None,
            line_offset=int(entry["line_offset"] or 0),
            effective_from=date.fromisoformat(entry["effective_from"])
            if entry["effective_from"]
            else None,
        )
    after = {p.name: p.read_bytes() for p in catalog.glob("*.csv")}
    assert after == before


def test_every_plan_is_bundled_from_a_source():
    plans = {p["plan_code"] for p in read(SEEDS / "plans.csv")}
    assert plans == {m["plan_code"] for m in MANIFEST}


def test_every_plan_indicator_has_a_kind_a_direction_and_a_source():
    indicators = {r["indicator_code"]: r for r in read(SEEDS / "indicators.csv")}
    kinds = {"cumulative", "level", "bound_max", "bound_min", "annual", "none"}
    for row in read(SEEDS / "plan_indicators.csv"):
        assert row["target_kind"] in kinds, row
        assert row["direction"] in ("1", "-1"), row
        assert row["indicator_code"] in indicators, row
        assert indicators[row["indicator_code"]]["direction"] == row["direction"], row
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt:L\d+", row["source_ref"]), row
        if row["target_kind"] != "none":
            assert row["target_value"], row


def test_every_region_has_a_valid_code_and_parent():
    regions = {r["region_code"]: r for r in read(SEEDS / "regions.csv")}
    levels = {"province", "city", "district", "county", "new_area"}
    for code, region in regions.items():
        assert region["region_level"] in levels, region
        if region["region_level"] == "new_area":
            # Non-administrative units have no GB/T 2260 code: parent code + suffix.
            assert re.fullmatch(r"\d{6}-[A-Z]{2}\d{2}", code), code
            assert code.startswith(region["parent_region_code"]), region
        else:
            assert re.fullmatch(r"\d{6}", code), code
        if region["region_level"] == "province":
            assert region["parent_region_code"] == "" and code.endswith("0000"), region
        else:
            parent = regions[region["parent_region_code"]]
            assert code[:2] == parent["region_code"][:2], region  # same province
    for plan in read(SEEDS / "plans.csv"):
        assert plan["region_code"] in regions, plan


def test_each_domain_has_one_name():
    from hrss_warehouse.catalog.importer import DOMAIN_NAMES

    names: dict[str, set[str]] = {}
    for row in read(SEEDS / "indicators.csv"):
        names.setdefault(row["domain_code"], set()).add(row["domain_name_zh"])
    assert {code: {DOMAIN_NAMES[code]} for code in names} == names
