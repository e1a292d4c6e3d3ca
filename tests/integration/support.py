"""Read-only helpers for integration tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
HRSS = Path(sys.executable).with_name("hrss")


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def one(db: Path, sql: str, params: list | None = None) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


# The alert log is the one mart a quarantined batch changes on purpose: it records
# that the batch was quarantined (issue 7), while every data mart stays as it was.
ALERT_LOG = ("fct_alert_event",)


def mart_snapshot(db: Path, *, without: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every published table's rows, sorted: equal snapshots mean equal marts."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            n: con.execute(f"select * from marts.{n} order by all").fetchall()
            for n in names
            if n not in without
        }


# Columns that say which run or delivery wrote a row (its batch, its clock), not what the
# data is: two clean runs on the same files differ only there.
RUN_IDENTITY = (
    "batch_id",
    "received_at",
    "detected_at",
    "delivered_at",
    "last_attempt_at",
    "alert_event_id",
    "alert_delivery_id",
    "valid_from_at",  # dbt snapshot time of the catalog row
    "valid_to_at",
)


def run_free_snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every published table's rows without RUN_IDENTITY columns, sorted: equal snapshots
    of two warehouses mean the same figures, progress and alerts."""
    with duckdb.connect(str(db), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            if column not in RUN_IDENTITY:
                columns.setdefault(table, []).append(f'"{column}"')
        return {
            table: con.execute(
                f"select {', '.join(names)} from marts.{table} order by all"
            ).fetchall()
            for table, names in columns.items()
        }


@contextmanager
def deployment_env(**settings: object) -> Iterator[None]:
    """Run pipeline steps in process as a deployment would: settings from the ``HRSS_*``
    environment (a run conf may set only ``as_of``), none of the test process's own (as
    the ``hrss`` fixture gives a run). Files a test has just written are complete, so
    they are taken at once (HRSS_LANDING_SETTLE_S=0); as in the ``hrss`` fixture, a build
    runs no dbt unit tests (the sample run and the PostgreSQL build do) and makes no docs
    page, unless ``settings`` say so."""
    import pytest

    from hrss_warehouse.config import _ENV

    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("HRSS_")]:
            patch.delenv(name)
        patch.setenv("HRSS_LANDING_SETTLE_S", "0")
        for name, value in ({"dbt_unit_tests": "never", "dbt_docs": "never"} | settings).items():
            patch.setenv(_ENV[name], str(value))
        yield
