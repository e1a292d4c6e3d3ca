"""Shared test configuration.

Tests live in tests/unit (marker `unit`) and tests/integration (marker
`integration`); a test without its folder's marker is an error, so `-m unit`
can never silently drop an integration test into the fast lane or the reverse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).resolve().relative_to(ROOT / "tests").parts[0]
        if folder in ("unit", "integration") and item.get_closest_marker(folder) is None:
            raise pytest.UsageError(
                f"{item.nodeid}: tests under tests/{folder}/ must carry @pytest.mark.{folder}"
            )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
