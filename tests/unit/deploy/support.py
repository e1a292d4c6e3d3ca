"""Paths, names and parsers shared by the static checks of the Docker packaging
(docker-compose.yml, Dockerfile, .env.example, docker/check-secrets.sh)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# tests/unit/deploy/<this file> -> repository root; never rely on the working directory.
REPO_ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
CONSTRAINTS = REPO_ROOT / "constraints.txt"
CHECK_SECRETS = REPO_ROOT / "docker" / "check-secrets.sh"

COMMON_KEY = "x-airflow-common"
PROJECT_IMAGE = "hrss-warehouse:latest"
PROJECT_ROOT_IN_IMAGE = "/opt/hrss"

REQUIRED_SECRETS = (
    "POSTGRES_PASSWORD",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "_AIRFLOW_WWW_USER_PASSWORD",
    "WAREHOUSE_DB_PASSWORD",
    "HRSS_PG_BI_PASSWORD",
    "MB_ADMIN_PASSWORD",
)

# Compose interpolation: ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?x}, ${NAME?x},
# ${NAME:+x}, ${NAME+x}. "$$" is an escaped literal dollar.
REF_RE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")


def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


def iter_scalars(node: Any) -> Iterator[str]:
    """Every string value in the parsed compose document (keys excluded)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from iter_scalars(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_scalars(item)
    elif isinstance(node, str):
        yield node


def interpolation_refs(text: str) -> list[tuple[str, str | None, str]]:
    """(name, operator, argument) for each ${...} compose would interpolate."""
    return [(m["name"], m["op"], m["arg"]) for m in REF_RE.finditer(text.replace("$$", ""))]


def all_refs(compose: dict) -> list[tuple[str, str | None, str]]:
    return [ref for s in iter_scalars(compose) for ref in interpolation_refs(s)]


def env_mapping(service: dict) -> dict[str, Any]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        out: dict[str, Any] = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            out[key] = value if sep else None
        return out
    return dict(env)
