"""Static checks of .env.example: every variable docker-compose.yml reads is listed,
with a comment, and secrets are blank."""

from __future__ import annotations

import re

import pytest

from tests.unit.deploy.support import ENV_EXAMPLE, REQUIRED_SECRETS, all_refs
from tests.unit.settings_support import settings

pytestmark = pytest.mark.unit

# Secret-bearing but optional: must be blank in .env.example, may be empty.
OPTIONAL_SECRETS = ("HRSS_ALERT_URLS", "HRSS_PG_DSN")

# Every HRSS_* setting the code and the compose stack read, gathered from them (the same
# set docs/configuration.md is checked against), never a hand-kept list.
APP_SETTINGS = tuple(sorted(settings()))
# Set in .env.example for running outside Docker only (by-hand dbt runs; the image has its
# own fonts; compose builds its own DSN from WAREHOUSE_DB_PASSWORD): not passed on.
OUTSIDE_DOCKER_ONLY = ("HRSS_PG_PASSWORD", "HRSS_PG_SSLMODE", "HRSS_FONT_DIRS", "HRSS_PG_DSN")


def parse_env_example() -> tuple[dict[str, str], set[str], list[str]]:
    """Active assignments, commented-out assignments, and raw lines."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    active: dict[str, str] = {}
    commented: set[str] = set()
    for line in lines:
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if m:
            assert m[1] not in active, f".env.example assigns {m[1]} twice"
            active[m[1]] = m[2]
            continue
        m = re.match(r"^#\s*([A-Za-z_][A-Za-z0-9_]*)=", line)
        if m:
            commented.add(m[1])
    return active, commented, lines


# --------------------------------------------------------------------------
# .env.example
# --------------------------------------------------------------------------


def test_env_example_defines_every_variable_compose_references(compose: dict) -> None:
    active, _, _ = parse_env_example()
    referenced = {name for name, _, _ in all_refs(compose)}
    missing = referenced - set(active)
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_leaves_secrets_blank() -> None:
    active, _, _ = parse_env_example()
    for name in REQUIRED_SECRETS + OPTIONAL_SECRETS:
        assert name in active, f".env.example must list {name}"
        assert active[name].strip() == "", f"{name} must be blank in .env.example"


def test_env_example_documents_every_app_setting() -> None:
    active, commented, _ = parse_env_example()
    missing = set(APP_SETTINGS) - set(active) - commented
    assert not missing, f".env.example does not document {sorted(missing)}"


def test_env_example_has_a_comment_for_every_variable() -> None:
    _, _, lines = parse_env_example()
    assignment = re.compile(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=")
    seen = 0
    for i, line in enumerate(lines):
        m = assignment.match(line)
        if not m:
            continue
        seen += 1
        prev = lines[i - 1].strip() if i > 0 else ""
        assert prev.startswith("#") and not assignment.match(prev) and prev.strip("# "), (
            f".env.example line {i + 1} ({m[1]}) needs a descriptive comment line directly above it"
        )
    assert seen >= len(REQUIRED_SECRETS) + len(APP_SETTINGS)


def test_every_active_setting_in_env_example_reaches_the_stack(compose: dict) -> None:
    # A limit set in .env that compose never passes on would be silently ignored.
    active, _, _ = parse_env_example()
    referenced = {name for name, _, _ in all_refs(compose)}
    ignored = {
        name
        for name in active
        if name.startswith("HRSS_") and name not in referenced and name not in OUTSIDE_DOCKER_ONLY
    }
    assert not ignored, (
        f"set in .env.example but never passed by docker-compose.yml: {sorted(ignored)}"
    )
