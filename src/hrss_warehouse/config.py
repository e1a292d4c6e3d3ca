"""Settings, read from the environment (or passed explicitly) with documented defaults.

Every setting has an ``HRSS_*`` environment variable; the CLI flags and the DAG's
run conf override them. ``.env.example`` lists them all with comments. This is the one
module that reads the environment: ``Settings.load`` the run's settings, and the
functions below it the ones a single step needs, when it needs them (a bad alert setting
fails the alert step, not every step), and the environment a child process inherits.

The one table of the variables, their defaults and meanings is docs/configuration.md
(tests/unit/test_docs.py keeps it equal to the names this package reads).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hrss_warehouse.errors import ConfigError

# The package is installed editable from src/, so the repository root is two
# levels above this file's package directory; HRSS_HOME overrides it for
# non-editable installs (the Docker image sets it).
_PACKAGE_DIR = Path(__file__).resolve().parent
_DEFAULT_HOME = _PACKAGE_DIR.parent.parent

DUCKDB_WRITER_POOL = "hrss_duckdb_writer"
WORK_DB_NAME = "hrss_work.duckdb"
# The outputs of dbt_project/profiles.yml: the embedded default and the shared server.
DBT_TARGETS = ("duckdb", "postgres")
# When a build runs dbt's unit tests (dbt_runner.unit_test_args): auto = when the dbt code
# or dbt's version differs from the last build whose unit tests passed.
DBT_UNIT_TEST_MODES = ("auto", "always", "never")
DBT_DOCS_MODES = ("auto", "never")

_ENV = {
    "home": "HRSS_HOME",
    "landing_dir": "HRSS_LANDING_DIR",
    "catalog_dir": "HRSS_CATALOG_DIR",
    "warehouse": "HRSS_WAREHOUSE",
    "work_dir": "HRSS_WORK_DIR",
    "archive_dir": "HRSS_ARCHIVE_DIR",
    "report_dir": "HRSS_REPORT_DIR",
    "as_of": "HRSS_AS_OF",
    "dbt_target": "HRSS_DBT_TARGET",
    "max_file_mb": "HRSS_MAX_FILE_MB",
    "parse_timeout_s": "HRSS_PARSE_TIMEOUT_S",
    "parse_memory_mb": "HRSS_PARSE_MEMORY_MB",
    "parse_attempts": "HRSS_PARSE_ATTEMPTS",
    "landing_settle_s": "HRSS_LANDING_SETTLE_S",
    "duckdb_memory_limit": "HRSS_DUCKDB_MEMORY_LIMIT",
    "duckdb_threads": "HRSS_DUCKDB_THREADS",
    "duckdb_temp_dir": "HRSS_DUCKDB_TEMP_DIR",
    "dbt_unit_tests": "HRSS_DBT_UNIT_TESTS",
    "dbt_docs": "HRSS_DBT_DOCS",
}


# What a DAG run's conf (a trigger's parameters) may set. Everything else — the project
# home (whose expectations/*.py validation executes), the parse limits, every output
# path — comes from the deployment's environment only: a trigger that could set them
# could run code, lift the limits or write anywhere.
RUN_CONF_KEYS = ("as_of",)

# `hrss run` names its run with this token (the summary file it reads back); nothing
# else may be spliced into the path.
_RUN_TOKEN = re.compile(r"[0-9a-f]{12}")


def run_token(environ: Mapping[str, str] | None = None) -> str | None:
    """HRSS_RUN_TOKEN, set by `hrss run` for the Airflow run it starts."""
    token = (os.environ if environ is None else environ).get("HRSS_RUN_TOKEN") or None
    if token is not None and not _RUN_TOKEN.fullmatch(token):
        raise ConfigError(f"HRSS_RUN_TOKEN must be 12 hex digits, got {token!r}")
    return token


# Where the report's Chinese font is looked for (Debian's fonts-noto-cjk lands in the first).
DEFAULT_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts")


def report_font_file(environ: Mapping[str, str] | None = None) -> str | None:
    """HRSS_REPORT_FONT: a .ttf/.otf, or a .ttc with ``#<face>``; unset = search."""
    return (os.environ if environ is None else environ).get("HRSS_REPORT_FONT") or None


def font_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """HRSS_FONT_DIRS: folders searched (recursively) for Noto Sans CJK SC."""
    text = (os.environ if environ is None else environ).get("HRSS_FONT_DIRS")
    parts = text.split(os.pathsep) if text else DEFAULT_FONT_DIRS
    return [Path(p).expanduser() for p in parts if p]


def child_env(*, without: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment, for a child process (Airflow, dbt) to inherit, less
    the variables ``without`` names."""
    return {k: v for k, v in os.environ.items() if k not in without}


def alert_urls(environ: Mapping[str, str] | None = None) -> str | None:
    """HRSS_ALERT_URLS: the alert channels, one URL each (they carry secrets)."""
    return (os.environ if environ is None else environ).get("HRSS_ALERT_URLS") or None


def alert_options(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """How alerts are written and sent: HRSS_ALERT_LANGUAGE, HRSS_ALERT_REMIND_DAYS,
    HRSS_ALERT_TIMEOUT_S and HRSS_REPORT_URL (the link messages end with)."""
    env = os.environ if environ is None else environ
    language = env.get("HRSS_ALERT_LANGUAGE") or "zh"
    if language not in ("zh", "en"):
        raise ConfigError(f"HRSS_ALERT_LANGUAGE must be zh or en, not {language!r}")
    try:
        remind_days = int(env.get("HRSS_ALERT_REMIND_DAYS") or 0)
        timeout = float(env.get("HRSS_ALERT_TIMEOUT_S") or 10)
    except ValueError as exc:
        raise ConfigError(f"alert setting is not a number: {exc}") from None
    report_url = env.get("HRSS_REPORT_URL") or str(settings.report_dir / "index.html")
    return {
        "language": language,
        "remind_days": remind_days,
        "timeout": timeout,
        "report_url": report_url,
    }


def alert_overdue_window_days(environ: Mapping[str, str] | None = None) -> int:
    """HRSS_ALERT_OVERDUE_WINDOW_DAYS (default 365): how far back an overdue release
    is still worth an alert; the report marks overdue releases by the same window."""
    env = os.environ if environ is None else environ
    text = env.get("HRSS_ALERT_OVERDUE_WINDOW_DAYS") or "365"
    if not text.isdigit():
        raise ConfigError(f"HRSS_ALERT_OVERDUE_WINDOW_DAYS must be a number of days, not {text!r}")
    return int(text)


# The BI role is written into SQL unquoted: a plain lower-case identifier.
_PG_ROLE = re.compile(r"^[a-z_][a-z0-9_]*$")
# A duration as PostgreSQL reads it for a time setting; no unit = milliseconds.
_PG_DURATION = re.compile(r"^[1-9][0-9]*(us|ms|s|min|h|d)?$")


def pg_dsn(environ: Mapping[str, str] | None = None) -> str | None:
    """HRSS_PG_DSN: the PostgreSQL warehouse (a secret: it may hold a password; never
    logged or put in a run conf); None without one."""
    return (os.environ if environ is None else environ).get("HRSS_PG_DSN") or None


def pg_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Every HRSS_PG_* setting of the publish, read and checked here; None without a DSN."""
    env = os.environ if environ is None else environ
    dsn = pg_dsn(env)
    if not dsn:
        return None
    role = env.get("HRSS_PG_BI_ROLE") or "hrss_bi"
    if not _PG_ROLE.match(role):
        raise ConfigError(f"HRSS_PG_BI_ROLE must be a plain lower-case identifier, not {role!r}")
    timeout = env.get("HRSS_PG_BI_STATEMENT_TIMEOUT") or "5min"
    if not _PG_DURATION.match(timeout):
        raise ConfigError(
            "HRSS_PG_BI_STATEMENT_TIMEOUT must be a positive PostgreSQL duration such as "
            f"5min, 300s or 30000ms, not {timeout!r}"
        )
    limit = env.get("HRSS_PG_BI_CONNECTION_LIMIT") or "20"
    if not re.fullmatch(r"[1-9][0-9]{0,5}", limit):
        raise ConfigError(
            f"HRSS_PG_BI_CONNECTION_LIMIT must be a positive whole number, not {limit!r}"
        )
    return {
        "dsn": dsn,
        "bi_role": role,
        "bi_password": env.get("HRSS_PG_BI_PASSWORD"),
        "bi_statement_timeout": timeout,
        "bi_connection_limit": int(limit),
    }


def _positive_int(name: str, text: str | None, default: int, *, minimum: int = 1) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        kind = "a positive" if minimum == 1 else f"a (≥ {minimum})"
        raise ConfigError(f"{_ENV[name]} must be {kind} whole number, got {text!r}")
    return value


# A DuckDB memory_limit: a size with its unit (4GB, 512MB, 1.5GiB). It bounds DuckDB's buffers,
# not the dbt process (~0.7 GB more at national scale): 3GB keeps the whole build within 4 GB
# there (issue 19's goal; docs/benchmarks.md).
DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"
_MEMORY_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def _memory_limit(text: str | None) -> str:
    if text is None:
        return DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY_SIZE.fullmatch(text.strip()):
        raise ConfigError(
            f"HRSS_DUCKDB_MEMORY_LIMIT must be a size such as 4GB or 512MB, got {text!r}"
        )
    return text.strip()


def parse_as_of(text: str | None) -> date | None:
    """``YYYY-MM`` → the last day of that month (the evaluation date)."""
    if text in (None, ""):
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ConfigError(f"as-of must be YYYY-MM (e.g. 2024-12), got {text!r}")
    year, month = int(match.group(1)), int(match.group(2))
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(next_month.toordinal() - 1)


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    catalog_dir: Path
    warehouse: Path
    work_dir: Path
    archive_dir: Path
    report_dir: Path
    as_of: str | None
    dbt_target: str
    # Landing files are untrusted: each is parsed in a child process with these limits.
    max_file_mb: int = 200
    parse_timeout_s: int = 600
    parse_memory_mb: int = 4096
    # A parse that timed out or ran out of memory may only have met a busy machine: it
    # is tried again on later runs, this many times in all, before it is final.
    parse_attempts: int = 3
    # Only files untouched for this long are taken (an upload may still be writing).
    landing_settle_s: int = 60
    # The dbt build's DuckDB: at most this much memory (past it, DuckDB spills to
    # duckdb_temp_dir), this many threads (None: one per core), and where it spills
    # (None: <work dir>/duckdb_tmp, see duckdb_spill_dir).
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    duckdb_threads: int | None = None
    duckdb_temp_dir: Path | None = None
    # dbt unit tests check the model code, not the data: a night on unchanged code skips
    # them (auto), as dbt's docs advise for production builds.
    dbt_unit_tests: str = "auto"
    # The dbt docs page beside the report: auto makes it after a build that changed what
    # it shows; never leaves it out (a deployment that serves docs elsewhere, or tests
    # whose subject is not the docs: ~9 s of a sample night).
    dbt_docs: str = "auto"

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Resolve settings: explicit overrides > environment > defaults.

        ``overrides`` uses the field names (``landing_dir`` …); ``None`` or empty
        values fall through, so a DAG param left unset keeps the environment's.
        """
        env = os.environ if environ is None else environ
        given = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
        unknown = set(given) - set(_ENV)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")

        def pick(name: str) -> str | None:
            if name in given:
                return str(given[name])
            return env.get(_ENV[name]) or None

        home = Path(pick("home") or _DEFAULT_HOME).resolve()

        def path(name: str, default: Path) -> Path:
            value = pick(name)
            return (Path(value) if value else default).expanduser().resolve()

        warehouse = path("warehouse", home / "warehouse" / "hrss.duckdb")
        dbt_target = pick("dbt_target") or "duckdb"
        if dbt_target not in DBT_TARGETS:
            raise ConfigError(
                f"HRSS_DBT_TARGET must be one of {', '.join(DBT_TARGETS)}, got {dbt_target!r}"
            )
        unit_tests = pick("dbt_unit_tests") or "auto"
        if unit_tests not in DBT_UNIT_TEST_MODES:
            raise ConfigError(
                f"HRSS_DBT_UNIT_TESTS must be one of {', '.join(DBT_UNIT_TEST_MODES)}, "
                f"got {unit_tests!r}"
            )
        docs = pick("dbt_docs") or "auto"
        if docs not in DBT_DOCS_MODES:
            raise ConfigError(
                f"HRSS_DBT_DOCS must be one of {', '.join(DBT_DOCS_MODES)}, got {docs!r}"
            )
        as_of = pick("as_of")
        parse_as_of(as_of)  # fail early on a malformed value
        return cls(
            home=home,
            landing_dir=path("landing_dir", home / "data" / "sample" / "landing"),
            catalog_dir=path("catalog_dir", home / "seeds"),
            warehouse=warehouse,
            work_dir=path("work_dir", warehouse.parent / "work"),
            archive_dir=path("archive_dir", warehouse.parent / "archive"),
            report_dir=path("report_dir", warehouse.parent / "report"),
            as_of=as_of,
            dbt_target=dbt_target,
            max_file_mb=_positive_int("max_file_mb", pick("max_file_mb"), 200),
            parse_timeout_s=_positive_int("parse_timeout_s", pick("parse_timeout_s"), 600),
            parse_memory_mb=_positive_int("parse_memory_mb", pick("parse_memory_mb"), 4096),
            parse_attempts=_positive_int("parse_attempts", pick("parse_attempts"), 3),
            landing_settle_s=_positive_int(
                "landing_settle_s", pick("landing_settle_s"), 60, minimum=0
            ),
            duckdb_memory_limit=_memory_limit(pick("duckdb_memory_limit")),
            duckdb_threads=(
                _positive_int("duckdb_threads", threads, 0)
                if (threads := pick("duckdb_threads"))
                else None
            ),
            duckdb_temp_dir=(path("duckdb_temp_dir", Path()) if pick("duckdb_temp_dir") else None),
            dbt_unit_tests=unit_tests,
            dbt_docs=docs,
        )

    # Derived locations; kept as properties so there is one place that knows them.
    @property
    def work_db(self) -> Path:
        return self.work_dir / WORK_DB_NAME

    @property
    def duckdb_spill_dir(self) -> Path:
        """Where the dbt build's DuckDB writes what does not fit in its memory limit."""
        return self.duckdb_temp_dir or self.work_dir / "duckdb_tmp"

    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def data_docs_index(self) -> Path:
        # GX's file context is rooted at the work dir (quality/gx.py: gx_context).
        return self.work_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"

    @property
    def dbt_docs_index(self) -> Path:
        # Beside the report, which links it (dbt_runner.generate_docs writes it).
        return self.report_dir / "dbt_docs" / "index.html"

    @property
    def as_of_date(self) -> date | None:
        return parse_as_of(self.as_of)

    def as_conf(self) -> dict[str, str | None]:
        """Serialisable form (field name → text)."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}

    def as_env(self) -> dict[str, str]:
        """These settings as the environment of a child process (`hrss run` hands them
        to its Airflow run this way, not through the run conf a trigger could set)."""
        return {_ENV[k]: str(v) for k, v in self.as_conf().items() if v is not None}

    def ensure_dirs(self) -> None:
        for directory in (self.work_dir, self.archive_dir, self.report_dir, self.warehouse.parent):
            directory.mkdir(parents=True, exist_ok=True)
