"""docker/check-secrets.sh, run under a controlled environment: strong values pass,
unset, empty, well-known, malformed and weak ones are rejected by name, and no value is
ever printed."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess

import pytest

from tests.unit.deploy.support import CHECK_SECRETS, REQUIRED_SECRETS

pytestmark = pytest.mark.unit

WELL_KNOWN_DEFAULTS = ("airflow", "postgres", "admin", "changeme", "password", "")


def strong_secret_env() -> dict[str, str]:
    return {
        "POSTGRES_PASSWORD": secrets.token_hex(32),
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(48),
        "_AIRFLOW_WWW_USER_PASSWORD": secrets.token_urlsafe(18),
        "WAREHOUSE_DB_PASSWORD": secrets.token_hex(32),
        "HRSS_PG_BI_PASSWORD": secrets.token_hex(24),
        "MB_ADMIN_PASSWORD": secrets.token_urlsafe(18),
    }


def run_guard(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not available")
    # Only PATH is inherited, so a developer's exported secrets cannot leak in.
    controlled = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    controlled.update(env)
    return subprocess.run(
        [bash, str(CHECK_SECRETS)],
        env=controlled,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --------------------------------------------------------------------------
# docker/check-secrets.sh
# --------------------------------------------------------------------------


def test_guard_accepts_strong_random_values() -> None:
    env = strong_secret_env()
    result = run_guard(env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for value in env.values():
        assert value not in output, "check-secrets.sh printed a secret value"


@pytest.mark.parametrize("default", WELL_KNOWN_DEFAULTS, ids=lambda d: d or "empty")
@pytest.mark.parametrize("name", REQUIRED_SECRETS)
def test_guard_rejects_well_known_defaults(name: str, default: str) -> None:
    env = strong_secret_env()
    env[name] = default
    result = run_guard(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{name}={default!r} was accepted"
    assert name in output, "the rejection message must name the variable"
    for other in REQUIRED_SECRETS:
        if other != name:
            assert other not in output, f"{other} was blamed for {name}"
    if default:
        # Case-sensitive: upper-case variable names like AIRFLOW__... are fine.
        assert default not in output, "check-secrets.sh printed the rejected value"


@pytest.mark.parametrize("name", REQUIRED_SECRETS)
def test_guard_rejects_unset_secret(name: str) -> None:
    env = strong_secret_env()
    del env[name]
    result = run_guard(env)
    assert result.returncode != 0
    assert name in result.stdout + result.stderr


@pytest.mark.parametrize("variant", ["AirFlow", "  ChangeMe  ", "PassWord\t"])
def test_guard_defaults_are_case_and_whitespace_insensitive(variant: str) -> None:
    env = strong_secret_env()
    env["_AIRFLOW_WWW_USER_PASSWORD"] = variant
    result = run_guard(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert variant.strip() not in output


def test_guard_reports_every_bad_secret_at_once() -> None:
    env = strong_secret_env()
    env["POSTGRES_PASSWORD"] = "postgres"
    env["AIRFLOW__API__SECRET_KEY"] = "changeme"
    result = run_guard(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in output and "AIRFLOW__API__SECRET_KEY" in output


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # Not a Fernet key (hex, wrong length/alphabet).
        ("AIRFLOW__CORE__FERNET_KEY", secrets.token_hex(32)),
        # URL-reserved characters would corrupt the SQLAlchemy URL.
        ("POSTGRES_PASSWORD", secrets.token_hex(16) + "@" + secrets.token_hex(4)),
        # Too short to be a generated secret.
        ("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_hex(6)),
        ("_AIRFLOW_WWW_USER_PASSWORD", secrets.token_hex(3)),
    ],
    # Ids by name: the values are random, and pytest-xdist's workers must collect the
    # same test ids.
    ids=["fernet-not-a-key", "password-url-reserved", "jwt-too-short", "admin-too-short"],
)
def test_guard_rejects_malformed_or_weak_values_without_echoing(name: str, value: str) -> None:
    env = strong_secret_env()
    env[name] = value
    result = run_guard(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert name in output
    assert value not in output, "check-secrets.sh printed the rejected value"
