"""Read a landing file into (line number, cells) rows.

The canonical landing format is UTF-8 CSV (with or without BOM), one row per
observation. Line numbers are the file's own (header = line 1) so a message
like “第12行” points at the line a department sees in its spreadsheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = {".csv"}


@dataclass
class FileProblem(Exception):
    reason_code: str
    detail: str


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(path: Path) -> Table:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem("file_not_utf8", f"第{exc.start + 1}字节无法按UTF-8解码") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines carry nothing; they are not observations
        if header is None:
            header = cells
        else:
            rows.append((line, cells))
    if header is None:
        raise FileProblem("file_empty", "没有表头")
    return Table(header, rows)
