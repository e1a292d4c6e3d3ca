"""Parse an untrusted landing file in a child process with time and memory limits.

A malformed or hostile spreadsheet can make a parser allocate without bound or spin
(decompression bombs, pathological XML, a 2 GB CSV on one line). Each file is parsed
by a fresh interpreter (``python -m hrss_warehouse.ingest.sandbox``: no DuckDB handle,
Airflow thread or open file of the parent is inherited) that caps its own address
space at ``HRSS_PARSE_MEMORY_MB`` before reading a byte; the parent kills it after
``HRSS_PARSE_TIMEOUT_S``. Either failure quarantines the file whole with a reason
(``parse_timeout`` / ``parse_failed``) and the batch goes on.

The child answers in JSON, not pickle: its output is data derived from an untrusted
file and is never executed or unpickled by the parent.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.ingest.normalize import RowProblem
from hrss_warehouse.ingest.parse import SPOOL_COLUMNS, FileResult, file_problem, parse_file
from hrss_warehouse.ingest.readers import Limits

# What a child may hand back. With at most MAX_RECORDS_PER_FILE quarantine records of
# clipped text, a real answer is a few MB; more means something is wrong, and the parent
# must not be the one to run out of memory reading it.
MAX_ANSWER_BYTES = 64 * 1024 * 1024


def _failed(name: str, reason: str, detail: str, *, transient: bool = False) -> FileResult:
    result = FileResult(transient=transient)
    result.add_problem(file_problem(name, RowProblem(reason, None, detail)))
    return result


def parse_isolated(
    path: Path,
    catalog_dir: Path,
    today: date,
    *,
    limits: Limits,
    timeout_s: float,
    memory_mb: int,
    spool_dir: Path,
    name: str | None = None,
    digest: str | None = None,
) -> FileResult:
    """The child writes the observations to a CSV in ``spool_dir``
    (``result.observations_path``, for one bulk insert; the caller deletes it) and its
    answer to a file beside it. Every path is named by content (``digest``), never by the
    delivered ``name``, which only appears in messages."""
    name = name or path.name
    spool_dir.mkdir(parents=True, exist_ok=True)
    stem = spool_dir / f"{digest or 'file'}.{os.getpid()}.{time.monotonic_ns()}"
    spool, answer, errors = (stem.with_suffix(s) for s in (".csv", ".json", ".err"))
    request = {
        "path": str(path),
        "name": name,
        "catalog_dir": str(catalog_dir),
        "today": today.isoformat(),
        "limits": asdict(limits),
        "memory_mb": memory_mb,
        "spool": str(spool),
        "answer": str(answer),
    }
    try:
        return _run_child(request, name, spool, answer, errors, timeout_s, memory_mb)
    finally:
        answer.unlink(missing_ok=True)
        errors.unlink(missing_ok=True)


def _run_child(
    request: dict,
    name: str,
    spool: Path,
    answer: Path,
    errors: Path,
    timeout_s: float,
    memory_mb: int,
) -> FileResult:
    with errors.open("wb") as stderr:
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "hrss_warehouse.ingest.sandbox"],
                input=json.dumps(request).encode(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            spool.unlink(missing_ok=True)
            return _failed(name, "parse_timeout", f"超过 {timeout_s:g} 秒", transient=True)
    size = answer.stat().st_size if answer.exists() else 0
    if completed.returncode != 0 or not size or size > MAX_ANSWER_BYTES:
        spool.unlink(missing_ok=True)
        return _child_failure(name, completed.returncode, _tail(errors), size, memory_mb)
    result = FileResult(**json.loads(answer.read_bytes()))
    if not result.observations_count:
        spool.unlink(missing_ok=True)
        result.observations_path = None
    return result


def _tail(path: Path, limit: int = 4096) -> str:
    """The last line of what the child printed to stderr (a traceback's error line)."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - limit))
        lines = handle.read().decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""


def _child_failure(name: str, code: int, tail: str, size: int, memory_mb: int) -> FileResult:
    if size > MAX_ANSWER_BYTES:
        return _failed(name, "parse_output_too_large", f"{size >> 20} MB")
    # Out of memory: Python's MemoryError under RLIMIT_AS, or the kernel's SIGKILL.
    if "MemoryError" in tail or code == -9:
        return _failed(name, "parse_failed", f"解析时内存超过 {memory_mb} MB", transient=True)
    return _failed(name, "parse_failed", f"解析进程退出（退出码 {code}）{tail[:200]}")


def _main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    limit = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with open(request["spool"], "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SPOOL_COLUMNS)

        def spool(observation: dict) -> None:
            # repr() of a float round-trips exactly; dates are ISO.
            writer.writerow(
                repr(v) if isinstance(v, float) else ("" if v is None else v)
                for v in (observation[c] for c in SPOOL_COLUMNS)
            )

        result = parse_file(
            Path(request["path"]),
            Catalog.load(Path(request["catalog_dir"])),
            date.fromisoformat(request["today"]),
            Limits(**request["limits"]),
            sink=spool,
            name=request["name"],
        )
    result.observations_path = request["spool"]
    with open(request["answer"], "w", encoding="utf-8") as handle:
        json.dump(asdict(result), handle, ensure_ascii=False)


if __name__ == "__main__":
    _main()
