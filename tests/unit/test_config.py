"""Unit tests for hrss_warehouse.config: defaults, environment, overrides, as-of parsing.

Every call passes ``environ=`` explicitly so the process environment never leaks in.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from hrss_warehouse.config import Settings, parse_as_of
from hrss_warehouse.errors import ConfigError, PipelineError

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_relative_to_the_repository():
    s = Settings.load(environ={})
    assert s.home == ROOT
    assert s.landing_dir == ROOT / "data" / "sample" / "landing"
    assert s.catalog_dir == ROOT / "seeds"
    assert s.warehouse == ROOT / "warehouse" / "hrss.duckdb"
    assert s.work_dir == ROOT / "warehouse" / "work"
    assert s.archive_dir == ROOT / "warehouse" / "archive"
    assert s.report_dir == ROOT / "warehouse" / "report"
    assert s.as_of is None
    assert s.as_of_date is None
    assert s.dbt_target == "duckdb"


def test_derived_locations():
    s = Settings.load(environ={})
    assert s.work_db == ROOT / "warehouse" / "work" / "hrss_work.duckdb"
    assert s.dbt_project_dir == ROOT / "dbt_project"
    assert s.expectations_dir == ROOT / "expectations"


def test_environ_overrides_defaults(tmp_path):
    env = {
        "HRSS_LANDING_DIR": str(tmp_path / "in"),
        "HRSS_CATALOG_DIR": str(tmp_path / "cat"),
        "HRSS_WAREHOUSE": str(tmp_path / "wh" / "x.duckdb"),
        "HRSS_AS_OF": "2024-06",
        "HRSS_DBT_TARGET": "postgres",
    }
    s = Settings.load(environ=env)
    assert s.home == ROOT
    assert s.landing_dir == tmp_path / "in"
    assert s.catalog_dir == tmp_path / "cat"
    assert s.warehouse == tmp_path / "wh" / "x.duckdb"
    # directories without their own setting follow the warehouse
    assert s.work_dir == tmp_path / "wh" / "work"
    assert s.archive_dir == tmp_path / "wh" / "archive"
    assert s.report_dir == tmp_path / "wh" / "report"
    assert s.as_of == "2024-06"
    assert s.as_of_date == date(2024, 6, 30)
    assert s.dbt_target == "postgres"


def test_environ_home_moves_every_default(tmp_path):
    s = Settings.load(environ={"HRSS_HOME": str(tmp_path)})
    assert s.home == tmp_path
    assert s.landing_dir == tmp_path / "data" / "sample" / "landing"
    assert s.catalog_dir == tmp_path / "seeds"
    assert s.warehouse == tmp_path / "warehouse" / "hrss.duckdb"
    assert s.work_dir == tmp_path / "warehouse" / "work"
    assert s.dbt_project_dir == tmp_path / "dbt_project"


def test_explicit_dirs_beat_warehouse_derived_ones(tmp_path):
    s = Settings.load(
        environ={
            "HRSS_WAREHOUSE": str(tmp_path / "wh" / "x.duckdb"),
            "HRSS_WORK_DIR": str(tmp_path / "w"),
            "HRSS_ARCHIVE_DIR": str(tmp_path / "a"),
            "HRSS_REPORT_DIR": str(tmp_path / "r"),
        }
    )
    assert s.work_dir == tmp_path / "w"
    assert s.archive_dir == tmp_path / "a"
    assert s.report_dir == tmp_path / "r"
    assert s.work_db == tmp_path / "w" / "hrss_work.duckdb"


def test_empty_environment_values_fall_through():
    s = Settings.load(environ={"HRSS_LANDING_DIR": "", "HRSS_AS_OF": "", "HRSS_DBT_TARGET": ""})
    assert s.landing_dir == ROOT / "data" / "sample" / "landing"
    assert s.as_of is None
    assert s.dbt_target == "duckdb"


def test_overrides_beat_environ(tmp_path):
    env = {"HRSS_LANDING_DIR": str(tmp_path / "env"), "HRSS_AS_OF": "2023-01"}
    s = Settings.load(overrides={"landing_dir": tmp_path / "flag", "as_of": "2024-02"}, environ=env)
    assert s.landing_dir == tmp_path / "flag"
    assert s.as_of == "2024-02"
    assert s.as_of_date == date(2024, 2, 29)


def test_overrides_home(tmp_path):
    s = Settings.load(overrides={"home": str(tmp_path)}, environ={"HRSS_HOME": "/nonexistent"})
    assert s.home == tmp_path
    assert s.catalog_dir == tmp_path / "seeds"


@pytest.mark.parametrize("empty", [None, ""])
def test_none_or_empty_overrides_fall_through_to_environ(tmp_path, empty):
    env = {"HRSS_LANDING_DIR": str(tmp_path / "env"), "HRSS_AS_OF": "2023-01"}
    s = Settings.load(overrides={"landing_dir": empty, "as_of": empty}, environ=env)
    assert s.landing_dir == tmp_path / "env"
    assert s.as_of == "2023-01"
    assert s.as_of_date == date(2023, 1, 31)


@pytest.mark.parametrize("empty", [None, ""])
def test_none_or_empty_overrides_fall_through_to_defaults(empty):
    s = Settings.load(overrides={"warehouse": empty, "dbt_target": empty}, environ={})
    assert s.warehouse == ROOT / "warehouse" / "hrss.duckdb"
    assert s.dbt_target == "duckdb"


def test_unknown_override_key_is_config_error():
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.load(overrides={"landing": "/tmp/x"}, environ={})
    with pytest.raises(ConfigError, match="landng_dir"):
        Settings.load(overrides={"landng_dir": "/tmp/x", "as_of": "2024-01"}, environ={})


def test_config_error_is_a_permanent_pipeline_error():
    assert issubclass(ConfigError, PipelineError)


def test_paths_are_resolved_and_user_expanded(tmp_path):
    s = Settings.load(
        overrides={
            "landing_dir": str(tmp_path / "a" / ".." / "b"),
            "catalog_dir": "~/hrss-catalog",
        },
        environ={},
    )
    assert s.landing_dir == tmp_path / "b"
    assert s.catalog_dir == Path("~/hrss-catalog").expanduser().resolve()
    assert "~" not in str(s.catalog_dir)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02", date(2024, 2, 29)),  # leap year
        ("2023-02", date(2023, 2, 28)),
        ("2024-12", date(2024, 12, 31)),  # the year rolls over correctly
        ("2024-1", date(2024, 1, 31)),
        ("2024-04", date(2024, 4, 30)),
        (" 2024-06 ", date(2024, 6, 30)),
        ("2000-02", date(2000, 2, 29)),
        ("1900-02", date(1900, 2, 28)),
    ],
)
def test_parse_as_of(text, expected):
    assert parse_as_of(text) == expected


@pytest.mark.parametrize("text", [None, ""])
def test_parse_as_of_unset(text):
    assert parse_as_of(text) is None


@pytest.mark.parametrize(
    "text", ["2024/13", "2024-13", "2024-00", "abc", "2024", "2024-02-01", "24-02", "2024年2月"]
)
def test_parse_as_of_malformed(text):
    with pytest.raises(ConfigError, match="YYYY-MM"):
        parse_as_of(text)


@pytest.mark.parametrize("source", ["overrides", "environ"])
def test_malformed_as_of_fails_at_load(source):
    if source == "overrides":
        kwargs = {"overrides": {"as_of": "2024-13"}, "environ": {}}
    else:
        kwargs = {"environ": {"HRSS_AS_OF": "2024/13"}}
    with pytest.raises(ConfigError):
        Settings.load(**kwargs)


def test_as_conf_is_json_serialisable_and_round_trips(tmp_path):
    s = Settings.load(
        overrides={"warehouse": tmp_path / "wh.duckdb", "as_of": "2024-12"}, environ={}
    )
    conf = s.as_conf()
    assert json.loads(json.dumps(conf)) == conf
    assert set(conf) == {f.name for f in dataclasses.fields(Settings)}
    assert conf["warehouse"] == str(tmp_path / "wh.duckdb")
    assert conf["work_dir"] == str(tmp_path / "work")
    assert conf["home"] == str(ROOT)
    assert conf["as_of"] == "2024-12"
    assert conf["dbt_target"] == "duckdb"
    # the run conf fed back as overrides gives the same settings
    assert Settings.load(overrides=conf, environ={}) == s


def test_as_conf_unset_as_of_is_null():
    conf = Settings.load(environ={}).as_conf()
    assert conf["as_of"] is None
    assert json.dumps(conf["as_of"]) == "null"


def test_settings_are_frozen():
    s = Settings.load(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.as_of = "2024-01"  # type: ignore[misc]


def test_ensure_dirs_creates_the_working_directories(tmp_path):
    s = Settings.load(overrides={"warehouse": tmp_path / "wh" / "x.duckdb"}, environ={})
    s.ensure_dirs()
    for directory in ("work", "archive", "report"):
        assert (tmp_path / "wh" / directory).is_dir()
    assert not (tmp_path / "wh" / "x.duckdb").exists()


def test_parse_limits_default_and_from_environment():
    s = Settings.load(environ={})
    assert (s.max_file_mb, s.parse_timeout_s, s.parse_memory_mb) == (200, 600, 4096)
    s = Settings.load(
        environ={
            "HRSS_MAX_FILE_MB": "50",
            "HRSS_PARSE_TIMEOUT_S": "30",
            "HRSS_PARSE_MEMORY_MB": "1024",
        }
    )
    assert (s.max_file_mb, s.parse_timeout_s, s.parse_memory_mb) == (50, 30, 1024)
    # The DAG run conf carries them as text and gives them back.
    assert Settings.load(overrides=s.as_conf(), environ={}).parse_timeout_s == 30


@pytest.mark.parametrize("bad", ["0", "-5", "lots", "1.5"])
def test_parse_limits_must_be_positive_whole_numbers(bad):
    with pytest.raises(ConfigError, match=r"HRSS_PARSE_TIMEOUT_S must be a positive whole number"):
        Settings.load(environ={"HRSS_PARSE_TIMEOUT_S": bad})


def test_dbt_target_is_one_of_the_profile_outputs():
    assert Settings.load(environ={}).dbt_target == "duckdb"
    assert Settings.load(environ={"HRSS_DBT_TARGET": "postgres"}).dbt_target == "postgres"
    with pytest.raises(ConfigError, match="HRSS_DBT_TARGET must be one of duckdb, postgres"):
        Settings.load(environ={"HRSS_DBT_TARGET": "snowflake"})


def test_dbt_docs_is_auto_or_never():
    assert Settings.load(environ={}).dbt_docs == "auto"
    assert Settings.load(environ={"HRSS_DBT_DOCS": "never"}).dbt_docs == "never"
    with pytest.raises(ConfigError, match="HRSS_DBT_DOCS must be one of auto, never, got 'off'"):
        Settings.load(environ={"HRSS_DBT_DOCS": "off"})
