"""Discover landing files and load them into the working database's ``raw`` schema.

Nothing is lost: every file is archived by sha256 and gets one ledger row with
``rows_in = rows_loaded + rows_quarantined``; every row that cannot be loaded
goes to ``raw.quarantined_rows`` with a stable reason code and a Chinese message.
The same bytes delivered twice load once (the ledger is keyed by sha256).

Each file is parsed (``parse.py``) in a child process (``sandbox.py``); this module
records what the child hands back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from hrss_warehouse import workdb
from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.config import Settings
from hrss_warehouse.ingest.landing import Landed, scan
from hrss_warehouse.ingest.normalize import RowProblem
from hrss_warehouse.ingest.parse import (
    OBSERVATION_COLUMNS,
    SPOOL_COLUMNS,
    FileResult,
    file_problem,
)
from hrss_warehouse.ingest.readers import Limits
from hrss_warehouse.ingest.sandbox import parse_isolated

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
        # The open working DB is DuckDB's one writer: no other ingest is parsing now, so
        # whatever the spool holds was left by a run killed mid-parse.
        _clear_spool(settings.work_dir / "spool")
        for index, item in enumerate(files, start=1):
            landed = Landed(**item)  # type: ignore[arg-type]
            load = _load_file(con, settings, batch_id, landed, today)
            if load is not None:
                summary.append(_file_summary(settings, index, len(files), load))
    return {
        "batch_id": batch_id,
        "files": summary,
        "rows_in": sum(int(f["rows_in"]) for f in summary),
        "rows_loaded": sum(int(f["rows_loaded"]) for f in summary),
        "rows_quarantined": sum(int(f["rows_quarantined"]) for f in summary),
    }


@dataclass
class _FileLoad:
    """One landed file in this batch: what its parse found and what became of it."""

    landed: Landed
    result: FileResult
    status: str  # loaded | partially_loaded | quarantined | deferred
    attempt: int  # parse attempts spent on these bytes, this one included
    received_at: datetime

    @property
    def deferred(self) -> bool:
        return self.status == "deferred"

    @property
    def rows_loaded(self) -> int:
        """A deferred file loads nothing this time, whatever its parse found."""
        return 0 if self.deferred else self.result.rows_loaded


def _load_file(
    con, settings: Settings, batch_id: str, landed: Landed, today: date
) -> _FileLoad | None:
    """Parse one landed file and record it; None if an earlier run settled these bytes
    since they were discovered."""
    attempts = _previous_attempts(con, landed.sha256)
    if attempts is None:
        return None
    received_at = datetime.now(UTC).replace(tzinfo=None)
    result = _parse_landed(settings, landed, today)
    status = _status(result, attempts + 1, settings.parse_attempts, landed.file_name)
    load = _FileLoad(landed, result, status, attempts + 1, received_at)
    try:
        _record(con, batch_id, load)
    finally:
        if result.observations_path:
            Path(result.observations_path).unlink(missing_ok=True)
    return load


def _clear_spool(spool_dir: Path) -> None:
    """Delete what killed parses left in ``spool_dir`` (a child's observations, answer
    and stderr, named by sha256 and pid); the caller makes sure no parse is running."""
    leftovers = [p for p in spool_dir.glob("*") if p.is_file()] if spool_dir.is_dir() else []
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    if leftovers:
        log.info("removed %d file(s) a killed run left in %s", len(leftovers), spool_dir)


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


def _record(con, batch_id: str, load: _FileLoad) -> None:
    """Observations, quarantine records and the ledger row of one file, all or nothing.
    A deferred file gets only its ledger row (with the attempt count)."""
    con.begin()
    try:
        con.execute("delete from raw.file_ledger where file_sha256 = ?", [load.landed.sha256])
        if not load.deferred:
            _insert_observations(con, batch_id, load)
            _insert_quarantined(con, batch_id, load)
        ledger = _ledger_row(batch_id, load)
        con.execute(
            f"insert into raw.file_ledger ({', '.join(ledger)}) "
            f"values ({', '.join('?' * len(ledger))})",
            list(ledger.values()),
        )
        con.commit()
    except Exception:
        con.rollback()
        raise


def _ledger_row(batch_id: str, load: _FileLoad) -> dict[str, object]:
    """The file's ledger row: where it came from, what it held and what became of it."""
    landed, result = load.landed, load.result
    return {
        "file_sha256": landed.sha256,
        "file_name": landed.file_name,
        "source_path": landed.source_path,
        "archive_path": landed.archive_path,
        "size_bytes": landed.size_bytes,
        "batch_id": batch_id,
        "received_at": load.received_at,
        "rows_in": result.rows_in,
        "rows_loaded": load.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "status": load.status,
        "first_error": result.quarantined[0]["message_zh"] if result.quarantined else None,
        "sheets": "、".join(result.sheets) or None,
        "layout": result.layout,
        "encoding": result.encoding,
        "missing_cells": result.missing_cells,
        "notes": "；".join(result.notes) or None,
        "attempts": load.attempt,
    }


def _insert_observations(con, batch_id: str, load: _FileLoad) -> None:
    """The file's observations into raw.observations: spooled ones in bulk."""
    landed, result, received_at = load.landed, load.result, load.received_at
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


def _insert_quarantined(con, batch_id: str, load: _FileLoad) -> None:
    """The file's quarantine records into raw.quarantined_rows."""
    landed, result = load.landed, load.result
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
                    load.received_at,
                ]
                for q in result.quarantined
            ],
        )


def _file_summary(settings: Settings, index: int, total: int, load: _FileLoad) -> dict[str, object]:
    """Log the file's outcome, write the department's quarantine report, and say what
    happened in the run summary."""
    landed, result, status = load.landed, load.result, load.status
    log.info(
        "[%d/%d] %s: %d rows in, %d loaded, %d quarantined (%s)",
        index,
        total,
        landed.file_name,
        result.rows_in,
        load.rows_loaded,
        result.rows_quarantined,
        status,
    )
    for problem in result.quarantined[:20]:
        log.warning("quarantined: %s", problem["message_zh"])
    report = None
    if result.quarantined and not load.deferred:
        report = write_quarantine_report(
            settings.report_dir / "quarantine",
            landed.file_name,
            landed.sha256,
            load.received_at,
            result,
        )
        log.warning("quarantine report for the department: %s", report)
    return {
        "file_name": landed.file_name,
        "sha256": landed.sha256,
        "rows_in": result.rows_in,
        "rows_loaded": load.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "status": status,
        "messages": [q["message_zh"] for q in result.quarantined[:20]],
        "quarantine_report": str(report) if report else None,
    }
