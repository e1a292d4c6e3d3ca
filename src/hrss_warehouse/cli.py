"""``hrss`` — run the nightly pipeline through Airflow, or print the latest scorecard.

    hrss run    [--landing DIR] [--catalog DIR] [--warehouse FILE] [--as-of YYYY-MM] [--wait S]
    hrss status [--warehouse FILE] [--plan CODE] [--format table|csv|json]
    hrss export scorecard --out FILE.xlsx [--plan CODE] [--as-of YYYY-MM] [--warehouse FILE]
    hrss export evaluation --plan CODE --out FILE.docx [--as-of YYYY-MM] [--warehouse FILE]
    hrss template --plan CODE --period YYYY-MM|YYYY --out FILE.xlsx [--department NAME]
                  [--catalog DIR] [--warehouse FILE]
    hrss catalog import FILE --plan CODE --plan-name NAME --region CODE --start YEAR --end YEAR
                        [--baseline-year YEAR] [--catalog DIR] [--source-name NAME] [--line-offset N]
                        [--effective-from YYYY-MM-DD]

Environment equivalents: HRSS_LANDING_DIR, HRSS_CATALOG_DIR, HRSS_WAREHOUSE, HRSS_AS_OF
(see hrss_warehouse.config for all settings).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

from hrss_warehouse.config import DUCKDB_WRITER_POOL, Settings, child_env
from hrss_warehouse.errors import PipelineError, one_line

DAG_ID = "hrss_nightly"

# Lines of the Airflow run worth showing as progress (the full log goes to a file).
_PROGRESS = re.compile(
    r"(discovered \d+|\[\d+/\d+\] |quarantined|GX suite|dbt \| .*\d+ of \d+ (OK|ERROR|FAIL|WARN)"
    r"|dbt \| .*Done\.|published \d+|off trajectory|DagRun Finished)"
)
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\w+)")
_EXCEPTION = re.compile(r"^[\w.]*(Error|Exception): ")
# structlog renders "<timestamp> [level] message [logger] loc=file:line"; keep the message.
_STRUCTLOG_PREFIX = re.compile(r"^\S+Z \[\w+\s*\] ")
_STRUCTLOG_SUFFIX = re.compile(r"\s+\[[\w.]+\]\s+loc=\S+.*$")


def airflow_env(settings: Settings) -> dict[str, str]:
    env = child_env()
    env.setdefault("AIRFLOW_HOME", str(settings.home / ".airflow"))
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(settings.home / "dags")
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "120")
    return env


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("airflow")
    return subprocess.run(
        [str(executable), *args], env=env, capture_output=True, text=True, check=False
    )


def bootstrap_airflow(env: dict[str, str]) -> None:
    """Create the local Airflow home once (SQLite metadata, the DuckDB writer pool)."""
    from importlib.metadata import version

    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    # The installed version from its metadata: `import airflow` costs ~2 s on every run.
    stamp = home / f".hrss-bootstrapped-{version('apache-airflow')}"
    if stamp.exists():
        return
    print(f"setting up the local Airflow home in {home} (first run only) …", flush=True)
    for args in (
        ("db", "migrate"),
        ("pools", "set", DUCKDB_WRITER_POOL, "1", "Serialises writers of the DuckDB working DB"),
    ):
        done = _airflow(env, *args)
        if done.returncode != 0:
            raise PipelineError(
                f"airflow {' '.join(args[:2])} failed: {done.stderr.strip()[-500:]}"
            )
    stamp.touch()


def _failure_reason(log_lines: list[str]) -> str:
    for pattern in (
        r"AirflowFailException: (.+)",
        r"PipelineError: (.+)",
        r"TransientError: (.+)",
        r"(\w+(Error|Exception): .+)",
    ):
        for line in log_lines:
            match = re.search(pattern, line)
            if match:
                return one_line(match.group(1).strip())
    return "the DAG run failed (see the log)"


class RunLog:
    """The run's full Airflow log on disk. A write that fails (the disk filled up during
    the run) stops the copy on disk but never the run: the failure is kept and reported
    in the run's last line instead of a traceback."""

    def __init__(self, path: Path) -> None:
        self.path, self.error = path, None
        self._file = None
        try:
            self._file = path.open("w", encoding="utf-8")
        except OSError as exc:
            self.error = exc

    def write(self, line: str) -> None:
        if self._file is None:
            return
        try:
            self._file.write(line)
        except OSError as exc:
            self.error = exc
            self.close()

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except OSError as exc:  # the buffered tail could not be flushed
                self.error = self.error or exc

    def problem(self) -> str | None:
        if self.error is None:
            return None
        return one_line(f"run log {self.path} not written completely: {self.error}")


class RetryWatch:
    """Turns Airflow's retry of a failed task into one progress line; otherwise the run
    looks stalled for the whole retry delay."""

    def __init__(self) -> None:
        self.task, self.reason = "?", ""

    def feed(self, line: str) -> str | None:
        if started := _TASK_START.search(line):
            self.task, self.reason = started.group(1), ""
        elif _EXCEPTION.match(line):
            self.reason = line.strip()
        elif "new_state=up_for_retry" in line:
            return (
                f"  task {self.task} failed, Airflow retries it after its retry delay: "
                f"{self.reason[:300]}"
            )
        return None


def run_pipeline(settings: Settings, *, verbose: bool = False) -> tuple[int, dict | None, Path]:
    """Run ``hrss_nightly`` once via ``airflow dags test``; return (exit code, summary, log).

    The settings reach the run as its environment (the deployment's side), not as run
    conf: the DAG takes from a conf only what any trigger may set (``as_of``)."""
    env = airflow_env(settings)
    bootstrap_airflow(env)
    runs_dir = settings.work_dir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    summary_file = runs_dir / f"{token}.json"
    log_file = runs_dir / f"{token}.log"
    env.update(settings.as_env())
    env["HRSS_RUN_TOKEN"] = token
    conf = {"as_of": settings.as_of} if settings.as_of else {}
    executable = Path(sys.executable).with_name("airflow")
    command = [str(executable), "dags", "test", DAG_ID, "--conf", json.dumps(conf)]
    lines: list[str] = []
    retries = RetryWatch()
    log = RunLog(log_file)
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            lines.append(line)
            if verbose or (_PROGRESS.search(line) and "Returned value was" not in line):
                text = _STRUCTLOG_SUFFIX.sub("", _STRUCTLOG_PREFIX.sub("", line.rstrip()))
                print("  " + text[:160], flush=True)
            if (note := retries.feed(line)) and not verbose:
                print(note, flush=True)
    log.close()
    summary = _read_summary(summary_file)
    code = process.returncode if process.returncode else (0 if summary else 1)
    if code != 0:
        reason = _failure_reason(lines)
        if reason.startswith("the DAG run failed") and log.problem():
            reason = log.problem()
        where = f"log: {log_file}" if log.error is None else "log incomplete"
        print(f"hrss run failed: {reason} ({where})", file=sys.stderr)
    elif log.problem():
        print(f"warning: {log.problem()}", file=sys.stderr)
    return code, summary, log_file


def _read_summary(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text("utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None


def print_summary(settings: Settings, summary: dict) -> None:
    """What a run did: the files it loaded, the scorecard, where its outputs are, the
    alerts it raised and any warnings."""
    print()
    _print_files(summary)
    print()
    _print_scorecard(settings)
    print()
    _print_outputs(settings, summary)
    _print_alerts(summary)
    for warning in summary.get("warnings") or []:
        print(f"warning:   {warning}")


def _print_files(summary: dict) -> None:
    """Each landed file's rows, then the rows loaded and quarantined in all."""
    ingest = summary.get("ingest") or {}
    checked = {f["file_name"]: f for f in (summary.get("batch_validation") or {}).get("files", [])}
    loaded_total = quarantined_total = 0
    print(f"files processed: {len(ingest.get('files', []))}")
    for item in ingest.get("files", []):
        loaded, quarantined = _print_file(item, checked.get(item["file_name"], {}))
        loaded_total += loaded
        quarantined_total += quarantined
    print(f"rows loaded: {loaded_total}  rows quarantined: {quarantined_total}")


def _print_file(item: dict, validation: dict) -> tuple[int, int]:
    """One file's rows in, loaded and quarantined, its first messages and what validation
    said of it; returns (loaded, quarantined) as they stand after validation."""
    loaded, quarantined, status = item["rows_loaded"], item["rows_quarantined"], item["status"]
    if validation.get("quarantined"):
        # Validation quarantines a file whole; the ledger says the same.
        loaded, quarantined, status = 0, loaded + quarantined, "quarantined"
    print(
        f"  {item['file_name']}: {item['rows_in']} rows in, {loaded} loaded, "
        f"{quarantined} quarantined ({status})"
    )
    for message in item.get("messages", [])[:5]:
        print(f"    {message}")
    if validation.get("quarantined"):
        failed = "; ".join(
            f"{f['expectation_type']}({f['column']})" for f in validation["critical_failures"]
        )
        print(f"    quarantined whole by validation: {failed}")
    for warning in validation.get("warnings", []):
        print(f"    validation warning: {warning['expectation_type']}({warning['column']})")
    return loaded, quarantined


def _print_scorecard(settings: Settings) -> None:
    """The scorecard as the warehouse now has it, and the figures still awaited."""
    from hrss_warehouse.report.scorecard import (
        read_scorecard,
        read_waiting,
        render_table,
        render_waiting,
    )

    print(render_table(read_scorecard(settings.warehouse), fold_empty=True))
    waiting = read_waiting(settings.warehouse)
    if waiting is not None:
        print()
        print(render_waiting(waiting))


def _print_outputs(settings: Settings, summary: dict) -> None:
    """Where the run's outputs are: warehouse, Postgres tables, report and charts, docs."""
    print(f"warehouse: {settings.warehouse}")
    postgres = (summary.get("publish") or {}).get("postgres")
    if postgres:
        print(
            f"postgres:  published {len(postgres['tables'])} tables to schema marts "
            f"(read-only role {postgres['bi_role']})"
        )
    print(f"report:    {summary.get('report')}")
    if summary.get("report"):
        charts = Path(summary["report"]).parent / "charts"
        svg, png = len(list(charts.glob("*.svg"))), len(list(charts.glob("*.png")))
        print(f"charts:    {svg} SVG, {png} PNG (for e-mail) in {charts}")
    docs = (summary.get("marts_validation") or {}).get("data_docs")
    if docs:
        print(f"data docs: {docs}")
    dbt_docs = (summary.get("dbt_docs") or {}).get("dbt_docs")
    if dbt_docs:
        print(f"dbt docs:  {dbt_docs}")


def _print_alerts(summary: dict) -> None:
    """Open alerts and new events by kind, and whether each channel got them."""
    alerts = summary.get("alerts") or {}
    kinds = ", ".join(f"{k} {n}" for k, n in sorted((alerts.get("events_by_kind") or {}).items()))
    print(
        f"alerts:    {alerts.get('open_alerts', 0)} open, {alerts.get('new_events', 0)} new event(s)"
        + (f" ({kinds})" if kinds else "")
        + f" — {alerts.get('file')}"
    )
    channels = (summary.get("alert_delivery") or {}).get("channels", [])
    for channel in channels:
        state = (
            "delivered"
            if channel["delivered"]
            else f"NOT delivered ({channel['error']}), retried next run"
        )
        print(f"  → {channel['channel']}: {channel['events']} event(s), {state}")
    if not channels and alerts.get("new_events"):
        print("  (no alert channel configured: set HRSS_ALERT_URLS)")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        "landing_dir": getattr(args, "landing", None),
        "catalog_dir": getattr(args, "catalog", None),
        "warehouse": getattr(args, "warehouse", None),
        "as_of": getattr(args, "as_of", None),
    }
    return Settings.load(overrides)


def cmd_run(args: argparse.Namespace) -> int:
    from hrss_warehouse.runlock import BUSY_EXIT, RunBusy, run_lock

    settings = _settings(args)
    settings.ensure_dirs()
    try:
        with run_lock(settings.work_dir, wait_s=args.wait, notify=lambda m: print(m, flush=True)):
            print(
                f"running {DAG_ID} through Airflow: landing {settings.landing_dir} "
                f"→ {settings.warehouse}",
                flush=True,
            )
            code, summary, _ = run_pipeline(settings, verbose=args.verbose)
    except RunBusy as busy:
        print(f"hrss run not started: {busy}", file=sys.stderr)
        return BUSY_EXIT
    if code == 0 and summary:
        print_summary(settings, summary)
    return code


def cmd_status(args: argparse.Namespace) -> int:
    from hrss_warehouse.report.scorecard import read_scorecard, read_waiting, render, render_waiting

    settings = _settings(args)
    print(render(read_scorecard(settings.warehouse, args.plan), args.format))
    if args.format == "table" and (waiting := read_waiting(settings.warehouse)) is not None:
        print()
        print(render_waiting(waiting))
    return 0


def _export_rows(args: argparse.Namespace, suffix: str) -> tuple[Settings, list] | None:
    """The scorecard rows an export asks for (its plan, its as-of month-end); None, having
    said why, when ``--out`` is not a ``suffix`` file."""
    from hrss_warehouse.config import parse_as_of
    from hrss_warehouse.report.scorecard import read_scorecard

    if Path(args.out).suffix.lower() != suffix:
        what = f"hrss export {args.export_command}"
        print(f"{what}: --out must end in {suffix}, got {args.out}", file=sys.stderr)
        return None
    settings = _settings(args)
    month_end = parse_as_of(args.as_of)
    as_of = month_end.isoformat() if month_end else None
    return settings, read_scorecard(settings.warehouse, args.plan, as_of)


def cmd_export_scorecard(args: argparse.Namespace) -> int:
    from hrss_warehouse.report.excel import write_workbook

    if (asked := _export_rows(args, ".xlsx")) is None:
        return 2
    settings, rows = asked
    if not rows:
        what = f"plan {args.plan}" if args.plan else "any plan"
        when = f" at {args.as_of}" if args.as_of else ""
        print(f"hrss export scorecard: no scorecard rows for {what}{when}", file=sys.stderr)
        return 1
    out = Path(args.out)
    sheets = write_workbook(rows, out, settings.warehouse, args.as_of)
    listed = ", ".join(f"{name} ({count} rows)" for name, count in sheets.items())
    print(f"wrote {out}: {listed}, notes in 说明")
    return 0


def cmd_export_evaluation(args: argparse.Namespace) -> int:
    from hrss_warehouse.errors import PipelineError
    from hrss_warehouse.report.word import read_plan, write_evaluation

    if (asked := _export_rows(args, ".docx")) is None:
        return 2
    settings, rows = asked
    plan, overdue = read_plan(settings.warehouse, args.plan)
    if plan is None or not rows:
        raise PipelineError(f"no scorecard rows for plan {args.plan} in {settings.warehouse}")
    # The plan's own region (a city plan's districts have their own rows and charts).
    own = [r for r in rows if r.region_code == plan["region_code"]] or rows
    out = Path(args.out)
    held = write_evaluation(
        own, out, plan=plan, as_of=args.as_of, charts_dir=settings.report_dir / "charts",
        overdue=overdue, warehouse=settings.warehouse,
    )  # fmt: skip
    print(
        f"wrote {out}: {held['rows']} indicators in {held['domains']} domains, "
        f"{held['at_risk']} to watch, {len(overdue)} with overdue releases, "
        f"{held['charts']} charts"
    )
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from hrss_warehouse.catalog.releases import Span, TemplateError, expected_figures, plan_name
    from hrss_warehouse.report.template import previous_figures, write_template

    if Path(args.out).suffix.lower() != ".xlsx":
        print(f"hrss template: --out must end in .xlsx, got {args.out}", file=sys.stderr)
        return 2
    settings = _settings(args)
    try:
        span = Span.parse(args.period)
        figures = expected_figures(
            settings.catalog_dir, args.plan, span, args.department, settings.home / "seeds"
        )
    except TemplateError as exc:
        print(f"hrss template: {exc}", file=sys.stderr)
        return 1
    previous, unread = previous_figures(settings.warehouse, figures)
    form = write_template(
        figures, Path(args.out), plan_code=args.plan,
        plan_name=plan_name(settings.catalog_dir, args.plan), span=span,
        # The calendar's spelling of the department, however it was typed.
        department=figures[0].publisher if args.department else None, previous=previous,
    )  # fmt: skip
    shown = form.periods if len(form.periods) <= 3 else [form.periods[0], "…", form.periods[-1]]
    periods = "、".join(shown).replace("、…、", "…")
    print(
        f"wrote {form.path}: {form.cells} cells to fill ({form.indicators} indicators × "
        f"{form.regions} region(s), {periods}); last period's figure for {form.with_previous}"
        + (f" ({unread})" if unread else "")
    )
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from hrss_warehouse.catalog.importer import import_plan_table
    from hrss_warehouse.catalog.plan_table import PlanTableError

    settings = _settings(args)
    try:
        result = import_plan_table(
            Path(args.file),
            plan_code=args.plan,
            plan_name=args.plan_name,
            region_code=args.region,
            start_year=args.start,
            end_year=args.end,
            baseline_year=args.baseline_year,
            catalog_dir=settings.catalog_dir,
            source_name=args.source_name,
            line_offset=args.line_offset,
            effective_from=args.effective_from,
        )
    except PlanTableError as exc:
        print(f"hrss catalog import: {args.file} not imported, nothing written:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        print(f"hrss catalog import: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    print(
        f"imported plan {result.plan_code}: {result.indicators} indicator(s), "
        f"{len(result.new_indicators)} new indicator(s), {result.new_aliases} new alias(es) "
        f"into {settings.catalog_dir}"
    )
    for code in result.new_indicators:
        print(
            f"  new indicator code {code} (rename in indicators.csv if you like; "
            "its names stay aliases)"
        )
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"--wait takes 0 to 86400 seconds, not {text!r}")
    return value


def _add_template_parser(sub) -> None:
    form = sub.add_parser(
        "template", help="write the .xlsx form a department fills in for a plan and period"
    )
    form.add_argument("--plan", required=True, help="the plan code")
    form.add_argument("--period", required=True, help="YYYY-MM (a month) or YYYY (a year)")
    form.add_argument("--out", required=True, help="the .xlsx file to write")
    form.add_argument(
        "--department", help="only what this publisher reports (release_calendar.csv publisher_zh)"
    )
    form.add_argument("--catalog", help="catalog folder (HRSS_CATALOG_DIR, default seeds/)")
    form.add_argument(
        "--warehouse", help="published DuckDB file for last period's figures (HRSS_WAREHOUSE)"
    )
    form.set_defaults(func=cmd_template)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hrss", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the hrss_nightly DAG once through Airflow")
    run.add_argument("--landing", help="landing folder (HRSS_LANDING_DIR)")
    run.add_argument("--catalog", help="catalog folder (HRSS_CATALOG_DIR)")
    run.add_argument("--warehouse", help="published DuckDB file (HRSS_WAREHOUSE)")
    run.add_argument("--as-of", dest="as_of", help="evaluate as of YYYY-MM (HRSS_AS_OF)")
    run.add_argument("-v", "--verbose", action="store_true", help="show the full Airflow log")
    run.add_argument(
        "--wait",
        type=_seconds,
        default=0,
        metavar="SECONDS",
        help="if another run holds this warehouse, wait up to SECONDS for it "
        "(default 0: exit at once with status 75)",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="print the latest scorecard from the marts")
    status.add_argument("--warehouse", help="published DuckDB file (HRSS_WAREHOUSE)")
    status.add_argument("--plan", help="only this plan code")
    status.add_argument("--format", choices=["table", "csv", "json"], default="table")
    status.set_defaults(func=cmd_status)

    export = sub.add_parser(
        "export", help="write what a bureau hands on (Excel scorecard, Word evaluation draft)"
    )
    export_sub = export.add_subparsers(dest="export_command", required=True)
    card = export_sub.add_parser(
        "scorecard", help="the scorecard as an .xlsx workbook, one sheet per plan"
    )
    card.add_argument("--out", required=True, help="the .xlsx file to write")
    card.add_argument("--plan", help="only this plan code")
    card.add_argument("--as-of", dest="as_of", help="the scorecard at month-end YYYY-MM")
    card.add_argument("--warehouse", help="published DuckDB file (HRSS_WAREHOUSE)")
    card.set_defaults(func=cmd_export_scorecard)
    draft = export_sub.add_parser(
        "evaluation", help="a Word draft of a plan's implementation / mid-term evaluation"
    )
    draft.add_argument("--plan", required=True, help="the plan code")
    draft.add_argument("--out", required=True, help="the .docx file to write")
    draft.add_argument("--as-of", dest="as_of", help="evaluate at month-end YYYY-MM")
    draft.add_argument("--warehouse", help="published DuckDB file (HRSS_WAREHOUSE)")
    draft.set_defaults(func=cmd_export_evaluation)

    _add_template_parser(sub)

    catalog = sub.add_parser("catalog", help="manage the plan catalog (seeds/)")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    imp = catalog_sub.add_parser(
        "import", help="import a plan indicator table (text/TSV as published, CSV or .xlsx)"
    )
    imp.add_argument("file", help="the plan's indicator table")
    imp.add_argument("--plan", required=True, help="plan code, e.g. zs_hrss_14fyp")
    imp.add_argument("--plan-name", required=True, help="the plan's title")
    imp.add_argument("--region", required=True, help="GB/T 2260 code of the plan's region")
    imp.add_argument("--start", type=int, required=True, help="first plan year")
    imp.add_argument("--end", type=int, required=True, help="last plan year (target year)")
    imp.add_argument("--baseline-year", type=int, help="default: the table's 基数 year")
    imp.add_argument("--catalog", help="catalog folder (HRSS_CATALOG_DIR, default seeds/)")
    imp.add_argument("--source-name", help="document name for source_ref (default: FILE's name)")
    imp.add_argument(
        "--line-offset",
        type=int,
        default=0,
        help="add to line numbers in source_ref (FILE extracted from a larger document)",
    )
    imp.add_argument(
        "--effective-from",
        type=date.fromisoformat,
        help="YYYY-MM-DD the targets take effect (default: plan start); a later date adds a "
        "revision and keeps the earlier targets for the dates before it",
    )
    imp.set_defaults(func=cmd_catalog_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"hrss {args.command} interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Whatever broke (a full disk, a lock, a bug), the last line says what and why.
        print(f"hrss {args.command} failed: {one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
