"""Untrusted files are parsed in a child interpreter with limits; what comes back is
exactly what an in-process parse gives, and a runaway parse is quarantined, not fatal."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.ingest.parse import parse_file
from hrss_warehouse.ingest.readers import Limits
from hrss_warehouse.ingest.sandbox import parse_isolated
from tests.corpus.cases import CASES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
TODAY = date(2025, 6, 30)
SAMPLE = [c for c in CASES if c.name.startswith(("06_", "17_", "22_", "23_", "29_"))]


def read_spool(path: str | Path) -> list[dict[str, object]]:
    """A spool file's observations as parse_file returns them."""
    observations = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            record: dict[str, object] = {k: (v if v != "" else None) for k, v in row.items()}
            record["row_number"] = int(row["row_number"])
            record["value"] = float(row["value"])
            for name in ("period_start_date", "period_end_date"):
                record[name] = date.fromisoformat(row[name])
            observations.append(record)
    return observations


def isolated(path: Path, **changes):
    args = {
        "limits": Limits(),
        # The product's default: a busy machine (the suite's integration runs beside it)
        # must not turn a slow parse into a timeout; the timeout test sets its own.
        "timeout_s": 600,
        "memory_mb": 2048,
        "spool_dir": path.parent / "spool",
    }
    args.update(changes)
    result = parse_isolated(path, SEEDS, TODAY, **args)
    if result.observations_path:
        # What the bulk insert will load: read back, it must be what parse_file made.
        result.observations = read_spool(result.observations_path)
        Path(result.observations_path).unlink()
        result.observations_path = None
    result.observations_count = None  # in-process results count their list instead
    return result


@pytest.mark.parametrize("case", SAMPLE, ids=[c.name for c in SAMPLE])
def test_isolated_parse_gives_the_in_process_result(case, tmp_path):
    path = tmp_path / case.name
    case.build(path)
    assert isolated(path) == parse_file(path, Catalog.load(SEEDS), TODAY)
    assert not list((tmp_path / "spool").iterdir())  # no spool file left behind


def test_a_parse_past_its_time_is_quarantined(tmp_path):
    path = tmp_path / "slow.csv"
    CASES[0].build(path)
    result = isolated(path, timeout_s=0.001)  # no interpreter starts that fast
    [problem] = result.quarantined
    assert problem["reason_code"] == "parse_timeout"
    assert problem["message_zh"] == "文件“slow.csv” 解析超时，未载入：超过 0.001 秒"
    assert result.observations == [] and result.rows_in == 0
    assert result.transient  # tried again on a later run (ingest counts the attempts)


def test_a_parse_out_of_memory_is_quarantined(tmp_path):
    path = tmp_path / "big.csv"
    row = "城镇新增就业人数,舟山市,2024年,4.6,万人,\n"
    path.write_text("指标名称,地区,统计期,数值,单位,口径\n" + row * 100_000, encoding="utf-8")
    # 32 MB of address space is less than the interpreter already maps: reading the
    # 4 MB file is the first allocation that needs a new mapping, and it fails.
    result = isolated(path, memory_mb=32)
    [problem] = result.quarantined
    assert problem["reason_code"] == "parse_failed"
    assert (
        problem["message_zh"]
        == "文件“big.csv” 解析进程异常退出（内存超限或文件异常），未载入：解析时内存超过 32 MB"
    )
    # Out of memory may only mean a busy machine: the file is tried again later.
    assert result.transient
    # The same file parses with the default limit: one key, 99,999 duplicates of it,
    # of which the first 1,000 are listed and the rest counted in one record.
    result = isolated(path)
    assert len(result.observations) == 1 and result.rows_quarantined == 99_999
    assert len(result.quarantined) == 1001 and not result.transient
    assert result.quarantined[-1]["message_zh"] == (
        "文件“big.csv” 另有 98999 行（或单元格）同一文件内重复的指标、地区、统计期，"
        "未逐条列出（每个文件最多列出 1000 条）"
    )
    assert not list((tmp_path / "spool").iterdir())


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.csv"
    CASES[0].build(path)
    result = parse_file(path, Catalog.load(SEEDS), TODAY, Limits(max_file_bytes=10))
    [problem] = result.quarantined
    assert problem["reason_code"] == "file_too_large"
    assert "超过上限" in problem["message_zh"]
