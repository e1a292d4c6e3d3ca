"""The reporting form a department fills in (`hrss template`).

One sheet, 填报, in the long layout ingest reads best (docs/landing.md): a row per figure
the plan expects from the department for the period (catalog/releases.py) with its
indicator and region codes and names, the 统计期 as ingest reads it, the 口径 and unit the
release calendar and the catalog fix, last period's figure from the warehouse for
reference, and two cells to fill: 数值 and 备注.

- Everything but 数值 and 备注 is locked (sheet protection without a password: it stops
  slips, not a determined editor — ingest still reads every row's own cells).
- 数值 takes a number only (data validation: ≥ 0, and 0–100 for a percentage); a value
  pasted past the validation is quarantined by ingest with its cell named (J7).
- A very hidden sheet holds the key (ingest/template_key.py): ingest counts the cells
  left empty as not yet reported instead of quarantining them, and the ledger says which
  plan, period and department the file answers.
- Cells are General, not a fixed number of decimals: ingest reads a number as shown, and
  a 0.00 format would turn a typed 24.456 into 24.46.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hrss_warehouse.catalog.releases import ExpectedFigure, Span
from hrss_warehouse.ingest.template_key import KEY_SHEET, TemplateKey
from hrss_warehouse.report.excel import print_setup, save_atomically

SHEET = "填报"
# (header, column width in characters); the headers are ingest's canonical spellings
# (ingest/normalize.py HEADER_ALIASES) but 序号 (ignored) and 上期数（参考） (not a column
# ingest knows, so never read as a figure).
COLUMNS = (
    ("序号", 6),
    ("指标代码", 30),
    ("指标名称", 24),
    ("地区代码", 10),
    ("地区", 10),
    ("统计期", 16),
    ("口径", 7),
    ("单位", 8),
    ("上期数（参考）", 14),
    ("数值", 12),
    ("备注", 30),
)
HEADER_ROW = 3
VALUE_COLUMN = "J"
NOTE_COLUMN = "K"
FILL_COLOUR = "FFF2CC"  # the cells to fill: Excel's light yellow input fill
HEADER_COLOUR = "D9E1F2"


@dataclass(frozen=True)
class Form:
    """What a written form holds, for the command's one-line answer."""

    path: Path
    cells: int
    indicators: int
    regions: int
    periods: list[str]  # 统计期 texts, earliest first (a month before its quarter)
    with_previous: int  # rows whose last period's figure the warehouse had


def previous_figures(
    warehouse: Path, figures: list[ExpectedFigure]
) -> tuple[dict[int, float], str | None]:
    """Row index → last period's figure, from the published marts; and, when the marts
    could not be read, why (no file, another program's file, held by a writer).

    The previous period is the one ending the day before this one starts, on the same
    basis: for 期末 any figure at that date (a year's 期末 is the fourth quarter's); for
    累计 the previous month's year-to-date, or in January last year's annual 当期 figure
    (a full year's flow is its December year to date); for 当期 the same kind of period."""
    import duckdb

    if not figures:
        return {}, None
    if not warehouse.is_file():
        return {}, f"no warehouse at {warehouse}"
    wanted = {(f.indicator_code, f.region_code) for f in figures}
    ends = sorted({f.period_start - timedelta(days=1) for f in figures})
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select indicator_code, region_code, period_end_date, period_grain, basis, value "
                "from marts.fct_indicator_observation where period_end_date in "
                f"({', '.join('?' for _ in ends)})",
                ends,
            ).fetchall()
    except duckdb.Error as error:
        # Not a published warehouse (no marts yet, another program's file, a writer holds
        # it): the form is still worth having, without its reference column.
        return {}, f"{warehouse} not readable: {str(error).splitlines()[0][:200]}"
    held: dict[tuple[str, str, date, str, str], float] = {}
    for indicator, region, end, grain, basis, value in rows:
        if (indicator, region) in wanted:
            held[(indicator, region, end, grain, basis)] = value
    found = {}
    for index, figure in enumerate(figures):
        value = _previous(figure, held)
        if value is not None:
            found[index] = value
    return found, None


def _previous(
    figure: ExpectedFigure, held: dict[tuple[str, str, date, str, str], float]
) -> float | None:
    end = figure.period_start - timedelta(days=1)
    key = (figure.indicator_code, figure.region_code, end)
    grain = figure.frequency
    grains = dict.fromkeys((grain, "month", "quarter", "half", "year"))
    if figure.basis == "end":
        # A stock or rate at that date, whatever period it was reported for.
        candidates = [(*key, g, b) for b in ("end", "period") for g in grains]
    elif figure.basis == "ytd":
        candidates = [(*key, g, "ytd") for g in grains]
        if end.month == 12:
            candidates.append((*key, "year", "period"))
    else:
        candidates = [(*key, grain, "period")]
    return next((held[c] for c in candidates if c in held), None)


def _chronological(figure: ExpectedFigure) -> tuple[date, int]:
    return figure.period_end, -figure.period_start.toordinal()


def _title(plan_name: str, span_label: str, department: str | None) -> str:
    return f"{plan_name} 指标数据填报表（统计期：{span_label}{'，' + department if department else ''}）"


INSTRUCTIONS = (
    "填表说明：只在黄色的“数值”“备注”两列填写；数值填数字，不带单位和千分位，"
    "百分比指标填百分数（3.5 表示 3.5%）；暂无数据的留空；其他列已锁定，请勿增删行列或修改表头。"
)


def _header(sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, (header, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, index, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOUR)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width


def _rows(sheet, figures: list[ExpectedFigure], previous: dict[int, float]) -> None:
    from openpyxl.styles import PatternFill, Protection

    fill = PatternFill("solid", fgColor=FILL_COLOUR)
    for index, f in enumerate(figures):
        line = HEADER_ROW + 1 + index
        values = (
            index + 1, f.indicator_code, f.indicator_name, f.region_code, f.region_name,
            f.period_text, f.basis_zh, f.unit, previous.get(index), None, None,
        )  # fmt: skip
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(line, column, value)
            if isinstance(value, str):
                cell.number_format = "@"  # codes stay text (330900, not a number)
        for column in (VALUE_COLUMN, NOTE_COLUMN):
            cell = sheet[f"{column}{line}"]
            cell.fill = fill
            cell.protection = Protection(locked=False)


def _validation(sheet, figures: list[ExpectedFigure]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    common = {
        "type": "decimal",
        "allow_blank": True,
        "showErrorMessage": True,
        "showInputMessage": True,
        "errorTitle": "请填写数字",
    }
    percent = DataValidation(
        operator="between", formula1="0", formula2="100", promptTitle="数值（%）",
        prompt="填百分数，如 3.5 表示 3.5%", error="应为 0–100 之间的数字，不带 % 和单位",
        **common,
    )  # fmt: skip
    amount = DataValidation(
        operator="greaterThanOrEqual", formula1="0", promptTitle="数值",
        prompt="按本行“单位”填数字", error="应为不小于 0 的数字，不带单位和千分位", **common,
    )  # fmt: skip
    for index, figure in enumerate(figures):
        rule = percent if figure.unit == "%" else amount
        rule.add(f"{VALUE_COLUMN}{HEADER_ROW + 1 + index}")
    for rule in (percent, amount):
        if rule.sqref:
            sheet.add_data_validation(rule)


def _protect(sheet) -> None:
    """Lock all but the cells to fill; columns and rows may still be resized."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.selectLockedCells = False
    sheet.protection.selectUnlockedCells = False


def _key_sheet(book, key: TemplateKey) -> None:
    sheet = book.create_sheet(KEY_SHEET)
    for name, value in key.rows():
        sheet.append([name, value])
    sheet.sheet_state = "veryHidden"  # not listed under 取消隐藏: only code reads it


def write_template(
    figures: list[ExpectedFigure],
    out: Path,
    *,
    plan_code: str,
    plan_name: str,
    span: Span,
    department: str | None,
    previous: dict[int, float],
) -> Form:
    """Write the form for ``figures`` to ``out`` (atomically) and say what it holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.workbook.protection import WorkbookProtection

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.merge_cells(f"A1:{NOTE_COLUMN}1")
    sheet.merge_cells(f"A2:{NOTE_COLUMN}2")
    sheet["A1"] = _title(plan_name, span.label, department)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = INSTRUCTIONS
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 32
    _header(sheet)
    _rows(sheet, figures, previous)
    _validation(sheet, figures)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_setup(sheet, sheet["A1"].value, f"{HEADER_ROW}:{HEADER_ROW}")
    _protect(sheet)
    made = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    _key_sheet(book, TemplateKey(plan_code, span.text, department, SHEET, len(figures), made))
    book.security = WorkbookProtection(lockStructure=True)  # no sheet added, removed, shown
    save_atomically(book, out)
    return Form(
        path=out,
        cells=len(figures),
        indicators=len({f.indicator_code for f in figures}),
        regions=len({f.region_code for f in figures}),
        periods=list(dict.fromkeys(f.period_text for f in sorted(figures, key=_chronological))),
        with_previous=len(previous),
    )
