"""Publish the audited marts to a shared PostgreSQL warehouse, write-audit-publish.

When ``HRSS_PG_DSN`` is set (a secret: it may hold a password; never logged or put in
a run conf), the publish step also serves the marts from PostgreSQL:

1. write: every table of the just-published DuckDB marts is copied (COPY) into a
   fresh schema ``marts__incoming``; BI never reads it;
2. audit: each copied table must have exactly the rows of its source;
3. publish: one transaction renames ``marts`` to ``marts__retired`` and
   ``marts__incoming`` to ``marts`` and grants the BI role read access. BI sees the
   previous complete version until the commit, the new one after, never a mix.

With ``HRSS_DBT_TARGET=postgres`` dbt builds the marts on the server itself
(``postgres_dbt.py``): ``swap_built`` checks ``marts__incoming`` against the audited copy
and performs the same swap, nothing is copied.

The retired schema is dropped at the start of the next publish, without waiting
(``lock_timeout``): a BI session still reading it never blocks the pipeline.

The read-only role ``HRSS_PG_BI_ROLE`` (default ``hrss_bi``) gets USAGE on schema
``marts`` and SELECT on its tables, nothing else; with ``HRSS_PG_BI_PASSWORD`` set the
role is created (or its password reset) as a LOGIN role, so a BI tool can connect, and
kept within bounds a dashboard cannot argue with:

- its password reaches the server only as a SCRAM-SHA-256 verifier computed here (by
  libpq), never in SQL text a server log could keep;
- ``CONNECTION LIMIT`` ``HRSS_PG_BI_CONNECTION_LIMIT`` (default 20) and a default
  ``statement_timeout`` of ``HRSS_PG_BI_STATEMENT_TIMEOUT`` (default 5min) against
  runaway queries (the limit holds; the timeout is a default a session may raise);
- no temporary tables. Every database grants TEMPORARY to PUBLIC, and no role can be
  denied what PUBLIC holds, so it is revoked from PUBLIC on the warehouse database and
  granted explicitly to the pipeline's own role (dbt's incremental models and snapshots
  use temporary tables). Other roles of that database need their own grant, which is why
  a pipeline has its database to itself. The DSN's user must own the database for this;
  if the role can still create temporary tables afterwards, the publish fails.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hrss_warehouse.config import pg_settings
from hrss_warehouse.errors import ConfigError, PipelineError
from hrss_warehouse.publish.pg import checksum, quote, session

log = logging.getLogger(__name__)

SCHEMA, INCOMING, RETIRED = "marts", "marts__incoming", "marts__retired"
# DuckDB column types → PostgreSQL.
_TYPES = {
    "VARCHAR": "text",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38, 0)",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def _pg_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    if duckdb_type not in _TYPES:
        raise PipelineError(f"no PostgreSQL type for DuckDB column type {duckdb_type}")
    return _TYPES[duckdb_type]


def publish_postgres(published_duckdb: Path, options: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    tables: dict[str, int] = {}
    with session(options["dsn"]) as pg:
        with duckdb.connect(str(published_duckdb), read_only=True) as source:
            names = _tables(source, SCHEMA)
            _drop_retired(pg)
            with pg.cursor() as cur:
                cur.execute(f"drop schema if exists {INCOMING} cascade")
                cur.execute(f"create schema {INCOMING}")
            pg.commit()
            for name in names:
                tables[f"{SCHEMA}.{name}"] = _copy_table(source, pg, name)
        _swap(pg, options)
    log.info("published %d tables to PostgreSQL schema %s", len(tables), SCHEMA)
    return {"tables": tables, "bi_role": options["bi_role"]}


def _tables(source, schema: str) -> list[str]:
    return [
        r[0]
        for r in source.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [schema],
        ).fetchall()
    ]


def _copy_table(source, pg, name: str, from_schema: str = SCHEMA, to_schema: str = INCOMING) -> int:
    columns = source.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [from_schema, name],
    ).fetchall()
    ddl = ", ".join(f"{quote(c)} {_pg_type(t)}" for c, t in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # NULL is written as an unquoted empty field, an empty string as "".
    cursor = source.execute(f"select * from {from_schema}.{quote(name)}")
    count = 0
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            writer.writerow(["" if v is None else v for v in row])
        count += len(batch)
    buffer.seek(0)
    with pg.cursor() as cur:
        cur.execute(f"create table {to_schema}.{quote(name)} ({ddl})")
        cur.copy_expert(
            f"copy {to_schema}.{quote(name)} from stdin with (format csv, null '')", buffer
        )
        cur.execute(f"select count(*) from {to_schema}.{quote(name)}")
        copied = cur.fetchone()[0]
    pg.commit()
    if copied != count:
        raise PipelineError(
            f"PostgreSQL copy check failed: {from_schema}.{name} has {copied} rows in the copy, "
            f"{count} in DuckDB"
        )
    return count


def _ensure_role(cur, options: dict[str, Any]) -> None:
    """Create the BI role, or bring an existing one back in line (module docstring)."""
    from psycopg2.extensions import encrypt_password

    role = options["bi_role"]
    cur.execute("select 1 from pg_roles where rolname = %s", [role])
    verb = "alter" if cur.fetchone() else "create"
    # libpq salts and hashes the password the way the server would (SASLprep, PBKDF2
    # with the server's iteration count); the server stores a verifier as it is given.
    verifier = encrypt_password(options["bi_password"], role, cur.connection, "scram-sha-256")
    cur.execute(
        f"{verb} role {role} with login connection limit %s password %s",
        [options["bi_connection_limit"], verifier],
    )
    cur.execute(f"alter role {role} set statement_timeout = %s", [options["bi_statement_timeout"]])
    _no_temporary_tables(cur, role)


def _no_temporary_tables(cur, role: str) -> None:
    from psycopg2 import sql

    cur.execute("select current_database()")
    database = sql.Identifier(cur.fetchone()[0])
    cur.execute(sql.SQL("revoke temporary on database {} from public").format(database))
    cur.execute(sql.SQL("grant temporary on database {} to current_user").format(database))
    # Without ownership both statements only warn; the role may also hold TEMPORARY
    # through another role. Either way it is refused, not left to chance.
    cur.execute("select has_database_privilege(%s, current_database(), 'TEMPORARY')", [role])
    if cur.fetchone()[0]:
        raise PipelineError(
            f"PostgreSQL role {role} can still create temporary tables: HRSS_PG_DSN must "
            f"connect as the database's owner, and {role} must not be a member of a role "
            "that holds TEMPORARY"
        )


def ensure_bi_role(options: dict[str, Any]) -> None:
    """Create the read-only BI role (or reset its password and limits) before anyone
    connects with it: ``python -m hrss_warehouse.publish.postgres ensure-bi-role``
    (docker-compose's airflow-init runs it, so Metabase can connect before the first
    publish)."""

    if not options.get("bi_password"):
        raise ConfigError("HRSS_PG_BI_PASSWORD is not set: no password for the BI role")
    with session(options["dsn"]) as pg, pg.cursor() as cur:
        _ensure_role(cur, options)
        # Nothing to read until the first publish creates schema marts.
        pg.commit()


def copy_schema(duckdb_path: Path, schema: str, dsn: str) -> dict[str, int]:
    """Copy every table of a DuckDB schema into the same schema on PostgreSQL, replacing
    it (the raw landing tables, so the dbt project can build on PostgreSQL)."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as source:
        names = _tables(source, schema)
    with session(dsn) as pg, pg.cursor() as cur:
        cur.execute(f"drop schema if exists {quote(schema)} cascade")
        cur.execute(f"create schema {quote(schema)}")
        pg.commit()
    return copy_tables(duckdb_path, schema, names, dsn)


def copy_tables(duckdb_path: Path, schema: str, names: list[str], dsn: str) -> dict[str, int]:
    """Copy the named tables of a DuckDB schema into the same schema on PostgreSQL,
    replacing each (views built on them go too: dbt rebuilds what it selects)."""
    import duckdb

    counts: dict[str, int] = {}
    with session(dsn) as pg, duckdb.connect(str(duckdb_path), read_only=True) as source:
        with pg.cursor() as cur:
            cur.execute(f"create schema if not exists {quote(schema)}")
            for name in names:
                cur.execute(f"drop table if exists {quote(schema)}.{quote(name)} cascade")
        pg.commit()
        for name in names:
            counts[f"{schema}.{name}"] = _copy_table(source, pg, name, schema, schema)
    return counts


def swap_built(
    audited_duckdb: Path, options: dict[str, Any], checksums: dict[str, str]
) -> dict[str, Any]:
    """Publish marts dbt built on the server (``HRSS_DBT_TARGET=postgres``). In the swap's
    own transaction, with the incoming tables locked against writers, the incoming schema
    must hold exactly the tables of the audited copy (``audited_duckdb``'s ``marts``), with
    their rows and the checksums the copy back recorded; then it is swapped in."""
    import duckdb

    with duckdb.connect(str(audited_duckdb), read_only=True) as audited:
        expected = {n: _count(audited, f"{SCHEMA}.{quote(n)}") for n in _tables(audited, SCHEMA)}
    tables: dict[str, int] = {}
    with session(options["dsn"]) as pg:
        _drop_retired(pg)
        with pg.cursor() as cur:
            cur.execute(
                "select table_name from information_schema.tables where table_schema = %s "
                "and table_type = 'BASE TABLE'",
                [INCOMING],
            )
            built = {r[0] for r in cur.fetchall()}
            if built != set(expected):
                raise PipelineError(
                    f"PostgreSQL schema {INCOMING} does not hold the audited marts: "
                    f"missing {sorted(set(expected) - built)}, extra {sorted(built - set(expected))}"
                )
            cur.execute("set local lock_timeout = '30s'")
            for name, rows in sorted(expected.items()):
                cur.execute(f"lock table {INCOMING}.{quote(name)} in share mode")
                cur.execute(f"select count(*) from {INCOMING}.{quote(name)}")
                found = cur.fetchone()[0]
                if found != rows:
                    raise PipelineError(
                        f"PostgreSQL check failed: {INCOMING}.{name} has {found} rows, "
                        f"the audited copy {rows}"
                    )
                if checksum(cur, INCOMING, name) != checksums.get(name):
                    raise PipelineError(
                        f"PostgreSQL check failed: {INCOMING}.{name} changed since it was "
                        "audited (another run or a hand edit): not publishing"
                    )
                tables[f"{SCHEMA}.{name}"] = rows
        # Same transaction: nothing can change the tables between the check and the swap.
        _swap(pg, options)
    log.info("published %d tables dbt built on PostgreSQL as schema %s", len(tables), SCHEMA)
    return {"tables": tables, "bi_role": options["bi_role"]}


def _count(con, table: str) -> int:
    return int(con.execute(f"select count(*) from {table}").fetchone()[0])


def _swap(pg, options: dict[str, Any]) -> None:
    role = options["bi_role"]
    retired = f"{RETIRED}_{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
    with pg.cursor() as cur:
        if options.get("bi_password"):
            _ensure_role(cur, options)
        cur.execute("select 1 from pg_roles where rolname = %s", [role])
        has_role = cur.fetchone() is not None
        # Waiting on a BI session's lock would stall the run: give up and fail clearly.
        cur.execute("set local lock_timeout = '30s'")
        cur.execute("select 1 from pg_namespace where nspname = %s", [SCHEMA])
        if cur.fetchone():
            cur.execute(f"alter schema {SCHEMA} rename to {retired}")
            if has_role:
                cur.execute(f"revoke all on schema {retired} from {role}")
        cur.execute(f"alter schema {INCOMING} rename to {SCHEMA}")
        if has_role:
            cur.execute(f"grant usage on schema {SCHEMA} to {role}")
            cur.execute(f"grant select on all tables in schema {SCHEMA} to {role}")
        else:
            log.warning(
                "PostgreSQL role %s does not exist: set HRSS_PG_BI_PASSWORD to create it", role
            )
    pg.commit()


def _drop_retired(pg) -> None:
    """Drop the versions earlier publishes retired; one a BI session still reads is
    left for a later publish rather than blocking this one."""
    import psycopg2

    with pg.cursor() as cur:
        cur.execute("select nspname from pg_namespace where nspname like %s", [f"{RETIRED}%"])
        schemas = [r[0] for r in cur.fetchall()]
    pg.commit()
    for schema in schemas:
        try:
            with pg.cursor() as cur:
                cur.execute("set local lock_timeout = '2s'")
                cur.execute(f"drop schema {quote(schema)} cascade")
            pg.commit()
        except psycopg2.errors.LockNotAvailable:
            pg.rollback()
            log.warning("schema %s is still being read: dropped by a later publish", schema)


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args != ["ensure-bi-role"]:
        print("usage: python -m hrss_warehouse.publish.postgres ensure-bi-role", file=sys.stderr)
        return 2
    options = pg_settings()
    if options is None:
        print("HRSS_PG_DSN is not set: no PostgreSQL warehouse to prepare", file=sys.stderr)
        return 1
    ensure_bi_role(options)
    print(f"PostgreSQL role {options['bi_role']} ready")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
