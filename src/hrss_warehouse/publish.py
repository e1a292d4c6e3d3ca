"""Publish the audited working database as the warehouse BI tools read.

The published file is replaced in one atomic rename: a reader holding the old
file open keeps reading the old version (POSIX keeps the inode alive), a new
reader gets the new one, and a crash before the rename leaves the old file as it
was. Only the schemas BI needs are copied; raw and staging stay in the working
database.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from hrss_warehouse.config import Settings

log = logging.getLogger(__name__)

PUBLISHED_SCHEMAS = ("marts",)


def publish(settings: Settings) -> dict[str, object]:
    target = settings.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    staging.unlink(missing_ok=True)
    tables: dict[str, int] = {}
    import duckdb

    # Write the new file and read the working database read-only: the publish
    # never needs the working database's write lock.
    with duckdb.connect(str(staging)) as con:
        con.execute(f"attach '{_sql_path(settings.work_db)}' as work (read_only)")
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
                count = con.execute(f"select count(*) from {schema}.{name}").fetchone()
                tables[f"{schema}.{name}"] = int(count[0]) if count else 0
        con.execute("detach work")
        con.execute("checkpoint")
    _fsync(staging)
    os.replace(staging, target)
    _fsync(target.parent)
    log.info("published %d tables to %s", len(tables), target)
    return {"warehouse": str(target), "tables": tables}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
