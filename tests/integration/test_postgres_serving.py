"""Serving BI from a real PostgreSQL server (started and stopped here): the run publishes
the audited marts write-audit-publish, a BI session sees one complete version at a
time and never blocks the run, and the read-only role can read marts and nothing else."""

from __future__ import annotations

import shutil

import psycopg2
import pytest

from tests.integration.postgres import PostgresServer
from tests.integration.steps import run_steps
from tests.integration.support import ROOT, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"
BI_PASSWORD = "bi-pass-0123456789"


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


def bi_dsn(server: PostgresServer) -> str:
    return f"postgresql://hrss_bi:{BI_PASSWORD}@127.0.0.1:{server.port}/postgres"


@pytest.fixture(scope="module")
def served(tmp_path_factory, hrss, postgres):
    landing = tmp_path_factory.mktemp("landing")
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, landing)
    warehouse = tmp_path_factory.mktemp("pg") / "hrss.duckdb"
    env = {"HRSS_PG_DSN": postgres.dsn, "HRSS_PG_BI_PASSWORD": BI_PASSWORD}
    done = hrss("run", "--landing", landing, "--warehouse", warehouse, env=env)
    assert done.returncode == 0, done.stderr + done.stdout[-3000:]
    return landing, warehouse, env, done


def pg_rows(dsn: str, sql: str, params=None) -> list[tuple]:
    with psycopg2.connect(dsn) as con, con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_postgres_serves_the_same_marts_as_the_duckdb_file(served, postgres):
    _, warehouse, _, done = served
    names = [
        r[0]
        for r in query(
            warehouse, "select table_name from duckdb_tables() where schema_name = 'marts'"
        )
    ]
    assert len(names) == 12  # every mart, fct_alert_event included
    for name in names:
        (duck_count,) = query(warehouse, f"select count(*) from marts.{name}")[0]
        ((pg_count,),) = pg_rows(postgres.dsn, f"select count(*) from marts.{name}")
        assert pg_count == duck_count, name
    # 技能人才总量 24.4 at the end of 2024 (004 L89) against 21.3 → 26 (003 L108).
    ((status, actual, gap),) = pg_rows(
        bi_dsn(postgres),
        "select status, actual_value, round(pace_gap_pp::numeric, 1) from marts.fct_plan_progress "
        "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent' and is_latest",
    )
    assert (status, actual, float(gap)) == ("needs_acceleration", 24.4, -14.0)
    assert "postgres:  published 12 tables to schema marts (read-only role hrss_bi)" in done.stdout
    assert (
        postgres.dsn not in done.stdout + done.stderr
        and BI_PASSWORD not in done.stdout + done.stderr
    )


@pytest.mark.parametrize(
    "statement",
    [
        "insert into marts.dim_region (region_code) values ('999999')",
        "update marts.fct_plan_progress set status = 'achieved'",
        "delete from marts.fct_plan_target",
        "create table marts.mine (x int)",
        "drop table marts.dim_plan",
        "create table public.mine (x int)",
        "truncate marts.dim_period",
    ],
)
def test_the_bi_role_can_only_read(served, postgres, statement):
    with (
        psycopg2.connect(bi_dsn(postgres)) as con,
        con.cursor() as cur,
        pytest.raises(psycopg2.errors.InsufficientPrivilege),
    ):
        cur.execute(statement)


def test_a_bi_session_is_not_disturbed_and_does_not_block_the_next_publish(served, postgres):
    landing, warehouse, env, _ = served
    (landing / "40_skilled_2025.csv").write_text(
        "指标名称,地区,统计期,数值,单位,口径\n技能人才总量,舟山市,2025年,26.0,万人,期末\n",
        encoding="utf-8",
    )
    reader = psycopg2.connect(bi_dsn(postgres))
    reader.set_session(isolation_level="REPEATABLE READ")
    cur = reader.cursor()
    sql = (
        "select count(*) from marts.fct_indicator_observation "
        "where indicator_code = 'skilled_talent' and period_code = '2025'"
    )
    cur.execute(sql)
    assert cur.fetchone() == (0,)
    try:
        # The night's steps in this process (raising if one fails): the subject is the
        # publish, and the first night checked `hrss run`'s output.
        run_steps(landing=landing, warehouse=warehouse, env=env)
        # Inside its transaction the reader still sees the version it started with ...
        cur.execute(sql)
        assert cur.fetchone() == (0,)
    finally:
        reader.close()
    # ... and a new session sees the new one, complete.
    assert pg_rows(bi_dsn(postgres), sql) == [(1,)]
    retired = pg_rows(
        postgres.dsn, "select nspname from pg_namespace where nspname like 'marts__%'"
    )
    # The version the reader held is retired (dropped by a later publish), not served.
    assert all(name.startswith("marts__retired_") for (name,) in retired)


def test_the_bi_role_can_be_created_before_the_first_publish(postgres):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "HRSS_PG_DSN": postgres.dsn,
        "HRSS_PG_BI_ROLE": "metabase_reader",
        "HRSS_PG_BI_PASSWORD": "reader-pass-0123456789",
    }
    done = subprocess.run(
        [sys.executable, "-m", "hrss_warehouse.publish.postgres", "ensure-bi-role"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "PostgreSQL role metabase_reader ready"
    assert "reader-pass-0123456789" not in done.stdout + done.stderr
    reader = (
        f"postgresql://metabase_reader:reader-pass-0123456789@127.0.0.1:{postgres.port}/postgres"
    )
    assert pg_rows(reader, "select current_user") == [("metabase_reader",)]
