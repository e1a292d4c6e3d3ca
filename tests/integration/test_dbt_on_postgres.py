"""The same dbt project builds on PostgreSQL with the same tests (unit tests, data tests,
contracts), and computes the same progress as on DuckDB — against a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import psycopg2
import pytest

from hrss_warehouse.publish_postgres import copy_schema
from tests.integration.postgres import PostgresServer
from tests.integration.support import ROOT, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"
PROGRESS = (
    "select plan_code, indicator_code, region_code, cast(as_of_date as varchar), status, "
    # round(double, int): DuckDB's own, on PostgreSQL the project's (macros/cross_db.sql).
    "round(attainment_ratio, 9), round(pace_ratio, 9), "
    "round(expected_value, 9), round(projected_end_value, 9), "
    "severity, is_latest from marts.fct_plan_progress"
)


@pytest.fixture(scope="module")
def built_on_both(tmp_path_factory, hrss):
    landing = tmp_path_factory.mktemp("landing")
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, landing)
    warehouse = tmp_path_factory.mktemp("both") / "hrss.duckdb"
    done = hrss("run", "--landing", landing, "--warehouse", warehouse)
    assert done.returncode == 0, done.stderr + done.stdout[-3000:]
    work_db = warehouse.parent / "work" / "hrss_work.duckdb"
    server = PostgresServer().start()
    try:
        # What ingest landed, as the PostgreSQL target's sources.
        copy_schema(work_db, "raw", server.dsn)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_")}
        env.update(
            {
                "HRSS_WAREHOUSE": str(warehouse),
                "HRSS_LANDING_DIR": str(landing),
                "HRSS_DBT_TARGET": "postgres",
                "HRSS_PG_HOST": "127.0.0.1",
                "HRSS_PG_PORT": str(server.port),
                "HRSS_PG_USER": "postgres",
                "HRSS_PG_DBNAME": "postgres",
            }
        )
        built = subprocess.run(
            [sys.executable, "-m", "hrss_warehouse.dbt_runner", "build"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        with psycopg2.connect(server.dsn) as con, con.cursor() as cur:
            cur.execute(PROGRESS)
            on_postgres = cur.fetchall()
        yield warehouse, built, on_postgres
    finally:
        server.stop()


def test_every_model_and_test_passes_on_postgres(built_on_both):
    _, built, _ = built_on_both
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    output = built.stdout + built.stderr  # dbt_runner logs dbt's lines to stderr
    done = next(line for line in output.splitlines() if "Done. PASS=" in line)
    assert "ERROR=0" in done and "WARN=0" in done and "SKIP=0" in done, done
    assert "Registered adapter: postgres" in output
    # Unit tests and contracts ran there too.
    assert "int_plan_progress_evaluated::a_growth_rate_target_follows_a_geometric_path" in output


def test_postgres_computes_the_same_progress_as_duckdb(built_on_both):
    warehouse, _, on_postgres = built_on_both
    on_duckdb = query(warehouse, PROGRESS)
    assert len(on_postgres) == len(on_duckdb) > 6000

    def normal(rows):
        # Numbers compared as numbers (the two print decimals differently: 1.000 / 1.000000000).
        def value(v):
            if v is None or isinstance(v, (str, bool)):
                return str(v)
            return f"{float(v):.9f}"

        return sorted(tuple(value(v) for v in row) for row in rows)

    assert normal(on_postgres) == normal(on_duckdb)
    # 技能人才总量 at the end of 2024 (004 L89; 003 L108) on PostgreSQL too.
    skilled = [
        r for r in on_postgres if r[1] == "skilled_talent" and r[0] == "zs_hrss_14fyp" and r[-1]
    ]
    assert [(r[4], float(r[5])) for r in skilled] == [("needs_acceleration", 0.938461538)]
