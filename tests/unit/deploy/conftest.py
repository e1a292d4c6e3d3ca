"""The parsed docker-compose.yml, shared by the static deploy checks."""

from __future__ import annotations

import pytest
import yaml

from tests.unit.deploy.support import COMMON_KEY, compose_text


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(compose_text())
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose: dict) -> dict:
    return compose[COMMON_KEY]
