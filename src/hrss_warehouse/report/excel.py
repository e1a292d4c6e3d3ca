"""The scorecard as the Excel workbook a planning office hands on (`hrss export scorecard`).

One sheet per plan in the 专栏 layout (领域 / 指标 / 地区 / 单位 / 基期值 / 目标值 / 属性 /
最新值 / 截至 / 目标完成率 / 进度完成度 / 时序进度 / 状态 / 评估类别 / 预计期末值 / 说明), read from the
published warehouse like `hrss status` (report/scorecard.py), and a 说明 sheet with the
formulas and sources. Numbers stay numbers — Excel and WPS sum and chart them — with the
precision they are published with as the cell's number format (24.4 as 0.0, 93.8 % as
0.0%); a target the plan writes with its notation (≤5.5, (22), 35以上) keeps it in the
format around the number. Statuses are filled in the report's colours; the header row is
frozen and repeated on every printed page; pages are A4 landscape, one page wide.

Which ratios a row shows follows report/measures.py: a total (累计/年度) shows x/T once as
目标完成率; a bound (≤, ≥) shows neither ratio, its compliance and 余量 go to 说明.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hrss_warehouse.formatting import fmt_number
from hrss_warehouse.report.html import STATUS_COLOURS
from hrss_warehouse.report.measures import BOUND_KINDS, TOTAL_KINDS, gap_words, measures
from hrss_warehouse.report.scorecard import ScorecardRow

# (header, column width in characters)
COLUMNS = (
    ("领域", 12),
    ("指标", 30),
    ("地区", 10),
    ("单位", 8),
    ("基期值", 10),
    ("目标值", 12),
    ("属性", 8),
    ("最新值", 10),
    ("截至", 11),
    ("目标完成率", 11),
    ("进度完成度", 11),
    ("时序进度", 10),
    ("状态", 12),
    ("评估类别", 12),
    ("预计期末值", 11),
    ("说明", 60),
)
ATTRIBUTE_ZH = {"binding": "约束性", "expected": "预期性"}
PERCENT = "0.0%"
# Excel refuses these in a sheet name, and names longer than 31 characters.
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_NUMBER_IN = re.compile(r"-?\d+(?:\.\d+)?")

NOTES = (
    ("目标完成率", "最新值 ÷ 目标值（越低越好的指标为 目标值 ÷ 最新值）。"),
    (
        "进度完成度",
        "（最新值 − 基期值）÷（目标值 − 基期值），自基期以来完成的份额；"
        "增速目标为 ln(最新值/基期值) ÷ ln(目标值/基期值)。状态据此与时序进度比较。",
    ),
    ("时序进度", "规划期已过时间的份额（年度任务为当年已过份额；基期值缺失时自首个数据起算）。"),
    ("累计、年度指标", "目标完成率即进度完成度，只列一次（目标完成率）。"),
    ("上限、下限指标", "不计完成率；是否达标及余量见“说明”列（余量为负即超出上限或低于下限）。"),
    ("预计期末值", "按目前趋势推算的规划期末值（docs/formulas.md）。"),
    ("状态", "评估类别沿用国家中期评估用语：提前实现、快于预期、基本符合预期、滞后。"),
)


def number_format(value: float | None, notation: str | None = None) -> str:
    """The cell format that prints ``value`` as published (at most two decimals, no
    trailing zeros) and, for a target, the plan's notation around it (≤5.5, (22))."""
    text = fmt_number(value) if value is not None else "0"
    decimals = len(text.split(".")[1]) if "." in text else 0
    core = "0" + ("." + "0" * decimals if decimals else "")
    match = _NUMBER_IN.search(notation or "")
    if not match or value is None or float(match.group()) != round(value, 2):
        return core
    before, after = notation[: match.start()], notation[match.end() :]
    quoted = [f'"{part}"' if part else "" for part in (before, after)]
    return f"{quoted[0]}{core}{quoted[1]}"


def sheet_name(plan_code: str, taken: Iterable[str]) -> str:
    """A valid, unique sheet name for a plan (≤ 31 characters, no []:*?/\\)."""
    base = _SHEET_UNSAFE.sub("_", plan_code)[:31] or "plan"
    name, n = base, 1
    while name.lower() in {t.lower() for t in taken}:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    return name


def row_cells(row: ScorecardRow) -> list[tuple[Any, str | None]]:
    """The cells of one target × region (COLUMNS): (value, number format or None)."""
    m = measures(row)
    bound, total = row.target_kind in BOUND_KINDS, row.target_kind in TOTAL_KINDS
    attainment = m.progress_ratio if total else (None if bound else row.attainment_ratio)
    progress = None if bound or total else row.baseline_progress
    elapsed = m.elapsed_ratio if not bound else None
    notes = [n for n in (m.compliance, m.headroom, m.growth, gap_words(m)) if n]
    if row.actual_value is None:
        notes.append("尚无数据（应报时间见 fct_expected_release）")
    return [
        (row.domain_name_zh, None),
        (row.indicator_name_zh, None),
        (row.region_name_zh, None),
        (row.unit, None),
        (row.baseline_value, number_format(row.baseline_value)),
        (row.target_value, number_format(row.target_value, row.target_notation)),
        (ATTRIBUTE_ZH.get(row.attribute or "", ""), None),
        (row.actual_value, number_format(row.actual_value)),
        (row.as_of_date if row.actual_value is not None else None, None),
        (attainment, PERCENT),
        (progress, PERCENT),
        (elapsed, PERCENT),
        (row.status_zh, None),
        (row.evaluation_category_zh, None),
        (row.projected_end_value, number_format(row.projected_end_value)),
        ("；".join(notes), None),
    ]


def _write_plan(sheet, rows: list[ScorecardRow]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append([header for header, _ in COLUMNS])
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.cell(1, index).font = Font(bold=True)
        sheet.cell(1, index).fill = PatternFill("solid", fgColor="F6F8FA")
    status_column = [h for h, _ in COLUMNS].index("状态") + 1
    for row in rows:
        cells = row_cells(row)
        sheet.append([value for value, _ in cells])
        line = sheet.max_row
        for index, (value, fmt) in enumerate(cells, start=1):
            if fmt and value is not None:
                sheet.cell(line, index).number_format = fmt
        colour = STATUS_COLOURS.get(row.status, "#6e7781").lstrip("#").upper()
        status = sheet.cell(line, status_column)
        status.fill = PatternFill("solid", fgColor=colour)
        status.font = Font(color="FFFFFF", bold=True)
        sheet.cell(line, len(COLUMNS)).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"  # the header and the indicator stay in view
    sheet.auto_filter.ref = sheet.dimensions
    print_setup(sheet, rows[0].plan_name_zh if rows else "")


def print_setup(sheet, title: str, title_rows: str = "1:1") -> None:
    """A4 landscape, one page wide, ``title_rows`` repeated on every page, page numbers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _write_notes(sheet, warehouse: Path, as_of: str | None, plans: dict[str, str]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(["项目", "说明"])
    sheet["A1"].font = sheet["B1"].font = Font(bold=True)
    made = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    sheet.append(["数据来源", f"{warehouse.name}（hrss-warehouse 发布的数据仓库）"])
    sheet.append(["评估时点", as_of or "各指标最新数据"])
    sheet.append(["生成时间", made])
    for code, name in plans.items():
        sheet.append([f"规划 {code}", name])
    for term, text in NOTES:
        sheet.append([term, text])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    for cells in sheet.iter_rows(min_row=2):
        cells[1].alignment = Alignment(wrap_text=True, vertical="top")


def write_workbook(
    rows: list[ScorecardRow], out: Path, warehouse: Path, as_of: str | None = None
) -> dict[str, int]:
    """Write the workbook (sheets in the scorecard's plan order); return rows per sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    by_plan: dict[str, list[ScorecardRow]] = {}
    for row in rows:
        by_plan.setdefault(row.plan_code, []).append(row)
    written: dict[str, int] = {}
    for plan_code, plan_rows in by_plan.items():
        sheet = book.create_sheet(sheet_name(plan_code, written))
        _write_plan(sheet, plan_rows)
        written[sheet.title] = len(plan_rows)
    plans = {code: plan_rows[0].plan_name_zh for code, plan_rows in by_plan.items()}
    _write_notes(book.create_sheet("说明"), warehouse, as_of, plans)
    save_atomically(book, out)
    return written


def save_atomically(document: Any, out: Path) -> None:
    """``document.save`` (an openpyxl workbook, a python-docx document) to a hidden name
    beside ``out``, then renamed: never a half-written file under the name asked for."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    document.save(str(partial))
    partial.replace(out)
