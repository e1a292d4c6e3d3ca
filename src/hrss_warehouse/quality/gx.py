"""Great Expectations validation at the layer boundaries: the landed batch, then the marts.

GX's SQL datasource fails on DuckDB (upstream issues #10738/#11579), so tables are
read from DuckDB into DataFrames and validated with GX's pandas datasource. Suites
live as code in ``expectations/`` and are created idempotently (``add_or_update``).

Severity (``meta.severity`` on each expectation):
- critical on the landing batch: the whole batch is quarantined (rows moved to
  ``raw.quarantined_rows`` with reason ``batch_validation_failed``);
- critical on the marts: publishing is refused, the published warehouse is untouched;
- warning: recorded and reported, data still flows.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from hrss_warehouse import workdb
from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.config import Settings
from hrss_warehouse.errors import PipelineError

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.checkpoint import Checkpoint
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.data_context import AbstractDataContext

log = logging.getLogger(__name__)

GX_DATASOURCE = "hrss_dataframes"


@dataclass
class SuiteOutcome:
    suite_name: str
    rows: int
    results: list[dict[str, Any]] = field(default_factory=list)
    # The stored validation results (ValidationResultIdentifier): update_data_docs renders
    # just these pages.
    result_ids: list[Any] = field(default_factory=list, repr=False)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["success"]]

    @property
    def critical_failures(self) -> list[dict[str, Any]]:
        return [f for f in self.failures if f["severity"] == "critical"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [f for f in self.failures if f["severity"] != "critical"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite_name,
            "rows": self.rows,
            "critical_failures": self.critical_failures,
            "warnings": self.warnings,
        }


def load_suite_module(settings: Settings, name: str) -> ModuleType:
    path = settings.expectations_dir / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"hrss_expectations_{name}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise PipelineError(f"expectation suite module not found: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gx_context(settings: Settings) -> AbstractDataContext:
    import great_expectations as gx

    # A file context under the work dir: it holds the suites, validation results
    # and the Data Docs site rebuilt every run (Settings.data_docs_index).
    return gx.get_context(mode="file", project_root_dir=str(settings.work_dir))


def _dates_to_iso(frame: pd.DataFrame) -> pd.DataFrame:
    # GX compares date bounds given as ISO strings; make the column comparable.
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]) or column.endswith("_date"):
            out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    return out


def run_suite(
    context: AbstractDataContext,
    module: ModuleType,
    frame: pd.DataFrame,
    params: dict[str, Any],
) -> SuiteOutcome:
    """Validate ``frame`` with the suite ``module`` defines for ``params``; each
    expectation's result is kept, failures logged. The Data Docs pages are written once a
    task has run all its suites (update_data_docs)."""
    checkpoint = _checkpoint(context, module, params)
    result = checkpoint.run(batch_parameters={"dataframe": _dates_to_iso(frame)})
    outcome = SuiteOutcome(module.SUITE_NAME, len(frame))
    for result_id, validation in result.run_results.items():
        outcome.results.extend(_result_record(item) for item in validation.results)
        outcome.result_ids.append(result_id)
    _log_outcome(outcome)
    return outcome


def _checkpoint(
    context: AbstractDataContext, module: ModuleType, params: dict[str, Any]
) -> Checkpoint:
    """The suite's checkpoint on a whole DataFrame, created or updated in the context
    (every GX object is add-or-update: a rerun finds them all already there)."""
    import great_expectations as gx

    name = module.SUITE_NAME
    # Given whole: add_expectation on a suite the store already knows writes the store once
    # per expectation (~0.1 s each, 20 per file).
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=name, expectations=module.expectations(params))
    )

    datasource = context.data_sources.add_or_update_pandas(GX_DATASOURCE)
    try:
        asset = datasource.get_asset(name)
    except LookupError:
        asset = datasource.add_dataframe_asset(name)
    try:
        batch_definition = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    return context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{name}_checkpoint",
            validation_definitions=[definition],
            result_format={"result_format": "SUMMARY"},
        )
    )


def update_data_docs(context: AbstractDataContext, outcomes: list[SuiteOutcome]) -> None:
    """Render the pages of this task's validation results and the index, in one pass:
    an UpdateDataDocsAction per checkpoint re-rendered the index after every file."""
    ids = [result_id for outcome in outcomes for result_id in outcome.result_ids]
    if ids:
        context.build_data_docs(resource_identifiers=ids)


def _result_record(item: ExpectationValidationResult) -> dict[str, Any]:
    """One expectation's result as raw.validation_results records it: its column(s),
    severity (critical unless its meta says otherwise) and what GX observed."""
    config = item.expectation_config
    return {
        "expectation_type": config.type,
        "column": config.kwargs.get("column")
        or ",".join(
            config.kwargs.get("column_list")
            or [c for c in (config.kwargs.get("column_A"), config.kwargs.get("column_B")) if c]
        ),
        "severity": (config.meta or {}).get("severity", "critical"),
        "success": bool(item.success),
        "unexpected_count": (item.result or {}).get("unexpected_count"),
        "details": json.dumps(
            {
                k: v
                for k, v in (item.result or {}).items()
                if k in ("observed_value", "partial_unexpected_list")
            },
            ensure_ascii=False,
            default=str,
        ),
    }


def _log_outcome(outcome: SuiteOutcome) -> None:
    """A line for the suite, and one for each failed expectation."""
    level = logging.WARNING if outcome.failures else logging.INFO
    log.log(
        level,
        "GX suite %s on %d rows: %d critical failure(s), %d warning(s)",
        outcome.suite_name,
        outcome.rows,
        len(outcome.critical_failures),
        len(outcome.warnings),
    )
    for failure in outcome.failures:
        log.warning(
            "  %s %s(%s): %s",
            failure["severity"],
            failure["expectation_type"],
            failure["column"],
            failure["details"],
        )


def _record(con, batch_id: str, outcome: SuiteOutcome) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        [
            batch_id,
            outcome.suite_name,
            r["expectation_type"],
            r["column"] or None,
            r["severity"],
            r["success"],
            r["unexpected_count"],
            r["details"],
            now,
        ]
        for r in outcome.results
    ]
    if rows:
        con.executemany(
            "insert into raw.validation_results (batch_id, suite_name, expectation_type, "
            "column_name, severity, success, unexpected_count, details, validated_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def ytd_not_decreasing(rows, earlier=None):
    """False where a year-to-date figure is below the figure for an earlier month of
    the same year (1-3月 0.81, then 1-4月 0.70): a cumulative cannot fall, so one of the
    two is wrong and the file is not loaded. The earlier months come from the file
    itself and from ``earlier`` (the latest figures already loaded by earlier runs),
    the file winning where it re-delivers a month. Other bases are always True."""
    import pandas as pd

    result = pd.Series(True, index=rows.index)
    ytd = rows[rows["basis"] == "ytd"].assign(_mine=True)
    if ytd.empty:
        return result
    keys = ["indicator_code", "region_code", "period_code"]
    if earlier is not None and not earlier.empty:
        delivered = ytd.set_index(keys).index
        context = earlier[~earlier.set_index(keys).index.isin(delivered)]
        ytd = pd.concat([ytd, context.assign(_mine=False)])
    ytd = ytd.assign(_end=pd.to_datetime(ytd["period_end_date"])).sort_values("_end")
    earlier_max = ytd.groupby(["indicator_code", "region_code", ytd["_end"].dt.year])[
        "value"
    ].transform(lambda values: values.cummax().shift())
    mine = ytd["_mine"].astype(bool)
    falls = ytd["value"] < earlier_max
    result.loc[ytd.index[mine]] = ~falls[mine].to_numpy()
    return result


def _earlier_figures(settings: Settings, file_sha256: str):
    """The latest figure per key loaded from other files (earlier runs, and files of
    this run already validated): what a delivered file is checked against."""
    with workdb.connect(settings.work_db, read_only=True) as con:
        return con.execute(
            """
            select indicator_code, region_code, period_code, period_grain, basis,
                   period_end_date, value, value_as_reported, unit
            from raw.observations
            where file_sha256 != ?
            qualify row_number() over (
                partition by indicator_code, region_code, period_code, basis
                order by received_at desc, file_name desc, row_number desc
            ) = 1
            """,
            [file_sha256],
        ).df()


def _usual_row_count(settings: Settings, file_sha256: str, file_name: str, tolerance: float):
    """The usual row count of the recurring report this file is an issue of."""
    from hrss_warehouse.quality.domain_checks import report_key, usual_row_count

    with workdb.connect(settings.work_db, read_only=True) as con:
        issues = con.execute(
            "select file_name, rows_loaded from raw.file_ledger "
            "where file_sha256 != ? and status in ('loaded', 'partially_loaded') "
            "order by received_at desc",
            [file_sha256],
        ).fetchall()
    key = report_key(file_name)
    counts = [count for name, count in issues if report_key(name) == key][:RECENT_ISSUES]
    return usual_row_count(counts, tolerance)


def domain_verdicts(rows, earlier, derivations, module) -> dict:
    """Column name → Verdict for every row-level domain rule of the landing suite."""
    import pandas as pd

    from hrss_warehouse.quality.domain_checks import (
        Verdict,
        change_within_band,
        december_matches_annual,
        share_matches_components,
    )

    ytd = Verdict.passing(rows)
    ytd_earlier = None
    if earlier is not None and not earlier.empty:
        ytd_earlier = earlier[(earlier["basis"] == "ytd") & (earlier["period_grain"] == "month")]
    falls = ~ytd_not_decreasing(rows, ytd_earlier)
    if falls.any():
        ytd.fail(rows.index[falls], ["年内累计值下降：低于本年此前月份的累计值"] * int(falls.sum()))
    share_in_file, share_cross = share_matches_components(rows, earlier, derivations)
    return {
        "ytd_not_decreasing": ytd,
        "december_matches_annual": december_matches_annual(rows, earlier),
        "share_matches_components": share_in_file,
        "share_matches_earlier_components": share_cross,
        "change_within_band": change_within_band(
            rows,
            earlier if earlier is not None else pd.DataFrame(),
            max_change=module.YOY_MAX_CHANGE,
            max_change_pp=module.YOY_MAX_CHANGE_PP,
        ),
    }


# Rows of every file loaded but not yet judged: this run's, and those of a run killed
# between its ingest and its validation (the ledger's validated_at is still null).
UNVALIDATED_SQL = """
select observations.*
from raw.observations as observations
inner join raw.file_ledger as ledger on observations.file_sha256 = ledger.file_sha256
where ledger.validated_at is null
order by observations.file_name, observations.row_number
"""
NOTHING_TO_JUDGE_SQL = """
update raw.file_ledger as ledger set validated_at = ?
where ledger.validated_at is null
    and not exists (
        select 1 from raw.observations as o where o.file_sha256 = ledger.file_sha256
    )
"""


def validate_batch(settings: Settings, batch_id: str) -> dict[str, Any]:
    """Validate every loaded file not yet validated, one delivered file at a time.

    A file is the unit a department delivers, so it is the unit quarantined: a
    critical failure moves all of that file's rows to quarantine and leaves the
    other files of the night untouched. Results, flags and quarantine belong to the
    delivery (the file's own batch), and the ledger's validated_at is set in the same
    transaction, so a kill leaves each file either judged or not, never half.
    """
    frame = _unvalidated_rows(settings)
    if frame.empty:
        log.info("batch %s: no loaded file awaits validation", batch_id)
        return {"suite": "raw_observations", "files": []}
    suite = _LandingSuite.load(settings)
    judged = [
        _validate_file(settings, suite, str(sha), name, rows.reset_index(drop=True))
        for (sha, name), rows in frame.groupby(["file_sha256", "file_name"], sort=False)
    ]
    update_data_docs(suite.context, [outcome for _, outcome in judged])
    return {"suite": suite.module.SUITE_NAME, "files": [record for record, _ in judged]}


def _unvalidated_rows(settings: Settings) -> pd.DataFrame:
    """The loaded rows of every file awaiting judgement; files with none are marked
    judged on the way."""
    with workdb.connect(settings.work_db) as con:  # read-write: may add validated_at
        # A file with no loaded row (refused, or every row quarantined at parse) has
        # nothing to judge: mark it, so validated_at null means "rows not yet judged".
        con.execute(NOTHING_TO_JUDGE_SQL, [datetime.now(UTC).replace(tzinfo=None)])
        return con.execute(UNVALIDATED_SQL).df()


@dataclass
class _LandingSuite:
    """The landing suite and what every file of a run is judged with."""

    params: dict[str, Any]  # the catalog's codes and units, today's date
    context: AbstractDataContext
    module: ModuleType
    derivations: pd.DataFrame  # indicator_derivations.csv: the share rules' components

    @classmethod
    def load(cls, settings: Settings) -> _LandingSuite:
        catalog = Catalog.load(settings.catalog_dir)
        params = {
            "indicator_codes": sorted(catalog.indicator_units),
            "region_codes": sorted(catalog.region_codes),
            "units": sorted(set(catalog.indicator_units.values())),
            "today": datetime.now(UTC).date().isoformat(),
        }
        return cls(
            params,
            gx_context(settings),
            load_suite_module(settings, "raw_observations"),
            _read_derivations(settings),
        )


def _validate_file(
    settings: Settings, suite: _LandingSuite, sha: str, name: object, rows: pd.DataFrame
) -> tuple[dict[str, Any], SuiteOutcome]:
    """Judge one delivered file (its row-level domain rules, then the suite) and record
    the verdict, quarantine or flags, in one transaction with its validated_at."""
    module = suite.module
    verdicts = domain_verdicts(rows, _earlier_figures(settings, sha), suite.derivations, module)
    for column, verdict in verdicts.items():
        rows[column] = verdict.ok
    usual = _usual_row_count(settings, sha, str(name), module.ROW_COUNT_TOLERANCE)
    outcome = run_suite(suite.context, module, rows, {**suite.params, "usual_row_count": usual})
    quarantined = bool(outcome.critical_failures)
    delivery = str(rows.at[0, "batch_id"])
    with workdb.connect(settings.work_db) as con:
        con.begin()
        _record(con, delivery, outcome)
        con.execute(
            "update raw.file_ledger set validated_at = ? where file_sha256 = ?",
            [datetime.now(UTC).replace(tzinfo=None), sha],
        )
        if quarantined:
            reasons = _row_messages(rows, verdicts, outcome, "critical")
            _quarantine_file(con, delivery, sha, outcome, _by_key(rows, reasons))
        else:
            _flag_rows(con, delivery, rows, _warning_flags(rows, verdicts, outcome, usual))
        con.commit()
    return {"file_name": name, "quarantined": quarantined, **outcome.as_dict()}, outcome


def _warning_flags(
    rows: pd.DataFrame, verdicts: dict, outcome: SuiteOutcome, usual: tuple[int, int] | None
) -> dict[int, list]:
    """Row index → [(rule, message)] a published figure carries; an unusual row count
    is a warning about the whole file, so every row carries it."""
    flags = _row_messages(rows, verdicts, outcome, "warning")
    if usual and any(
        f["expectation_type"] == "expect_table_row_count_to_be_between" for f in outcome.warnings
    ):
        note = (
            f"本期报表共 {len(rows)} 条数据，同一报表近几期为 {usual[0]}–{usual[1]} 条的常见范围之外，"
            "请核实是否漏报或重复"
        )
        for i in rows.index:
            flags.setdefault(i, []).append(("row_count_unusual", note))
    return flags


RECENT_ISSUES = 6


def _read_derivations(settings: Settings):
    import pandas as pd

    return pd.read_csv(settings.catalog_dir / "indicator_derivations.csv", dtype=str)


def _row_messages(rows, verdicts: dict, outcome: SuiteOutcome, severity: str) -> dict[int, list]:
    """Row index → [(rule, message)] for the row-level rules that failed at ``severity``."""
    failed = {f["column"] for f in outcome.failures if f["severity"] == severity}
    messages: dict[int, list] = {}
    for column, verdict in verdicts.items():
        if column not in failed:
            continue
        for i in rows.index[~verdict.ok]:
            messages.setdefault(i, []).append((column, verdict.message_zh[i]))
    return messages


def _by_key(rows, messages: dict[int, list]) -> dict[str, list]:
    return {
        "|".join(
            str(rows.at[i, c]) for c in ("indicator_code", "region_code", "period_code", "basis")
        ): items
        for i, items in messages.items()
    }


def _flag_rows(con, batch_id: str, rows, flags: dict[int, list]) -> None:
    """Warning-level findings stay with the figures they are about (published, flagged)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    records = [
        [
            batch_id,
            rows.at[i, "file_sha256"],
            rows.at[i, "file_name"],
            int(rows.at[i, "row_number"]),
            rows.at[i, "indicator_code"],
            rows.at[i, "region_code"],
            rows.at[i, "period_code"],
            rows.at[i, "basis"],
            rule,
            "warning",
            message,
            now,
        ]
        for i, items in flags.items()
        for rule, message in items
    ]
    if records:
        con.executemany(
            "insert into raw.observation_flags (batch_id, file_sha256, file_name, row_number, "
            "indicator_code, region_code, period_code, basis, rule_code, severity, message_zh, "
            "flagged_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            records,
        )
        log.warning("%d figure(s) published with a validation warning", len({i for i in flags}))


def _quarantine_file(
    con, batch_id: str, file_sha256: str, outcome: SuiteOutcome, row_messages: dict
) -> None:
    """Move every row of the file to quarantine; its ledger row still balances. A row
    that broke a row-level rule says which and why; the others say the file failed."""
    failed = "; ".join(f"{f['expectation_type']}({f['column']})" for f in outcome.critical_failures)
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        """
        insert into raw.quarantined_rows (
            batch_id, file_sha256, file_name, row_number, sheet_name, column_label,
            field_name, reason_code, message_zh, raw_record, quarantined_at
        )
        select batch_id, file_sha256, file_name, row_number, sheet_name, column_label,
               null, 'batch_validation_failed',
               '文件“' || file_name || '”第' || row_number || '行 '
               || coalesce(reasons.message_zh, '所在文件未通过数据校验：' || ?),
               to_json(struct_pack(indicator_code, region_code, period_code, value, unit))::varchar,
               ?
        from raw.observations
        left join (
            select unnest(?::varchar[]) as key, unnest(?::varchar[]) as message_zh
        ) as reasons
            on reasons.key = indicator_code || '|' || region_code || '|' || period_code || '|' || basis
        where batch_id = ? and file_sha256 = ?
        """,
        [failed, now, *_reason_lists(row_messages), batch_id, file_sha256],
    )
    con.execute(
        """
        update raw.file_ledger set
            rows_quarantined = rows_quarantined + rows_loaded,
            rows_loaded = 0,
            status = 'quarantined',
            first_error = coalesce(first_error, '文件未通过数据校验：' || ?)
        where batch_id = ? and file_sha256 = ?
        """,
        [failed, batch_id, file_sha256],
    )
    con.execute(
        "delete from raw.observations where batch_id = ? and file_sha256 = ?",
        [batch_id, file_sha256],
    )
    log.error("file %s quarantined: critical expectation(s) failed: %s", file_sha256[:12], failed)


def _reason_lists(row_messages: dict) -> tuple[list[str], list[str]]:
    keys, texts = [], []
    for key, items in row_messages.items():
        keys.append(key)
        texts.append("；".join(message for _, message in items) + "（整个文件已隔离）")
    return keys, texts


# The latest month-end each plan's progress rows may reach: the month of the latest figure
# loaded (within the plan), the year-end of the results its document prints, and at least
# its first month (expectations/fct_plan_progress.py says why).
LATEST_ALLOWED_SQL = """
with data_bounds as (
    select max(period_end_date) as latest_data_date from marts.fct_indicator_observation
),
printed as (
    select plan_code, max(make_date(result_year, 12, 31)) as printed_date
    from marts.fct_plan_target
    where result_value is not null
    group by plan_code
)
select
    plans.plan_code,
    last_day(greatest(
        plans.plan_start_date,
        least(coalesce(data_bounds.latest_data_date, plans.plan_start_date), plans.plan_end_date),
        coalesce(printed.printed_date, plans.plan_start_date)
    )) as latest_allowed_date
from marts.dim_plan as plans
cross join data_bounds
left join printed on plans.plan_code = printed.plan_code
"""


# In the work dir: which build's marts last passed validate_marts, with what, in which batch.
MARTS_VALIDATED = "marts_validated.json"
MART_SUITES = ("fct_plan_target", "fct_plan_progress")


def _marts_key(settings: Settings, built: str | None) -> str | None:
    """sha256 of what a verdict on the marts rests on: the build that made them (its
    recorded inputs and time, dbt_runner), the suites' code and GX's version."""
    from importlib.metadata import version

    if not built:
        return None
    digest = hashlib.sha256(f"{built} gx {version('great_expectations')}".encode())
    for name in MART_SUITES:
        digest.update((settings.expectations_dir / f"{name}.py").read_bytes())
    return digest.hexdigest()


def _reuse_verdict(settings: Settings, batch_id: str, key: str | None) -> dict | None:
    """The last verdict when these very marts passed it: its results recorded again under
    this batch (the audit trail keeps a row per run), without loading GX (~4 s a run)."""
    path = settings.work_dir / MARTS_VALIDATED
    try:
        last = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if key is None or last.get("key") != key:
        return None
    with workdb.connect(settings.work_db) as con:
        con.execute(
            "insert into raw.validation_results (batch_id, suite_name, expectation_type, "
            "column_name, severity, success, unexpected_count, details, validated_at) "
            "select ?, suite_name, expectation_type, column_name, severity, success, "
            "unexpected_count, details, now() from raw.validation_results where batch_id = ? "
            "and suite_name in (select unnest(?))",
            [batch_id, last["batch_id"], list(MART_SUITES)],
        )
    log.info("marts unchanged since validated in batch %s: its verdict stands", last["batch_id"])
    return {**last["result"], "unchanged_since": last["batch_id"]}


def _record_verdict(settings: Settings, batch_id: str, key: str | None, result: dict) -> None:
    if key is None:
        return
    path = settings.work_dir / MARTS_VALIDATED
    partial = path.with_suffix(".partial")
    record = {"key": key, "batch_id": batch_id, "result": result}
    partial.write_text(json.dumps(record, ensure_ascii=False, default=str), "utf-8")
    partial.replace(path)  # a kill leaves the old record or the new one


def validate_marts(settings: Settings, batch_id: str, built: str | None = None) -> dict[str, Any]:
    """Validate the marts dbt just built; a critical failure refuses the publish. ``built``
    names the build that made them (None: unknown, validate): marts that already passed
    as that build left them are not validated again (a night whose build was skipped)."""
    key = _marts_key(settings, built)
    if (reused := _reuse_verdict(settings, batch_id, key)) is not None:
        return reused
    with workdb.connect(settings.work_db, read_only=True) as con:
        progress = con.execute(
            f"""
            select progress.*, allowed.latest_allowed_date
            from marts.fct_plan_progress as progress
            left join ({LATEST_ALLOWED_SQL}) as allowed on progress.plan_code = allowed.plan_code
            """
        ).df()
        targets = con.execute("select * from marts.fct_plan_target").df()
        statuses = [
            r[0]
            for r in con.execute(
                "select status_code from staging.stg_catalog__progress_statuses"
            ).fetchall()
        ]
    context = gx_context(settings)
    outcomes = [
        run_suite(context, load_suite_module(settings, "fct_plan_target"), targets, {}),
        run_suite(
            context,
            load_suite_module(settings, "fct_plan_progress"),
            progress,
            {"statuses": statuses},
        ),
    ]
    update_data_docs(context, outcomes)
    with workdb.connect(settings.work_db) as con:
        for outcome in outcomes:
            _record(con, batch_id, outcome)
    critical = [f for o in outcomes for f in o.critical_failures]
    if critical:
        raise PipelineError(
            "marts failed critical expectations, not publishing: "
            + "; ".join(f"{f['expectation_type']}({f['column']})" for f in critical)
        )
    result = {"suites": [o.as_dict() for o in outcomes], "data_docs": str(settings.data_docs_index)}
    _record_verdict(settings, batch_id, key, result)
    return result
