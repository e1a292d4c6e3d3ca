"""`hrss catalog import`: upsert into a catalog folder, all or nothing."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hrss_warehouse.catalog.importer import import_plan_table, new_indicator_code
from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.catalog.plan_table import PlanTableError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "catalog_sources"
ZL2 = SOURCES / "zhoushan_14fyp_zl2.txt"
HEADER = "指标\t2020年基数\t2025年规划目标\t属性\n一、就业\n"


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def do_import(path: Path, catalog_dir: Path, **changes):
    args = {
        "plan_code": "zs_hrss_14fyp",
        "plan_name": "舟山市人力资源和社会保障事业发展“十四五”规划",
        "region_code": "330900",
        "start_year": 2021,
        "end_year": 2025,
        "baseline_year": None,
        "catalog_dir": catalog_dir,
        "source_name": "003_a48a57afb8347c84.txt",
        "line_offset": 95,
    }
    args.update(changes)
    return import_plan_table(path, **args)


def test_reimporting_the_bundled_plan_changes_nothing(catalog_dir):
    # The bundled 专栏2 rows were produced by this importer (and reviewed line by line).
    before = snapshot(catalog_dir)
    result = do_import(ZL2, catalog_dir)
    assert (result.indicators, result.new_indicators, result.new_aliases) == (20, [], 0)
    assert snapshot(catalog_dir) == before


def test_upsert_replaces_one_plan_and_keeps_the_others(catalog_dir, tmp_path):
    table = tmp_path / "revised.txt"
    table.write_text(HEADER + "1. 城镇新增就业人数（万人）\t(12.34)\t(23)\t预期性\n", "utf-8")
    do_import(table, catalog_dir, line_offset=0, source_name=None)
    plan_rows = [
        r for r in rows(catalog_dir, "plan_indicators.csv") if r["plan_code"] == "zs_hrss_14fyp"
    ]
    assert [(r["indicator_code"], r["target_value"], r["source_ref"]) for r in plan_rows] == [
        ("urban_new_jobs", "23", "revised.txt:L3")
    ]
    # Re-importing keeps the reviewer's note written for this plan row.
    assert plan_rows[0]["note"].startswith("( ) = five-year total")
    others = [
        r for r in rows(catalog_dir, "plan_indicators.csv") if r["plan_code"] == "zs_hrss_13fyp"
    ]
    assert len(others) == 11
    assert {p["plan_code"] for p in rows(catalog_dir, "plans.csv")} >= {
        "zs_hrss_13fyp",
        "zs_hrss_14fyp",
    }


def test_a_bad_table_writes_nothing(catalog_dir, tmp_path):
    table = tmp_path / "bad.txt"
    table.write_text(
        HEADER
        + "1. 城镇新增就业人数（万人）\t(12.34)\t(22)\t预期性\n"
        + "2. 新建码头（座）\t—\t3\t预期性\n",
        "utf-8",
    )
    before = snapshot(catalog_dir)
    with pytest.raises(PlanTableError) as caught:
        do_import(table, catalog_dir, line_offset=0)
    assert [(e.line, e.reason) for e in caught.value.errors] == [(4, "单位“座”无法识别")]
    assert snapshot(catalog_dir) == before


def test_unknown_region_writes_nothing(catalog_dir):
    before = snapshot(catalog_dir)
    with pytest.raises(PlanTableError, match=r"地区代码不在 regions\.csv 中"):
        do_import(ZL2, catalog_dir, region_code="999999")
    assert snapshot(catalog_dir) == before


def test_new_indicator_gets_a_code_and_both_aliases(catalog_dir, tmp_path):
    table = tmp_path / "t.txt"
    table.write_text(
        "指标\t2020年基数\t2025年规划目标\t属性\n三、人才队伍建设\n"
        "1. 新建技能大师工作室（含省级工作室）（家）\t—\t15以上\t预期性\n",
        "utf-8",
    )
    result = do_import(table, catalog_dir, plan_code="zs_projects", line_offset=0)
    code = new_indicator_code("新建技能大师工作室")
    assert result.new_indicators == [code] and code.startswith("ind_")
    (indicator,) = [r for r in rows(catalog_dir, "indicators.csv") if r["indicator_code"] == code]
    assert (indicator["unit"], indicator["domain_code"], indicator["is_additive"]) == (
        "家",
        "talent",
        "true",
    )
    aliases = {
        r["alias"]
        for r in rows(catalog_dir, "indicator_aliases.csv")
        if r["indicator_code"] == code
    }
    assert aliases == {
        "新建技能大师工作室（含省级工作室）（家）"
    }  # the bare name is the indicator's own
    (plan_row,) = [
        r for r in rows(catalog_dir, "plan_indicators.csv") if r["plan_code"] == "zs_projects"
    ]
    # 新建…15个以上 counts what is built during the plan: a plan-period total, at least 15.
    assert (plan_row["target_kind"], plan_row["target_value"], plan_row["target_comparator"]) == (
        "cumulative",
        "15",
        ">=",
    )
    # Ingestion now resolves any of its names.
    catalog = Catalog.load(catalog_dir)
    assert catalog.resolve_indicator(None, "新建技能大师工作室（含省级工作室）（家）") == code


def test_a_unit_new_to_the_catalog_converts_to_itself(catalog_dir, tmp_path):
    # Without an identity row ingestion would quarantine every value in that unit.
    conversions = catalog_dir / "unit_conversions.csv"
    kept = [line for line in conversions.read_text("utf-8").splitlines() if line != "场,场,1"]
    conversions.write_text("\n".join(kept) + "\n", "utf-8")
    assert Catalog.load(catalog_dir).conversion_factor("场", "场") is None
    table = tmp_path / "t.txt"
    table.write_text(
        HEADER + "1. 每年举办专场招聘会（场）\t—\t120\t预期性\n"
        "2. 每万名劳动力中持证技能人员（人/万人）\t310\t400\t预期性\n",
        "utf-8",
    )
    do_import(table, catalog_dir, plan_code="zs_fairs", line_offset=0)
    catalog = Catalog.load(catalog_dir)
    assert catalog.conversion_factor("场", "场") == 1.0
    indicators = {r["indicator_name_zh"]: r for r in rows(catalog_dir, "indicators.csv")}
    assert indicators["每年举办专场招聘会"]["is_additive"] == "true"
    # Per-capita figures do not add up from districts to the city.
    assert indicators["每万名劳动力中持证技能人员"]["is_additive"] == "false"


def test_plan_units_convert_to_the_catalog_unit(catalog_dir, tmp_path):
    table = tmp_path / "t.txt"
    table.write_text(
        HEADER.replace("一、就业", "三、人才队伍建设")
        + "1. 技能人才总量（人）\t213000\t260000\t预期性\n",
        "utf-8",
    )
    do_import(table, catalog_dir, plan_code="zs_people", line_offset=0)
    (row,) = [r for r in rows(catalog_dir, "plan_indicators.csv") if r["plan_code"] == "zs_people"]
    assert (row["unit"], row["baseline_value"], row["target_value"], row["target_notation"]) == (
        "万人",
        "21.3",
        "26",
        "260000",
    )


def test_a_growth_rate_target_is_stored_as_the_level_it_implies(catalog_dir, tmp_path):
    # 16.6万元/人 in 2020 (002 L738), 年均增长6%以上 to 2025 (L874): 16.6 × 1.06^5 = 22.2145.
    table = tmp_path / "t.txt"
    table.write_text(
        HEADER.replace("一、就业", "三、人才效能和环境")
        + "1. 全员劳动生产率（万元/人）\t16.6\t年均增长6%以上\t预期性\n",
        "utf-8",
    )
    do_import(table, catalog_dir, plan_code="zj_productivity", region_code="330000", line_offset=0)
    (row,) = [
        r for r in rows(catalog_dir, "plan_indicators.csv") if r["plan_code"] == "zj_productivity"
    ]
    assert {
        k: row[k]
        for k in (
            "target_kind",
            "trajectory_shape",
            "baseline_value",
            "target_value",
            "target_comparator",
            "target_notation",
            "target_growth_rate",
        )
    } == {
        "target_kind": "level",
        "trajectory_shape": "geometric",
        "baseline_value": "16.6",
        "target_value": "22.21454459",
        "target_comparator": ">=",
        "target_notation": "年均增长6%以上",
        "target_growth_rate": "6",
    }
    assert "16.6 × 1.06^5 = 22.2145" in row["note"]
    indicators = {r["indicator_name_zh"]: r for r in rows(catalog_dir, "indicators.csv")}
    assert indicators["全员劳动生产率"]["is_additive"] == "false"  # per person


def test_cli_lists_every_bad_line_and_exits_non_zero(catalog_dir, tmp_path):
    table = tmp_path / "bad.txt"
    table.write_text(
        HEADER
        + "1. 城镇新增就业人数（万人）\n2. 职业技能培训人次（万人次）\t13.6\t约二十\t预期性\n",
        "utf-8",
    )
    hrss = Path(sys.executable).with_name("hrss")
    args = [
        str(hrss),
        "catalog",
        "import",
        str(table),
        "--plan",
        "p",
        "--plan-name",
        "P",
        "--region",
        "330900",
        "--start",
        "2021",
        "--end",
        "2025",
        "--catalog",
        str(catalog_dir),
    ]
    before = snapshot(catalog_dir)
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "nothing written" in done.stderr
    assert "第3行" in done.stderr and "缺少3列数值" in done.stderr
    assert "第4行" in done.stderr and "数值“约二十”无法识别" in done.stderr
    assert snapshot(catalog_dir) == before
    good = subprocess.run(
        [*args[:3], str(ZL2), *args[4:]], capture_output=True, text=True, check=False
    )
    assert good.returncode == 0, good.stderr
    assert "imported plan p: 20 indicator(s), 0 new indicator(s)" in good.stdout
