"""Unit tests for the reference catalog: the seed CSVs against the plan document, and
hrss_warehouse.catalog.names (name/code resolution, unit conversion).

The domain facts come from the Zhoushan HRSS 14th five-year plan,
catalog_sources/documents/003_a48a57afb8347c84.txt, 专栏2 “十四五”时期主要指标 (lines 96-124).
Each expected row below cites the line of that document it was read from.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hrss_warehouse.catalog.names import Catalog, normalize_name, normalize_unit
from hrss_warehouse.errors import ConfigError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
PLAN_DOC_NAME = "003_a48a57afb8347c84.txt"
PLAN_DOC = ROOT / "catalog_sources" / "documents" / PLAN_DOC_NAME
PLAN = "zs_hrss_14fyp"


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def num(text: str) -> float | None:
    return None if text == "" else float(text)


# seq: (indicator_code, name as written, parent, unit, target_kind, direction,
#       baseline_value, baseline_comparator, baseline_notation,
#       target_value, target_comparator, target_notation, source line in 003)
# fmt: off
EXPECTED = {
    # L99: 1. 城镇新增就业人数（万人）	(12.34)	(22)	预期性   — L124: （ ）内为五年积累数
    1: ("urban_new_jobs", "城镇新增就业人数（万人）", "", "万人", "cumulative", 1,
        12.34, "", "(12.34)", 22.0, "", "(22)", 99),
    # L100: 2. 城镇登记失业率（%）	1.55	≤3	预期性
    2: ("registered_unemployment_rate", "城镇登记失业率（%）", "", "%", "bound_max", -1,
        1.55, "", "1.55", 3.0, "<=", "≤3", 100),
    # L101: 3. 调查失业率（%）	-	≤5.5	预期性
    3: ("surveyed_unemployment_rate", "调查失业率（%）", "", "%", "bound_max", -1,
        None, "", "-", 5.5, "<=", "≤5.5", 101),
    # L102: 4. 职业技能培训人次（万人次）	13.6	[18]	预期性
    4: ("vocational_training", "职业技能培训人次（万人次）", "", "万人次", "cumulative", 1,
        13.6, "", "13.6", 18.0, "", "[18]", 102),
    # L104: 5. 基本养老保险参保率（%）	>95	>96	预期性   (a level to reach: 专栏4 L214 进一步提高)
    5: ("pension_insurance_coverage_rate", "基本养老保险参保率（%）", "", "%", "level", 1,
        95.0, ">", ">95", 96.0, ">", ">96", 104),
    # L105: 6. 失业保险参保人数（万人）	25.82	27	预期性
    6: ("unemployment_insurance_insured", "失业保险参保人数（万人）", "", "万人", "level", 1,
        25.82, "", "25.82", 27.0, "", "27", 105),
    # L106: 7. 工伤保险参保人数（万人）	40	40	预期性   (maintain: a floor)
    7: ("work_injury_insurance_insured", "工伤保险参保人数（万人）", "", "万人", "bound_min", 1,
        40.0, "", "40", 40.0, "", "40", 106),
    # L108: 8. 新引进高校毕业生（万人）	——	10	预期性
    8: ("new_graduates_attracted", "新引进高校毕业生（万人）", "", "万人", "cumulative", 1,
        None, "", "——", 10.0, "", "10", 108),
    # L109: 9. 专业技术人才总量（含管理岗位和专技人才）（万人）	10.1	12	预期性
    9: ("professional_technical_talent", "专业技术人才总量（含管理岗位和专技人才）（万人）", "",
        "万人", "level", 1, 10.1, "", "10.1", 12.0, "", "12", 109),
    # L110: 10. 其中：高级职称人才数量（万人）	0.74	0.95	预期性
    10: ("senior_title_talent", "其中：高级职称人才数量（万人）", "professional_technical_talent",
         "万人", "level", 1, 0.74, "", "0.74", 0.95, "", "0.95", 110),
    # L111: 11. 新增取得专业技术人员职业资格证书人数（万人）	——	(1.2)	预期性
    11: ("new_professional_qualification_certs", "新增取得专业技术人员职业资格证书人数（万人）", "",
         "万人", "cumulative", 1, None, "", "——", 1.2, "", "(1.2)", 111),
    # L112: 12. 技能人才总量（万人）	21.3	26	预期性
    12: ("skilled_talent", "技能人才总量（万人）", "", "万人", "level", 1,
         21.3, "", "21.3", 26.0, "", "26", 112),
    # L113: 13. 高技能人才数量（万人）	7.2	10	预期性
    13: ("high_skilled_talent", "高技能人才数量（万人）", "", "万人", "level", 1,
         7.2, "", "7.2", 10.0, "", "10", 113),
    # L114: 14. 新增取得职业资格证书或职业技能等级证书人数（万人）	——	5	预期性
    14: ("new_skill_certs", "新增取得职业资格证书或职业技能等级证书人数（万人）", "", "万人",
         "cumulative", 1, None, "", "——", 5.0, "", "5", 114),
    # L115: 15. 其中：新增取得高级工以上职业资格证书或职业技能等级证书人数（万人）	——	3	预期性
    15: ("new_advanced_skill_certs",
         "其中：新增取得高级工以上职业资格证书或职业技能等级证书人数（万人）", "new_skill_certs",
         "万人", "cumulative", 1, None, "", "——", 3.0, "", "3", 115),
    # L118: 16. 劳动人事争议调解成功率（%）	78.5	80	预期性
    16: ("dispute_mediation_success_rate", "劳动人事争议调解成功率（%）", "", "%", "level", 1,
         78.5, "", "78.5", 80.0, "", "80", 118),
    # L119: 17. 劳动人事争议仲裁结案率（%）	95.8	92	预期性   (target below baseline: floor)
    17: ("arbitration_closure_rate", "劳动人事争议仲裁结案率（%）", "", "%", "bound_min", 1,
         95.8, "", "95.8", 92.0, "", "92", 119),
    # L120: 18. 劳动人事争议仲裁终结率（%）	88.2	85	预期性
    18: ("arbitration_finality_rate", "劳动人事争议仲裁终结率（%）", "", "%", "bound_min", 1,
         88.2, "", "88.2", 85.0, "", "85", 120),
    # L121: 19. 劳动保障监察投诉举报案件结案率（%）	100	99	预期性
    19: ("labour_inspection_closure_rate", "劳动保障监察投诉举报案件结案率（%）", "", "%",
         "bound_min", 1, 100.0, "", "100", 99.0, "", "99", 121),
    # L123: 20. 申领电子社保卡人口覆盖率（%）	38.58	70	预期性
    20: ("e_social_security_card_coverage_rate", "申领电子社保卡人口覆盖率（%）", "", "%",
         "level", 1, 38.58, "", "38.58", 70.0, "", "70", 123),
}
# fmt: on


@pytest.fixture(scope="module")
def plan_rows() -> list[dict[str, str]]:
    return [r for r in read_seed("plan_indicators.csv") if r["plan_code"] == PLAN]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(SEEDS)


@pytest.fixture(scope="module")
def plan_doc_lines() -> list[str]:
    assert PLAN_DOC.is_file(), f"plan document not found at {PLAN_DOC}"
    return PLAN_DOC.read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- plan_indicators.csv


def test_plan_has_exactly_twenty_indicators_in_sequence(plan_rows):
    # 003 L99-L123: 专栏2 numbers its indicators 1. … 20.
    assert len(plan_rows) == 20
    assert [int(r["indicator_seq"]) for r in plan_rows] == list(range(1, 21))
    assert len({r["indicator_code"] for r in plan_rows}) == 20


def test_plan_indicators_hold_each_plan_once():
    rows = read_seed("plan_indicators.csv")
    assert {PLAN, "zs_hrss_13fyp"} <= {r["plan_code"] for r in rows}
    keys = [(r["plan_code"], r["indicator_code"]) for r in rows]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("seq", sorted(EXPECTED))
def test_plan_indicator_row_matches_the_document(plan_rows, seq):
    (
        code,
        name,
        parent,
        unit,
        kind,
        direction,
        baseline,
        baseline_cmp,
        baseline_notation,
        target,
        target_cmp,
        target_notation,
        line,
    ) = EXPECTED[seq]
    row = next(r for r in plan_rows if int(r["indicator_seq"]) == seq)
    assert row["indicator_code"] == code
    assert row["indicator_name_as_written"] == name
    assert row["parent_indicator_code"] == parent
    assert row["unit"] == unit
    assert row["target_kind"] == kind
    assert int(row["direction"]) == direction
    assert row["attribute"] == "expected"  # 预期性 on every line L99-L123
    assert row["baseline_year"] == "2020"  # L97: 2020年基数
    assert row["target_year"] == "2025"  # L97: 2025年规划目标
    assert num(row["baseline_value"]) == baseline
    assert row["baseline_comparator"] == baseline_cmp
    assert row["baseline_notation"] == baseline_notation
    assert num(row["target_value"]) == target
    assert row["target_comparator"] == target_cmp
    assert row["target_notation"] == target_notation
    assert row["source_ref"] == f"{PLAN_DOC_NAME}:L{line}"


def test_bound_comparators_follow_direction(plan_rows):
    # L100/L101 ≤ ceilings (lower is better); L104 “>95 → >96” is beyond its baseline, so a
    # level to reach (专栏4 L214: 进一步提高基本养老保险参保率), not a floor.
    for row in plan_rows:
        if row["target_kind"] == "bound_max":
            assert row["target_comparator"] == "<="
            assert row["direction"] == "-1"
        if row["target_comparator"] == ">":
            beyond = float(row["target_value"]) > float(row["baseline_value"])
            assert row["target_kind"] == ("level" if beyond else "bound_min"), row


def test_missing_baselines_are_empty_not_zero(plan_rows):
    # L101 prints “-”, L108/L111/L114/L115 print “——”: no baseline, never 0.
    no_baseline = {int(r["indicator_seq"]) for r in plan_rows if r["baseline_value"].strip() == ""}
    assert no_baseline == {3, 8, 11, 14, 15}
    for row in plan_rows:
        if int(row["indicator_seq"]) in no_baseline:
            assert row["baseline_notation"] in ("-", "——")


@pytest.mark.parametrize("seq", sorted(EXPECTED))
def test_source_ref_points_at_the_indicator_line(plan_rows, plan_doc_lines, seq):
    row = next(r for r in plan_rows if int(r["indicator_seq"]) == seq)
    doc_name, _, line_ref = row["source_ref"].partition(":L")
    assert doc_name == PLAN_DOC_NAME
    text = plan_doc_lines[int(line_ref) - 1]
    # The line is “N. <name>\t<baseline>\t<target>\t预期性”.
    label, baseline, target, attribute = text.split("\t")
    assert label == f"{seq}. {row['indicator_name_as_written']}"
    assert baseline == row["baseline_notation"]
    assert target == row["target_notation"]
    assert attribute == "预期性"


def test_plan_document_block_is_where_the_plan_says(plan_doc_lines):
    plan = [p for p in read_seed("plans.csv") if p["plan_code"] == PLAN]
    assert len(plan) == 1
    assert plan[0]["source_ref"] == f"{PLAN_DOC_NAME}:L99-L123"
    assert plan_doc_lines[99 - 1].startswith("1. 城镇新增就业人数")  # L99, first row of 专栏2
    assert plan_doc_lines[123 - 1].startswith("20. 申领电子社保卡人口覆盖率")  # L123, last row
    assert plan[0]["region_code"] == "330900"  # 舟山市
    assert (plan[0]["start_year"], plan[0]["end_year"], plan[0]["baseline_year"]) == (
        "2021",
        "2025",
        "2020",
    )


# --------------------------------------------------------------------------- seed integrity


def test_every_plan_indicator_is_in_indicators_with_same_unit_and_direction(plan_rows):
    indicators = {r["indicator_code"]: r for r in read_seed("indicators.csv")}
    for row in plan_rows:
        assert row["indicator_code"] in indicators
        ind = indicators[row["indicator_code"]]
        assert ind["direction"] in ("1", "-1")
        assert ind["direction"] == row["direction"]
        assert ind["unit"] == row["unit"]
        if row["parent_indicator_code"]:
            assert row["parent_indicator_code"] in indicators


def test_indicators_direction_values():
    rows = read_seed("indicators.csv")
    assert {r["direction"] for r in rows} <= {"1", "-1"}
    lower_is_better = {r["indicator_code"] for r in rows if r["direction"] == "-1"}
    assert lower_is_better == {"registered_unemployment_rate", "surveyed_unemployment_rate"}


def test_regions_codes_and_parents():
    regions = read_seed("regions.csv")
    codes = {r["region_code"] for r in regions}
    assert len(codes) == len(regions)
    for region in regions:
        code = region["region_code"]
        if region["region_level"] == "new_area":  # 新区/功能区: no GB/T 2260 code of its own
            assert code.startswith(region["parent_region_code"] + "-"), code
        else:
            assert len(code) == 6 and code.isdigit(), code
        if region["parent_region_code"]:
            assert region["parent_region_code"] in codes
        else:
            assert region["region_level"] == "province"


def test_aliases_point_at_existing_codes():
    indicators = {r["indicator_code"] for r in read_seed("indicators.csv")}
    regions = {r["region_code"] for r in read_seed("regions.csv")}
    assert {r["indicator_code"] for r in read_seed("indicator_aliases.csv")} <= indicators
    assert {r["region_code"] for r in read_seed("region_aliases.csv")} <= regions


def test_every_indicator_unit_converts_to_itself(catalog):
    for unit in {r["unit"] for r in read_seed("indicators.csv")}:
        assert catalog.conversion_factor(unit, unit) == 1.0, unit


# --------------------------------------------------------------------------- Catalog.load


def test_catalog_load_records_units_and_source(catalog):
    assert catalog.source_dir == SEEDS
    assert catalog.indicator_units["urban_new_jobs"] == "万人"
    assert catalog.indicator_units["registered_unemployment_rate"] == "%"
    assert catalog.indicator_units["vocational_training"] == "万人次"
    assert {"high_skilled_share", "labour_contract_signing_rate"} <= set(catalog.indicator_units)
    assert {"330000", "330900", "330902", "330903", "330921", "330922"} <= catalog.region_codes


def test_catalog_load_missing_dir_is_config_error(tmp_path):
    with pytest.raises(ConfigError, match="catalog file missing"):
        Catalog.load(tmp_path)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("urban_new_jobs", "urban_new_jobs"),
        (" high_skilled_share ", "high_skilled_share"),
        ("unknown_code", None),
        ("城镇新增就业", None),  # a name in the code column is not looked up as a name
    ],
)
def test_resolve_indicator_by_code(catalog, code, expected):
    assert catalog.resolve_indicator(code, None) == expected


def test_resolve_indicator_code_wins_over_name(catalog):
    assert catalog.resolve_indicator("skilled_talent", "城镇新增就业") == "skilled_talent"
    assert catalog.resolve_indicator("nope", "城镇新增就业") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # as written in the plan, with units and qualifiers (L109, L110, L99)
        ("专业技术人才总量（含管理岗位和专技人才）（万人）", "professional_technical_talent"),
        ("其中：高级职称人才数量（万人）", "senior_title_talent"),
        ("城镇新增就业人数（万人）", "urban_new_jobs"),
        # the indicator's own name, with half-width parentheses and blanks
        ("城镇登记失业率(%)", "registered_unemployment_rate"),
        ("技能人才 总量", "skilled_talent"),
        # aliases
        ("城镇新增就业", "urban_new_jobs"),
        ("新增城镇就业", "urban_new_jobs"),
        ("高能人才占技能人才比重", "high_skilled_share"),
        ("高技能人才占技能劳动者比例", "high_skilled_share"),
        ("电子社保卡人口覆盖率", "e_social_security_card_coverage_rate"),
        # unknown names are never guessed
        ("城镇新增就业岗位", None),
        ("失业率", None),
        ("高技能人才", "high_skilled_talent"),
        ("高技能", None),
    ],
)
def test_resolve_indicator_by_name(catalog, name, expected):
    assert catalog.resolve_indicator(None, name) == expected


def test_resolve_indicator_nothing_given(catalog):
    assert catalog.resolve_indicator(None, None) is None
    assert catalog.resolve_indicator("", "") is None


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("330902", None, "330902"),
        ("３３０９０２", None, "330902"),  # full-width digits
        (" 330900 ", None, "330900"),
        ("330999", None, None),
        ("330999", "定海区", None),  # the code is checked, not the name
        (None, "定海区", "330902"),
        (None, "舟山市", "330900"),
        (None, "全市", "330900"),
        (None, "定海", "330902"),
        (None, "嵊泗", "330922"),
        (None, "浙江", "330000"),
        (None, "杭州市", None),
        (None, "定海县", None),
        (None, None, None),
    ],
)
def test_resolve_region(catalog, code, name, expected):
    assert catalog.resolve_region(code, name) == expected


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "expected"),
    [
        ("人", "万人", 0.0001),
        ("万人", "万人", 1.0),
        ("万人", "人", 10000.0),
        ("人次", "万人次", 0.0001),
        ("％", "%", 1.0),  # full-width per cent normalises
        ("%", "％", 1.0),
        ("单位：人", "万人", 0.0001),
        (" 万人 ", "万人", 1.0),
        ("公斤", "万人", None),
        ("人", "万人次", None),
        ("万人", "%", None),
        ("", "万人", None),
    ],
)
def test_conversion_factor(catalog, from_unit, to_unit, expected):
    assert catalog.conversion_factor(from_unit, to_unit) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("％", "%"),
        ("单位：万人", "万人"),
        ("单位:万人", "万人"),
        (" 万人次 ", "万人次"),
        (None, ""),
    ],
)
def test_normalize_unit(text, expected):
    assert normalize_unit(text) == expected


# --------------------------------------------------------------------------- normalize_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("其中：高级职称人才数量（万人）", "高级职称人才数量"),
        ("其中:高级职称人才数量", "高级职称人才数量"),
        ("12. 技能人才总量（万人）", "技能人才总量"),
        ("12.技能人才总量", "技能人才总量"),
        ("3、调查失业率(%)", "调查失业率"),
        ("１２．技能人才总量", "技能人才总量"),  # full-width item number
        ("专业技术人才总量（含管理岗位和专技人才）（万人）", "专业技术人才总量"),
        ("城镇 新增\u3000就业 人数", "城镇新增就业人数"),
        ("城镇登记失业率(%)", "城镇登记失业率"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


def test_normalize_name_item_number_then_sub_prefix(catalog):
    # 003 L110 prints the sub-indicator as “10. 其中：高级职称人才数量（万人）”.
    assert normalize_name("10. 其中：高级职称人才数量（万人）") == "高级职称人才数量"
    assert catalog.resolve_indicator(None, "10. 其中：高级职称人才数量（万人）") == (
        "senior_title_talent"
    )
