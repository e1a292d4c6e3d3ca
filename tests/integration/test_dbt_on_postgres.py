"""The nightly run with dbt building on PostgreSQL (HRSS_DBT_TARGET=postgres), against a
real server: the same models and tests as on DuckDB, the same progress, and
write-audit-publish on the server (build into marts__incoming, audit, swap)."""

from __future__ import annotations

import shutil

import psycopg2
import pytest

from tests.integration.postgres import PostgresServer
from tests.integration.steps import run_steps
from tests.integration.support import ROOT, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"
BI_PASSWORD = "bi-pass-9876543210"
PROGRESS = (
    "select plan_code, indicator_code, region_code, cast(as_of_date as varchar), status, "
    # round(double, int): DuckDB's own, on PostgreSQL the project's (macros/cross_db.sql).
    "round(attainment_ratio, 9), round(pace_ratio, 9), "
    "round(expected_value, 9), round(projected_end_value, 9), "
    "severity, is_latest from marts.fct_plan_progress"
)
COLUMNS = (
    "select table_name, column_name, data_type from information_schema.columns "
    "where table_schema = 'marts' order by all"
)


def pg_rows(dsn: str, sql: str) -> list[tuple]:
    with psycopg2.connect(dsn) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


@pytest.fixture(scope="module")
def built_on_both(tmp_path_factory, hrss, sample_run):
    landing = tmp_path_factory.mktemp("landing")
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, landing)
    on_duckdb = sample_run.warehouse  # the same files built on the embedded DuckDB
    server = PostgresServer().start()
    try:
        on_postgres = tmp_path_factory.mktemp("postgres") / "hrss.duckdb"
        env = {
            "HRSS_DBT_TARGET": "postgres",
            "HRSS_PG_DSN": server.dsn,
            "HRSS_PG_BI_PASSWORD": BI_PASSWORD,
            # The unit tests on PostgreSQL's dialect: the first night (auto) runs them.
            "HRSS_DBT_UNIT_TESTS": "auto",
            # And dbt docs reading PostgreSQL's catalog, as a night on it does.
            "HRSS_DBT_DOCS": "auto",
        }
        run = hrss("run", "--landing", landing, "--warehouse", on_postgres, env=env, timeout=900)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        docs = on_postgres.parent / "report" / "dbt_docs" / "index.html"
        assert "fct_plan_progress" in docs.read_text("utf-8")
        # A second night: nothing new landed; dbt's views on the server's raw tables, the
        # persistent intermediate and snapshot tables and last night's marts are all there.
        # Its steps run in this process (it is about the server, not Airflow; a step that
        # fails raises).
        again = run_steps(landing=landing, warehouse=on_postgres, env=env)
        yield on_duckdb, on_postgres, run, server, again
    finally:
        server.stop()


def test_every_model_and_test_passes_on_postgres(built_on_both):
    _, on_postgres, run, _, _ = built_on_both
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    full_build = next(line for line in run.stdout.splitlines() if "Done. PASS=" in line)
    assert "ERROR=0" in full_build and "WARN=0" in full_build and "SKIP=0" in full_build
    # The marts were built where BI cannot see them yet.
    assert "OK created sql table model marts__incoming.fct_plan_progress" in run.stdout
    # The first night's full log (`hrss run` keeps one per run): the build and the alert
    # mart's build both on PostgreSQL, with every test.
    (log,) = (on_postgres.parent / "work" / "runs").glob("*.log")
    text = log.read_text("utf-8")
    assert text.count("Registered adapter: postgres") >= 2
    # Unit tests and contracts ran there too.
    assert "int_plan_progress_evaluated::a_growth_rate_target_follows_a_geometric_path" in text


def test_postgres_computes_the_same_progress_as_duckdb(built_on_both):
    on_duckdb, _, _, server, _ = built_on_both
    served = pg_rows(server.dsn, PROGRESS)
    embedded = query(on_duckdb, PROGRESS)
    assert len(served) == len(embedded) > 6000

    def normal(rows):
        # Numbers compared as numbers (the two print decimals differently: 1.000 / 1.000000000).
        def value(v):
            if v is None or isinstance(v, (str, bool)):
                return str(v)
            return f"{float(v):.9f}"

        return sorted(tuple(value(v) for v in row) for row in rows)

    assert normal(served) == normal(embedded)
    # 技能人才总量 at the end of 2024 (004 L89; 003 L108) on PostgreSQL too.
    skilled = [r for r in served if r[1] == "skilled_talent" and r[0] == "zs_hrss_14fyp" and r[-1]]
    assert [(r[4], float(r[5])) for r in skilled] == [("needs_acceleration", 0.938461538)]


def test_the_postgres_build_is_audited_and_swapped_in(built_on_both):
    on_duckdb, on_postgres, run, server, _ = built_on_both
    # Great Expectations audited what the server built (copied back, rows checked) ...
    # as many rows as the embedded build of the same sample (11,178 with the catalog of
    # issue 18: eleven plans × their targets × months)
    rows = query(on_duckdb, "select count(*) from marts.fct_plan_progress")[0][0]
    assert rows == 11178
    assert f"GX suite fct_plan_progress on {rows} rows: 0 critical failure(s)" in run.stdout
    # ... then one swap: marts is the new version, nothing incoming is left.
    schemas = {r[0] for r in pg_rows(server.dsn, "select nspname from pg_namespace")}
    assert "marts" in schemas and "marts__incoming" not in schemas
    assert "postgres:  published 12 tables to schema marts (read-only role hrss_bi)" in run.stdout
    for (name,) in query(
        on_postgres, "select table_name from duckdb_tables() where schema_name = 'marts'"
    ):
        ((served,),) = pg_rows(server.dsn, f"select count(*) from marts.{name}")
        assert served == query(on_postgres, f"select count(*) from marts.{name}")[0][0], name
    # This run's alerts, rebuilt on the server after delivery, are published with it.
    ((alerts,),) = pg_rows(server.dsn, "select count(*) from marts.fct_alert_event")
    assert alerts == query(on_duckdb, "select count(*) from marts.fct_alert_event")[0][0] > 0
    # The audit copy (and the DuckDB file published from it) keeps the contract's types.
    assert query(on_postgres, COLUMNS) == query(on_duckdb, COLUMNS)
    bi = f"postgresql://hrss_bi:{BI_PASSWORD}@127.0.0.1:{server.port}/postgres"
    ((status,),) = pg_rows(
        bi,
        "select status from marts.fct_plan_progress where plan_code = 'zs_hrss_14fyp' "
        "and indicator_code = 'skilled_talent' and is_latest",
    )
    assert status == "needs_acceleration"
    assert server.dsn not in run.stdout + run.stderr and BI_PASSWORD not in run.stdout


def test_the_second_night_retires_the_first_and_serves_the_same(built_on_both):
    on_duckdb, _, _, server, again = built_on_both
    assert "published 12 tables dbt built on PostgreSQL as schema marts" in again.log
    schemas = {r[0] for r in pg_rows(server.dsn, "select nspname from pg_namespace")}
    assert "marts__incoming" not in schemas
    assert len([s for s in schemas if s.startswith("marts__retired_")]) == 1
    served = pg_rows(server.dsn, PROGRESS)
    assert len(served) == len(query(on_duckdb, PROGRESS))
    ((history,),) = pg_rows(server.dsn, "select count(*) from marts.fct_plan_target_history")
    assert history == query(on_duckdb, "select count(*) from marts.fct_plan_target_history")[0][0]


def test_a_failed_audit_leaves_the_served_marts_as_they_were(built_on_both, tmp_path, monkeypatch):
    """Steps of the postgres-target run in process: what the server built is what GX
    audits, and neither a failed audit nor a changed build reaches schema marts."""
    from hrss_warehouse.config import Settings
    from hrss_warehouse.errors import PipelineError
    from hrss_warehouse.publish.duckdb_file import publish
    from hrss_warehouse.publish.postgres_dbt import mirror_built
    from hrss_warehouse.quality.gx import validate_marts

    _, on_postgres, _, server, _ = built_on_both
    monkeypatch.setenv("HRSS_PG_DSN", server.dsn)
    settings = Settings.load(
        {
            "warehouse": str(tmp_path / "hrss.duckdb"),
            "work_dir": str(tmp_path / "work"),
            "dbt_target": "postgres",
        }
    )
    settings.work_dir.mkdir()
    shutil.copy(on_postgres.parent / "work" / "hrss_work.duckdb", settings.work_db)
    served_before = pg_rows(server.dsn, PROGRESS)
    names = [
        r[0]
        for r in pg_rows(server.dsn, "select tablename from pg_tables where schemaname = 'marts'")
    ]
    # A build on the server whose marts break a critical expectation.
    with psycopg2.connect(server.dsn) as con, con.cursor() as cur:
        cur.execute("create schema marts__incoming")
        for name in names:
            cur.execute(f"create table marts__incoming.{name} as table marts.{name}")
        cur.execute(
            "update marts__incoming.fct_plan_progress set status = 'bogus' "
            "where plan_code = 'zs_hrss_14fyp' and indicator_code = 'skilled_talent' and is_latest"
        )
    mirror_built(server.dsn, settings.work_db)
    with pytest.raises(PipelineError, match=r"not publishing: .*in_set\(status\)"):
        validate_marts(settings, "audit-bad")
    # Fixed and audited: then anything that changes the build before the swap stops it.
    with psycopg2.connect(server.dsn) as con, con.cursor() as cur:
        cur.execute(
            "update marts__incoming.fct_plan_progress set status = 'lagging' where status = 'bogus'"
        )
    mirror_built(server.dsn, settings.work_db)
    assert validate_marts(settings, "audit-ok")["suites"]
    regions_before = pg_rows(server.dsn, "select * from marts.dim_region order by 1")
    with psycopg2.connect(server.dsn) as con, con.cursor() as cur:
        cur.execute(
            "update marts__incoming.dim_region set region_name_zh = '改过' "
            "where region_code = '330902'"
        )
    with pytest.raises(PipelineError, match=r"marts__incoming.dim_region changed since it was"):
        publish(settings)
    with psycopg2.connect(server.dsn) as con, con.cursor() as cur:
        cur.execute("delete from marts__incoming.dim_region where region_code = '330902'")
    with pytest.raises(
        PipelineError, match=r"marts__incoming.dim_region has 11 rows, the audited copy 12"
    ):
        publish(settings)
    # BI still reads the version published before, and the DuckDB file was not written.
    assert pg_rows(server.dsn, PROGRESS) == served_before
    assert pg_rows(server.dsn, "select * from marts.dim_region order by 1") == regions_before
    assert not settings.warehouse.exists()
