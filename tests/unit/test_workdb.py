"""The working database's raw schema moves forward without losing what it knew."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from hrss_warehouse import workdb

pytestmark = pytest.mark.unit


def test_a_ledger_from_before_validated_at_counts_its_files_as_validated(tmp_path):
    # A working database as a run before the column left it: its files were validated
    # by the run that loaded them, so the next run must not judge them again.
    path = tmp_path / "work.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.file_ledger (file_sha256 varchar primary key, file_name varchar, "
            "source_path varchar, archive_path varchar, size_bytes bigint, batch_id varchar, "
            "received_at timestamp, rows_in integer, rows_loaded integer, "
            "rows_quarantined integer, status varchar, first_error varchar)"
        )
        con.execute(
            "insert into raw.file_ledger values ('aa', 'a.csv', '/l/a.csv', null, 1, 'b1', "
            "timestamp '2026-01-05 02:00:00', 1, 1, 0, 'loaded', null)"
        )
    with workdb.connect(path) as con:
        assert con.execute("select validated_at from raw.file_ledger").fetchall() == [
            (datetime(2026, 1, 5, 2, 0),)
        ]
        # A file loaded from now on starts unvalidated.
        con.execute(
            "insert into raw.file_ledger (file_sha256, file_name, source_path, size_bytes, "
            "batch_id, received_at, rows_in, rows_loaded, rows_quarantined, status) "
            "values ('bb', 'b.csv', '/l/b.csv', 1, 'b2', now(), 1, 1, 0, 'loaded')"
        )
    with workdb.connect(path) as con:  # opening again backfills nothing more
        assert con.execute(
            "select file_sha256 from raw.file_ledger where validated_at is null"
        ).fetchall() == [("bb",)]
