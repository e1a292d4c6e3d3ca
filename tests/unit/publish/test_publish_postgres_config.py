"""PostgreSQL publishing settings and type mapping (the publish itself is tested against a
real server in tests/integration/test_postgres_serving.py)."""

from __future__ import annotations

import pytest

from hrss_warehouse.config import pg_settings
from hrss_warehouse.errors import ConfigError, PipelineError
from hrss_warehouse.publish.postgres import _pg_type

pytestmark = pytest.mark.unit


def test_publishing_to_postgres_is_off_without_a_dsn(monkeypatch):
    monkeypatch.delenv("HRSS_PG_DSN", raising=False)
    assert pg_settings() is None


def test_the_bi_role_name_is_a_plain_identifier(monkeypatch):
    monkeypatch.setenv("HRSS_PG_DSN", "postgresql://x@db/hrss")
    monkeypatch.delenv("HRSS_PG_BI_ROLE", raising=False)
    assert pg_settings()["bi_role"] == "hrss_bi"
    monkeypatch.setenv("HRSS_PG_BI_ROLE", "bi; drop schema marts")
    with pytest.raises(ConfigError, match="plain lower-case identifier"):
        pg_settings()


def test_the_bi_role_limits_default_to_five_minutes_and_twenty_connections(monkeypatch):
    monkeypatch.setenv("HRSS_PG_DSN", "postgresql://x@db/hrss")
    monkeypatch.delenv("HRSS_PG_BI_STATEMENT_TIMEOUT", raising=False)
    monkeypatch.delenv("HRSS_PG_BI_CONNECTION_LIMIT", raising=False)
    settings = pg_settings()
    assert (settings["bi_statement_timeout"], settings["bi_connection_limit"]) == ("5min", 20)
    monkeypatch.setenv("HRSS_PG_BI_STATEMENT_TIMEOUT", "90s")
    monkeypatch.setenv("HRSS_PG_BI_CONNECTION_LIMIT", "5")
    settings = pg_settings()
    assert (settings["bi_statement_timeout"], settings["bi_connection_limit"]) == ("90s", 5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HRSS_PG_BI_STATEMENT_TIMEOUT", "0"),  # 0 = no timeout at all
        ("HRSS_PG_BI_STATEMENT_TIMEOUT", "5 minutes"),
        ("HRSS_PG_BI_STATEMENT_TIMEOUT", "5min'; drop role hrss_bi; --"),
        ("HRSS_PG_BI_CONNECTION_LIMIT", "0"),
        ("HRSS_PG_BI_CONNECTION_LIMIT", "-1"),  # PostgreSQL's "no limit"
        ("HRSS_PG_BI_CONNECTION_LIMIT", "twenty"),
    ],
)
def test_a_bi_limit_that_is_not_a_positive_value_is_refused(monkeypatch, name, value):
    monkeypatch.setenv("HRSS_PG_DSN", "postgresql://x@db/hrss")
    for other in ("HRSS_PG_BI_STATEMENT_TIMEOUT", "HRSS_PG_BI_CONNECTION_LIMIT"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"^{name} must be a positive"):
        pg_settings()


@pytest.mark.parametrize(
    ("duckdb_type", "postgres_type"),
    [
        ("VARCHAR", "text"),
        ("DOUBLE", "double precision"),
        ("INTEGER", "integer"),
        ("BIGINT", "bigint"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("TIMESTAMP", "timestamp"),
        ("DECIMAL(38,10)", "numeric(38,10)"),
    ],
)
def test_duckdb_types_map_to_postgres(duckdb_type, postgres_type):
    assert _pg_type(duckdb_type) == postgres_type


def test_an_unknown_type_is_an_error_not_a_guess():
    with pytest.raises(PipelineError, match="no PostgreSQL type for DuckDB column type STRUCT"):
        _pg_type("STRUCT(a INTEGER)")


# --- dbt on the PostgreSQL target (HRSS_DBT_TARGET=postgres) ---------------------------


def test_the_postgres_target_needs_the_warehouse_dsn(monkeypatch):
    from hrss_warehouse.publish.postgres_dbt import required_options

    monkeypatch.delenv("HRSS_PG_DSN", raising=False)
    with pytest.raises(ConfigError, match="HRSS_DBT_TARGET=postgres needs HRSS_PG_DSN"):
        required_options()


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        (
            "postgresql://hrss:s3cr%40t@db.example:6543/warehouse",
            {
                "HRSS_PG_HOST": "db.example",
                "HRSS_PG_PORT": "6543",
                "HRSS_PG_USER": "hrss",
                "HRSS_PG_DBNAME": "warehouse",
                "HRSS_PG_PASSWORD": "s3cr@t",  # percent-decoded, as libpq reads it
                "HRSS_PG_SSLMODE": "prefer",  # libpq's default
            },
        ),
        (
            "host=10.0.0.5 user=etl dbname=hrss sslmode=verify-full",
            {
                "HRSS_PG_HOST": "10.0.0.5",
                "HRSS_PG_PORT": "5432",
                "HRSS_PG_USER": "etl",
                "HRSS_PG_DBNAME": "hrss",
                "HRSS_PG_SSLMODE": "verify-full",  # dbt connects no less securely
            },
        ),
    ],
)
def test_the_dbt_profile_is_filled_from_the_one_dsn(dsn, expected):
    from hrss_warehouse.publish.postgres_dbt import dbt_profile_env

    assert dbt_profile_env(dsn) == expected


def test_a_malformed_dsn_is_refused_without_echoing_it():
    from hrss_warehouse.publish.postgres_dbt import dbt_profile_env

    with pytest.raises(ConfigError) as raised:
        dbt_profile_env("host=db password='unterminated")
    assert "unterminated" not in str(raised.value)


def test_dbt_gets_the_profile_and_the_incoming_marts_schema(monkeypatch, tmp_path):
    from hrss_warehouse.config import Settings
    from hrss_warehouse.dbt_runner import dbt_env

    monkeypatch.setenv("HRSS_PG_DSN", "postgresql://hrss:pw@db:5432/hrss")
    monkeypatch.setenv("HRSS_PG_HOST", "somewhere-else")
    monkeypatch.setenv("HRSS_DBT_MARTS_SCHEMA", "stale")
    on_pg = Settings.load({"warehouse": str(tmp_path / "w.duckdb"), "dbt_target": "postgres"})
    env = dbt_env(on_pg, "marts__incoming")
    assert (env["HRSS_PG_HOST"], env["HRSS_DBT_MARTS_SCHEMA"]) == ("db", "marts__incoming")
    # Docs and manual runs name the marts as BI sees them; DuckDB never takes the DSN.
    assert "HRSS_DBT_MARTS_SCHEMA" not in dbt_env(on_pg)
    on_duckdb = Settings.load({"warehouse": str(tmp_path / "w.duckdb")})
    assert dbt_env(on_duckdb)["HRSS_PG_HOST"] == "somewhere-else"


@pytest.mark.parametrize(
    ("postgres_type", "precision", "scale", "duckdb_type"),
    [
        ("text", None, None, "varchar"),
        ("double precision", 53, None, "double"),
        ("integer", 32, 0, "integer"),
        ("boolean", None, None, "boolean"),
        ("date", None, None, "date"),
        ("timestamp with time zone", None, None, "timestamptz"),
        ("numeric", 18, 3, "decimal(18, 3)"),
    ],
)
def test_postgres_types_map_back_to_duckdb(postgres_type, precision, scale, duckdb_type):
    from hrss_warehouse.publish.postgres_dbt import _duckdb_type

    assert _duckdb_type(postgres_type, precision, scale) == duckdb_type


def test_an_unbounded_numeric_mart_column_is_refused():
    from hrss_warehouse.publish.postgres_dbt import _duckdb_type

    with pytest.raises(PipelineError, match="numeric without precision"):
        _duckdb_type("numeric", None, None)
