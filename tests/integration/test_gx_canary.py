"""Canary: which Great Expectations path works on DuckDB with the pinned versions.

quality/gx.py reads tables from DuckDB (read-only) into DataFrames and validates them
with GX's pandas datasource, because GX's SQL datasource on DuckDB (duckdb-engine)
fails with MetricResolutionError "list index out of range" (upstream GX issues
#10738 / #11579). These tests pin both facts, so an upgrade that fixes the SQL path
(time to validate in the database instead) or breaks the DataFrame path is noticed
the day it lands, not in production.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def duckdb_file(tmp_path):
    path = tmp_path / "canary.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select * from (values (1, 'x'), (2, null)) as v(a, s)")
    return path


def test_gx_sql_datasource_on_duckdb_still_fails_with_the_known_error(duckdb_file):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(name="duck", connection_string=f"duckdb:///{duckdb_file}")
    batch = source.add_table_asset(name="t", table_name="t").add_batch_definition_whole_table("all")
    result = batch.get_batch().validate(gxe.ExpectColumnValuesToNotBeNull(column="a"))
    messages = [info.get("exception_message") for info in (result.exception_info or {}).values()]
    # If this fails because the validation succeeded, GX fixed #10738/#11579: consider
    # validating in DuckDB through SQL (no DataFrame copy) and update this canary.
    assert (result.success, messages) == (False, ["list index out of range"])


def test_gx_dataframe_path_used_by_the_pipeline_works(duckdb_file):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        frame = con.execute("select * from t order by a").df()
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("t")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": frame}
    )
    assert isinstance(frame, pd.DataFrame)
    passed = batch.validate(gxe.ExpectColumnValuesToNotBeNull(column="a"))
    failed = batch.validate(gxe.ExpectColumnValuesToNotBeNull(column="s"))
    assert (passed.success, failed.success) == (True, False)
    assert failed.result["unexpected_count"] == 1
