"""Discover landing files and load them into the working database's ``raw`` schema.

Nothing is lost: every file is archived by sha256 and gets one ledger row with
``rows_in = rows_loaded + rows_quarantined``; every row that cannot be loaded
goes to ``raw.quarantined_rows`` with a stable reason code and a Chinese message.
The same bytes delivered twice load once (the ledger is keyed by sha256).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from hrss_warehouse import workdb
from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.config import Settings
from hrss_warehouse.ingest.landing import Landed, scan
from hrss_warehouse.ingest.layout import read_sheet
from hrss_warehouse.ingest.normalize import (
    MAX_TEXT_CHARS,
    REASONS,
    RowProblem,
    clip,
    parse_basis,
    parse_period,
    parse_value,
)
from hrss_warehouse.ingest.readers import SUPPORTED_SUFFIXES, FileProblem, Limits, read_workbook

log = logging.getLogger(__name__)


def discover(settings: Settings) -> list[dict[str, object]]:
    """New entries of the landing folder (ingest/landing.py says which are taken): each
    new file archived by sha256, each link or special file refused, in name order."""
    if not settings.landing_dir.is_dir():
        from hrss_warehouse.errors import ConfigError

        raise ConfigError(f"landing folder does not exist: {settings.landing_dir}")
    found = scan(
        settings.landing_dir,
        settings.archive_dir,
        workdb.settled_hashes(settings.work_db),
        settle_s=settings.landing_settle_s,
    )
    log.info("discovered %d new landing file(s) in %s", len(found), settings.landing_dir)
    return [landed.as_dict() for landed in found]


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
) -> dict[str, object]:
    """One quarantine record: a row's (with ``line``) or the whole file's (without)."""
    return {
        "value_text": clip(value_text, 200),  # for the department's report only
        "row_number": line or None,
        "sheet_name": sheet or None,
        "column_label": column,
        "field_name": problem.field,
        "reason_code": problem.reason_code,
        "message_zh": problem.message_zh(file_name, line, sheet=sheet, column=column)
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
    name = name or path.name
    clipped = [0]  # free-text fields cut to MAX_TEXT_CHARS

    def reject(
        line: int | None,
        problem: RowProblem,
        record: dict[str, str] | None,
        sheet: str | None = None,
        column: str | None = None,
        value_text: str | None = None,
    ) -> None:
        result.add_problem(file_problem(name, problem, line, record, sheet, column, value_text))

    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        reject(None, RowProblem("file_type_unsupported", None, path.suffix or "无扩展名"), None)
        return result
    try:
        book = read_workbook(path, limits)
    except FileProblem as problem:
        reject(None, RowProblem(problem.reason_code, None, problem.detail), None)
        return result
    result.encoding = book.encoding
    units = {unit for pair in catalog.conversions for unit in pair}
    layouts: set[str] = set()
    seen: set[tuple[str, ...]] = set()
    for sheet in book.sheets:
        result.sheets.append(sheet.name)
        found = read_sheet(sheet, catalog, units)
        produced = bool(found.unreadable)
        for line, problem, record in found.unreadable:
            if line:
                result.rows_in += 1
            reject(line, problem, record, sheet.name)
        for candidate in found.candidates:
            produced = True
            result.rows_in += 1
            try:
                observation = _parse_row(candidate.fields.get, catalog, today)
            except RowProblem as problem:
                reject(
                    candidate.line,
                    problem,
                    candidate.record,
                    sheet.name,
                    candidate.column_label,
                    candidate.fields.get("value"),
                )
                continue
            key = (
                observation["indicator_code"],
                observation["region_code"],
                observation["period_code"],
                observation["period_grain"],
                observation["basis"],
            )
            if key in seen:
                reject(
                    candidate.line,
                    RowProblem("duplicate_in_file", None, None),
                    candidate.record,
                    sheet.name,
                    candidate.column_label,
                )
                continue
            seen.add(key)
            observation.update(
                row_number=candidate.line,
                sheet_name=sheet.name or None,
                column_label=candidate.column_label,
            )
            clipped[0] += _clip_texts(observation)
            if sink:
                sink(observation)
                result.observations_count = (result.observations_count or 0) + 1
            else:
                result.observations.append(observation)
        if produced:
            layouts.add(found.layout)
        result.missing_cells += found.missing_cells
        where = f"工作表“{sheet.name}”" if sheet.name else ""
        if found.skipped_rows:
            result.notes.append(f"{where}跳过{found.skipped_rows}行注释/重复表头")
        if found.skipped_columns:
            result.notes.append(f"{where}合计列为行合计，未作为数据载入")
    result.layout = layouts.pop() if len(layouts) == 1 else ("mixed" if layouts else None)
    if not result.rows_in and not result.quarantined:
        reject(None, RowProblem("file_empty", None, "没有数据行"), None)
    result.summarise_omitted(name)
    # The workbook's notes last: a CSV's are only complete once its rows were read.
    result.notes = list(book.notes) + result.notes
    if clipped[0]:
        result.notes.append(f"{clipped[0]}处文字超过 {MAX_TEXT_CHARS} 字，已截断（原文件已存档）")
    return result


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


REPORT_COLUMNS = {
    "file_name": "文件",
    "sheet_name": "工作表",
    "row_number": "行号",
    "column_label": "列",
    "value_text": "数值（原文）",
    "reason_code": "原因代码",
    "message_zh": "说明",
    "raw_record": "原始内容",
}


def _spreadsheet_safe(value: object) -> str:
    """A cell Excel would run as a formula (=cmd|…, +, -, @) is written with a leading
    apostrophe: the report goes back to a department that opens it in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_quarantine_report(
    folder: Path, file_name: str, digest: str, received_at: datetime, result: FileResult
) -> Path:
    """Every row that was not loaded, in Chinese, as a CSV a data engineer can send
    back to the department (UTF-8 with BOM so Excel shows the Chinese)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    # Named by content, never by the delivered name (80 Chinese characters overflow the
    # file system's 255-byte limit; a name may hold any byte): the CSV names the file.
    target = folder / f"{received_at:%Y%m%d}_{digest[:12]}.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS.values())
        for problem in result.quarantined:
            row = {**problem, "file_name": file_name}
            writer.writerow(_spreadsheet_safe(row.get(column)) for column in REPORT_COLUMNS)
    return target


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
_SPOOL_TYPES = {
    "row_number": "INTEGER",
    "period_start_date": "DATE",
    "period_end_date": "DATE",
    "value": "DOUBLE",
}


def spool_types() -> str:
    """The DuckDB ``columns =`` struct for reading a spool file (every column typed, so
    nothing is sniffed from untrusted text)."""
    return (
        "{" + ", ".join(f"'{c}': '{_SPOOL_TYPES.get(c, 'VARCHAR')}'" for c in SPOOL_COLUMNS) + "}"
    )


QUARANTINE_COLUMNS = [
    "batch_id",
    "file_sha256",
    "file_name",
    "row_number",
    "sheet_name",
    "column_label",
    "field_name",
    "reason_code",
    "message_zh",
    "raw_record",
    "quarantined_at",
]


def ingest_files(
    settings: Settings, files: list[dict[str, object]], batch_id: str
) -> dict[str, object]:
    """Load the discovered files; one transaction per file so a crash never half-loads
    one, and whatever one file holds, the others are loaded."""
    Catalog.load(settings.catalog_dir)  # a broken catalog fails the task, not every file
    today = datetime.now(UTC).date()
    summary: list[dict[str, object]] = []
    with workdb.connect(settings.work_db) as con:
        for index, item in enumerate(files, start=1):
            landed = Landed(**item)  # type: ignore[arg-type]
            attempts = _previous_attempts(con, landed.sha256)
            if attempts is None:
                continue  # settled by an earlier run since discovery
            received_at = datetime.now(UTC).replace(tzinfo=None)
            result = _parse_landed(settings, landed, today)
            status = _status(result, attempts + 1, settings.parse_attempts, landed.file_name)
            try:
                _record(con, batch_id, landed, result, status, attempts + 1, received_at)
            finally:
                if result.observations_path:
                    Path(result.observations_path).unlink(missing_ok=True)
            summary.append(
                _file_summary(settings, index, len(files), landed, result, status, received_at)
            )
    return {
        "batch_id": batch_id,
        "files": summary,
        "rows_in": sum(int(f["rows_in"]) for f in summary),
        "rows_loaded": sum(int(f["rows_loaded"]) for f in summary),
        "rows_quarantined": sum(int(f["rows_quarantined"]) for f in summary),
    }


def _previous_attempts(con, digest: str) -> int | None:
    """Parse attempts already spent on these bytes (0: new); None once they are settled
    (loaded or quarantined for good)."""
    row = con.execute(
        "select status, coalesce(attempts, 1) from raw.file_ledger where file_sha256 = ?",
        [digest],
    ).fetchone()
    if row is None:
        return 0
    return int(row[1]) if row[0] == "deferred" else None


def _parse_landed(settings: Settings, landed: Landed, today: date) -> FileResult:
    from hrss_warehouse.ingest.sandbox import parse_isolated

    if landed.refused:
        result = FileResult()
        result.add_problem(
            file_problem(landed.file_name, RowProblem(landed.refused, None, landed.detail))
        )
        return result
    return parse_isolated(
        Path(str(landed.archive_path)),
        settings.catalog_dir,
        today,
        name=landed.file_name,
        digest=landed.sha256,
        limits=Limits(max_file_bytes=settings.max_file_mb * 1024 * 1024),
        timeout_s=settings.parse_timeout_s,
        memory_mb=settings.parse_memory_mb,
        spool_dir=settings.work_dir / "spool",
    )


def _status(result: FileResult, attempt: int, allowed: int, file_name: str) -> str:
    """A parse that ran out of time or memory is deferred to the next run until its
    attempts are spent; then it is quarantined like any other file that cannot load."""
    if not result.transient:
        return result.status
    problem = result.quarantined[0]
    if attempt < allowed:
        problem["message_zh"] = (
            f"{problem['message_zh']}（第 {attempt}/{allowed} 次尝试，下次运行将重试）"
        )
        return "deferred"
    problem["message_zh"] = f"{problem['message_zh']}（已尝试 {attempt} 次，不再重试）"
    return result.status


def _record(
    con,
    batch_id: str,
    landed: Landed,
    result: FileResult,
    status: str,
    attempt: int,
    received_at: datetime,
) -> None:
    """Observations, quarantine records and the ledger row of one file, all or nothing.
    A deferred file gets only its ledger row (with the attempt count)."""
    rows_quarantined = result.rows_quarantined
    con.begin()
    try:
        con.execute("delete from raw.file_ledger where file_sha256 = ?", [landed.sha256])
        if status != "deferred":
            _insert_observations(con, batch_id, landed, result, received_at)
            _insert_quarantined(con, batch_id, landed, result, received_at)
        ledger = {
            "file_sha256": landed.sha256,
            "file_name": landed.file_name,
            "source_path": landed.source_path,
            "archive_path": landed.archive_path,
            "size_bytes": landed.size_bytes,
            "batch_id": batch_id,
            "received_at": received_at,
            "rows_in": result.rows_in,
            "rows_loaded": result.rows_loaded if status != "deferred" else 0,
            "rows_quarantined": rows_quarantined,
            "status": status,
            "first_error": result.quarantined[0]["message_zh"] if result.quarantined else None,
            "sheets": "、".join(result.sheets) or None,
            "layout": result.layout,
            "encoding": result.encoding,
            "missing_cells": result.missing_cells,
            "notes": "；".join(result.notes) or None,
            "attempts": attempt,
        }
        con.execute(
            f"insert into raw.file_ledger ({', '.join(ledger)}) "
            f"values ({', '.join('?' * len(ledger))})",
            list(ledger.values()),
        )
        con.commit()
    except Exception:
        con.rollback()
        raise


def _insert_observations(con, batch_id, landed: Landed, result: FileResult, received_at) -> None:
    if result.observations_path:
        # One bulk insert from the child's spool file: DuckDB's CSV reader, not a million
        # parameterised statements. Every field is clipped (MAX_TEXT_CHARS), so a line is
        # far below the reader's limit.
        con.execute(
            f"insert into raw.observations ({', '.join(OBSERVATION_COLUMNS)}) "
            f"select ?, ?, ?, {', '.join(SPOOL_COLUMNS)}, ? "
            f"from read_csv(?, header = true, columns = {spool_types()}, "
            "nullstr = '', quote = '\"', escape = '\"', max_line_size = 16777216)",
            [batch_id, landed.sha256, landed.file_name, received_at, result.observations_path],
        )
    elif result.observations:
        con.executemany(
            f"insert into raw.observations ({', '.join(OBSERVATION_COLUMNS)}) "
            f"values ({', '.join('?' * len(OBSERVATION_COLUMNS))})",
            [
                [
                    batch_id,
                    landed.sha256,
                    landed.file_name,
                    *(o[c] for c in OBSERVATION_COLUMNS[3:-1]),
                    received_at,
                ]
                for o in result.observations
            ],
        )


def _insert_quarantined(con, batch_id, landed: Landed, result: FileResult, received_at) -> None:
    if result.quarantined:
        con.executemany(
            f"insert into raw.quarantined_rows ({', '.join(QUARANTINE_COLUMNS)}) "
            f"values ({', '.join('?' * len(QUARANTINE_COLUMNS))})",
            [
                [
                    batch_id,
                    landed.sha256,
                    landed.file_name,
                    *(q[c] for c in QUARANTINE_COLUMNS[3:-1]),
                    received_at,
                ]
                for q in result.quarantined
            ],
        )


def _file_summary(
    settings: Settings,
    index: int,
    total: int,
    landed: Landed,
    result: FileResult,
    status: str,
    received_at: datetime,
) -> dict[str, object]:
    """Log the file's outcome, write the department's quarantine report, and say what
    happened in the run summary."""
    loaded = result.rows_loaded if status != "deferred" else 0
    log.info(
        "[%d/%d] %s: %d rows in, %d loaded, %d quarantined (%s)",
        index,
        total,
        landed.file_name,
        result.rows_in,
        loaded,
        result.rows_quarantined,
        status,
    )
    for problem in result.quarantined[:20]:
        log.warning("quarantined: %s", problem["message_zh"])
    report = None
    if result.quarantined and status != "deferred":
        report = write_quarantine_report(
            settings.report_dir / "quarantine",
            landed.file_name,
            landed.sha256,
            received_at,
            result,
        )
        log.warning("quarantine report for the department: %s", report)
    return {
        "file_name": landed.file_name,
        "sha256": landed.sha256,
        "rows_in": result.rows_in,
        "rows_loaded": loaded,
        "rows_quarantined": result.rows_quarantined,
        "status": status,
        "messages": [q["message_zh"] for q in result.quarantined[:20]],
        "quarantine_report": str(report) if report else None,
    }
