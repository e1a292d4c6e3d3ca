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


def target(plan_code: str, indicator_code: str) -> tuple[str, ...]:
    r = row(plan_code, indicator_code)
    return (
        r["target_kind"],
        r["target_comparator"],
        r["baseline_value"],
        r["target_value"],
        r["attribute"],
        r["unit"],
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # 002 L380: 1.城镇新增就业人数(万人) 4.72[>23.5]; L464 注:[]内为五年积累数
        ("urban_new_jobs", ("cumulative", ">", "4.72", "23.5", "expected", "万人")),
        # 002 L354: 城镇调查失业率控制在5.5%以内 (the table's cell is lost)
        ("surveyed_unemployment_rate", ("bound_max", "<=", "", "5.5", "", "%")),
        # 002 L402: 4.开展各类职业培训人次(万人次) 7.8, no 2025 figure
        ("vocational_training", ("none", "", "7.8", "", "expected", "万人次")),
        # 002 L404: 其中:农民工参加职业培训人次(万人次) 4.96[6]
        ("migrant_worker_training", ("cumulative", "", "4.96", "6", "expected", "万人次")),
        # 002 L500: 每年力争开展补贴性职业技能培训2万人次
        ("subsidised_training_per_year", ("annual", "", "", "2", "", "万人次")),
        # 002 L502: 发放小额担保贷款12亿元,扶持8000人实现自主创业 (至2025年)
        ("small_guaranteed_loans", ("cumulative", "", "", "12", "", "亿元")),
        ("self_employment_supported", ("cumulative", "", "", "8000", "", "人")),
        # 002 L356: 基本养老保险参保人数达到537万人; L202: 511.19万人
        ("pension_insured", ("level", "", "511.19", "537", "", "万人")),
        # 002 L424: 失业保险参保人数 34, 约束性 (L416: 33.04)
        ("unemployment_insurance_insured", ("level", "", "33.04", "34", "binding", "万人")),
        # 002 L422: 工伤保险参保人数 55, 约束性 (L416: 54.61)
        ("work_injury_insurance_insured", ("level", "", "54.61", "55", "binding", "万人")),
        # 002 L432: 0.21[>1] (万人)
        (
            "new_professional_qualification_certs",
            ("cumulative", ">", "0.21", "1", "expected", "万人"),
        ),
        # 002 L440: 1.04[>3] (万人次) — its own 万人次 indicator, not new_skill_certs (万人)
        ("new_skill_certs_person_times", ("cumulative", ">", "1.04", "3", "expected", "万人次")),
        # 002 L448: 其中:…高级工以上… 0.06[>0.3] (万人次)
        (
            "new_advanced_skill_certs_person_times",
            ("cumulative", ">", "0.06", "0.3", "expected", "万人次"),
        ),
        # 002 L358: 技能劳动者和高技能人才总量分别达20万人、3万人; L206: 11.19, 1.96
        ("skilled_talent", ("level", "", "11.19", "20", "", "万人")),
        ("high_skilled_talent", ("level", "", "1.96", "3", "", "万人")),
        # 002 L566: 技工院校“十四五”实现招生1.1万人以上
        ("technical_school_enrolment", ("cumulative", ">=", "", "1.1", "", "万人")),
    ],
)
def test_shaoyang_14th_plan(code, expected):
    assert target("sy_hrss_14fyp", code) == expected


def test_shaoyang_binding_targets_are_the_only_binding_ones():
    binding = {
        (r["plan_code"], r["indicator_code"])
        for r in read("plan_indicators.csv")
        if r["attribute"] == "binding"
    }
    assert binding == {  # 002 L422 55约束性, L424 34约束性
        ("sy_hrss_14fyp", "unemployment_insurance_insured"),
        ("sy_hrss_14fyp", "work_injury_insurance_insured"),
    }


def test_shaoyang_person_times_are_not_converted_to_persons():
    # 万人次 counts certificates or trainings, 万人 persons: no conversion between them.
    conversions = {(r["from_unit"], r["to_unit"]) for r in read("unit_conversions.csv")}
    assert ("万人次", "万人") not in conversions and ("万人", "万人次") not in conversions
    parents = {
        r["indicator_code"]: r["parent_indicator_code"]
        for r in read("plan_indicators.csv")
        if r["plan_code"] == "sy_hrss_14fyp"
    }
    assert parents["migrant_worker_training"] == "vocational_training"
    assert parents["new_advanced_skill_certs_person_times"] == "new_skill_certs_person_times"


def test_zhejiang_13th_human_capital_result_is_the_2019_figure():
    # 002 L812-L816: 13.8 | 17以上 | 2019 17.8 | 2020 — | 完成 (marked on the 2019 figure)
    share = row("zj_talent_13fyp", "human_capital_investment_share")
    assert (share["result_year"], share["result_value"], share["target_year"]) == (
        "2019",
        "17.8",
        "2020",
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # 002 L104: 到2025年,基础研究人才全时当量达到900人年以上
        ("basic_research_talent_fte", ("level", ">=", "", "900", "", "人年")),
        # 002 L108: 到2025年,培养科技创新型企业专家50名
        ("enterprise_sti_experts_trained", ("cumulative", "", "", "50", "", "名")),
        # 002 L120: 每年选派1000左右“三区”人才和省级科技特派员
        ("sanqu_talent_dispatched_per_year", ("annual", "~", "", "1000", "", "人")),
    ],
)
def test_qinghai_text_targets(code, expected):
    assert target("qh_sti_talent_14fyp", code) == expected


def test_qinghai_enterprise_rd_share_is_a_part_of_rd_personnel():
    # 002 L86: R&D人员超过10000人; L90: 其中企业R&D人员占比超过65% — a share of R&D personnel.
    share = row("qh_sti_talent_14fyp", "enterprise_rd_personnel_share")
    assert share["parent_indicator_code"] == "rd_personnel"


def test_wenzhou_demonstration_firms_and_the_three_year_targets():
    # 001 L53: 到2022年,建立自主评价和认定省级示范企业10家,市级示范企业50家
    assert target("wz_hrss_two_healthy_2019", "provincial_self_evaluation_demo_firms")[:4] == (
        "cumulative",
        "",
        "",
        "10",
    )
    municipal = row("wz_hrss_two_healthy_2019", "municipal_self_evaluation_demo_firms")
    assert (municipal["target_value"], municipal["target_year"]) == ("50", "2022")
    # 001 L9: 3年内…留温率达40%、回温率达60%; the measures start in 2019 (L43), so 2021.
    for code, value in (("graduate_retention_rate", "40"), ("graduate_return_rate", "60")):
        rate = row("wz_hrss_two_healthy_2019", code)
        assert (rate["target_year"], rate["target_value"], rate["target_kind"]) == (
            "2021",
            value,
            "level",
        )


def test_zhoushan_2024_order_training_result_resolves():
    # 004 L43: 开展高质量订单培训1035人 — the 2024 figure of 003 L160's 每年定向培训1000人.
    from hrss_warehouse.catalog.names import Catalog

    catalog = Catalog.load(ROOT / "seeds")
    assert catalog.resolve_indicator(None, "高质量订单培训") == "order_training_per_year"
    sample = ROOT / "data" / "sample" / "landing" / "01_zhoushan_2024_results_article.csv"
    with sample.open(encoding="utf-8", newline="") as handle:
        (figure,) = [r for r in csv.DictReader(handle) if r["指标名称"] == "高质量订单培训"]
    assert (figure["统计期"], figure["数值"], figure["单位"]) == ("2024年", "1035", "人")
    annual = row("zs_hrss_14fyp_projects", "order_training_per_year")
    assert (annual["target_kind"], annual["target_value"], annual["unit"]) == (
        "annual",
        "1000",
        "人",
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # 002 L980: 累计新增就业高校毕业生500万名以上 (L868)
        ("zj_new_graduates_employed", ("cumulative", ">=", "", "500", "", "万人")),
        # 002 L976: 新引进全球顶尖人才200名左右 (L868)
        ("zj_top_talent_attracted", ("cumulative", "~", "", "200", "", "名")),
        # 002 L1040: 集聚科技领军人才5000名以上 — a stock, so a level
        ("zj_sci_tech_leaders_total", ("level", ">=", "", "5000", "", "名")),
        # 002 L980: 累计招收博士后5500名以上; 新引进(留浙)博士5万名以上, 其中…3万名以上
        ("zj_postdocs_recruited", ("cumulative", ">=", "", "5500", "", "名")),
        ("zj_doctors_attracted", ("cumulative", ">=", "", "5", "", "万人")),
        ("zj_stem_doctors_attracted", ("cumulative", ">=", "", "3", "", "万人")),
        # 002 L986: 新增高技能人才100万名左右
        ("zj_new_high_skilled_talent", ("cumulative", "~", "", "100", "", "万人")),
        # 002 L1068: 全省累计开展职业技能培训500万人次
        ("vocational_training", ("cumulative", "", "", "500", "", "万人次")),
        # 002 L1072-L1074: 浙江大工匠30 / 杰出工匠300 / 浙江工匠3000 名左右, 青年工匠1万名左右
        ("zj_grand_craftsmen", ("cumulative", "~", "", "30", "", "名")),
        ("zj_outstanding_craftsmen", ("cumulative", "~", "", "300", "", "名")),
        ("zj_craftsmen", ("cumulative", "~", "", "3000", "", "名")),
        ("zj_young_craftsmen", ("cumulative", "~", "", "1", "", "万人")),
        # 002 L1066: 每年培养技能人才20万名以上; 建设15所高水平技师学院
        ("skilled_talent_trained_per_year", ("annual", ">=", "", "20", "", "万人")),
        ("zj_technician_colleges_built", ("cumulative", "", "", "15", "", "所")),
        # 002 L1050: 高新技术企业达到3.5万家 (2020: 22232家, L734)
        ("high_tech_enterprises", ("level", "", "2.2232", "3.5", "", "万家")),
        # 002 L984: 形成一支拥有百名领军人才、千名骨干人才、万名后备人才的创新型浙商队伍 — a stock
        ("zj_zheshang_leaders", ("level", "", "", "100", "", "名")),
        ("zj_zheshang_reserve", ("level", "", "", "10000", "", "名")),
        # 002 L1002: 新增国家级高新区5家以上
        ("zj_national_high_tech_zones_added", ("cumulative", ">=", "", "5", "", "家")),
        # 002 L1006: 建成10个高水平省实验室, 国家级创新基地达到60家 (stocks),
        # 争创领域类国家技术创新中心1-2家 (a range, met at its bottom)
        ("zj_provincial_labs", ("level", "", "", "10", "", "个")),
        ("zj_national_innovation_bases", ("level", "", "", "60", "", "家")),
        ("zj_national_tech_innovation_centres", ("cumulative", ">=", "", "1", "", "家")),
        # 002 L1008: 力争60个左右学科达到国家“世界一流学科”建设标准
        ("zj_world_class_disciplines", ("level", "~", "", "60", "", "个")),
        # 002 L1058: 择优选派1万名…出国(境)培训
        ("zj_talent_trained_abroad", ("cumulative", "", "", "1", "", "万人")),
        # 002 L1080: 新增“五个一批”领军人才100名左右; L1086: …高层次人才80人左右
        ("zj_five_ones_leaders_added", ("cumulative", "~", "", "100", "", "名")),
        ("zj_national_social_science_talent_added", ("cumulative", "~", "", "80", "", "人")),
        # 002 L1106: 派遣科技特派员1万名以上, 乡村科技人才达到40万人
        ("zj_sci_tech_commissioners_dispatched", ("cumulative", ">=", "", "1", "", "万人")),
        ("zj_rural_sci_tech_talent", ("level", "", "", "40", "", "万人")),
        # 002 L1112: 新入选国家级人才工程500名以上; L1114: 引进培育…1000名医坛新秀
        ("zj_university_national_programme_entrants", ("cumulative", ">=", "", "500", "", "名")),
        ("zj_health_rising_stars", ("cumulative", "", "", "1000", "", "名")),
    ],
)
def test_zhejiang_task_targets(code, expected):
    assert target("zj_talent_14fyp_tasks", code) == expected


def test_zhejiang_new_high_skilled_flow_notes_the_stock():
    # 002 L986 新增100万名左右 against 表2's stock 321.8 → 400 (L896): +78.2 only.
    assert "321.8 → 400" in row("zj_talent_14fyp_tasks", "zj_new_high_skilled_talent")["note"]


def test_zhejiang_tech_centres_range_keeps_its_top():
    # 002 L1006: 争创领域类国家技术创新中心1-2家
    centres = row("zj_talent_14fyp_tasks", "zj_national_tech_innovation_centres")
    assert centres["target_notation"] == "(1-2)" and "top: 2" in centres["note"]


def test_zhejiang_rural_practical_talent_is_at_least_140():
    # 002 L896 (表2) prints 140 with no comparator, L870 …140万人; L1104:
    # 全省农村实用人才总量达到140万人以上 — the text's 以上 is recorded, as for rows 8, 11, 12.
    assert target("zj_talent_14fyp", "rural_practical_talent") == (
        "level",
        ">=",
        "123",
        "140",
        "",
        "万人",
    )
    rural = row("zj_talent_14fyp", "rural_practical_talent")
    assert rural["target_notation"] == "140以上"
    assert "L1104" in rural["note"]
