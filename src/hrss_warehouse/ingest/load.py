"""Discover landing files and load them into the working database's ``raw`` schema.

Nothing is lost: every file is archived by sha256 and gets one ledger row with
``rows_in = rows_loaded + rows_quarantined``; every row that cannot be loaded
goes to ``raw.quarantined_rows`` with a stable reason code and a Chinese message.
The same bytes delivered twice load once (the ledger is keyed by sha256).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from hrss_warehouse import workdb
from hrss_warehouse.catalog import Catalog
from hrss_warehouse.config import Settings
from hrss_warehouse.ingest.layout import read_sheet
from hrss_warehouse.ingest.normalize import (
    REASONS,
    RowProblem,
    parse_basis,
    parse_period,
    parse_value,
)
from hrss_warehouse.ingest.readers import SUPPORTED_SUFFIXES, FileProblem, Limits, read_workbook

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discover(settings: Settings) -> list[dict[str, object]]:
    """Files in the landing folder whose bytes are not yet in the ledger, oldest name first."""
    if not settings.landing_dir.is_dir():
        from hrss_warehouse.errors import ConfigError

        raise ConfigError(f"landing folder does not exist: {settings.landing_dir}")
    known = workdb.loaded_hashes(settings.work_db)
    found = []
    for path in sorted(settings.landing_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        digest = sha256_of(path)
        if digest in known:
            log.info("skip %s: identical bytes already loaded (sha256 %s)", path.name, digest[:12])
            continue
        found.append({"path": str(path), "sha256": digest, "size_bytes": path.stat().st_size})
    log.info("discovered %d new landing file(s) in %s", len(found), settings.landing_dir)
    return found


@dataclass
class FileResult:
    observations: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[dict[str, object]] = field(default_factory=list)
    rows_in: int = 0
    sheets: list[str] = field(default_factory=list)
    layout: str | None = None  # long | wide | mixed (sheets differ)
    encoding: str | None = None
    missing_cells: int = 0  # empty/— cells of wide layouts: not observations, not zero
    notes: list[str] = field(default_factory=list)  # what was skipped and why
    # Set when a child process spooled the observations to a CSV for a bulk load
    # (sandbox.parse_isolated) instead of returning them in ``observations``.
    observations_path: str | None = None
    observations_count: int | None = None

    @property
    def rows_loaded(self) -> int:
        if self.observations_count is not None:
            return self.observations_count
        return len(self.observations)

    @property
    def status(self) -> str:
        if not self.rows_loaded:
            return "quarantined"
        return "partially_loaded" if self.quarantined else "loaded"


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
        "value_text": value_text,  # for the department's report only
        "row_number": line or None,
        "sheet_name": sheet or None,
        "column_label": column,
        "field_name": problem.field,
        "reason_code": problem.reason_code,
        "message_zh": problem.message_zh(file_name, line, sheet=sheet, column=column)
        if line
        else f"文件“{file_name}” {REASONS[problem.reason_code]}：{problem.text or ''}".rstrip("："),
        "raw_record": json.dumps(record, ensure_ascii=False) if record else None,
    }


def parse_file(
    path: Path,
    catalog: Catalog,
    today: date,
    limits: Limits | None = None,
    sink: Callable[[dict[str, object]], None] | None = None,
) -> FileResult:
    """Parse one landing file (CSV, .xlsx, .xls; any sheet layout the ``layout``
    module understands) into observation records and quarantine records.

    With ``sink``, each observation is handed to it as soon as it is made (and only
    counted in ``observations_count``), so memory does not grow with the file."""
    result = FileResult(observations_count=0 if sink else None)
    name = path.name

    def reject(
        line: int | None,
        problem: RowProblem,
        record: dict[str, str] | None,
        sheet: str | None = None,
        column: str | None = None,
        value_text: str | None = None,
    ) -> None:
        result.quarantined.append(
            file_problem(name, problem, line, record, sheet, column, value_text)
        )

    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        reject(None, RowProblem("file_type_unsupported", None, path.suffix or "无扩展名"), None)
        return result
    try:
        book = read_workbook(path, limits)
    except FileProblem as problem:
        reject(None, RowProblem(problem.reason_code, None, problem.detail), None)
        return result
    result.encoding, result.notes = book.encoding, list(book.notes)
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
    return result


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
    target = folder / f"{received_at:%Y%m%d}_{digest[:12]}_{Path(file_name).stem}.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS.values())
        for problem in result.quarantined:
            row = {**problem, "file_name": file_name}
            writer.writerow(_spreadsheet_safe(row.get(column)) for column in REPORT_COLUMNS)
    return target


def archive(path: Path, digest: str, archive_dir: Path) -> Path:
    """Keep the original bytes forever, named by content so re-deliveries dedupe."""
    target = archive_dir / digest[:2] / f"{digest}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
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
    """Load the discovered files; one transaction per file so a crash never half-loads one."""
    Catalog.load(settings.catalog_dir)  # a broken catalog fails the task, not every file
    from hrss_warehouse.ingest.sandbox import parse_isolated

    today = datetime.now(UTC).date()
    summary: list[dict[str, object]] = []
    with workdb.connect(settings.work_db) as con:
        for index, item in enumerate(files, start=1):
            path, digest = Path(str(item["path"])), str(item["sha256"])
            already = con.execute(
                "select 1 from raw.file_ledger where file_sha256 = ?", [digest]
            ).fetchone()
            if already:
                continue
            received_at = datetime.now(UTC).replace(tzinfo=None)
            stored = archive(path, digest, settings.archive_dir)
            result = parse_isolated(
                path,
                settings.catalog_dir,
                today,
                limits=Limits(max_file_bytes=settings.max_file_mb * 1024 * 1024),
                timeout_s=settings.parse_timeout_s,
                memory_mb=settings.parse_memory_mb,
                spool_dir=settings.work_dir / "spool",
            )
            rows_loaded = result.rows_loaded
            # A file-level problem has no rows; count it as zero in, zero loaded.
            row_level_quarantined = sum(1 for q in result.quarantined if q["row_number"])
            first_error = result.quarantined[0]["message_zh"] if result.quarantined else None
            con.begin()
            try:
                if result.observations_path:
                    # One bulk insert from the child's spool file: DuckDB's CSV reader,
                    # not a million parameterised statements.
                    con.execute(
                        f"insert into raw.observations ({', '.join(OBSERVATION_COLUMNS)}) "
                        f"select ?, ?, ?, {', '.join(SPOOL_COLUMNS)}, ? "
                        f"from read_csv(?, header = true, columns = {spool_types()}, "
                        "nullstr = '', quote = '\"', escape = '\"')",
                        [batch_id, digest, path.name, received_at, result.observations_path],
                    )
                elif result.observations:
                    con.executemany(
                        f"insert into raw.observations ({', '.join(OBSERVATION_COLUMNS)}) "
                        f"values ({', '.join('?' * len(OBSERVATION_COLUMNS))})",
                        [
                            [
                                batch_id,
                                digest,
                                path.name,
                                *(o[c] for c in OBSERVATION_COLUMNS[3:-1]),
                                received_at,
                            ]
                            for o in result.observations
                        ],
                    )
                if result.quarantined:
                    con.executemany(
                        f"insert into raw.quarantined_rows ({', '.join(QUARANTINE_COLUMNS)}) "
                        f"values ({', '.join('?' * len(QUARANTINE_COLUMNS))})",
                        [
                            [
                                batch_id,
                                digest,
                                path.name,
                                *(q[c] for c in QUARANTINE_COLUMNS[3:-1]),
                                received_at,
                            ]
                            for q in result.quarantined
                        ],
                    )
                ledger = {
                    "file_sha256": digest,
                    "file_name": path.name,
                    "source_path": str(path),
                    "archive_path": str(stored),
                    "size_bytes": int(item["size_bytes"]),
                    "batch_id": batch_id,
                    "received_at": received_at,
                    "rows_in": result.rows_in,
                    "rows_loaded": rows_loaded,
                    "rows_quarantined": row_level_quarantined,
                    "status": result.status,
                    "first_error": first_error,
                    "sheets": "、".join(result.sheets) or None,
                    "layout": result.layout,
                    "encoding": result.encoding,
                    "missing_cells": result.missing_cells,
                    "notes": "；".join(result.notes) or None,
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
            finally:
                if result.observations_path:
                    Path(result.observations_path).unlink(missing_ok=True)
            log.info(
                "[%d/%d] %s: %d rows in, %d loaded, %d quarantined (%s)",
                index,
                len(files),
                path.name,
                result.rows_in,
                rows_loaded,
                row_level_quarantined,
                result.status,
            )
            for problem in result.quarantined[:20]:
                log.warning("quarantined: %s", problem["message_zh"])
            report = None
            if result.quarantined:
                report = write_quarantine_report(
                    settings.report_dir / "quarantine", path.name, digest, received_at, result
                )
                log.warning("quarantine report for the department: %s", report)
            summary.append(
                {
                    "file_name": path.name,
                    "sha256": digest,
                    "rows_in": result.rows_in,
                    "rows_loaded": rows_loaded,
                    "rows_quarantined": row_level_quarantined,
                    "status": result.status,
                    "messages": [q["message_zh"] for q in result.quarantined[:20]],
                    "quarantine_report": str(report) if report else None,
                }
            )
    return {
        "batch_id": batch_id,
        "files": summary,
        "rows_in": sum(int(f["rows_in"]) for f in summary),
        "rows_loaded": sum(int(f["rows_loaded"]) for f in summary),
        "rows_quarantined": sum(int(f["rows_quarantined"]) for f in summary),
    }
