"""The bundled plans against the documents they were transcribed from
(catalog_sources/documents/00N_….txt). Where PDF extraction ran a table's columns together, the
reconstruction must give back the document's own digit runs and its printed 完成度."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "catalog_sources" / "documents"
TALENT_DOC = "002_7c121f2adea77f47.txt"


def read(name: str) -> list[dict[str, str]]:
    with (ROOT / "seeds" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def doc_line(document: str, line: int) -> str:
    return (DOCS / document).read_text(encoding="utf-8").splitlines()[line - 1]


def plan(code: str) -> list[dict[str, str]]:
    rows = [r for r in read("plan_indicators.csv") if r["plan_code"] == code]
    assert rows, code
    return sorted(rows, key=lambda r: int(r["indicator_seq"]))


def num(value: str) -> str:
    return f"{float(value):g}"


def in_digits(text: str) -> str:
    """A line with its bare numeral words as digits: 百名 → 100名 (002 L984: 拥有百名领军人才、
    千名骨干人才、万名后备人才); a 万 after a digit (1万名) is a unit and stays."""
    for word, digits in (("百", "100"), ("千", "1000"), ("万", "10000")):
        text = re.sub(rf"(?<![\d.一二三四五六七八九十百千]){word}名", digits + "名", text)
    return text


def test_every_bundled_value_is_on_the_line_it_cites():
    for row in read("plan_indicators.csv"):
        document, _, line = row["source_ref"].rpartition(":L")
        text = in_digits(re.sub(r"\s+", "", doc_line(document, int(line))))
        printed = row["target_notation"] if row["target_value"] else row["result_notation"]
        for number in re.findall(r"\d+(?:\.\d+)?", printed):
            assert number in text, (row["plan_code"], row["indicator_name_as_written"], number)


def test_bundled_plans_and_sizes():
    sizes = {}
    for row in read("plan_indicators.csv"):
        sizes[row["plan_code"]] = sizes.get(row["plan_code"], 0) + 1
    assert sizes == {
        "zs_hrss_14fyp": 20,  # 专栏2
        "zs_hrss_13fyp": 11,  # 专栏1
        "zs_hrss_14fyp_projects": 29,  # 专栏3-10 and L318
        "zj_talent_13fyp": 12,  # 表1
        "zj_talent_14fyp": 16,  # 表2
        "qh_sti_talent_14fyp": 13,  # + L104, L108, L120 (issue 18)
        "wz_hrss_two_healthy_2019": 15,  # + L53 示范企业 (issue 18)
        "hn_social_work_talent_14fyp": 1,
        "sy_hrss_13fyp": 10,
        "zj_talent_14fyp_tasks": 62,  # 002 L976-L1116, the task section (issue 18)
        "sy_hrss_14fyp": 16,  # 专栏2 where recoverable, and the text's targets (issue 18)
    }


def test_zhejiang_table_1_gives_back_the_run_together_digits():
    rows = plan("zj_talent_13fyp")
    first_five = rows[:5]
    # L774 printed 2015 | target | 2019 for the five talent totals as one run of digits;
    # the 2019 column is not a catalog field, so it is written out here (and in the notes).
    y2019 = ["1361.1", "32.4", "359.7", "590.1", "292.3"]
    run = "".join(num(r["baseline_value"]) for r in first_five)
    run += "".join(num(r["target_value"]) for r in first_five) + "".join(y2019)
    assert doc_line(TALENT_DOC, 774).strip() == run + "完成"
    # L762: the 2020 estimates of the same five.
    assert (
        doc_line(TALENT_DOC, 762).strip()
        == "".join(num(r["result_value"]) for r in first_five) + "完成度"
    )
    # L794: 农村实用人才 and 社会工作专业人才 interleaved column by column.
    rural, social = rows[5], rows[6]
    pairs = [
        ("baseline_value", None),
        ("target_value", None),
        (None, ("121.5", "7.1")),
        ("result_value", None),
    ]
    run = ""
    for field, given in pairs:
        run += "".join(given) if given else num(rural[field]) + num(social[field])
    assert doc_line(TALENT_DOC, 794).strip() == run + "完成"


def test_zhejiang_table_1_completion_matches_what_the_document_prints():
    rows = {r["indicator_name_as_written"]: r for r in plan("zj_talent_13fyp")}

    def completion(name: str) -> float:
        row = rows[name]
        return round(float(row["result_value"]) / float(row["target_value"]) * 100, 1)

    assert completion("党政人才（万人）") == 95.6  # L776: 95.6%完成
    assert "95.6%完成" in doc_line(TALENT_DOC, 776)
    assert completion("专业技术人才（万人）") == 93.8  # L778: 93.8%完成 (the example)
    assert "93.8%完成" in doc_line(TALENT_DOC, 778)
    for name in ("人才资源总量（万人）", "经营管理人才（万人）", "高技能人才（万人）"):
        assert completion(name) >= 100, name  # printed 完成


def test_zhejiang_table_2_gives_back_the_run_together_digits():
    rows = plan("zj_talent_14fyp")
    totals = rows[:7]
    assert (
        doc_line(TALENT_DOC, 896)
        .strip()
        .startswith("".join(num(r["target_value"]) for r in totals))
    )
    assert (
        doc_line(TALENT_DOC, 892)
        .strip()
        .startswith("".join(num(r["baseline_value"]) for r in totals))
    )
    # L958: the 2025 targets of rows 8-15, 以上 printed after the last one only; row 15
    # prints its yearly growth rate 6, which the catalog keeps as target_growth_rate.
    structure = rows[7:15]
    run = "".join(num(r["target_growth_rate"] or r["target_value"]) for r in structure) + "以上"
    assert doc_line(TALENT_DOC, 958).strip() == run
    assert doc_line(TALENT_DOC, 960).strip().startswith(num(rows[15]["target_value"]) + "14")
    assert (rows[0]["baseline_value"], rows[0]["target_value"]) == ("1410", "1650")  # L868-L870
    assert (rows[3]["target_value"], rows[4]["target_value"]) == ("680", "400")
    assert rows[10]["indicator_code"] == "high_skilled_share"
    assert (rows[10]["target_value"], rows[10]["target_comparator"]) == ("35", ">=")  # L872
    assert rows[1]["target_notation"] == "32.5左右"  # 保持在32.5万人左右 (L870)
    assert rows[1]["target_kind"] == "bound_min"  # keep it there: a floor, not a level


def test_shaoyang_targets_only_where_the_digits_split_one_way():
    rows = {r["indicator_code"]: r for r in plan("sy_hrss_13fyp")}
    run = "".join(
        num(rows[c][f])
        for c in ("unemployment_insurance_insured", "work_injury_insurance_insured")
        for f in ("target_value", "result_value")
    )
    assert doc_line(TALENT_DOC, 314).strip().startswith(run)  # 36 33.04 56 54.61
    assert "工伤保险、失业保险参保人数分别为54.61万人、33.04万人" in doc_line(TALENT_DOC, 202)
    assert rows["registered_unemployment_rate"]["target_kind"] == "bound_max"  # 4.5以内, L200
    # L314 …8.1 | 1.82 | 1.96…: 高技能人才总量 规划数 1.82, 完成数 1.96 (8.1 and 1.96: L206).
    skilled = rows["high_skilled_talent"]
    assert "8.1" + num(skilled["target_value"]) + num(skilled["result_value"]) in doc_line(
        TALENT_DOC, 314
    )
    assert (skilled["target_kind"], skilled["target_value"], skilled["result_value"]) == (
        "level",
        "1.82",
        "1.96",
    )
    no_target = {c for c, r in rows.items() if r["target_kind"] == "none"}
    assert no_target == {
        "urban_new_jobs",
        "rural_labour_transferred",
        "social_security_cards_issued",
        "professional_technical_talent",
        "labour_contract_signing_rate",
        "dispute_mediation_arbitration_closure_rate",
    }
    assert all(r["result_value"] for r in rows.values())


@pytest.mark.parametrize(
    ("plan_code", "name", "kind", "target", "comparator"),
    [
        # 003 L168 每年帮扶困难人员实现就业1300人
        ("zs_hrss_14fyp_projects", "每年帮扶就业困难人员实现就业人数（人）", "annual", "1300", ""),
        ("zs_hrss_14fyp_projects", "新建大学生见习基地（家）", "cumulative", "80", ""),  # L164
        ("zs_hrss_14fyp_projects", "新建博士后工作站（家）", "cumulative", "15", ">="),  # L268
        (
            "zs_hrss_14fyp_projects",
            "新建教授（专家）工作室（家）",
            "cumulative",
            "35",
            ">=",
        ),  # L272
        ("zs_hrss_14fyp_projects", "教授（专家）工作室总数（家）", "level", "50", ">="),  # L272
        ("zs_hrss_14fyp_projects", "每年培训专业技术人员（万人次）", "annual", "1.5", ""),  # L276
        ("zs_hrss_14fyp_projects", "每年新型学徒制培养（名）", "annual", "700", ""),  # L308
        ("zs_hrss_14fyp_projects", "人力资源服务机构数量（家）", "level", "250", ""),  # L318
        ("zs_hrss_14fyp_projects", "人力资源服务业产业规模（亿元）", "level", "50", ">="),  # L318
        ("zs_hrss_14fyp_projects", "新引进紧缺高端人才（名）", "cumulative", "250", ">="),  # L252
        ("zs_hrss_14fyp_projects", "市级技工院校品牌专业（个）", "level", "5", ">="),  # 5—10, L304
        ("wz_hrss_two_healthy_2019", "在温高校毕业生留温率（%）", "level", "40", ""),  # 001 L9
        ("wz_hrss_two_healthy_2019", "温籍高校毕业生回温率（%）", "level", "60", ""),  # 001 L9
        ("wz_hrss_two_healthy_2019", "每年培养高技能人才（万人）", "annual", "2.4", ""),  # L37
        ("wz_hrss_two_healthy_2019", "培养高技能人才（万人）", "cumulative", "10", ">="),  # L45
        ("wz_hrss_two_healthy_2019", "高技能人才占技能人才比例（%）", "level", "30", ">="),  # L45
        ("qh_sti_talent_14fyp", "研究与试验发展（R&D）人员（人）", "level", "10000", ">"),  # L86
        ("hn_social_work_talent_14fyp", "社会工作专业人才（万人）", "level", "5", ""),  # L150
    ],
)
def test_prose_targets(plan_code, name, kind, target, comparator):
    (row,) = [r for r in plan(plan_code) if r["indicator_name_as_written"] == name]
    assert (row["target_kind"], row["target_value"], row["target_comparator"]) == (
        kind,
        target,
        comparator,
    )


def test_plans_share_indicators_across_regions():
    # 高技能人才 in Zhejiang's table, Zhoushan's 专栏2 and Shaoyang's results is one indicator.
    codes = {
        r["plan_code"]: r["indicator_code"]
        for r in read("plan_indicators.csv")
        if r["indicator_name_as_written"]
        in ("高技能人才（万人）", "高技能人才数量（万人）", "高技能人才总量（万人）")
    }
    assert set(codes.values()) == {"high_skilled_talent"}
    assert {
        "zs_hrss_14fyp",
        "zs_hrss_13fyp",
        "zj_talent_13fyp",
        "zj_talent_14fyp",
        "sy_hrss_13fyp",
    } <= set(codes)
    henan = plan("hn_social_work_talent_14fyp")[0]
    zhejiang = [r for r in plan("zj_talent_14fyp") if r["indicator_code"] == "social_work_talent"]
    assert henan["indicator_code"] == "social_work_talent" and zhejiang
