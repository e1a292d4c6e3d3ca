"""A dbt build is skipped when nothing it reads has changed since the last whole build
(dbt_runner.build_inputs), and the dbt docs page when the build it shows is unchanged.

dbt itself is replaced by a stand-in that records its calls and creates the mart a build
would; the work database and its raw tables are real."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from hrss_warehouse import dbt_runner, workdb
from hrss_warehouse.config import Settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    for folder in ("dbt_project", "seeds"):
        shutil.copytree(
            ROOT / folder, home / folder, ignore=shutil.ignore_patterns("target", "logs")
        )
    return home


@pytest.fixture
def dbt_calls(monkeypatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []

    def fake_run_dbt(settings: Settings, *args: str, marts_schema: str | None = None):
        calls.append(args)
        if args[0] == "build":
            with duckdb.connect(str(settings.work_db)) as con:
                con.execute("create schema if not exists marts")
                con.execute("create or replace table marts.fct_plan_progress (x int)")
        else:  # docs generate
            target = dbt_runner.run_project_dir(settings) / "target"
            target.mkdir(parents=True, exist_ok=True)
            (target / "static_index.html").write_text("<html>docs</html>")
        return ["Done. PASS=3 WARN=0 ERROR=0 SKIP=0 NO-OP=0 TOTAL=3"]

    monkeypatch.setattr(dbt_runner, "run_dbt", fake_run_dbt)
    return calls


def settings(home: Path, **env: str) -> Settings:
    environ = {
        "HRSS_HOME": str(home),
        "HRSS_WAREHOUSE": str(home / "w" / "hrss.duckdb"),
        "HRSS_DBT_UNIT_TESTS": "never",
        **env,
    }
    return Settings.load(environ=environ)


def land_flag(s: Settings, rule: str) -> None:
    """A row of raw.observation_flags, a table the whole build reads."""
    with workdb.connect(s.work_db) as con:
        con.execute(
            "insert into raw.observation_flags values ('b', 'f', 'f.csv', 2, 'i', 'r', "
            "'2024', 'period', ?, 'warning', 'm', now())",
            [rule],
        )


def land_event(s: Settings, event_id: str) -> None:
    """A row of raw.alert_events, which only the alert mart reads."""
    with workdb.connect(s.work_db) as con:
        con.execute(
            "insert into raw.alert_events (event_id, event_kind, event_key, title_zh, "
            "message_zh, message_en, batch_id, detected_at) "
            "values (?, 'trajectory', ?, 't', 'm', 'm', 'b', now())",
            [event_id, event_id],
        )


def test_the_same_inputs_again_skip_the_build(home, dbt_calls):
    s = settings(home)
    first = dbt_runner.build(s)
    assert first["summary"].startswith("PASS=3") and len(dbt_calls) == 1
    again = dbt_runner.build(s)
    assert again["summary"].startswith("skipped: nothing it reads changed since ")
    assert len(dbt_calls) == 1


@pytest.mark.parametrize(
    "change",
    [
        "a raw row",
        "a raw row updated",
        "the catalog",
        "the code",
        "the as-of month",
        "no marts",
        "a built table altered",  # an older release's shape: the build must replace it
    ],
)
def test_any_change_of_what_it_reads_builds_again(home, dbt_calls, change):
    s = settings(home)
    land_flag(s, "r1")
    dbt_runner.build(s)
    if change == "a raw row":
        land_flag(s, "r2")
    elif change == "a raw row updated":
        with workdb.connect(s.work_db) as con:
            con.execute("update raw.observation_flags set severity = 'critical'")
    elif change == "the catalog":
        with (home / "seeds" / "plans.csv").open("a", encoding="utf-8") as f:
            f.write("\n")
    elif change == "the code":
        model = home / "dbt_project" / "models" / "marts" / "dim_plan.sql"
        model.write_text(model.read_text() + "\n-- edited\n")
    elif change == "the as-of month":
        s = settings(home, HRSS_AS_OF="2024-06")
    elif change == "no marts":
        with duckdb.connect(str(s.work_db)) as con:
            con.execute("drop table marts.fct_plan_progress")
    else:
        with duckdb.connect(str(s.work_db)) as con:
            con.execute("alter table marts.fct_plan_progress add column y int")
    result = dbt_runner.build(s)
    assert result["summary"].startswith("PASS=3"), change
    assert len(dbt_calls) == 2


def test_a_failed_build_is_not_recorded(home, dbt_calls, monkeypatch):
    s = settings(home)

    def failing(settings: Settings, *args: str, marts_schema: str | None = None):
        raise dbt_runner.PipelineError("dbt build failed (exit 1): a test failed")

    monkeypatch.setattr(dbt_runner, "run_dbt", failing)
    with pytest.raises(dbt_runner.PipelineError):
        dbt_runner.build(s)
    assert not (s.work_dir / dbt_runner.BUILD_INPUTS).exists()


def test_the_docs_page_is_made_again_only_after_a_build_changed(home, dbt_calls):
    s = settings(home)
    dbt_runner.build(s)
    dbt_runner.generate_docs(s)
    dbt_runner.generate_docs(s)
    assert [c[0] for c in dbt_calls] == ["build", "docs"]
    s.dbt_docs_index.unlink()  # the report folder emptied: made again
    dbt_runner.generate_docs(s)
    land_flag(s, "r2")
    dbt_runner.build(s)
    dbt_runner.generate_docs(s)
    assert [c[0] for c in dbt_calls] == ["build", "docs", "docs", "build", "docs"]
    assert s.dbt_docs_index.read_text() == "<html>docs</html>"


def test_no_docs_page_with_hrss_dbt_docs_never(home, dbt_calls):
    s = settings(home)
    dbt_runner.build(s)
    dbt_runner.generate_docs(s)
    assert s.dbt_docs_index.is_file()
    never = settings(home, HRSS_DBT_DOCS="never")
    assert dbt_runner.generate_docs(never) == {
        "dbt_docs": None,
        "summary": "skipped: HRSS_DBT_DOCS=never",
    }
    # Not made, and the page of an earlier night is not left for the report to link.
    assert [c[0] for c in dbt_calls] == ["build", "docs"]
    assert not s.dbt_docs_index.exists()


def test_only_the_raw_tables_a_model_reads_count(home, dbt_calls):
    s = settings(home)
    assert dbt_runner.raw_sources_read(s) == [
        "alert_deliveries",
        "alert_events",
        "file_ledger",
        "observation_flags",
        "observations",
        "quarantined_rows",
    ]
    assert dbt_runner.ALERT_SOURCES == ("alert_deliveries", "alert_events")
    dbt_runner.build(s)
    # Each run records its GX results after its build; no model reads them. Its alerts
    # come after its build too: they are the alert mart's inputs (below), not the build's.
    with workdb.connect(s.work_db) as con:
        con.execute(
            "insert into raw.validation_results (batch_id, suite_name, expectation_type, "
            "success, severity, validated_at) values ('b', 's', 'e', true, 'critical', now())"
        )
    land_event(s, "e1")
    assert dbt_runner.build(s)["summary"].startswith("skipped: ")
    assert len(dbt_calls) == 1


def test_the_alert_sources_are_read_by_the_alert_mart_alone():
    # What build_alert_mart builds (+fct_alert_event) is all that reads them: skipping the
    # whole build for a new alert leaves nothing stale.
    models = ROOT / "dbt_project" / "models"
    readers = {
        p.stem
        for p in models.rglob("*.sql")
        if any(f"source('raw', '{t}')" in p.read_text() for t in dbt_runner.ALERT_SOURCES)
    }
    assert readers == {"stg_raw__alert_deliveries", "stg_raw__alert_events"}
    users = {
        p.stem
        for p in models.rglob("*.sql")
        if any(f"ref('{m}')" in p.read_text() for m in readers)
    }
    assert users == {"fct_alert_event"}


def test_the_alert_mart_is_built_again_only_when_an_alert_changed(home, dbt_calls):
    s = settings(home)
    land_flag(s, "r1")
    land_event(s, "e1")
    dbt_runner.build(s)
    first = dbt_runner.build_alert_mart(s)
    again = dbt_runner.build_alert_mart(s)
    assert first["summary"].startswith("PASS=3")
    assert again["summary"].startswith("skipped: no alert changed since "), again
    land_flag(s, "r2")  # a new figure, no new alert: the whole build runs, the mart not
    dbt_runner.build(s)
    assert dbt_runner.build_alert_mart(s)["summary"].startswith("skipped: ")
    land_event(s, "e2")
    assert dbt_runner.build_alert_mart(s)["summary"].startswith("PASS=3")
    with workdb.connect(s.work_db) as con:  # a delivery recorded: built again
        con.execute("update raw.alert_events set event_kind = 'recovery' where event_id = 'e1'")
    assert dbt_runner.build_alert_mart(s)["summary"].startswith("PASS=3")
    mart_only = ["+fct_alert_event" in c for c in dbt_calls]
    assert mart_only == [False, True, False, True, True]


def test_the_last_build_names_the_marts_it_left(home, dbt_calls):
    s = settings(home)
    assert dbt_runner.last_build(s) is None  # never built: the marts are unknown
    dbt_runner.build(s)
    first = dbt_runner.last_build(s)
    dbt_runner.build(s)  # skipped: the same marts
    assert dbt_runner.last_build(s) == first and first is not None
    land_flag(s, "r2")
    dbt_runner.build(s)
    assert dbt_runner.last_build(s) not in (None, first)
    assert dbt_runner.last_build(settings(home, HRSS_DBT_TARGET="postgres")) is None
