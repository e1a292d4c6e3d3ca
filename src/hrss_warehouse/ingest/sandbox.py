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

from hrss_warehouse.catalog import Catalog
from hrss_warehouse.ingest.load import SPOOL_COLUMNS, FileResult, file_problem, parse_file
from hrss_warehouse.ingest.normalize import RowProblem
from hrss_warehouse.ingest.readers import Limits

_DATE_FIELDS = ("period_start_date", "period_end_date")


def _failed(path: Path, reason: str, detail: str) -> FileResult:
    result = FileResult()
    result.quarantined.append(file_problem(path.name, RowProblem(reason, None, detail)))
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
) -> FileResult:
    """The child writes the observations to a CSV in ``spool_dir``
    (``result.observations_path``, for one bulk insert; the caller deletes it) and
    answers with everything else."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    spool = spool_dir / f"{path.name}.{os.getpid()}.{time.monotonic_ns()}.csv"
    request = {
        "path": str(path),
        "catalog_dir": str(catalog_dir),
        "today": today.isoformat(),
        "limits": asdict(limits),
        "memory_mb": memory_mb,
        "spool": str(spool),
    }
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "hrss_warehouse.ingest.sandbox"],
            input=json.dumps(request).encode(),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        spool.unlink(missing_ok=True)
        return _failed(path, "parse_timeout", f"超过 {timeout_s:g} 秒")
    if completed.returncode != 0 or not completed.stdout:
        spool.unlink(missing_ok=True)
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in tail[0]:
            return _failed(path, "parse_failed", f"解析时内存超过 {memory_mb} MB")
        return _failed(
            path, "parse_failed", f"解析进程退出（退出码 {completed.returncode}）{tail[0][:200]}"
        )
    payload = json.loads(completed.stdout)
    result = FileResult(**payload)
    if not result.observations_count:
        spool.unlink(missing_ok=True)
        result.observations_path = None
    return result


def read_spool(path: str | Path) -> list[dict[str, object]]:
    """A spool file's observations as parse_file returns them (for tests and tools)."""
    observations = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            record: dict[str, object] = {k: (v if v != "" else None) for k, v in row.items()}
            record["row_number"] = int(row["row_number"])
            record["value"] = float(row["value"])
            for name in _DATE_FIELDS:
                record[name] = date.fromisoformat(row[name])
            observations.append(record)
    return observations


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
        )
    result.observations_path = request["spool"]
    sys.stdout.buffer.write(json.dumps(asdict(result), ensure_ascii=False).encode("utf-8"))


if __name__ == "__main__":
    _main()
