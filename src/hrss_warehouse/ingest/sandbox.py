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

import json
import resource
import subprocess
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from hrss_warehouse.catalog import Catalog
from hrss_warehouse.ingest.load import FileResult, parse_file
from hrss_warehouse.ingest.normalize import REASONS
from hrss_warehouse.ingest.readers import Limits

_DATE_FIELDS = ("period_start_date", "period_end_date")


def _failed(path: Path, reason: str, detail: str) -> FileResult:
    result = FileResult()
    result.quarantined.append(
        {
            "value_text": None,
            "row_number": None,
            "sheet_name": None,
            "column_label": None,
            "field_name": None,
            "reason_code": reason,
            "message_zh": f"文件“{path.name}” {REASONS[reason]}：{detail}",
            "raw_record": None,
        }
    )
    return result


def parse_isolated(
    path: Path,
    catalog_dir: Path,
    today: date,
    *,
    limits: Limits,
    timeout_s: float,
    memory_mb: int,
) -> FileResult:
    request = {
        "path": str(path),
        "catalog_dir": str(catalog_dir),
        "today": today.isoformat(),
        "limits": asdict(limits),
        "memory_mb": memory_mb,
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
        return _failed(path, "parse_timeout", f"超过 {timeout_s:g} 秒")
    if completed.returncode != 0 or not completed.stdout:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in tail[0]:
            return _failed(path, "parse_failed", f"解析时内存超过 {memory_mb} MB")
        return _failed(
            path, "parse_failed", f"解析进程退出（退出码 {completed.returncode}）{tail[0][:200]}"
        )
    payload = json.loads(completed.stdout)
    for observation in payload["observations"]:
        for name in _DATE_FIELDS:
            observation[name] = date.fromisoformat(observation[name])
    return FileResult(**payload)


def _main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    limit = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = parse_file(
        Path(request["path"]),
        Catalog.load(Path(request["catalog_dir"])),
        date.fromisoformat(request["today"]),
        Limits(**request["limits"]),
    )
    payload = asdict(result)
    for observation in payload["observations"]:
        for name in _DATE_FIELDS:
            observation[name] = observation[name].isoformat()
    sys.stdout.buffer.write(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


if __name__ == "__main__":
    _main()
