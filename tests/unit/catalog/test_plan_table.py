"""The plan-table parser on the published tables themselves (catalog_sources/documents/003_…:
专栏1 at L28-L46, 专栏2 at L96-L124) and on malformed tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrss_warehouse.catalog.plan_table import (
    PlanTableError,
    parse_notation,
    parse_plan_table,
    split_name,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
PLAN_DOC = ROOT / "catalog_sources" / "documents" / "003_a48a57afb8347c84.txt"
SOURCES = ROOT / "catalog_sources"


def doc_lines(first: int, last: int) -> str:
    lines = PLAN_DOC.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[first - 1 : last]) + "\n"


@pytest.fixture
def table_file(tmp_path):
    def write(text: str, name: str = "table.txt") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize(
    ("text", "value", "comparator", "bracket", "approximate"),
    [
        ("(12.34)", 12.34, "", "(", False),
        ("（22）", 22.0, "", "(", False),  # full-width brackets as printed
        ("[18]", 18.0, "", "[", False),
        ("{5.7}", 5.7, "", "{", False),
        ("≤3", 3.0, "<=", "", False),
        ("<3", 3.0, "<", "", False),
        ("≥96", 96.0, ">=", "", False),
        (">96", 96.0, ">", "", False),
        ("＞96", 96.0, ">", "", False),
        ("96以上", 96.0, ">=", "", False),
        ("3以内", 3.0, "<=", "", False),
        ("控制在3%以内", 3.0, "<=", "", False),
        ("约20", 20.0, "~", "", True),  # approximate: comparator ~
        ("32.5左右", 32.5, "~", "", True),  # 002 L870 保持在32.5万人左右
        ("35%", 35.0, "", "", False),
        # Words of prose targets, transcribed as written (002 L90, 003 L286).
        ("超过65", 65.0, ">", "", False),
        ("不少于2.25", 2.25, ">=", "", False),
        ("(不少于2.25)", 2.25, ">=", "(", False),
        ("不超过3%", 3.0, "<=", "", False),
        ("(10以上)", 10.0, ">=", "(", False),
        ("(20左右)", 20.0, "~", "(", True),  # 003 L290
        # A range keeps >= (met at its bottom; 003 L304).
        ("5—10", 5.0, ">=", "", False),
    ],
)
def test_notation(text, value, comparator, bracket, approximate):
    notation = parse_notation(text)
    assert (notation.value, notation.comparator, notation.bracket, notation.is_approximate) == (
        value,
        comparator,
        bracket,
        approximate,
    )
    assert notation.text == text


@pytest.mark.parametrize("text", ["", "-", "—", "——", "  "])
def test_no_value_markers(text):
    assert parse_notation(text) is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("5—10", 5.0, 10.0), ("10-15", 10.0, 15.0), ("10～15", 10.0, 15.0)],  # 003 L304, 001 L45
)
def test_a_range_is_met_at_its_bottom(text, low, high):
    notation = parse_notation(text)
    assert (notation.value, notation.comparator, notation.upper) == (low, ">=", high)


def test_an_upside_down_range_is_an_error():
    with pytest.raises(ValueError, match="下限不小于上限"):
        parse_notation("15-10")


def test_words_are_not_numbers():
    with pytest.raises(ValueError, match="约二十"):
        parse_notation("约二十")


@pytest.mark.parametrize(
    ("written", "name", "unit"),
    [
        ("城镇新增就业人数（万人）", "城镇新增就业人数", "万人"),
        ("专业技术人才总量（含管理岗位和专技人才）（万人）", "专业技术人才总量", "万人"),
        ("其中：高级职称人才数量（万人）", "高级职称人才数量", "万人"),
        ("职业技能培训人次（万人次）", "职业技能培训人次", "万人次"),
        ("新建博士后工作站(家)", "新建博士后工作站", "家"),
        ("产业规模（亿元）", "产业规模", "亿元"),
        ("困难人员就业(人)", "困难人员就业", "人"),
        ("城镇登记失业率（%）", "城镇登记失业率", "%"),
    ],
)
def test_units_from_the_name(written, name, unit):
    assert split_name(written) == (name, unit)


def test_unknown_or_missing_unit():
    with pytest.raises(ValueError, match="单位“公斤”无法识别"):
        split_name("水产品产量（公斤）")
    with pytest.raises(ValueError, match="没有单位"):
        split_name("城镇新增就业人数")


def test_catalog_sources_are_exact_slices_of_the_plan():
    assert (SOURCES / "zhoushan_14fyp_zl2.txt").read_text("utf-8") == doc_lines(96, 124)
    assert (SOURCES / "zhoushan_13fyp_zl1.txt").read_text("utf-8") == doc_lines(28, 46)


# (seq, name, unit, domain, parent seq, kind, direction, attribute, baseline, target, comparator)
ZL2 = [
    (1, "城镇新增就业人数", "万人", "employment", None, "cumulative", 1, 12.34, 22, ""),  # L99
    (2, "城镇登记失业率", "%", "employment", None, "bound_max", -1, 1.55, 3, "<="),  # L100
    (3, "调查失业率", "%", "employment", None, "bound_max", -1, None, 5.5, "<="),  # L101
    (4, "职业技能培训人次", "万人次", "employment", None, "cumulative", 1, 13.6, 18, ""),  # L102
    (5, "基本养老保险参保率", "%", "social_security", None, "level", 1, 95, 96, ">"),  # L104
    (6, "失业保险参保人数", "万人", "social_security", None, "level", 1, 25.82, 27, ""),  # L105
    (7, "工伤保险参保人数", "万人", "social_security", None, "bound_min", 1, 40, 40, ""),  # L106
    (8, "新引进高校毕业生", "万人", "talent", None, "cumulative", 1, None, 10, ""),  # L108
    (9, "专业技术人才总量", "万人", "talent", None, "level", 1, 10.1, 12, ""),  # L109
    (10, "高级职称人才数量", "万人", "talent", 9, "level", 1, 0.74, 0.95, ""),  # L110
    (
        11,
        "新增取得专业技术人员职业资格证书人数",
        "万人",
        "talent",
        None,
        "cumulative",
        1,
        None,
        1.2,
        "",
    ),
    (12, "技能人才总量", "万人", "talent", None, "level", 1, 21.3, 26, ""),  # L112
    (13, "高技能人才数量", "万人", "talent", None, "level", 1, 7.2, 10, ""),  # L113
    (
        14,
        "新增取得职业资格证书或职业技能等级证书人数",
        "万人",
        "talent",
        None,
        "cumulative",
        1,
        None,
        5,
        "",
    ),
    (
        15,
        "新增取得高级工以上职业资格证书或职业技能等级证书人数",
        "万人",
        "talent",
        14,
        "cumulative",
        1,
        None,
        3,
        "",
    ),
    (16, "劳动人事争议调解成功率", "%", "labour_relations", None, "level", 1, 78.5, 80, ""),  # L118
    (17, "劳动人事争议仲裁结案率", "%", "labour_relations", None, "bound_min", 1, 95.8, 92, ""),
    (18, "劳动人事争议仲裁终结率", "%", "labour_relations", None, "bound_min", 1, 88.2, 85, ""),
    (
        19,
        "劳动保障监察投诉举报案件结案率",
        "%",
        "labour_relations",
        None,
        "bound_min",
        1,
        100,
        99,
        "",
    ),
    (
        20,
        "申领电子社保卡人口覆盖率",
        "%",
        "public_service",
        None,
        "level",
        1,
        38.58,
        70,
        "",
    ),  # L123
]


def test_zhuanlan_2_exact_text(table_file):
    table = parse_plan_table(table_file(doc_lines(96, 124)))
    assert (table.baseline_year, table.target_year, table.result_year) == (2020, 2025, None)
    got = [
        (
            r.seq,
            r.name,
            r.unit,
            r.domain_code,
            r.parent_seq,
            r.target_kind,
            r.direction,
            r.baseline.value if r.baseline else None,
            r.target.value,
            r.target.comparator,
        )
        for r in table.rows
    ]
    assert got == ZL2
    assert {r.attribute for r in table.rows} == {"expected"}  # every row 预期性
    assert [r.line + 95 for r in table.rows][:2] == [99, 100]  # file line → document line
    assert table.rows[0].written == {"baseline": "(12.34)", "target": "(22)", "attribute": "预期性"}


# 专栏1: 2015 base, 十三五 target, 2020 result (L32-L45).
ZL1 = [
    ("专业技术人才总量", "level", 9.1, 10, "", 10.1),  # L32
    ("高技能人才总量", "level", 3.36, 6, "", 7.2),  # L33
    # L34: >28.9 from 20 is a level to exceed, not a floor held every year.
    ("高技能人才占技能劳动者比例", "level", 20, 28.9, ">", 33.7),
    ("城镇新增就业人数", "cumulative", 5.7, 5, "", 12.34),  # L36 {…} five-year totals
    ("城镇登记失业率", "bound_max", 2.93, 3.5, "<=", 1.55),  # L37
    ("基本养老保险参保率", "bound_min", 90, 90, "", 95),  # L39 maintain; result ">95"
    ("基本医疗保险参保率", "bound_min", 98, 98, ">", 99),  # L40
    ("企业劳动合同签订率", "bound_min", 98, 98, "", 98.1),  # L42
    ("劳动人事争议仲裁结案率", "bound_min", 93.41, 92, "", 95.8),  # L43
    ("调解结案所占比例", "bound_min", 70, 70, "", 78.5),  # L44 其中 without a number
    ("劳动保障监察案件结案率", "bound_min", 98, 98, "", 100),  # L45
]


def test_zhuanlan_1_exact_text(table_file):
    table = parse_plan_table(table_file(doc_lines(28, 46)))
    assert (table.baseline_year, table.target_year, table.result_year) == (2015, None, 2020)
    got = [
        (
            r.name,
            r.target_kind,
            r.baseline.value,
            r.target.value,
            r.target.comparator,
            r.result.value,
        )
        for r in table.rows
    ]
    assert got == ZL1
    assert [r.seq for r in table.rows] == list(range(1, 12))
    sub = table.rows[9]
    assert (sub.parent_seq, table.rows[sub.parent_seq - 1].name) == (9, "劳动人事争议仲裁结案率")
    assert table.rows[5].result.comparator == ">"  # ">95" as printed
    assert {r.attribute for r in table.rows} == {None}  # 专栏1 has no 属性 column


HEADER = "指标\t2020年基数\t2025年规划目标\t属性\n一、就业\n"


def test_footnote_decides_what_a_bracket_means(table_file):
    text = HEADER + "1. 参保人数（万人）\t80\t[5]\t预期性\n注：[ ]内为年均增速\n"
    (row,) = parse_plan_table(table_file(text)).rows
    assert row.target.bracket == "["
    # The footnote says [ ] is not a cumulative total but a yearly growth rate.
    assert (row.target_kind, row.trajectory_shape) == ("level", "geometric")
    assert (row.target.value, row.target.is_growth_rate) == (5.0, True)


def test_a_growth_rate_target_compounds_on_its_baseline(table_file):
    # 浙江 全员劳动生产率: 16.6万元/人 in 2020 (002 L738), 年均增长6%以上 (L874).
    text = (
        HEADER.replace("一、就业", "三、人才效能和环境")
        + "1. 全员劳动生产率（万元/人）\t16.6\t年均增长6%以上\t预期性\n"
    )
    (row,) = parse_plan_table(table_file(text)).rows
    assert (row.target_kind, row.trajectory_shape, row.unit) == ("level", "geometric", "万元/人")
    assert (row.target.value, row.target.comparator, row.target.is_growth_rate) == (6.0, ">=", True)


def test_an_indicator_that_is_a_growth_rate_keeps_a_plain_target(table_file):
    # 表2 prints 全员劳动生产率年均增长（%） 6以上 (002 L874): the rate itself is the figure.
    text = HEADER + "1. 全员劳动生产率年均增长（%）\t—\t年均增长6%以上\t预期性\n"
    (row,) = parse_plan_table(table_file(text)).rows
    assert (row.target_kind, row.trajectory_shape, row.target.is_growth_rate) == (
        "level",
        "linear",
        False,
    )


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("—\t年均增长6%", "年均增速目标需要基数，才能换算为目标年的水平"),
        ("0\t年均增长6%", "基数为零或负数，无法按年均增速复利换算"),
        ("(12)\t年均增长6%", "年均增速目标需要基数，才能换算为目标年的水平"),
    ],
)
def test_a_growth_rate_without_a_level_to_compound_on_is_refused(table_file, cells, reason):
    text = HEADER + f"1. 参保人数（万人）\t{cells}\t预期性\n"
    with pytest.raises(PlanTableError) as caught:
        parse_plan_table(table_file(text))
    (error,) = caught.value.errors
    assert (error.line, error.reason) == (3, reason)


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        # "达到35%以上" with no baseline is a level to reach, not a floor (003 L160).
        ("1. 高质量就业社区比例（%）\t—\t35以上\t预期性", "level"),
        # A > beyond its baseline is a level to reach, however close (专栏2 L104: >95 → >96;
        # 专栏4 L214: 进一步提高基本养老保险参保率) ...
        ("1. 基本养老保险参保率（%）\t>95\t>96\t预期性", "level"),
        # ... while a > at its baseline is a floor to hold (003 L40: >98 → >98) ...
        ("1. 基本医疗保险参保率（%）\t>98\t>98\t预期性", "bound_min"),
        # ... and a plain unemployment rate without a baseline is a ceiling (002 L252, L200).
        ("1. 城镇登记失业率（%）\t—\t4.5\t预期性", "bound_max"),
        ("1. 人力资源服务机构数量（家）\t—\t250\t预期性", "level"),  # 003 L318
        ("1. 市级技工院校品牌专业（个）\t—\t5—10\t预期性", "level"),  # 003 L304
    ],
)
def test_kind_without_a_baseline(table_file, row, kind):
    (parsed,) = parse_plan_table(table_file(HEADER + row + "\n")).rows
    assert parsed.target_kind == kind


def test_talent_plan_groups_are_talent_sections(table_file):
    # 浙江省人才发展“十四五”规划 表2 groups its rows 人才总量 / 人才结构 / 人才效能和环境.
    text = (
        "指标\t2020年基数\t2025年规划目标\n一、人才总量\n1. 党政人才（万人）\t32.5\t32.5左右\n"
        "二、人才效能和环境\n2. 每万人高价值发明专利拥有量（件）\t10.3\t17\n"
    )
    rows = parse_plan_table(table_file(text)).rows
    assert [r.domain_code for r in rows] == ["talent", "talent"]
    assert [r.target_kind for r in rows] == ["bound_min", "level"]  # maintain 32.5; reach 17


def test_malformed_table_lists_every_bad_line(table_file):
    text = (
        HEADER
        + "1. 城镇新增就业人数（万人）\n"  # line 3: three value columns missing
        + "2. 职业技能培训人次（万人次）\t13.6\t约二十\t预期性\n"  # line 4
        + "3. 水产品产量（公斤）\t1\t2\t预期性\n"  # line 5
        + "4. 技能人才总量（万人）\t21.3\t26\t重要性\n"  # line 6
        + "这一行什么也不是\n"  # line 7
        + "5. 高技能人才数量（万人）\t7.2\t10\t预期性\n"  # fine
    )
    with pytest.raises(PlanTableError) as caught:
        parse_plan_table(table_file(text))
    errors = [(e.line, e.reason) for e in caught.value.errors]
    assert errors == [
        (3, "缺少3列数值"),
        (4, "数值“约二十”无法识别"),
        (5, "单位“公斤”无法识别"),
        (6, "属性“重要性”应为 预期性 或 约束性"),
        (7, "无法识别的行（不是表头、分组、指标或注释）"),
    ]
    assert (
        str(caught.value.errors[1])
        == "第4行 “2. 职业技能培训人次（万人次）\t13.6\t约二十\t预期性”: 数值“约二十”无法识别"
    )


def test_csv_and_xlsx_forms_parse_like_the_text(tmp_path, table_file):
    import csv

    from openpyxl import Workbook

    text_rows = parse_plan_table(table_file(doc_lines(96, 124))).rows
    lines = [line.split("\t") for line in doc_lines(96, 124).splitlines()]
    csv_path = tmp_path / "zl2.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    book = Workbook()
    for cells in lines:
        book.active.append(cells)
    xlsx_path = tmp_path / "zl2.xlsx"
    book.save(xlsx_path)

    def summary(rows):
        return [(r.seq, r.name, r.target_kind, r.target.value, r.written) for r in rows]

    assert summary(parse_plan_table(csv_path).rows) == summary(text_rows)
    assert summary(parse_plan_table(xlsx_path).rows) == summary(text_rows)


def test_an_empty_attribute_is_none(table_file):
    # A target transcribed from the text has no printed 属性 (邵阳 002 L356: 537万人).
    text = (
        "指标\t2020年基数\t2025年规划目标\t属性\t来源\n"
        "1. 基本养老保险参保人数（万人）\t511.19\t537\t\tdoc.txt:L356\n"
        "2. 失业保险参保人数（万人）\t33.04\t34\t约束性\tdoc.txt:L424\n"
    )
    rows = parse_plan_table(table_file(text)).rows
    assert [r.attribute for r in rows] == [None, "binding"]


def test_year_columns_override_the_table_year_for_a_row(table_file):
    # 温州 001 L9: 3年内 (2019-2021) in a plan to 2022; 浙江 002 L814: a result printed for 2019.
    text = (
        "指标\t2018年基数\t2022年规划目标\t2020年完成\t目标年份\t完成年份\t来源\n"
        "1. 在温高校毕业生留温率（%）\t—\t40\t—\t2021\t\t001:L9\n"
        "2. 人力资本投资占生产总值比例（%）\t13.8\t17以上\t17.8\t\t2019\t002:L812\n"
    )
    first, second = parse_plan_table(table_file(text)).rows
    assert (first.target_year, first.result_year) == (2021, None)
    assert (second.target_year, second.result_year) == (None, 2019)


def test_a_year_column_needs_a_year(table_file):
    text = "指标\t2020年基数\t2025年规划目标\t目标年份\n1. 参保人数（万人）\t1\t2\t三年内\n"
    with pytest.raises(PlanTableError) as caught:
        parse_plan_table(table_file(text))
    assert caught.value.errors[0].reason == "年份“三年内”应为四位数字"
