"""Static checks of the Dockerfile and .dockerignore: the Airflow base image matches the
pin, the project is installed as the airflow user, and the build context holds what the
build needs and nothing local or secret."""

from __future__ import annotations

import re
import shlex
import tomllib
from importlib import metadata

import pytest
from packaging.specifiers import SpecifierSet

from tests.unit.deploy.support import (
    CONSTRAINTS,
    DOCKERFILE,
    DOCKERIGNORE,
    PROJECT_ROOT_IN_IMAGE,
    REPO_ROOT,
    env_mapping,
)

pytestmark = pytest.mark.unit


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    buf = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buf):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        keyword, _, args = buf.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        buf = ""
    assert not buf, "Dockerfile ends with a dangling line continuation"
    return instructions


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in dockerfile_instructions():
        if keyword != "ENV":
            continue
        tokens = shlex.split(args)
        if tokens and "=" not in tokens[0]:  # legacy "ENV KEY value"
            env[tokens[0]] = " ".join(tokens[1:])
            continue
        for token in tokens:
            key, _, value = token.partition("=")
            env[key] = value
    return env


def expected_airflow_version() -> tuple[str, str]:
    if CONSTRAINTS.exists():
        text = CONSTRAINTS.read_text(encoding="utf-8")
        m = re.search(r"^apache-airflow==([^\s;#]+)", text, re.MULTILINE | re.IGNORECASE)
        assert m, "constraints.txt exists but does not pin apache-airflow=="
        return m[1], "constraints.txt"
    return metadata.version("apache-airflow"), "installed apache-airflow"


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """Approximation of Docker's .dockerignore matching (Go filepath.Match + **)."""
    pattern = pattern.strip().strip("/")
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """True if the build context would not contain `path` (last match wins)."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        regex = _dockerignore_regex(raw[1:] if negate else raw)
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negate
    return excluded


def dockerignore_patterns() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


# --------------------------------------------------------------------------
# Dockerfile and .dockerignore
# --------------------------------------------------------------------------


def test_dockerfile_base_image_matches_the_airflow_pin() -> None:
    expected, source = expected_airflow_version()
    bases = [args.split()[0] for kw, args in dockerfile_instructions() if kw == "FROM"]
    airflow_bases = [b for b in bases if b.startswith("apache/airflow:")]
    assert airflow_bases, f"no apache/airflow base image in {bases}"
    for base in airflow_bases:
        m = re.fullmatch(r"apache/airflow:(?P<ver>[0-9][^-]*)(?:-python(?P<py>\d+\.\d+))?", base)
        assert m, f"unparseable base image tag {base!r}"
        assert m["ver"] == expected, f"Dockerfile uses Airflow {m['ver']}, {source} pins {expected}"
        assert m["py"], "pin the Python version in the base tag (e.g. -python3.11)"


def test_dockerfile_python_satisfies_requires_python() -> None:
    pyproject = REPO_ROOT / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("no pyproject.toml yet")
    spec = (
        tomllib.loads(pyproject.read_text(encoding="utf-8"))
        .get("project", {})
        .get("requires-python")
    )
    if not spec:
        pytest.skip("pyproject.toml does not declare requires-python")
    tags = [
        m[1]
        for kw, args in dockerfile_instructions()
        if kw == "FROM" and (m := re.search(r"-python(\d+\.\d+)$", args.split()[0]))
    ]
    assert tags, "base image tag does not pin a Python version"
    for tag in tags:
        assert SpecifierSet(spec).contains(f"{tag}.0"), (
            f"python{tag} violates requires-python {spec}"
        )


def test_dockerfile_sets_project_environment(common: dict) -> None:
    env = dockerfile_env()
    assert env.get("HRSS_HOME") == PROJECT_ROOT_IN_IMAGE
    assert env.get("AIRFLOW__CORE__DAGS_FOLDER") == "/opt/hrss/dags"
    assert env.get("DBT_PROFILES_DIR") == "/opt/hrss/dbt_project"
    compose_env = env_mapping(common)
    for key in ("HRSS_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "DBT_PROFILES_DIR"):
        assert compose_env.get(key, env[key]) == env[key], (
            f"compose and Dockerfile disagree on {key}"
        )


def test_dockerfile_copies_project_and_installs_it_as_airflow_user() -> None:
    user = "airflow"  # the base image's default user
    copied = False
    installed = False
    for keyword, args in dockerfile_instructions():
        if keyword == "USER":
            user = args.split(":")[0]
        elif keyword == "COPY":
            tokens = [t for t in shlex.split(args) if not t.startswith("--")]
            if tokens[:1] == ["."] and tokens[-1].rstrip("/") == PROJECT_ROOT_IN_IMAGE:
                copied = True
        elif keyword == "RUN" and "pip install" in args:
            tokens = shlex.split(args)
            assert copied, "pip install runs before the project is copied"
            assert user in ("airflow", "50000"), f"pip install runs as {user!r}, not airflow"
            assert "--no-cache-dir" in tokens
            i = tokens.index("-c")
            assert tokens[i + 1] == f"{PROJECT_ROOT_IN_IMAGE}/constraints.txt"
            j = tokens.index("-e")
            assert tokens[j + 1] == PROJECT_ROOT_IN_IMAGE
            installed = True
    assert copied, "Dockerfile never copies the project to /opt/hrss"
    assert installed, "Dockerfile never pip-installs the project"
    assert user in ("airflow", "50000"), "the image must not end as root"


def test_dockerignore_excludes_local_state_and_secrets() -> None:
    patterns = dockerignore_patterns()
    must_exclude = [
        ".venv/bin/python",
        ".airflow/airflow.cfg",
        "warehouse/hrss.duckdb",
        ".git/HEAD",
        "src/hrss_warehouse/__pycache__/x.cpython-311.pyc",
        "__pycache__/x.pyc",
        "reports/run.html",
        "hrss.duckdb",
        "data/sample/x.duckdb",
        "dbt_project/target/manifest.json",
        "dbt_project/.user.yml",
        ".env",
    ]
    for path in must_exclude:
        assert dockerignore_excludes(path, patterns), f".dockerignore lets {path} into the image"


def test_dockerignore_keeps_what_the_build_needs() -> None:
    patterns = dockerignore_patterns()
    must_keep = [
        "pyproject.toml",
        "README.md",
        "constraints.txt",
        "docker/check-secrets.sh",
        "dags/hrss_nightly.py",
        "src/hrss_warehouse/__init__.py",
        "dbt_project/dbt_project.yml",
        "dbt_project/profiles.yml",
        "expectations/suite.py",
        "seeds/catalog.csv",
        "data/sample/landing/file.csv",
        ".env.example",
    ]
    for path in must_keep:
        assert not dockerignore_excludes(path, patterns), f".dockerignore drops {path}"
