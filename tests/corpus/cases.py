"""The landing corpus: files shaped like the ones departments send, each with the
result it must give (the values loaded, or why each row was quarantined).

Every expected value is worked out by hand in the comment beside it. Run
``python -m tests.corpus.cases DIR`` to write the files out and open them.

The 2024 Zhoushan figures reuse the results article ``004_abfd66c9a0fb837c.txt``
where the case needs a real figure (城镇新增就业 2024: 4.6万人, L13 and L45; 技能人才 and
高技能人才 24.4万 and 8.6万, L89); the monthly and district splits are illustrative.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"
# (indicator_code, region_code, period_code, basis, value in the catalog unit)
Obs = tuple[str, str, str, str, float]
# (row number, reason code[, column label]) — column only for wide layouts
Bad = tuple


@dataclass
class Case:
    name: str
    build: Callable[[Path], None]
    loaded: list[Obs] = field(default_factory=list)
    quarantined: list[Bad] = field(default_factory=list)
    file_reason: str | None = None  # a whole-file problem (no rows)
    layout: str | None = None
    missing_cells: int = 0
    notes: tuple[str, ...] = ()  # substrings the ledger notes must contain


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(content.encode(encoding))

    return build


def xlsx(sheets: list[dict]) -> Callable[[Path], None]:
    """Each sheet: {"title", "rows": [[...]], "merge": ["A1:F1"], "hidden_cols": ["C"],
    "state": "hidden"}; a string starting with ' is written as text, never a formula."""

    def build(path: Path) -> None:
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)
        for spec in sheets:
            sheet = book.create_sheet(spec["title"])
            for row in spec["rows"]:
                sheet.append([None if v == "" else v for v in row])
            for cell_range in spec.get("merge", []):
                sheet.merge_cells(cell_range)
            for ref, number_format in spec.get("formats", {}).items():
                sheet[ref].number_format = number_format
            for letter in spec.get("hidden_cols", []):
                sheet.column_dimensions[letter].hidden = True
            if spec.get("state"):
                sheet.sheet_state = spec["state"]
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"  # as a department's text, not a formula
        book.save(path)

    return build


def zip_bomb(path: Path) -> None:
    # 20 MB of zeros packs into ~20 KB: a ratio no real worksheet has.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))


LONG = "指标名称,地区,统计期,数值,单位,口径\n"
MONTHS_2024 = ["1月", "2月", "3月", "4月", "5月", "6月"]

CASES: list[Case] = [
    Case(
        "01_long_utf8.csv",
        text(LONG + "城镇新增就业人数,舟山市,2024年,4.6,万人,\n"),  # 004 L13
        loaded=[("urban_new_jobs", "330900", "2024", "period", 4.6)],
        layout="long",
    ),
    Case(
        "02_long_utf8_bom.csv",
        text("\ufeff" + LONG + "技能人才总量,舟山市,2024年,24.4,万人,期末\n"),  # 004 L89
        loaded=[("skilled_talent", "330900", "2024", "end", 24.4)],
    ),
    Case(
        "03_long_gbk.csv",
        text(LONG + "高技能人才数量,舟山市,2024年,8.6,万人,期末\n", "gbk"),  # 004 L89
        loaded=[("high_skilled_talent", "330900", "2024", "end", 8.6)],
    ),
    Case(
        # 𠮷 is outside GBK: only GB18030 (its superset) encodes it.
        "04_long_gb18030.csv",
        text(
            "指标名称,地区,统计期,数值,单位,备注\n技能人才总量,定海区,2024年,9.1,万人,𠮷\n",
            "gb18030",
        ),
        loaded=[("skilled_talent", "330902", "2024", "period", 9.1)],
    ),
    Case(
        "05_not_text.csv",
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),
        file_reason="file_encoding_unknown",
    ),
    Case(
        "06_numbers_as_written.csv",
        text(
            LONG
            + '城镇新增就业人数,舟山市,2024年,"１２，３４５",人,\n'  # 12345 人 = 1.2345 万人
            + '职业技能培训人次,舟山市,2024年,"1,234.5",人次,\n'  # 0.12345 万人次
            + "高技能人才占技能人才比例,舟山市,2024年,35.3%,,期末\n"  # unit from the % sign
        ),
        loaded=[
            ("urban_new_jobs", "330900", "2024", "period", 1.2345),
            ("vocational_training", "330900", "2024", "period", 0.12345),
            ("high_skilled_share", "330900", "2024", "end", 35.3),
        ],
    ),
    Case(
        "07_footnote_marks.csv",
        text(
            LONG
            + "技能人才总量,定海区,2024年,4.6*,万人,期末\n"
            + "技能人才总量,普陀区,2024年,4.6①,万人,期末\n"  # not 4.61: ① is a mark
            + "技能人才总量,岱山县,2024年,3.2注1,万人,期末\n"
        ),
        loaded=[
            ("skilled_talent", "330902", "2024", "end", 4.6),
            ("skilled_talent", "330903", "2024", "end", 4.6),
            ("skilled_talent", "330921", "2024", "end", 3.2),
        ],
    ),
    Case(
        "08_missing_is_never_zero.csv",
        text(
            LONG
            + "技能人才总量,定海区,2024年,—,万人,期末\n"
            + "技能人才总量,普陀区,2024年,-,万人,期末\n"
            + "技能人才总量,岱山县,2024年,…,万人,期末\n"
            + "技能人才总量,嵊泗县,2024年,,万人,期末\n"
        ),
        quarantined=[
            (2, "value_missing"),
            (3, "value_missing"),
            (4, "value_missing"),
            (5, "value_missing"),
        ],
    ),
    Case(
        "09_words_are_not_numbers.csv",
        text(LONG + "城镇登记失业率,舟山市,2024年,四点六,%,\n"),
        quarantined=[(2, "value_not_numeric")],
    ),
    Case(
        "10_units_convert.csv",
        text(
            LONG
            + "每年发放创业担保贷款,舟山市,2024年,55000000,元,\n"  # 5500万元 (003 L176)
            + "新建大学生见习基地,舟山市,2024年,16,个,\n"  # 个 → 家 ×1
            + "职业技能培训人次,舟山市,2024年,143000,人次,\n"  # 14.3万人次
            + "技能人才总量,舟山市,2024年,24.4,公斤,期末\n"
        ),
        loaded=[
            ("startup_guaranteed_loans_per_year", "330900", "2024", "period", 5500.0),
            ("new_graduate_internship_bases", "330900", "2024", "period", 16.0),
            ("vocational_training", "330900", "2024", "period", 14.3),
        ],
        quarantined=[(5, "unit_not_convertible")],
    ),
    Case(
        "11_periods.csv",
        text(
            LONG
            + "城镇新增就业人数,舟山市,2024年1-2月,0.52,万人,累计\n"  # merged release
            + "城镇新增就业人数,舟山市,2024年1-3月,0.81,万人,\n"  # ytd implied
            + "城镇登记失业率,舟山市,2024年第一季度,1.7,%,\n"
            + "城镇登记失业率,舟山市,2024Q2,1.8,%,\n"
            + "城镇登记失业率,舟山市,2024年上半年,1.75,%,\n"
            + "城镇登记失业率,定海区,2024.03,1.6,%,\n"
            + "城镇新增就业人数,定海区,2024年1-3月,0.3,万人,当期\n"  # 1-3月 cannot be 当期
            + "城镇新增就业人数,定海区,2024年13月,0.3,万人,\n"
        ),
        loaded=[
            ("urban_new_jobs", "330900", "2024-02", "ytd", 0.52),
            ("urban_new_jobs", "330900", "2024-03", "ytd", 0.81),
            ("registered_unemployment_rate", "330900", "2024-Q1", "period", 1.7),
            ("registered_unemployment_rate", "330900", "2024-Q2", "period", 1.8),
            ("registered_unemployment_rate", "330900", "2024-H1", "period", 1.75),
            ("registered_unemployment_rate", "330902", "2024-03", "period", 1.6),
        ],
        quarantined=[(8, "basis_conflict"), (9, "period_invalid")],
    ),
    Case(
        "12_formula_text_stays_text.csv",
        text(LONG + "技能人才总量,舟山市,2024年,=cmd|' /C calc'!A0,万人,期末\n"),
        quarantined=[(2, "value_not_numeric")],
    ),
    Case(
        # A header is matched against known names, never used as an identifier.
        "13_hostile_header.csv",
        text(
            '指标名称,地区,统计期,数值,单位,"x"");drop table raw.observations;--"\n'
            "技能人才总量,舟山市,2024年,24.4,万人,whatever\n"
        ),
        loaded=[("skilled_talent", "330900", "2024", "period", 24.4)],
    ),
    Case(
        "14_unknown_names.csv",
        text(
            LONG
            + "城镇新增就业人口,舟山市,2024年,4.6,万人,\n"  # not a catalog name: never guessed
            + "城镇新增就业人数,舟山县,2024年,4.6,万人,\n"
            + ",舟山市,2024年,4.6,万人,\n"
        ),
        quarantined=[(2, "indicator_unknown"), (3, "region_unknown"), (4, "indicator_missing")],
    ),
    Case(
        "15_duplicate_in_file.csv",
        text(
            LONG
            + "技能人才总量,舟山市,2024年,24.4,万人,期末\n"
            + "技能人才总量,舟山,2024,24.5,万人,期末\n"  # the same key spelled differently
        ),
        loaded=[("skilled_talent", "330900", "2024", "end", 24.4)],
        quarantined=[(3, "duplicate_in_file")],
    ),
    Case(
        "16_footnotes_and_signatures.csv",
        text(
            LONG
            + "技能人才总量,舟山市,2024年,24.4,万人,期末\n"
            + "注：技能人才含高技能人才。,,,,,\n"
            + "说明：数据来源于技能人才统计系统,,,,,\n"
            + "填表人：张三,,审核人：李四,,,\n"
        ),
        loaded=[("skilled_talent", "330900", "2024", "end", 24.4)],
        notes=("跳过3行注释",),
    ),
    Case(
        # Months as columns, GBK, a title naming the indicator, a unit row, a total row,
        # future months left blank (missing, not zero).
        "17_wide_months_gbk.csv",
        text(
            "2024年舟山市城镇新增就业人数月报,,,,,,\n"
            "单位：万人,,,,,,\n"
            "地区," + ",".join(MONTHS_2024) + "\n"
            "定海区,0.12,0.10,0.15,0.13,,\n"
            "普陀区,0.09,0.08,0.11,—,,\n"
            "合计,0.35,0.31,0.42,0.38,,\n",
            "gbk",
        ),
        loaded=[
            ("urban_new_jobs", "330902", "2024-01", "period", 0.12),
            ("urban_new_jobs", "330902", "2024-02", "period", 0.10),
            ("urban_new_jobs", "330902", "2024-03", "period", 0.15),
            ("urban_new_jobs", "330902", "2024-04", "period", 0.13),
            ("urban_new_jobs", "330903", "2024-01", "period", 0.09),
            ("urban_new_jobs", "330903", "2024-02", "period", 0.08),
            ("urban_new_jobs", "330903", "2024-03", "period", 0.11),
            # 合计 is the city the title names (舟山市)
            ("urban_new_jobs", "330900", "2024-01", "period", 0.35),
            ("urban_new_jobs", "330900", "2024-02", "period", 0.31),
            ("urban_new_jobs", "330900", "2024-03", "period", 0.42),
            ("urban_new_jobs", "330900", "2024-04", "period", 0.38),
        ],
        layout="wide",
        missing_cells=7,  # 定海 5-6月, 普陀 4月(—) 5-6月, 合计 5-6月
    ),
    Case(
        "18_wide_years.csv",
        text(
            "舟山市人才队伍主要指标,,,,\n"
            "指标,单位,2022年,2023年,2024年\n"
            "技能人才总量,万人,22.1,23.2,24.4\n"
            "高技能人才数量,万人,7.6,8.1,8.6\n"
        ),
        loaded=[
            ("skilled_talent", "330900", "2022", "period", 22.1),
            ("skilled_talent", "330900", "2023", "period", 23.2),
            ("skilled_talent", "330900", "2024", "period", 24.4),
            ("high_skilled_talent", "330900", "2022", "period", 7.6),
            ("high_skilled_talent", "330900", "2023", "period", 8.1),
            ("high_skilled_talent", "330900", "2024", "period", 8.6),
        ],
        layout="wide",
    ),
    Case(
        "19_wide_regions.csv",
        text(
            "2024年各县（区）技能人才统计表,,,,,,\n"
            "单位：万人,,,,,,\n"
            "指标,定海区,普陀区,岱山县,嵊泗县,全市\n"
            "技能人才总量,9.1,8.2,4.6,2.5,24.4\n"
        ),
        loaded=[
            ("skilled_talent", "330902", "2024", "period", 9.1),
            ("skilled_talent", "330903", "2024", "period", 8.2),
            ("skilled_talent", "330921", "2024", "period", 4.6),
            ("skilled_talent", "330922", "2024", "period", 2.5),
            ("skilled_talent", "330900", "2024", "period", 24.4),
        ],
        layout="wide",
    ),
    Case(
        # Year-to-date columns as statistical releases print them (1-2月 merged).
        "20_wide_ytd_columns.csv",
        text(
            "2024年舟山市就业情况,,,\n"
            "项目,1-2月,1-3月,1-4月\n"
            "城镇新增就业人数（万人）,0.52,0.81,1.09\n"
        ),
        loaded=[
            ("urban_new_jobs", "330900", "2024-02", "ytd", 0.52),
            ("urban_new_jobs", "330900", "2024-03", "ytd", 0.81),
            ("urban_new_jobs", "330900", "2024-04", "ytd", 1.09),
        ],
        layout="wide",
    ),
    Case(
        "21_wide_quarters_and_halves.csv",
        text(
            "2024年舟山市城镇登记失业率（%）,,,,\n"
            "地区,第一季度,第二季度,上半年\n"
            "舟山市,1.7,1.8,1.75\n"
        ),
        loaded=[
            ("registered_unemployment_rate", "330900", "2024-Q1", "period", 1.7),
            ("registered_unemployment_rate", "330900", "2024-Q2", "period", 1.8),
            ("registered_unemployment_rate", "330900", "2024-H1", "period", 1.75),
        ],
        layout="wide",
    ),
    Case(
        "22_wide_bad_cells.csv",
        text(
            "2024年舟山市城镇新增就业人数月报,,,\n"
            "单位：万人,,,\n"
            "地区,1月,2月,3月\n"
            "定海区,0.12,四点六,0.15\n"
            "舟山县,0.10,0.11,0.12\n"
        ),
        loaded=[
            ("urban_new_jobs", "330902", "2024-01", "period", 0.12),
            ("urban_new_jobs", "330902", "2024-03", "period", 0.15),
        ],
        quarantined=[
            (4, "value_not_numeric", "2月"),
            (5, "region_unknown", "1月"),
            (5, "region_unknown", "2月"),
            (5, "region_unknown", "3月"),
        ],
        layout="wide",
    ),
    Case(
        # Title merged across the sheet, unit row, a two-row header (2024年 merged over
        # the months), indicators with their units as row labels, a footnote.
        "23_xlsx_two_row_header.xlsx",
        xlsx(
            [
                {
                    "title": "就业",
                    "rows": [
                        ["2024年舟山市就业情况统计表", "", "", ""],
                        ["单位：万人", "", "", ""],
                        ["指标", "2024年", "", ""],
                        ["", "1月", "2月", "3月"],
                        ["城镇新增就业人数", 0.35, 0.31, 0.42],
                        ["失业保险参保人数", 26.5, 26.6, 26.7],
                        ["注：数据为初步统计数。", "", "", ""],
                    ],
                    "merge": ["A1:D1", "B3:D3"],
                }
            ]
        ),
        loaded=[
            ("urban_new_jobs", "330900", "2024-01", "period", 0.35),
            ("urban_new_jobs", "330900", "2024-02", "period", 0.31),
            ("urban_new_jobs", "330900", "2024-03", "period", 0.42),
            ("unemployment_insurance_insured", "330900", "2024-01", "period", 26.5),
            ("unemployment_insurance_insured", "330900", "2024-02", "period", 26.6),
            ("unemployment_insurance_insured", "330900", "2024-03", "period", 26.7),
        ],
        layout="wide",
        notes=("跳过1行注释",),
    ),
    Case(
        # An indicator merged over 本月 | 累计 columns, regions as rows.
        "24_xlsx_basis_subheader.xlsx",
        xlsx(
            [
                {
                    "title": "2024年3月",
                    "rows": [
                        ["舟山市城镇新增就业情况", "", ""],
                        ["单位：人", "", ""],
                        ["地区", "城镇新增就业人数", ""],
                        ["", "本月", "累计"],
                        ["定海区", 1500, 4100],
                        ["普陀区", 1100, 2900],
                    ],
                    "merge": ["B3:C3"],
                }
            ]
        ),
        loaded=[
            ("urban_new_jobs", "330902", "2024-03", "period", 0.15),  # 1500 人 = 0.15 万人
            ("urban_new_jobs", "330902", "2024-03", "ytd", 0.41),
            ("urban_new_jobs", "330903", "2024-03", "period", 0.11),
            ("urban_new_jobs", "330903", "2024-03", "ytd", 0.29),
        ],
        layout="wide",
    ),
    Case(
        "25_xlsx_several_sheets.xlsx",
        xlsx(
            [
                {
                    "title": "就业",
                    "rows": [
                        ["指标名称", "地区", "统计期", "数值", "单位"],
                        ["城镇新增就业人数", "舟山市", "2024年", 4.6, "万人"],
                    ],
                },
                {
                    "title": "社保",
                    "rows": [
                        ["2024年舟山市社会保险参保情况", ""],
                        ["指标", "舟山市"],
                        ["失业保险参保人数（万人）", 26.9],
                        ["工伤保险参保人数（万人）", 41.2],
                    ],
                },
                {"title": "填表说明", "rows": [["本表由各县（区）人社局于次月10日前报送。"]]},
            ]
        ),
        loaded=[
            ("urban_new_jobs", "330900", "2024", "period", 4.6),
            ("unemployment_insurance_insured", "330900", "2024", "period", 26.9),
            ("work_injury_insurance_insured", "330900", "2024", "period", 41.2),
        ],
        layout="mixed",
    ),
    Case(
        "26_xlsx_hidden_sheet_and_column.xlsx",
        xlsx(
            [
                {
                    "title": "技能人才",
                    "rows": [
                        ["2024年舟山市技能人才", "", ""],
                        ["单位：万人", "", ""],
                        ["地区", "旧口径", "技能人才总量"],
                        ["定海区", 8.0, 9.1],
                        ["普陀区", 7.0, 8.2],
                    ],
                    "hidden_cols": ["B"],
                },
                {
                    "title": "草稿",
                    "rows": [
                        ["指标名称", "地区", "统计期", "数值", "单位"],
                        ["技能人才总量", "舟山市", "2024年", 99, "万人"],
                    ],
                    "state": "hidden",
                },
            ]
        ),
        loaded=[
            ("skilled_talent", "330902", "2024", "period", 9.1),
            ("skilled_talent", "330903", "2024", "period", 8.2),
        ],
        layout="wide",
        notes=("跳过隐藏列 B", "跳过隐藏工作表“草稿”"),
    ),
    Case(
        "27_xlsx_dates_and_text_formulas.xlsx",
        xlsx(
            [
                {
                    "title": "Sheet1",
                    "rows": [
                        ["指标名称", "地区", "统计期", "数值", "单位"],
                        [
                            "城镇登记失业率",
                            "舟山市",
                            __import__("datetime").date(2024, 3, 1),
                            1.7,
                            "%",
                        ],
                        ["城镇登记失业率", "定海区", "2024年3月", "=1+1", "%"],
                    ],
                }
            ]
        ),
        loaded=[("registered_unemployment_rate", "330900", "2024-03", "period", 1.7)],
        quarantined=[(3, "value_not_numeric")],
    ),
    Case(
        "28_xlsx_no_header.xlsx",
        xlsx([{"title": "Sheet1", "rows": [["舟山市", 4.6], ["定海区", 1.2]]}]),
        quarantined=[(1, "header_not_found"), (2, "header_not_found")],
    ),
    Case("29_zip_bomb.xlsx", zip_bomb, file_reason="file_suspicious"),
    Case(
        "30_corrupt.xlsx",
        lambda p: p.write_bytes(b"PK\x03\x04 this is not really a workbook"),
        file_reason="file_unreadable",
    ),
    Case(
        "31_header_missing_columns.csv",
        text("指标名称,统计期,数值\n城镇新增就业人数,2024年,4.6\n"),
        quarantined=[(2, "header_missing_column")],
    ),
    Case(
        # Region and unit from the title rows of a long sheet.
        "32_long_with_title_context.csv",
        text(
            "2024年舟山市就业数据,,\n"
            "单位：万人,,\n"
            "指标名称,统计期,数值\n"
            "城镇新增就业人数,2024年,4.6\n"
        ),
        loaded=[("urban_new_jobs", "330900", "2024", "period", 4.6)],
    ),
    Case("33_empty.csv", text(""), file_reason="file_empty"),
    Case(
        # A row whose name starts with 注 is data, not a footnote: it is quarantined as an
        # unknown indicator (with its text), never skipped silently.
        "36_data_row_starting_with_zhu.csv",
        text(
            LONG
            + "注册会计师人数,舟山市,2024年,120,人,\n"
            + "技能人才总量,舟山市,2024年,24.4,万人,期末\n"
            + "注：以上为年末数。,,,,,\n"
        ),
        loaded=[("skilled_talent", "330900", "2024", "end", 24.4)],
        quarantined=[(2, "indicator_unknown")],
        notes=("跳过1行注释",),
    ),
    Case(
        # Only label-like headers (序号, 项目, 名称): no column says what the numbers are.
        "35_only_label_headers.csv",
        text("序号,项目,名称\n1,城镇新增就业人数,4.6\n"),
        quarantined=[(2, "header_not_found")],
    ),
    # Cases 37-45: what a review of the layout code found (each loaded wrong or crashed).
    Case(
        # A 合计 column sums the row (1月+2月+3月): it is not the city's figure.
        "37_total_column_in_a_months_table.csv",
        text(
            "2024年舟山市城镇新增就业人数月报,,,,\n"
            "单位：万人,,,,\n"
            "地区,1月,2月,3月,合计\n"
            "定海区,0.12,0.10,0.15,0.37\n"
            "普陀区,0.09,0.08,0.11,0.28\n"
        ),
        loaded=[
            ("urban_new_jobs", "330902", "2024-01", "period", 0.12),
            ("urban_new_jobs", "330902", "2024-02", "period", 0.10),
            ("urban_new_jobs", "330902", "2024-03", "period", 0.15),
            ("urban_new_jobs", "330903", "2024-01", "period", 0.09),
            ("urban_new_jobs", "330903", "2024-02", "period", 0.08),
            ("urban_new_jobs", "330903", "2024-03", "period", 0.11),
        ],
        layout="wide",
        notes=("合计列为行合计",),
    ),
    Case(
        # The unit after a line break inside the header cell: 1500 人 = 0.15 万人.
        "38_header_unit_after_a_line_break.csv",
        text(
            "2024年各县（区）就业情况,,\n"
            "单位：万人,,\n"
            '地区,"城镇新增就业人数\n（人）",城镇登记失业率（%）\n'
            "定海区,1500,1.6\n"
        ),
        loaded=[
            ("urban_new_jobs", "330902", "2024", "period", 0.15),
            ("registered_unemployment_rate", "330902", "2024", "period", 1.6),
        ],
        layout="wide",
    ),
    Case(
        # 浙江省舟山市: the city, the most specific region the title names.
        "39_title_names_province_and_city.csv",
        text(
            "2024年浙江省舟山市就业数据,,\n单位：万人,,\n指标名称,统计期,数值\n城镇新增就业人数,2024年,4.6\n"
        ),
        loaded=[("urban_new_jobs", "330900", "2024", "period", 4.6)],
    ),
    Case(
        # 填报单位： names the reporting office, not the unit.
        "40_reporting_office_is_not_a_unit.csv",
        text(
            "2024年舟山市城镇新增就业人数月报,,\n"
            "填报单位：舟山市人力资源和社会保障局,,单位：万人\n"
            "地区,1月,2月\n"
            "定海区,0.12,0.10\n"
        ),
        loaded=[
            ("urban_new_jobs", "330902", "2024-01", "period", 0.12),
            ("urban_new_jobs", "330902", "2024-02", "period", 0.10),
        ],
        layout="wide",
    ),
    Case(
        # 上年同期累计 compares with last year: not this March's year-to-date.
        "41_prior_year_column.csv",
        text(
            "2024年3月舟山市城镇新增就业情况,,\n"
            "单位：人,,\n"
            "项目,上年同期累计,本年累计\n"
            "城镇新增就业人数,7600,8100\n"
        ),
        loaded=[("urban_new_jobs", "330900", "2024-03", "ytd", 0.81)],
        layout="wide",
    ),
    Case(
        # 序号 numbers the rows (not the label); 计量单位 is the unit column.
        "42_serial_number_and_unit_columns.csv",
        text(
            "舟山市人才统计表,,,,\n"
            "序号,项目,计量单位,2023年,2024年\n"
            "1,技能人才总量,万人,23.2,24.4\n"
        ),
        loaded=[
            ("skilled_talent", "330900", "2023", "period", 23.2),
            ("skilled_talent", "330900", "2024", "period", 24.4),  # 004 L89
        ],
        layout="wide",
    ),
    Case(
        # Year to date printed with an em dash: 1—3月.
        "43_em_dash_year_to_date.csv",
        text("2024年舟山市就业情况,,\n项目,1—3月,1—4月\n城镇新增就业人数（万人）,0.81,1.09\n"),
        loaded=[
            ("urban_new_jobs", "330900", "2024-03", "ytd", 0.81),
            ("urban_new_jobs", "330900", "2024-04", "ytd", 1.09),
        ],
        layout="wide",
    ),
    Case(
        # Line 67 has one cell more than the header, beyond the rows the header is looked
        # for in: the extra cell is kept in the record, the row loads.
        "44_row_longer_than_the_header.csv",
        text(
            LONG
            + "".join(
                f"技能人才总量,{region},{year}年{month}月,{10 + month},万人,期末"
                + (",extra" if (year, region, month) == (2024, "普陀区", 6) else "")
                + "\n"
                for year in (2023, 2024)
                for region in ("舟山市", "定海区", "普陀区")
                for month in range(1, 13)
            )
        ),
        loaded=[
            ("skilled_talent", code, f"{year}-{month:02d}", "end", float(10 + month))
            for year in (2023, 2024)
            for code in ("330900", "330902", "330903")
            for month in range(1, 13)
        ],
    ),
    Case(
        # Under a 技能人才 title, a row the catalog does not know (其中：女性) is
        # quarantined with its text, never counted as 技能人才.
        "45_unknown_row_under_an_indicator_title.csv",
        text(
            "舟山市技能人才统计表,,,,\n"
            "单位：万人,,,,\n"
            "项目,2023年,,2024年,\n"
            ",定海区,普陀区,定海区,普陀区\n"
            "技能人才总量,9.0,8.0,9.1,8.2\n"
            "其中：女性,3.1,2.9,3.3,3.0\n"
        ),
        loaded=[
            ("skilled_talent", "330902", "2023", "period", 9.0),
            ("skilled_talent", "330903", "2023", "period", 8.0),
            ("skilled_talent", "330902", "2024", "period", 9.1),
            ("skilled_talent", "330903", "2024", "period", 8.2),
        ],
        quarantined=[
            (6, "indicator_unknown", "2023年定海区"),
            (6, "indicator_unknown", "2023年普陀区"),
            (6, "indicator_unknown", "2024年定海区"),
            (6, "indicator_unknown", "2024年普陀区"),
        ],
        layout="wide",
    ),
    Case(
        # Excel keeps 35.3% as 0.353 formatted as a percentage: read as shown (004 L15).
        "46_xlsx_percent_format.xlsx",
        xlsx(
            [
                {
                    "title": "Sheet1",
                    "rows": [
                        ["指标名称", "地区", "统计期", "数值", "单位"],
                        ["高技能人才占技能人才比例", "舟山市", "2024年", 0.353, "%"],
                    ],
                    "formats": {"D2": "0.0%"},
                }
            ]
        ),
        loaded=[("high_skilled_share", "330900", "2024", "period", 35.3)],
    ),
    Case(
        # Years typed as numbers in an Excel header (2022, 2023, 2024).
        "47_xlsx_numeric_year_headers.xlsx",
        xlsx(
            [
                {
                    "title": "Sheet1",
                    "rows": [
                        ["舟山市人才队伍主要指标", "", "", "", ""],
                        ["指标", "单位", 2022, 2023, 2024],
                        ["技能人才总量", "万人", 22.1, 23.2, 24.4],
                    ],
                }
            ]
        ),
        loaded=[
            ("skilled_talent", "330900", "2022", "period", 22.1),
            ("skilled_talent", "330900", "2023", "period", 23.2),
            ("skilled_talent", "330900", "2024", "period", 24.4),
        ],
        layout="wide",
    ),
    Case(
        # 统计期 typed as the number 2024.10 and shown with two decimals: October, as
        # shown — Excel stores it as 2024.1, which would otherwise read as January.
        "48_xlsx_period_as_a_formatted_number.xlsx",
        xlsx(
            [
                {
                    "title": "Sheet1",
                    "rows": [
                        ["指标名称", "地区", "统计期", "数值", "单位"],
                        ["城镇登记失业率", "舟山市", 2024.10, 1.7, "%"],
                        ["城镇登记失业率", "定海区", 2024.09, 1.6, "%"],
                    ],
                    "formats": {"C2": "0.00", "C3": "0.00"},
                }
            ]
        ),
        loaded=[
            ("registered_unemployment_rate", "330900", "2024-10", "period", 1.7),
            ("registered_unemployment_rate", "330902", "2024-09", "period", 1.6),
        ],
    ),
    Case(
        # Months as columns and no year anywhere: each cell says the year is missing.
        "49_months_without_a_year.csv",
        text("舟山市城镇新增就业人数月报,,\n单位：万人,,\n地区,1月,2月\n定海区,0.12,0.10\n"),
        quarantined=[(4, "period_year_missing", "1月"), (4, "period_year_missing", "2月")],
        layout="wide",
    ),
    Case(
        # Legacy Excel 97-2003. No maintained library writes .xls, so this one file is
        # committed (made once with xlwt 1.3.0); calamine reads it.
        "34_legacy_excel_97.xls",
        lambda p: shutil.copyfile(FILES / "34_legacy_excel_97.xls", p),
        loaded=[
            ("skilled_talent", "330902", "2024", "period", 9.1),
            ("skilled_talent", "330903", "2024", "period", 8.2),
            ("skilled_talent", "330900", "2024", "period", 24.4),  # 004 L89
            ("high_skilled_talent", "330902", "2024", "period", 3.2),
            ("high_skilled_talent", "330903", "2024", "period", 2.9),
            ("high_skilled_talent", "330900", "2024", "period", 8.6),  # 004 L89
        ],
        layout="wide",
    ),
]


def main(folder: str) -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.build(target / case.name)
    print(f"wrote {len(CASES)} files to {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "landing_corpus")
