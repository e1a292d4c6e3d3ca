"""The nightly run with dbt building on PostgreSQL (``HRSS_DBT_TARGET=postgres``).

Ingest and the raw layer stay in the embedded working DuckDB (one writer, the file
ledger, quarantine); the models are built where BI reads them. Write-audit-publish
holds as on DuckDB:

1. write: the working database's ``raw`` tables are copied to schema ``raw`` on the
   server (dbt's sources there) and ``dbt build`` (models, data tests, unit tests,
   contracts) builds the marts into schema ``marts__incoming``, which BI never reads
   (``generate_schema_name`` takes the name from ``HRSS_DBT_MARTS_SCHEMA``);
2. audit: the built marts (and the status labels the audit needs) are copied back into
   the working database, row counts checked, so Great Expectations, the alerts and
   the DuckDB publish read exactly what PostgreSQL built; a critical failure stops
   the run here and BI keeps the previous version;
3. publish: after the alert mart is rebuilt on the server too, ``marts__incoming``
   is checked against the audited copy table by table and swapped in for ``marts``
   in one transaction (``postgres.swap_built``).

One connection setting, ``HRSS_PG_DSN``, serves the copies, the swap and dbt: the
dbt profile's ``HRSS_PG_*`` variables are filled from it for the dbt process only.
The models are rebuilt in full each night on this target (the marts schema is new
each time), the incremental vintage history included: its rows are derived from
the raw tables, which keep every load, so a full build gives the same history.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from hrss_warehouse.config import pg_settings
from hrss_warehouse.errors import ConfigError, PipelineError
from hrss_warehouse.publish.pg import checksum, quote, session
from hrss_warehouse.publish.postgres import (
    INCOMING,
    SCHEMA,
    copy_schema,
    copy_tables,
)

log = logging.getLogger(__name__)

# What the copy back read: each incoming table's checksum, compared again at the swap.
AUDIT_FILE = "postgres_audit.json"
# What the audit and the alerts read besides the marts (status labels and is_good).
AUDIT_EXTRAS = (("staging", "stg_catalog__progress_statuses"),)
# PostgreSQL column types (information_schema.columns.data_type) → DuckDB.
_DUCKDB_TYPES = {
    "text": "varchar",
    "character varying": "varchar",
    "double precision": "double",
    "real": "float",
    "integer": "integer",
    "bigint": "bigint",
    "smallint": "smallint",
    "boolean": "boolean",
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
}


def required_options() -> dict[str, Any]:
    options = pg_settings()
    if options is None:
        raise ConfigError(
            "HRSS_DBT_TARGET=postgres needs HRSS_PG_DSN: the PostgreSQL warehouse dbt builds "
            "in (e.g. postgresql://hrss:…@db:5432/hrss)"
        )
    return options


def dbt_profile_env(dsn: str) -> dict[str, str]:
    """The dbt profile's connection variables, from the DSN (for the dbt process only)."""
    from psycopg2 import ProgrammingError
    from psycopg2.extensions import parse_dsn

    try:
        parts = parse_dsn(dsn)
    except ProgrammingError:
        raise ConfigError("HRSS_PG_DSN is not a valid PostgreSQL connection string") from None
    env = {
        "HRSS_PG_HOST": parts.get("host", "127.0.0.1"),
        "HRSS_PG_PORT": parts.get("port", "5432"),
        "HRSS_PG_USER": parts.get("user", "postgres"),
        "HRSS_PG_DBNAME": parts.get("dbname", parts.get("user", "postgres")),
    }
    if "password" in parts:
        env["HRSS_PG_PASSWORD"] = parts["password"]
    # dbt must not connect less securely than the run does.
    env["HRSS_PG_SSLMODE"] = parts.get("sslmode", "prefer")
    return env


def prepare_sources(work_db: Path, dsn: str) -> dict[str, int]:
    """Before the full build: the landed raw tables as dbt's sources on the server, and
    no leftover of an earlier unfinished build in the incoming schema."""
    with session(dsn) as pg, pg.cursor() as cur:
        cur.execute(f"drop schema if exists {INCOMING} cascade")
        pg.commit()
    counts = copy_schema(work_db, "raw", dsn)
    log.info("copied %d raw tables to PostgreSQL for dbt", len(counts))
    return counts


def prepare_alert_sources(work_db: Path, dsn: str) -> dict[str, int]:
    """Before the alert mart is rebuilt: this run's alert events and deliveries."""
    return copy_tables(work_db, "raw", ["alert_events", "alert_deliveries"], dsn)


def mirror_built(dsn: str, work_db: Path, tables: list[str] | None = None) -> dict[str, int]:
    """Copy what dbt built on the server (``marts__incoming``, all or the named tables,
    and the audit's extras) into the working database's ``marts``/``staging``,
    replacing what was there, and check each copy's rows."""
    import duckdb

    counts: dict[str, int] = {}
    with session(dsn) as pg:
        # One snapshot for every table copied and its checksum.
        pg.set_session(isolation_level="REPEATABLE READ", readonly=True)
        names = tables if tables is not None else _pg_tables(pg, INCOMING)
        if not names:
            raise PipelineError(f"dbt built no tables in PostgreSQL schema {INCOMING}")
        pairs = [(INCOMING, SCHEMA, n) for n in names]
        if tables is None:
            pairs += [(s, s, n) for s, n in AUDIT_EXTRAS]
        with duckdb.connect(str(work_db)) as con, tempfile.TemporaryDirectory() as tmp:
            if tables is None:
                # The previous build's marts (and, after a switch from the DuckDB target,
                # its views) go: the working copy is exactly what the server built.
                con.execute(f"drop schema if exists {SCHEMA} cascade")
            for schema in {to for _, to, _ in pairs}:
                con.execute(f"create schema if not exists {schema}")
            for from_schema, to_schema, name in pairs:
                counts[f"{to_schema}.{name}"] = _copy_to_duckdb(
                    pg, con, from_schema, to_schema, name, Path(tmp)
                )
        with pg.cursor() as cur:
            sums = {name: checksum(cur, INCOMING, name) for name in names}
        pg.commit()
    _record_checksums(work_db.parent / AUDIT_FILE, sums, replace=tables is None)
    log.info("audit copy: %d tables from PostgreSQL", len(counts))
    return counts


def _record_checksums(path: Path, sums: dict[str, str], *, replace: bool) -> None:
    recorded = {} if replace or not path.is_file() else json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**recorded, **sums}, indent=2, sort_keys=True), "utf-8")


def audited_checksums(work_dir: Path) -> dict[str, str]:
    path = work_dir / AUDIT_FILE
    if not path.is_file():
        raise PipelineError(
            f"no record of what was audited ({path}): the dbt build on PostgreSQL must run first"
        )
    return json.loads(path.read_text("utf-8"))


def _pg_tables(pg, schema: str) -> list[str]:
    with pg.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables where table_schema = %s "
            "and table_type = 'BASE TABLE' order by table_name",
            [schema],
        )
        return [r[0] for r in cur.fetchall()]


def _duckdb_type(data_type: str, precision: int | None, scale: int | None) -> str:
    if data_type == "numeric":
        # An unconstrained numeric has no DuckDB equal; the marts' contracts use float8.
        if precision is None or precision > 38:
            raise PipelineError("a mart column is numeric without precision: declare its type")
        return f"decimal({precision}, {scale or 0})"
    if data_type not in _DUCKDB_TYPES:
        raise PipelineError(f"no DuckDB type for PostgreSQL column type {data_type}")
    return _DUCKDB_TYPES[data_type]


def _copy_to_duckdb(pg, con, from_schema: str, to_schema: str, name: str, tmp: Path) -> int:
    with pg.cursor() as cur:
        cur.execute(
            "select column_name, data_type, numeric_precision, numeric_scale "
            "from information_schema.columns where table_schema = %s and table_name = %s "
            "order by ordinal_position",
            [from_schema, name],
        )
        columns = cur.fetchall()
        if not columns:
            raise PipelineError(f"PostgreSQL has no table {from_schema}.{name} to copy")
        cur.execute(f"select count(*) from {quote(from_schema)}.{quote(name)}")
        expected = cur.fetchone()[0]
        path = tmp / f"{from_schema}.{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            # NULL is an unquoted empty field, an empty string "" (read back the same way).
            cur.copy_expert(
                f"copy (select * from {quote(from_schema)}.{quote(name)}) "
                "to stdout with (format csv, null '')",
                out,
            )
    ddl = ", ".join(f"{quote(c)} {_duckdb_type(t, p, s)}" for c, t, p, s in columns)
    # A view of that name (a DuckDB-target build's staging) gives way to the copy.
    (is_view,) = con.execute(
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ?",
        [to_schema, name],
    ).fetchone()
    if is_view:
        con.execute(f"drop view {to_schema}.{quote(name)}")
    con.execute(f"create or replace table {to_schema}.{quote(name)} ({ddl})")
    types = {c: _duckdb_type(t, p, s) for c, t, p, s in columns}
    con.execute(
        f"insert into {to_schema}.{quote(name)} select * from read_csv(?, header = false, "
        "columns = ?, nullstr = '', allow_quoted_nulls = false, quote = '\"', escape = '\"', "
        "delim = ',', auto_detect = false)",
        [str(path), types],
    )
    copied = con.execute(f"select count(*) from {to_schema}.{quote(name)}").fetchone()[0]
    if copied != expected:
        raise PipelineError(
            f"audit copy check failed: {from_schema}.{name} has {expected} rows on PostgreSQL, "
            f"{copied} in the copy"
        )
    return copied
