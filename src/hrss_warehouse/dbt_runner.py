"""Run dbt as one process against the working database.

dbt runs on a per-warehouse copy of ``dbt_project/`` (``<work dir>/dbt_project``)
whose ``seeds/`` holds a snapshot of the catalog folder the run was given. Two
reasons: ``--catalog DIR`` can point anywhere while ``seed-paths`` stays relative
(an absolute seed path makes dbt write compiled SQL over the source CSVs), and
the copy records exactly which models and catalog a build used.

DuckDB allows one writer per file, so the whole project is built by a single
``dbt build`` (seeds, models, data tests and unit tests, in DAG order) rather
than one Airflow task per model. dbt's own progress lines are streamed into the
task log as they come.

Unit tests check the SQL, not the data, so a build runs them only when the dbt code
or dbt's version differs from the last build whose unit tests passed
(HRSS_DBT_UNIT_TESTS=auto; ``always`` / ``never``): on a sample night they were 11 of
the build's 18 seconds.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from hrss_warehouse.config import Settings, child_env, pg_dsn
from hrss_warehouse.errors import PipelineError, TransientError, failure_for

log = logging.getLogger(__name__)


_NOT_COPIED = shutil.ignore_patterns("target", "logs", "dbt_packages", "seeds", ".user.yml")


REFERENCE_SEEDS = (
    "release_calendar.csv",
    "indicator_derivations.csv",
    "progress_statuses.csv",
    "unit_conversions.csv",
)


# In the work dir: the code fingerprint of the last build whose unit tests passed; what the
# last whole DuckDB build read (build_inputs); what the dbt docs page was made from.
UNIT_TESTS_PASSED = "dbt_unit_tests_passed.json"
BUILD_INPUTS = "dbt_build_inputs.json"
DOCS_INPUTS = "dbt_docs_inputs.json"
ALERT_MART_INPUTS = "dbt_alert_mart_inputs.json"
# Read only by marts.fct_alert_event's lineage (its two staging views), which
# build_alert_mart builds again after each run's alerts: they are that step's inputs, not
# the whole build's — else every night with a new alert would build everything the next.
ALERT_SOURCES = ("alert_deliveries", "alert_events")
# A model's read of a raw table: {{ source('raw', 'observations') }}.
_RAW_SOURCE = re.compile(r"""source\(\s*['"]raw['"]\s*,\s*['"](\w+)['"]\s*\)""")
_CODE_DIRS = ("models", "macros", "tests", "snapshots")


def run_project_dir(settings: Settings) -> Path:
    return settings.work_dir / "dbt_project"


def prepare_project(settings: Settings) -> Path:
    """Refresh the run copy of the dbt project and its catalog snapshot."""
    from hrss_warehouse.errors import ConfigError

    source, run_dir = settings.dbt_project_dir, run_project_dir(settings)
    csvs = sorted(settings.catalog_dir.glob("*.csv"))
    if not csvs:
        raise ConfigError(f"no catalog CSV files in {settings.catalog_dir}")
    for entry in ("models", "macros", "tests", "seeds"):
        shutil.rmtree(run_dir / entry, ignore_errors=True)
    shutil.copytree(source, run_dir, ignore=_NOT_COPIED, dirs_exist_ok=True)
    (run_dir / "seeds").mkdir()
    for csv_file in csvs:
        shutil.copyfile(csv_file, run_dir / "seeds" / csv_file.name)
    # Reference tables a catalog of one's own may not carry (a release calendar, the
    # status labels): the bundled ones stand in, and the log says so.
    for name in REFERENCE_SEEDS:
        if not (run_dir / "seeds" / name).exists():
            log.info("catalog %s has no %s: using the bundled one", settings.catalog_dir, name)
            shutil.copyfile(settings.home / "seeds" / name, run_dir / "seeds" / name)
    _fill_release_basis(run_dir / "seeds" / "release_calendar.csv", settings.home / "seeds")
    return run_dir


def _fill_release_basis(calendar: Path, bundled_dir: Path) -> None:
    """A release calendar from before its ``basis`` column gets one (catalog/releases.py:
    the bundled calendar's basis for the indicator, else period), so the build's staging
    model finds it."""
    from hrss_warehouse.catalog.releases import release_calendar

    rows, filled = release_calendar(calendar, bundled_dir / calendar.name)
    if not filled:
        return
    log.info("%s: %d row(s) without a basis given the bundled one or period", calendar, filled)
    with calendar.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys([*rows[0], "basis"])))
        writer.writeheader()
        writer.writerows(rows)


def dbt_env(settings: Settings, marts_schema: str | None = None) -> dict[str, str]:
    # dbt needs no alert channel; its URLs carry tokens.
    env = child_env(without=("HRSS_ALERT_URLS",))
    env.update(
        {
            "HRSS_WORK_DB": str(settings.work_db),
            "HRSS_DBT_TARGET": settings.dbt_target,
            "DBT_PROFILES_DIR": str(run_project_dir(settings)),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # The DuckDB profile's bounds (profiles.yml): memory, threads, spill folder.
            "HRSS_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
            "HRSS_DUCKDB_THREADS": str(settings.duckdb_threads or os.cpu_count() or 1),
            "HRSS_DUCKDB_TEMP_DIR": str(settings.duckdb_spill_dir),
        }
    )
    if settings.dbt_target == "postgres" and (dsn := pg_dsn()):
        from hrss_warehouse.publish.postgres_dbt import dbt_profile_env

        # The run's one connection setting also drives dbt's profile.
        env.update(dbt_profile_env(dsn))
    env.pop("HRSS_DBT_MARTS_SCHEMA", None)
    if marts_schema:
        env["HRSS_DBT_MARTS_SCHEMA"] = marts_schema
    return env


def dbt_command(settings: Settings, *args: str) -> list[str]:
    executable = Path(sys.executable).with_name("dbt")
    command = [str(executable), *args, "--project-dir", str(run_project_dir(settings))]
    if settings.as_of_date and args and args[0] in ("build", "run", "test"):
        command += ["--vars", json.dumps({"as_of_date": settings.as_of_date.isoformat()})]
    return command


def run_dbt(settings: Settings, *args: str, marts_schema: str | None = None) -> list[str]:
    """Run one dbt command, streaming its output; raise (errors.failure_for) if it fails.
    ``marts_schema`` builds the marts under another schema name (PostgreSQL staging)."""
    project = prepare_project(settings)
    command = dbt_command(settings, *args, "--no-use-colors")
    log.info("running: %s", " ".join(command))
    lines: list[str] = []
    with subprocess.Popen(
        command,
        cwd=project,
        env=dbt_env(settings, marts_schema),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            lines.append(line)
            log.info("dbt | %s", line)
    if process.returncode != 0:
        reason = dbt_failure_reason(lines) or "(dbt printed no error; see the task log)"
        raise failure_for(f"dbt {args[0]} failed (exit {process.returncode}): {reason}")
    return lines


def dbt_failure_reason(lines: list[str]) -> str:
    """What dbt said went wrong, on one line. A node's failure: "<Kind> Error in model x
    (path)" and the database's message under it; a failure before any node (the database
    locked, a bad profile): the lines after "Encountered an error:"."""
    stripped = [re.sub(r"^\d\d:\d\d:\d\d\s+", "", ln.strip()) for ln in lines]
    for i, line in enumerate(stripped):
        if line.endswith("Encountered an error:"):
            return " ".join(ln for ln in stripped[i + 1 : i + 4] if ln)
    nodes = [
        f"{line} {stripped[i + 1] if i + 1 < len(stripped) else ''}".strip()
        for i, line in enumerate(stripped)
        if re.search(r"(Error|Failure) in \w+ ", line) or line.endswith("Error")
    ]
    return " | ".join(
        nodes[-5:] or [ln for ln in stripped if " ERROR " in ln or " FAIL " in ln][-5:]
    )


def code_fingerprint(settings: Settings) -> str:
    """sha256 of what dbt's unit tests exercise: the project's models (SQL and the YAML
    their unit tests live in), macros, tests, snapshots and dbt_project.yml, the target
    (its SQL dialect) and the dbt-core / adapter versions."""
    from importlib.metadata import version

    project = settings.dbt_project_dir
    files = [p for d in _CODE_DIRS for p in (project / d).rglob("*") if p.is_file()]
    digest = hashlib.sha256()
    for path in sorted([*files, project / "dbt_project.yml"]):
        digest.update(path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    adapter = f"dbt-{settings.dbt_target}"
    digest.update(f"{settings.dbt_target} {version('dbt-core')} {version(adapter)}".encode())
    return digest.hexdigest()


def unit_test_args(settings: Settings) -> tuple[list[str], str | None]:
    """The build's arguments about unit tests, and the fingerprint to record once they
    pass (None: they are not run)."""
    mode = settings.dbt_unit_tests
    fingerprint = code_fingerprint(settings)
    passed = _unit_tests_passed(settings)
    if mode == "always" or (mode == "auto" and passed.get("fingerprint") != fingerprint):
        why = "always" if mode == "always" else "the dbt code or version is new to this warehouse"
        log.info("dbt unit tests: run (%s)", why)
        return [], fingerprint
    why = (
        "HRSS_DBT_UNIT_TESTS=never"
        if mode == "never"
        else f"the same dbt code and version passed them at {passed.get('at')}"
    )
    log.info("dbt unit tests: skipped (%s)", why)
    return ["--exclude-resource-type", "unit_test"], None


def _unit_tests_passed(settings: Settings) -> dict[str, str]:
    return _read_record(settings.work_dir / UNIT_TESTS_PASSED)


def _record_unit_tests_passed(settings: Settings, fingerprint: str | None) -> None:
    if fingerprint is not None:
        _write_record(settings.work_dir / UNIT_TESTS_PASSED, fingerprint)


def _read_record(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # never recorded, or a half-written record: redo the work
        return {}


def _write_record(path: Path, fingerprint: str, **more: str) -> None:
    from datetime import UTC, datetime

    at = datetime.now(UTC).isoformat(timespec="seconds")
    partial = path.with_suffix(".partial")
    record = {"fingerprint": fingerprint, "at": at, **more}
    partial.write_text(json.dumps(record), encoding="utf-8")
    partial.replace(path)  # a kill leaves the old record or the new one


def build_inputs(settings: Settings, con) -> str:
    """sha256 of everything the DuckDB build reads: the dbt code and version
    (code_fingerprint), the catalog snapshot it seeds, the as-of month, the database's
    current_date (fct_expected_release dates overdue releases from it) and every raw table a
    model reads but the alert sources (ALERT_SOURCES) — its row count and an order-free XOR
    of its rows' hashes (one scan: 0.1 s for 1.9 M raw rows on 2 cores; any insert, delete
    or update changes it)."""
    digest = hashlib.sha256(code_fingerprint(settings).encode())
    seeds = prepare_project(settings) / "seeds"
    for path in sorted(seeds.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    today = con.execute("select current_date").fetchone()[0]
    digest.update(f"as_of={settings.as_of_date} today={today}".encode())
    read = [t for t in raw_sources_read(settings) if t not in ALERT_SOURCES]
    digest.update(_raw_tables_digest(con, read).encode())
    return digest.hexdigest()


def alert_mart_inputs(settings: Settings, con) -> str:
    """sha256 of what build_alert_mart reads: the dbt code and version and the alert
    sources (fct_alert_event is made from them alone)."""
    digest = hashlib.sha256(code_fingerprint(settings).encode())
    digest.update(_raw_tables_digest(con, ALERT_SOURCES).encode())
    return digest.hexdigest()


def _raw_tables_digest(con, tables) -> str:
    digest = hashlib.sha256()
    for table in tables:
        sql = f"select count(*), bit_xor(hash(t)) from raw.{table} as t"
        count, rows = con.execute(sql).fetchone()
        digest.update(f"{table} {count} {rows}".encode())
    return digest.hexdigest()


def raw_sources_read(settings: Settings) -> list[str]:
    """The raw tables the project's SQL reads, from its source() calls — not every table
    the sources YAML declares: raw.validation_results, written by each run after its build,
    is declared but read by no model, and must not count as a change."""
    project = settings.dbt_project_dir
    sql = [p.read_text("utf-8") for d in _CODE_DIRS for p in (project / d).rglob("*.sql")]
    return sorted({name for text in sql for name in _RAW_SOURCE.findall(text)})


def built_tables(con) -> str:
    """sha256 of the shape of every table and view a build leaves (schemas other than raw:
    their columns and types), so a work database whose tables are not as the last build
    left them — altered, dropped, from an older release — is built again."""
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type "
        "from information_schema.columns where table_schema <> 'raw' order by all"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _unchanged_since(record: Path, inputs: str, con) -> str | None:
    """When the build recorded in ``record`` read exactly these inputs and the tables are
    as a build left them: the time of that build (this one would write the same tables)."""
    last = _read_record(record)
    same = last.get("fingerprint") == inputs and last.get("tables") == built_tables(con)
    return last.get("at") if same else None


def last_build(settings: Settings) -> str | None:
    """The last whole DuckDB build that passed (what it read, and when), naming the marts
    it left; None when none is recorded (the PostgreSQL target records none)."""
    last = _read_record(settings.work_dir / BUILD_INPUTS)
    if settings.dbt_target != "duckdb" or not last.get("fingerprint"):
        return None
    return f"{last['fingerprint']}@{last.get('at')}"


def _record_build(settings: Settings, record: Path, inputs: str) -> None:
    from hrss_warehouse import workdb

    with workdb.connect(settings.work_db, read_only=True) as con:
        tables = built_tables(con)
    _write_record(record, inputs, tables=tables)


def build(settings: Settings) -> dict[str, object]:
    """The night's ``dbt build``. On DuckDB, skipped when nothing it reads has changed since
    the last whole build (a second run the same day on the same files, a run after one
    killed past its build): the cost of a night follows what landed."""
    from hrss_warehouse import workdb

    # The raw tables are dbt sources; create them (empty) if no file was ever landed.
    with workdb.connect(settings.work_db) as con:
        inputs = build_inputs(settings, con) if settings.dbt_target == "duckdb" else None
        built_at = inputs and _unchanged_since(settings.work_dir / BUILD_INPUTS, inputs, con)
    if built_at:
        log.info("dbt build skipped: its inputs are those of the build at %s", built_at)
        return {
            "summary": f"skipped: nothing it reads changed since {built_at}",
            "unit_tests": "skipped",
        }
    units, fingerprint = unit_test_args(settings)
    if settings.dbt_target == "postgres":
        result = _build_on_postgres(settings, units)
    else:
        result = {"summary": _done(run_dbt(settings, "build", *units))}
    _record_unit_tests_passed(settings, fingerprint)
    if inputs:
        _record_build(settings, settings.work_dir / BUILD_INPUTS, inputs)
    return {**result, "unit_tests": "skipped" if units else "ran"}


def _build_on_postgres(
    settings: Settings, units: list[str], alert_mart_only: bool = False
) -> dict[str, object]:
    """Build on the server into the incoming schema and copy the result back for the
    audit (see publish/postgres_dbt.py)."""
    from hrss_warehouse.publish import postgres_dbt
    from hrss_warehouse.publish.postgres import INCOMING

    dsn = postgres_dbt.required_options()["dsn"]
    if alert_mart_only:
        postgres_dbt.prepare_alert_sources(settings.work_db, dsn)
        selected = ("--select", "+fct_alert_event")
        lines = run_dbt(settings, "build", *selected, *units, marts_schema=INCOMING)
        copied = postgres_dbt.mirror_built(dsn, settings.work_db, ["fct_alert_event"])
    else:
        postgres_dbt.prepare_sources(settings.work_db, dsn)
        lines = run_dbt(settings, "build", *units, marts_schema=INCOMING)
        copied = postgres_dbt.mirror_built(dsn, settings.work_db)
    return {"summary": _done(lines), "target": "postgres", "audit_copy": copied}


def _done(lines: list[str]) -> str:
    done = next((ln for ln in reversed(lines) if "Done. PASS=" in ln), "")
    return done.split("Done. ", 1)[-1].strip()


def build_alert_mart(settings: Settings) -> dict[str, object]:
    """After delivery: rebuild marts.fct_alert_event (and its staging) only, so this
    run's alerts and their delivery state are published with this run. On DuckDB, skipped
    when the alert sources and the dbt code are those of its last build (no alert raised,
    resolved or delivered since)."""
    from hrss_warehouse import workdb

    # Unit tests ran in dbt_build (or were skipped there): under `auto` they are skipped
    # here; a subset build never records them as passed.
    units, _ = unit_test_args(settings)
    if settings.dbt_target == "postgres":
        return _build_on_postgres(settings, units, alert_mart_only=True)
    record = settings.work_dir / ALERT_MART_INPUTS
    with workdb.connect(settings.work_db) as con:  # creates the raw tables if absent
        inputs = alert_mart_inputs(settings, con)
        built_at = _unchanged_since(record, inputs, con)
    if built_at:
        log.info("alert mart build skipped: no alert changed since its build at %s", built_at)
        return {"summary": f"skipped: no alert changed since {built_at}"}
    lines = run_dbt(settings, "build", "--select", "+fct_alert_event", *units)
    _record_build(settings, record, inputs)
    return {"summary": _done(lines)}


def generate_docs(settings: Settings) -> dict[str, object]:
    """dbt docs for this run's warehouse (models, columns, tests, lineage, exposures) as
    one self-contained page beside the report (``dbt docs generate --static``); not
    generated again while the last whole build's inputs are those the page was made from
    (what it shows — code, columns, tests — comes from them); never with
    HRSS_DBT_DOCS=never."""
    target = settings.dbt_docs_index
    if settings.dbt_docs == "never":
        # Not made, and an older page not left for the report to link as if current.
        target.unlink(missing_ok=True)
        log.info("dbt docs: not generated (HRSS_DBT_DOCS=never)")
        return {"dbt_docs": None, "summary": "skipped: HRSS_DBT_DOCS=never"}
    built = _read_record(settings.work_dir / BUILD_INPUTS).get("fingerprint")
    documented = _read_record(settings.work_dir / DOCS_INPUTS)
    if built and documented.get("fingerprint") == built and target.is_file():
        log.info("dbt docs: %s (unchanged since %s)", target, documented.get("at"))
        return {"dbt_docs": str(target)}
    run_dbt(settings, "docs", "generate", "--static")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run_project_dir(settings) / "target" / "static_index.html", target)
    if built:
        _write_record(settings.work_dir / DOCS_INPUTS, built)
    log.info("dbt docs: %s", target)
    return {"dbt_docs": str(target)}


def main(argv: list[str] | None = None) -> int:
    """``python -m hrss_warehouse.dbt_runner parse|build|docs ...`` with the pipeline's env
    (and, for ``build``, its choice of unit tests)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = argv if argv is not None else sys.argv[1:]
    try:
        settings = Settings.load()
        if args[:1] == ["build"]:
            # As the pipeline builds: unit tests by HRSS_DBT_UNIT_TESTS, recorded as
            # passed only by a build of the whole project.
            units, fingerprint = unit_test_args(settings)
            run_dbt(settings, *args, *units)
            if set(args[1:]) <= {"--full-refresh"}:
                _record_unit_tests_passed(settings, fingerprint)
        else:
            run_dbt(settings, *(args or ["parse"]))
    except (PipelineError, TransientError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
