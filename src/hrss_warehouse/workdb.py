"""The working DuckDB database: the ``raw`` schema the ingest step writes and dbt reads.

DuckDB allows one writing process per file. Writers are serialised by the
Airflow pool ``hrss_duckdb_writer`` (1 slot) and ``max_active_runs=1``; readers
open the file read-only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

# Column order is the contract with models/staging/raw/_raw__sources.yml.
RAW_DDL = """
create schema if not exists raw;

create table if not exists raw.file_ledger (
    file_sha256 varchar primary key,
    file_name varchar not null,
    source_path varchar not null,
    archive_path varchar,
    size_bytes bigint not null,
    batch_id varchar not null,
    received_at timestamp not null,
    rows_in integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    status varchar not null,
    first_error varchar
);

create table if not exists raw.observations (
    batch_id varchar not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    row_number integer not null,
    indicator_code varchar not null,
    region_code varchar not null,
    period_code varchar not null,
    period_grain varchar not null,
    period_start_date date not null,
    period_end_date date not null,
    basis varchar not null,
    value double not null,
    unit varchar not null,
    value_as_reported varchar not null,
    unit_as_reported varchar not null,
    source varchar,
    note varchar,
    received_at timestamp not null
);

create table if not exists raw.quarantined_rows (
    batch_id varchar not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    row_number integer,
    field_name varchar,
    reason_code varchar not null,
    message_zh varchar not null,
    raw_record varchar,
    quarantined_at timestamp not null
);

-- Columns added after the first release: an existing working database gets them too.
alter table raw.file_ledger add column if not exists sheets varchar;
alter table raw.file_ledger add column if not exists layout varchar;
alter table raw.file_ledger add column if not exists encoding varchar;
alter table raw.file_ledger add column if not exists missing_cells integer;
alter table raw.file_ledger add column if not exists notes varchar;
-- Parse attempts spent on the file (a timeout or memory kill is tried again later).
alter table raw.file_ledger add column if not exists attempts integer;
-- When validation judged the file's rows (null: not yet; validate_batch takes every such
-- file, so rows of a run killed before its validation are judged by the next run). A
-- file with no loaded row is marked by the next validation too: nothing to judge.
alter table raw.file_ledger add column if not exists validated_at timestamp;
alter table raw.observations add column if not exists sheet_name varchar;
alter table raw.observations add column if not exists column_label varchar;
alter table raw.quarantined_rows add column if not exists sheet_name varchar;
alter table raw.quarantined_rows add column if not exists column_label varchar;

-- Warning-level validation findings about single figures: published, and flagged.
create table if not exists raw.observation_flags (
    batch_id varchar not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    row_number integer,
    indicator_code varchar not null,
    region_code varchar not null,
    period_code varchar not null,
    basis varchar not null,
    rule_code varchar not null,
    severity varchar not null,
    message_zh varchar not null,
    flagged_at timestamp not null
);

-- Alerts: what was detected (once), what each channel was sent, and the last status
-- seen per plan target (so a status alerts once per transition).
create table if not exists raw.alert_events (
    event_id varchar primary key,
    event_kind varchar not null,
    event_key varchar not null,
    plan_code varchar,
    indicator_code varchar,
    region_code varchar,
    domain_code varchar,
    status varchar,
    previous_status varchar,
    severity varchar,
    title_zh varchar not null,
    message_zh varchar not null,
    message_en varchar not null,
    batch_id varchar not null,
    detected_at timestamp not null
);

create table if not exists raw.alert_deliveries (
    event_id varchar not null,
    channel_id varchar not null,
    channel_label varchar not null,
    attempt_count integer not null,
    is_delivered boolean not null,
    delivered_at timestamp,
    last_attempt_at timestamp,
    last_error varchar,
    primary key (event_id, channel_id)
);

create table if not exists raw.alert_reminders (
    channel_id varchar not null,
    sent_at timestamp not null,
    open_count integer not null
);

create table if not exists raw.alert_state (
    subject_key varchar primary key,
    status varchar not null,
    actual_value double,
    last_alerted_status varchar,
    updated_at timestamp not null
);

create table if not exists raw.validation_results (
    batch_id varchar not null,
    suite_name varchar not null,
    expectation_type varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    unexpected_count bigint,
    details varchar,
    validated_at timestamp not null
);
"""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    import duckdb

    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    unmarked = _lacks_column(con, "file_ledger", "validated_at")
    con.execute(RAW_DDL)
    if unmarked:
        # A database from before the column: its files were validated by the run that
        # loaded them (validation ran in the same run then).
        con.execute("update raw.file_ledger set validated_at = received_at")
    return con


def _lacks_column(con, table: str, column: str) -> bool:
    """True when raw.<table> exists without <column> (an older working database)."""
    found = con.execute(
        "select count(*) filter (where column_name = ?), count(*) from information_schema.columns "
        "where table_schema = 'raw' and table_name = ?",
        [column, table],
    ).fetchone()
    return bool(found and found[1] and not found[0])


def settled_hashes(path: Path) -> set[str]:
    """Ledger keys (sha256) of every file already settled: loaded or quarantined for
    good. A ``deferred`` file (its parse timed out or ran out of memory, attempts left)
    is not settled: discovery offers it again. Empty if there is no database yet."""
    if not path.exists():
        return set()
    with connect(path, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'file_ledger'"
        ).fetchone()
        if not exists or not exists[0]:
            return set()
        rows = con.execute(
            "select file_sha256 from raw.file_ledger where status != 'deferred'"
        ).fetchall()
        return {row[0] for row in rows}
