"""Settings, read from the environment (or passed explicitly) with documented defaults.

Every setting has an ``HRSS_*`` environment variable; the CLI flags and the DAG's
run conf override them. ``.env.example`` lists them all with comments.

| variable            | default                                   | meaning                                     |
|---------------------|-------------------------------------------|---------------------------------------------|
| HRSS_HOME           | the repository this package lives in      | project root (dbt project, expectations)    |
| HRSS_LANDING_DIR    | <home>/data/sample/landing                | where departments' files arrive             |
| HRSS_CATALOG_DIR    | <home>/seeds                              | plan catalog, regions, aliases (dbt seeds)  |
| HRSS_WAREHOUSE      | <home>/warehouse/hrss.duckdb              | the *published* DuckDB file BI tools read   |
| HRSS_WORK_DIR       | <warehouse dir>/work                      | working DB, dbt output, GX context, runs    |
| HRSS_ARCHIVE_DIR    | <warehouse dir>/archive                   | every landed file, stored by sha256         |
| HRSS_REPORT_DIR     | <warehouse dir>/report                    | the HTML report and alert list              |
| HRSS_AS_OF          | (unset: all data)                         | YYYY-MM: ignore observations after it       |
| HRSS_DBT_TARGET     | duckdb                                    | where dbt builds: duckdb or postgres        |
| HRSS_MAX_FILE_MB    | 200                                       | larger landing files are refused unparsed   |
| HRSS_PARSE_TIMEOUT_S| 600                                       | a file still parsing after this is killed   |
| HRSS_PARSE_MEMORY_MB| 4096                                      | address-space limit of the parse process    |
| HRSS_REPORT_FONT    | (unset: searched in HRSS_FONT_DIRS)       | the report's CJK font file (.ttc#face)      |
| HRSS_FONT_DIRS      | /usr/share/fonts:/usr/local/share/fonts:~/.local/share/fonts | where Noto Sans CJK SC is looked for |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

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
}


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


def _positive_int(name: str, text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{_ENV[name]} must be a positive whole number, got {text!r}")
    return value


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
        )

    # Derived locations; kept as properties so there is one place that knows them.
    @property
    def work_db(self) -> Path:
        return self.work_dir / WORK_DB_NAME

    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def as_of_date(self) -> date | None:
        return parse_as_of(self.as_of)

    def as_conf(self) -> dict[str, str | None]:
        """Serialisable form, used as the DAG run conf."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}

    def ensure_dirs(self) -> None:
        for directory in (self.work_dir, self.archive_dir, self.report_dir, self.warehouse.parent):
            directory.mkdir(parents=True, exist_ok=True)
