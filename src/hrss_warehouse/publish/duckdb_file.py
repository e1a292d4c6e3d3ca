"""Publish the audited working database as the warehouse BI tools read.

Write-audit-publish: dbt builds and GX audits the working database; only then is
its ``marts`` schema copied into a new file next to the published one, the copy
checked table by table, flushed to disk, and renamed over the published file in one
atomic step. A reader holding the old file open keeps reading the old version
(POSIX keeps the inode alive) and never blocks the pipeline; a new reader gets the
new one; a crash at any point before the rename leaves the published file as it
was (the leftover copy is removed by the next publish), after it, the new one.
Only the schemas BI needs are copied; raw and staging stay in the working
database.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hrss_warehouse.config import Settings, pg_settings
from hrss_warehouse.errors import PipelineError

log = logging.getLogger(__name__)

PUBLISHED_SCHEMAS = ("marts",)


def publish(settings: Settings) -> dict[str, object]:
    from hrss_warehouse.publish.postgres import publish_postgres, swap_built

    served: dict[str, object] | None = None
    if settings.dbt_target == "postgres":
        from hrss_warehouse.publish.postgres_dbt import audited_checksums, required_options

        # dbt built the marts on the server: they must be exactly the audited copy, and
        # are swapped in first (the server is this target's primary warehouse).
        served = swap_built(
            settings.work_db, required_options(), audited_checksums(settings.work_dir)
        )
    target = settings.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    with _claim(staging):
        _remove_leftovers(target)
        staging.unlink(missing_ok=True)
        try:
            tables = _write_copy(settings.work_db, staging)
            _fsync(staging)
        except BaseException:
            # Whatever went wrong, the published file was never touched.
            staging.unlink(missing_ok=True)
            raise
        os.replace(staging, target)
        _fsync(target.parent)
    log.info("published %d tables to %s", len(tables), target)
    result: dict[str, object] = {"warehouse": str(target), "tables": tables}
    # With the DuckDB target, a configured PostgreSQL warehouse gets a copy of this file.
    if served is None and (options := pg_settings()):
        served = publish_postgres(target, options)
    if served is not None:
        result["postgres"] = served
    return result


@contextmanager
def _claim(staging: Path) -> Iterator[None]:
    """Hold an flock on ``<staging>.lock`` while the copy is written and renamed: the
    mark of a live publish, which the kernel drops when its process dies."""
    lock = staging.with_name(staging.name + ".lock")
    with lock.open("w") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)


def _remove_leftovers(target: Path) -> None:
    """A run killed mid-publish leaves its half-written copy behind (the published file
    is intact: it is only ever replaced by rename). A copy whose publisher still holds its
    lock belongs to a live run (two warehouses' runs, or a second publish started by
    hand) and is never touched; the others are dead and removed."""
    prefix = f".{target.name}.publishing-"
    for lock in target.parent.glob(f"{prefix}*.lock"):
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # alive
            lock.unlink(missing_ok=True)
    live = {lock.name.removesuffix(".lock") for lock in target.parent.glob(f"{prefix}*.lock")}
    for leftover in target.parent.glob(f"{prefix}*"):
        owner = leftover.name.removesuffix(".wal").removesuffix(".lock")
        if owner in live:
            continue
        log.warning("removing %s, left by an interrupted publish", leftover.name)
        leftover.unlink(missing_ok=True)


def _write_copy(work_db: Path, staging: Path) -> dict[str, int]:
    """Copy the audited marts into a new file and check the copy is complete before
    anything is renamed: every table, every row."""
    import duckdb

    tables: dict[str, int] = {}
    # Write the new file and read the working database read-only: the publish
    # never needs the working database's write lock.
    with duckdb.connect(str(staging)) as con:
        con.execute(f"attach '{_sql_path(work_db)}' as work (read_only)")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema {schema}")
            names = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = 'work' and table_schema = ? "
                    "and table_type = 'BASE TABLE' order by table_name",
                    [schema],
                ).fetchall()
            ]
            for name in names:
                con.execute(f"create table {schema}.{name} as select * from work.{schema}.{name}")
                copied = _count(con, f"{schema}.{name}")
                source = _count(con, f"work.{schema}.{name}")
                if copied != source:
                    raise PipelineError(
                        f"publish check failed: {schema}.{name} has {copied} rows in the copy, "
                        f"{source} in the working database"
                    )
                tables[f"{schema}.{name}"] = copied
        con.execute("detach work")
        con.execute("checkpoint")
    return tables


def _count(con, table: str) -> int:
    row = con.execute(f"select count(*) from {table}").fetchone()
    return int(row[0]) if row else 0


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
