"""The HRSS_* settings, gathered from what the code reads: never a hand-kept list.

Every ``HRSS_…`` name in a string literal of ``src/**/*.py`` or ``dags/*.py`` (a
``os.environ.get("HRSS_…")``, the names in ``config._ENV``, an error message naming one),
plus every ``${HRSS_…}`` docker-compose.yml interpolates from ``.env`` (settings of the
stack itself, such as HRSS_BIND_ADDRESS). docs/configuration.md and .env.example are
checked against this set."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from tests.unit.deploy.support import all_refs, compose_text

# tests/unit/<this file> -> repository root; never rely on the working directory.
REPO_ROOT = Path(__file__).resolve().parents[2]

# A whole name: not a prefix such as "HRSS_PG_*" or "HRSS_PG_" in a docstring.
SETTING_NAME = re.compile(r"(?<![A-Za-z0-9_])HRSS_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_*])")

# Names the code sets for a child process it starts itself. A user never sets them (the
# code overwrites or removes whatever the environment holds), so they are not settings
# and are not documented as such.
INTERNAL = {
    # `hrss run` names the Airflow run it starts with it, to read back that run's summary.
    "HRSS_RUN_TOKEN",
    # dbt_runner hands dbt's profile the working database's path (settings.work_db).
    "HRSS_WORK_DB",
    # dbt_runner tells generate_schema_name which schema a PostgreSQL build puts the marts
    # in (marts__incoming); it is removed from the environment before every dbt call.
    "HRSS_DBT_MARTS_SCHEMA",
}


def code_files() -> list[Path]:
    return sorted((REPO_ROOT / "src").rglob("*.py")) + sorted((REPO_ROOT / "dags").glob("*.py"))


def names_in_code() -> set[str]:
    """Every HRSS_* name in a string literal of the package and the DAGs (comments are
    not string literals, so a name only mentioned in a comment does not count)."""
    names: set[str] = set()
    for path in code_files():
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(SETTING_NAME.findall(node.value))
    return names


def names_in_compose() -> set[str]:
    compose = yaml.safe_load(compose_text())
    return {name for name, _, _ in all_refs(compose) if SETTING_NAME.fullmatch(name)}


def settings() -> set[str]:
    """The HRSS_* settings a user may set: what the code and the compose stack read."""
    return (names_in_code() | names_in_compose()) - INTERNAL
