"""The docs say what the code does, each thing once.

- docs/configuration.md holds the one settings table: exactly the HRSS_* names the code
  reads (gathered from the code, tests/unit/settings_support.py), each in .env.example.
- README.md is an entrance: at most 15 kB, its data-flow picture fits 100 columns and
  names the DAG's tasks in the DAG's order, its CLI table every option of `hrss`, its
  marts table every mart with key columns that exist.
- Every relative link in README.md and docs/*.md leads to a file, and an #anchor to a
  heading of that file (GitHub's slugs).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.unit.settings_support import (
    INTERNAL,
    REPO_ROOT,
    SETTING_NAME,
    names_in_code,
    settings,
)

pytestmark = pytest.mark.unit

README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
SETTINGS_DOC = DOCS / "configuration.md"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
MARTS_YML = REPO_ROOT / "dbt_project" / "models" / "marts" / "_marts__models.yml"

README_MAX_BYTES = 15 * 1024
PICTURE_MAX_COLUMNS = 100


# --------------------------------------------------------------------------
# Markdown, read the way GitHub does (enough of it for these checks)
# --------------------------------------------------------------------------


def _outside_fences(text: str) -> list[str]:
    """The lines of a Markdown file outside ``` fences."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def _cells(row: str) -> list[str]:
    """A table row's cells; `\\|` is a pipe inside a cell."""
    parts = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    return [part.strip().replace("\\|", "|") for part in parts]


def table_after(text: str, header: list[str]) -> list[list[str]]:
    """The rows of the first table whose header row is ``header``."""
    lines = _outside_fences(text)
    for i, line in enumerate(lines):
        if line.startswith("|") and _cells(line) == header:
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append(_cells(row))
            return rows
    raise AssertionError(f"no table with header {header}")


def section(text: str, heading: str) -> str:
    """From ``heading`` (a whole line) to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = lines.index(heading)
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(rf"#{{1,{level}}} ", lines[i])),
        len(lines),
    )
    return "\n".join(lines[start:end])


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: the text as shown, lower case, punctuation dropped
    (letters of any script, digits, '-' and '_' stay), spaces as '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: Counter[str] = Counter()
    result = set()
    for line in _outside_fences(path.read_text("utf-8")):
        match = re.match(r"#{1,6} (.+?)\s*#*$", line)
        if match:
            slug = github_slug(match[1])
            result.add(slug if seen[slug] == 0 else f"{slug}-{seen[slug]}")
            seen[slug] += 1
    return result


_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def relative_links(path: Path) -> list[str]:
    text = "\n".join(_outside_fences(path.read_text("utf-8")))
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    return [
        target
        for target in _LINK.findall(text)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto: …
    ]


def test_slugs_follow_github():
    assert github_slug("Warehouse contract (schema `marts`, dbt contracts enforced)") == (
        "warehouse-contract-schema-marts-dbt-contracts-enforced"
    )
    assert github_slug("One dbt project, DuckDB and PostgreSQL") == (
        "one-dbt-project-duckdb-and-postgresql"
    )
    assert github_slug("Files a run writes (defaults, under `warehouse/`)") == (
        "files-a-run-writes-defaults-under-warehouse"
    )
    assert github_slug("Growth-rate targets: the geometric trajectory") == (
        "growth-rate-targets-the-geometric-trajectory"
    )


# --------------------------------------------------------------------------
# One settings table
# --------------------------------------------------------------------------


def documented_settings() -> list[str]:
    """The HRSS_* names of the settings table, one per row."""
    names = []
    for row in table_after(SETTINGS_DOC.read_text("utf-8"), ["variable", "default", "meaning"]):
        found = SETTING_NAME.findall(row[0])
        assert len(found) <= 1, f"one setting per row in {SETTINGS_DOC.name}: {row[0]}"
        names += found
    return names


def test_the_code_is_scanned_for_settings():
    # Guards against passing on an empty scan (a moved package, a wrong root).
    found = names_in_code()
    assert {"HRSS_WAREHOUSE", "HRSS_LANDING_DIR", "HRSS_PG_DSN", "HRSS_ALERT_URLS"} <= found
    assert len(settings()) >= 30
    # Each exclusion is still something the code sets; a stale one would hide a setting.
    assert found >= INTERNAL


def test_the_settings_table_lists_exactly_what_the_code_reads():
    documented = documented_settings()
    twice = sorted(name for name, n in Counter(documented).items() if n > 1)
    assert not twice, f"{SETTINGS_DOC.name} lists {twice} more than once"
    missing = sorted(settings() - set(documented))
    extra = sorted(set(documented) - settings())
    assert not missing, f"read by the code, missing from {SETTINGS_DOC.name}: {missing}"
    assert not extra, f"in {SETTINGS_DOC.name}, read by nothing: {extra}"


def test_env_example_mentions_every_setting():
    text = ENV_EXAMPLE.read_text("utf-8")
    mentioned = set(SETTING_NAME.findall(text))
    missing = sorted(settings() - mentioned)
    assert not missing, f".env.example does not mention {missing}"


# --------------------------------------------------------------------------
# README: an entrance
# --------------------------------------------------------------------------


def test_readme_stays_an_entrance():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, (
        f"README.md is {size} bytes (at most {README_MAX_BYTES}): move detail into docs/"
    )


def data_flow_picture() -> list[str]:
    flow = section(README.read_text("utf-8"), "## Data flow")
    match = re.search(r"^```\n(.*?)^```", flow, re.S | re.M)
    assert match, "README's Data flow section has no picture"
    return match[1].splitlines()


def test_data_flow_picture_fits_100_columns():
    picture = data_flow_picture()
    assert len(picture) > 5
    # One column per character: box drawing (│ └ ─►) counts one, as a terminal shows it.
    wide = [f"{len(line)}: {line}" for line in picture if len(line) > PICTURE_MAX_COLUMNS]
    assert not wide, "\n".join(wide)


@pytest.fixture(scope="module")
def dag_task_order(tmp_path_factory) -> list[str]:
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    assert dagbag.import_errors == {}
    return [task.task_id for task in dagbag.dags["hrss_nightly"].topological_sort()]


def test_data_flow_picture_names_the_tasks_in_the_dags_order(dag_task_order):
    # The one place the task order is written out must be the DAG's.
    picture = "\n".join(data_flow_picture())
    assert len(dag_task_order) == 11
    # Each task is drawn as "<n> <task_id>", n counting from 1.
    drawn = re.findall(r"(?<![\w:])(\d{1,2}) ([a-z]\w*)", picture)
    assert drawn == [(str(n), task) for n, task in enumerate(dag_task_order, 1)]


def test_readme_cli_table_lists_every_option():
    from hrss_warehouse.cli import build_parser

    rows = table_after(README.read_text("utf-8"), ["command", "options", "what you see"])
    by_command = {re.sub(r"( [A-Z]+)+$", "", row[0].strip("`")): row for row in rows}

    def commands(parser, prefix):
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, sub in action.choices.items():
                    yield from commands(sub, f"{prefix} {name}")
                return
        yield prefix, parser

    seen = set()
    for command, parser in commands(build_parser(), "hrss"):
        seen.add(command)
        assert command in by_command, f"README's CLI table lacks {command}"
        row = " ".join(by_command[command])
        documented = set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", row))
        options = {
            option
            for action in parser._actions
            for option in action.option_strings
            if option not in ("-h", "--help")
        }
        positionals = [a.dest.upper() for a in parser._actions if not a.option_strings]
        assert options - documented == set(), f"{command}: options missing from README"
        assert documented - options == set(), f"{command}: README names options hrss lacks"
        for positional in positionals:
            assert positional in by_command[command][0], f"{command}: {positional}"
    assert set(by_command) == seen


def test_readme_marts_table_is_the_contract():
    models = {
        model["name"]: {column["name"] for column in model.get("columns", [])}
        for model in yaml.safe_load(MARTS_YML.read_text("utf-8"))["models"]
    }
    rows = table_after(README.read_text("utf-8"), ["mart", "grain", "key"])
    listed = [row[0].strip("`") for row in rows]
    assert sorted(listed) == sorted(models), "README's marts table and the contract differ"
    for mart, _, key in rows:
        keys = re.findall(r"`(\w+)`", key)
        assert keys, f"{mart}: no key columns"
        unknown = set(keys) - models[mart.strip("`")]
        assert not unknown, f"{mart}: key columns not in the contract: {sorted(unknown)}"


# --------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_there_are_docs_to_check():
    names = {path.name for path in markdown_files()}
    assert {"README.md", "configuration.md", "operations.md", "landing.md"} <= names


@pytest.mark.parametrize(
    "path", markdown_files(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix()
)
def test_relative_links_lead_somewhere(path: Path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert not broken, f"{path.name}: " + "; ".join(broken)
