"""Shared test configuration.

Tests live in tests/unit (marker `unit`) and tests/integration (marker
`integration`); a test without its folder's marker is an error, so `-m unit`
can never silently drop an integration test into the fast lane or the reverse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The longest test files, longest first (wall minutes in a 4-worker `make test` on 2
# cores, 2026-12-07: 10, 10, 9, 9, 7, 7, 6). make test gives each worker whole files in
# collection order: started first, the two 15-kill chains run on two workers beside
# everything else instead of after it.
LONGEST_FIRST = (
    "test_killed_runs.py",
    "test_killed_runs_second_chain.py",
    "test_dbt_on_postgres.py",
    "test_runs_at_once.py",
    "test_hostile_landing.py",
    "test_day_one.py",
    "test_alert_delivery.py",
)


def _longest_first(item: pytest.Item) -> int:
    name = Path(str(item.fspath)).name
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_longest_first)  # stable: the order within a file and of the rest stays
    for item in items:
        folder = Path(str(item.fspath)).resolve().relative_to(ROOT / "tests").parts[0]
        if folder in ("unit", "integration") and item.get_closest_marker(folder) is None:
            raise pytest.UsageError(
                f"{item.nodeid}: tests under tests/{folder}/ must carry @pytest.mark.{folder}"
            )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
