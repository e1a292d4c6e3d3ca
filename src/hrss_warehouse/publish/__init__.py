"""Write-audit-publish of the audited marts: the DuckDB file BI reads (duckdb_file), the
PostgreSQL copy (postgres) and dbt building on PostgreSQL (postgres_dbt)."""
