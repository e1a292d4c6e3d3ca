"""Parse one landing file into observation and quarantine records, touching nothing else.

This is the half of loading that runs on untrusted bytes, so it is what the sandbox's
child process runs (``sandbox.py``): it reads the file and the catalog, and writes no
database, archive or report. ``load.py`` records what it returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.ingest.layout import Candidate, read_sheet
from hrss_warehouse.ingest.normalize import (
    MAX_TEXT_CHARS,
    REASONS,
    RowProblem,
    clip,
    is_missing,
    parse_basis,
    parse_period,
    parse_value,
)
from hrss_warehouse.ingest.readers import (
    SUPPORTED_SUFFIXES,
    FileProblem,
    Limits,
    Sheet,
    Workbook,
    column_letter,
    read_workbook,
)
from hrss_warehouse.ingest.template_key import TemplateKey

# At most this many quarantine records per file are kept one by one; the rest are
# counted per reason in one record each (a sheet of 10,000 bad cells says so in a few
# lines, not 10,000), so what a child process hands back stays small.
MAX_RECORDS_PER_FILE = 1000


@dataclass
class FileResult:
    observations: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[dict[str, object]] = field(default_factory=list)
    rows_in: int = 0
    # Rows (or wide-sheet cells) not loaded, counted even beyond the records kept.
    rows_quarantined: int = 0
    sheets: list[str] = field(default_factory=list)
    layout: str | None = None  # long | wide | mixed (sheets differ)
    encoding: str | None = None
    missing_cells: int = 0  # empty/— cells of wide layouts: not observations, not zero
    notes: list[str] = field(default_factory=list)  # what was skipped and why
    # Set when a child process spooled the observations to a CSV for a bulk load
    # (sandbox.parse_isolated) instead of returning them in ``observations``.
    observations_path: str | None = None
    observations_count: int | None = None
    # The parse ran out of time or memory: maybe only a busy machine, so tried again.
    transient: bool = False
    omitted: dict[str, int] = field(default_factory=dict)  # reason → records not kept

    @property
    def rows_loaded(self) -> int:
        if self.observations_count is not None:
            return self.observations_count
        return len(self.observations)

    @property
    def status(self) -> str:
        if not self.rows_loaded:
            return "quarantined"
        return "partially_loaded" if self.quarantined or self.rows_quarantined else "loaded"

    def add_problem(self, record: dict[str, object]) -> None:
        """Keep a quarantine record, or count it once the file has enough of them."""
        if record["row_number"]:
            self.rows_quarantined += 1
        if len(self.quarantined) < MAX_RECORDS_PER_FILE or not record["row_number"]:
            self.quarantined.append(record)
        else:
            reason = str(record["reason_code"])
            self.omitted[reason] = self.omitted.get(reason, 0) + 1

    def summarise_omitted(self, file_name: str) -> None:
        for reason, count in sorted(self.omitted.items()):
            self.quarantined.append(
                {
                    "value_text": None,
                    "row_number": None,
                    "sheet_name": None,
                    "column_label": None,
                    "field_name": None,
                    "reason_code": reason,
                    "message_zh": f"文件“{file_name}” 另有 {count} 行（或单元格）{REASONS[reason]}，"
                    f"未逐条列出（每个文件最多列出 {MAX_RECORDS_PER_FILE} 条）",
                    "raw_record": None,
                }
            )
        self.omitted = {}


def file_problem(
    file_name: str,
    problem: RowProblem,
    line: int | None = None,
    record: dict[str, str] | None = None,
    sheet: str | None = None,
    column: str | None = None,
    value_text: str | None = None,
    cell: str | None = None,
) -> dict[str, object]:
    """One quarantine record: a row's (with ``line``) or the whole file's (without);
    ``cell`` is the spreadsheet address of the cell at fault (J7), when there is one."""
    return {
        "value_text": clip(value_text, 200),  # for the department's report only
        "row_number": line or None,
        "sheet_name": sheet or None,
        "column_label": column,
        "field_name": problem.field,
        "reason_code": problem.reason_code,
        "message_zh": problem.message_zh(file_name, line, sheet=sheet, column=column, cell=cell)
        if line
        else f"文件“{file_name}” {REASONS[problem.reason_code]}：{clip(problem.text, 500) or ''}".rstrip(
            "："
        ),
        "raw_record": clip(json.dumps(record, ensure_ascii=False)) if record else None,
    }


def parse_file(
    path: Path,
    catalog: Catalog,
    today: date,
    limits: Limits | None = None,
    sink: Callable[[dict[str, object]], None] | None = None,
    name: str | None = None,
) -> FileResult:
    """Parse one landing file (CSV, .xlsx, .xls; any sheet layout the ``layout``
    module understands) into observation records and quarantine records.

    With ``sink``, each observation is handed to it as soon as it is made (and only
    counted in ``observations_count``), so memory does not grow with the file.
    ``name`` is the file's name as delivered (messages use it; the file read may be
    the archived copy, named by sha256)."""
    result = FileResult(observations_count=0 if sink else None)
    parse = _FileParse(name or path.name, catalog, today, sink, result)
    book = parse.open_book(path, limits)
    if book is None:
        return result
    units = {unit for pair in catalog.conversions for unit in pair}
    layouts: set[str] = set()
    for sheet in book.sheets:
        if layout := parse.read(sheet, units):
            layouts.add(layout)
    parse.finish(layouts, book.notes)
    return result


@dataclass
class _FileParse:
    """One file's parse under way: where its records go and what it has seen so far."""

    name: str  # the file's name as delivered, for messages
    catalog: Catalog
    today: date
    sink: Callable[[dict[str, object]], None] | None
    result: FileResult
    # (indicator, region, period, grain, basis) of each observation kept: a second is a
    # duplicate.
    seen: set[tuple[object, ...]] = field(default_factory=set)
    clipped: int = 0  # free-text fields cut to MAX_TEXT_CHARS
    # The key of a form `hrss template` wrote (ingest/template_key.py), and how many of
    # its value cells came filled and empty.
    template: TemplateKey | None = None
    filled: int = 0
    unfilled: int = 0

    def reject(
        self,
        line: int | None,
        problem: RowProblem,
        record: dict[str, str] | None,
        sheet: str | None = None,
        column: str | None = None,
        value_text: str | None = None,
        cell: str | None = None,
    ) -> None:
        """Quarantine a row (with ``line``) or the whole file (without)."""
        self.result.add_problem(
            file_problem(self.name, problem, line, record, sheet, column, value_text, cell)
        )

    def open_book(self, path: Path, limits: Limits | None) -> Workbook | None:
        """The file's workbook; None, the whole file quarantined, if it cannot be read."""
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            self.reject(
                None, RowProblem("file_type_unsupported", None, path.suffix or "无扩展名"), None
            )
            return None
        try:
            book = read_workbook(path, limits)
        except FileProblem as problem:
            self.reject(None, RowProblem(problem.reason_code, None, problem.detail), None)
            return None
        self.result.encoding = book.encoding
        self.template = book.template
        return book

    def read(self, sheet: Sheet, units: set[str]) -> str | None:
        """Take one sheet's rows into the result; the sheet's layout if it had any rows."""
        result = self.result
        result.sheets.append(sheet.name)
        found = read_sheet(sheet, self.catalog, units)
        produced = bool(found.unreadable)
        for line, problem, record in found.unreadable:
            if line:
                result.rows_in += 1
            self.reject(line, problem, record, sheet.name)
        form = self.template is not None and sheet.name == self.template.sheet
        for candidate in found.candidates:
            produced = True
            if form and is_missing(candidate.fields.get("value")):
                # A template's empty value cell is a figure not yet reported, not a row.
                self.unfilled += 1
                result.missing_cells += 1
                continue
            self.filled += form
            result.rows_in += 1
            self.take(candidate, sheet, found.field_columns)
        result.missing_cells += found.missing_cells
        where = f"工作表“{sheet.name}”" if sheet.name else ""
        if found.skipped_rows:
            result.notes.append(f"{where}跳过{found.skipped_rows}行注释/重复表头")
        if found.skipped_columns:
            result.notes.append(f"{where}合计列为行合计，未作为数据载入")
        return found.layout if produced else None

    def take(self, candidate: Candidate, sheet: Sheet, field_columns: dict[str, int]) -> None:
        """Keep one candidate as an observation, or quarantine it: unparseable or a
        duplicate of one already kept."""
        sheet_name = sheet.name
        try:
            observation = _parse_row(candidate.fields.get, self.catalog, self.today)
        except RowProblem as problem:
            self.reject(
                candidate.line,
                problem,
                candidate.record,
                sheet_name,
                candidate.column_label,
                candidate.fields.get("value"),
                _cell(sheet, candidate, field_columns, problem.field),
            )
            return
        key = (
            observation["indicator_code"],
            observation["region_code"],
            observation["period_code"],
            observation["period_grain"],
            observation["basis"],
        )
        if key in self.seen:
            self.reject(
                candidate.line,
                RowProblem("duplicate_in_file", None, None),
                candidate.record,
                sheet_name,
                candidate.column_label,
            )
            return
        self.seen.add(key)
        observation.update(
            row_number=candidate.line,
            sheet_name=sheet_name or None,
            column_label=candidate.column_label,
        )
        self.clipped += _clip_texts(observation)
        if self.sink:
            self.sink(observation)
            self.result.observations_count = (self.result.observations_count or 0) + 1
        else:
            self.result.observations.append(observation)

    def finish(self, layouts: set[str], book_notes: list[str]) -> None:
        """The file's layout, its emptiness, its omitted records counted and its notes."""
        result = self.result
        result.layout = layouts.pop() if len(layouts) == 1 else ("mixed" if layouts else None)
        # The key counts only when the sheet it names was read.
        key = self.template if self.template and self.template.sheet in result.sheets else None
        if key is not None:
            result.notes.append(
                f"按填报模板读取（{key.describe()}）：应填 {key.cells} 项，"
                f"已填 {self.filled} 项，未填 {self.unfilled} 项"
            )
        if not result.rows_in and not result.quarantined:
            empty = "模板未填写任何数值" if key is not None else "没有数据行"
            self.reject(None, RowProblem("file_empty", None, empty), None)
        result.summarise_omitted(self.name)
        # The workbook's notes last: a CSV's are only complete once its rows were read.
        result.notes = list(book_notes) + result.notes
        if self.clipped:
            result.notes.append(
                f"{self.clipped}处文字超过 {MAX_TEXT_CHARS} 字，已截断（原文件已存档）"
            )


def _cell(
    sheet: Sheet, candidate: Candidate, field_columns: dict[str, int], field_name: str | None
) -> str | None:
    """The spreadsheet address (J7) of the cell a problem with ``field_name`` is in."""
    if not sheet.lettered or field_name is None:
        return None
    column = candidate.value_column if field_name == "value" else field_columns.get(field_name)
    return f"{column_letter(column)}{candidate.line}" if column is not None else None


def _clip_texts(observation: dict[str, object]) -> int:
    """Cut an observation's free-text fields to MAX_TEXT_CHARS; how many were cut."""
    cut = 0
    for key in _FREE_TEXT:
        value = observation.get(key)
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            observation[key] = clip(value)
            cut += 1
    return cut


def _parse_row(get, catalog: Catalog, today: date) -> dict[str, object]:
    def cell(column: str) -> str:
        return (get(column) or "").strip()

    code_text, name_text = cell("indicator_code"), cell("indicator_name")
    if not code_text and not name_text:
        raise RowProblem("indicator_missing", "indicator_name", None)
    indicator = catalog.resolve_indicator(code_text, name_text)
    if indicator is None:
        field_name = "indicator_code" if code_text else "indicator_name"
        raise RowProblem("indicator_unknown", field_name, code_text or name_text)

    region_code_text, region_name_text = cell("region_code"), cell("region_name")
    if not region_code_text and not region_name_text:
        raise RowProblem("region_missing", "region_name", None)
    region = catalog.resolve_region(region_code_text, region_name_text)
    if region is None:
        field_name = "region_code" if region_code_text else "region_name"
        raise RowProblem("region_unknown", field_name, region_code_text or region_name_text)

    period = parse_period(cell("period"))
    if period.end_date > today:
        raise RowProblem("period_in_future", "period", cell("period"))
    basis = parse_basis(cell("basis"), period)
    value = parse_value(cell("value"))

    unit_text = cell("unit")
    if not unit_text and cell("value").endswith("%"):
        unit_text = "%"
    if not unit_text:
        raise RowProblem("unit_missing", "unit", None)
    target_unit = catalog.indicator_units[indicator]
    factor = catalog.conversion_factor(unit_text, target_unit)
    if factor is None:
        raise RowProblem("unit_not_convertible", "unit", f"{unit_text}→{target_unit}")

    return {
        "indicator_code": indicator,
        "region_code": region,
        "period_code": period.code,
        "period_grain": period.grain,
        "period_start_date": period.start_date,
        "period_end_date": period.end_date,
        "basis": basis,
        # Round away binary noise from the conversion (0.0001 × 21078 = 2.1078000000000001).
        "value": round(value * factor, 10),
        "unit": target_unit,
        "value_as_reported": cell("value"),
        "unit_as_reported": unit_text,
        "source": cell("source") or None,
        "note": cell("note") or None,
    }


OBSERVATION_COLUMNS = [
    "batch_id",
    "file_sha256",
    "file_name",
    "row_number",
    "indicator_code",
    "region_code",
    "period_code",
    "period_grain",
    "period_start_date",
    "period_end_date",
    "basis",
    "value",
    "unit",
    "value_as_reported",
    "unit_as_reported",
    "source",
    "note",
    "sheet_name",
    "column_label",
    "received_at",
]
# The observation fields a child process spools (everything but batch, file and time).
SPOOL_COLUMNS = OBSERVATION_COLUMNS[3:-1]
# The free-text fields a department fills: the ones _clip_texts cuts to MAX_TEXT_CHARS.
_FREE_TEXT = tuple(OBSERVATION_COLUMNS[OBSERVATION_COLUMNS.index("value_as_reported") : -1])
