"""PostgreSQL publishing settings and type mapping (the publish itself is tested against a
real server in tests/integration/test_postgres_serving.py)."""

from __future__ import annotations

import pytest

from hrss_warehouse.errors import ConfigError, PipelineError
from hrss_warehouse.publish_postgres import _pg_type, pg_settings

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
