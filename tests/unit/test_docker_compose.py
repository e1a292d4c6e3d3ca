"""Static checks for the Docker packaging: docker-compose.yml, Dockerfile,
.dockerignore, .env.example and the docker/check-secrets.sh guard.

There is no Docker engine in CI, so everything here works on the files
themselves (plus running the bash guard under a controlled environment). One
optional test runs `docker compose config` when a Docker CLI is available.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet

pytestmark = pytest.mark.unit

# tests/unit/<this file> -> repository root; never rely on the working directory.
REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
CONSTRAINTS = REPO_ROOT / "constraints.txt"
CHECK_SECRETS = REPO_ROOT / "docker" / "check-secrets.sh"

COMMON_KEY = "x-airflow-common"
PROJECT_IMAGE = "hrss-warehouse:latest"
PROJECT_ROOT_IN_IMAGE = "/opt/hrss"

AIRFLOW_SERVICES = frozenset(
    {
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    }
)
# The BI side: the PostgreSQL warehouse, Metabase, and the one-shot that connects them.
BI_SERVICES = frozenset({"warehouse-db", "metabase", "metabase-init"})
# Profile celery: the broker (the worker is an Airflow service).
CELERY_SERVICES = frozenset({"redis", "airflow-worker"})
EXPECTED_SERVICES = AIRFLOW_SERVICES | {"postgres", "redis"} | BI_SERVICES
LONG_RUNNING_AIRFLOW_SERVICES = AIRFLOW_SERVICES - {"airflow-init"}
EXPECTED_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}

REQUIRED_VOLUMES = frozenset(
    {"postgres-db", "warehouse-db", "metabase-data", "landing", "warehouse", "archive", "reports"}
)
# Named volume -> mount point every Airflow service must have.
EXPECTED_AIRFLOW_MOUNTS = {
    "landing": "/opt/hrss/data/landing",
    "warehouse": "/opt/hrss/warehouse",
    "archive": "/opt/hrss/archive",
    "reports": "/opt/hrss/reports",
}
# Host paths Airflow services may bind-mount. Empty on purpose: code, DAGs and
# the dbt project are baked into the image; state lives in named volumes.
ALLOWED_AIRFLOW_BIND_SOURCES: frozenset[str] = frozenset()
# Extra environment keys a service may add on top of the common anchor.
ALLOWED_EXTRA_ENV = {
    "airflow-init": frozenset({"_AIRFLOW_WWW_USER_USERNAME", "_AIRFLOW_WWW_USER_PASSWORD"}),
}

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
# Secret-bearing but optional: must be blank in .env.example, may be empty.
OPTIONAL_SECRETS = ("HRSS_ALERT_URLS", "HRSS_PG_DSN")
WELL_KNOWN_DEFAULTS = ("airflow", "postgres", "admin", "changeme", "password", "")
SECRET_NAME_RE = re.compile(r"PASSWORD|SECRET|KEY", re.IGNORECASE)

APP_SETTINGS = (
    "HRSS_HOME",
    "HRSS_LANDING_DIR",
    "HRSS_CATALOG_DIR",
    "HRSS_WAREHOUSE",
    "HRSS_WORK_DIR",
    "HRSS_ARCHIVE_DIR",
    "HRSS_REPORT_DIR",
    "HRSS_AS_OF",
    "HRSS_DBT_TARGET",
    "HRSS_ALERT_URLS",
    "HRSS_PG_DSN",
    "HRSS_PG_BI_ROLE",
    "HRSS_PG_BI_PASSWORD",
    "HRSS_ALERT_LANGUAGE",
    "HRSS_ALERT_REMIND_DAYS",
    "HRSS_ALERT_OVERDUE_WINDOW_DAYS",
    "HRSS_ALERT_TIMEOUT_S",
    "HRSS_REPORT_URL",
)

POOL_COMMAND = (
    'airflow pools set hrss_duckdb_writer 1 "Serialises writers of the DuckDB working database"'
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

# Compose interpolation: ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?x}, ${NAME?x},
# ${NAME:+x}, ${NAME+x}. "$$" is an escaped literal dollar.
_REF_RE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")
_FULL_REQUIRED_REF_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?(?P<msg>[^}]+)\}$")


def _compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


def _iter_scalars(node: Any) -> Iterator[str]:
    """Every string value in the parsed compose document (keys excluded)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _iter_scalars(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iter_scalars(item)
    elif isinstance(node, str):
        yield node


def interpolation_refs(text: str) -> list[tuple[str, str | None, str]]:
    """(name, operator, argument) for each ${...} compose would interpolate."""
    return [(m["name"], m["op"], m["arg"]) for m in _REF_RE.finditer(text.replace("$$", ""))]


def all_refs(compose: dict) -> list[tuple[str, str | None, str]]:
    return [ref for s in _iter_scalars(compose) for ref in interpolation_refs(s)]


def env_mapping(service: dict) -> dict[str, Any]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        out: dict[str, Any] = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            out[key] = value if sep else None
        return out
    return dict(env)


def mounts(service: dict) -> list[tuple[str, str, str]]:
    """(type, source, target) for each volume entry, short or long syntax."""
    result = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            kind = entry.get("type", "volume")
            result.append((kind, str(entry.get("source", "")), str(entry["target"])))
            continue
        parts = str(entry).split(":")
        if len(parts) == 1:  # anonymous volume
            result.append(("volume", "", parts[0]))
            continue
        source, target = parts[0], parts[1]
        kind = "bind" if source.startswith(("/", ".", "~", "$")) else "volume"
        result.append((kind, source, target))
    return result


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def command_text(service: dict) -> str:
    cmd = service.get("command", "")
    return "\n".join(cmd) if isinstance(cmd, list) else str(cmd)


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test", "")
    return " ".join(test) if isinstance(test, list) else str(test)


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
# fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(_compose_text())
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose: dict) -> dict:
    return compose[COMMON_KEY]


# --------------------------------------------------------------------------
# docker-compose.yml structure
# --------------------------------------------------------------------------


def test_compose_yaml_parses_with_expected_top_level_keys(compose: dict) -> None:
    assert isinstance(compose.get("services"), dict) and compose["services"]
    assert isinstance(compose.get(COMMON_KEY), dict), f"missing {COMMON_KEY} anchor block"
    assert isinstance(compose.get("volumes"), dict)
    # The obsolete top-level `version:` key only produces warnings in Compose v2.
    assert "version" not in compose


def test_service_set_is_exactly_the_expected_stack(services: dict) -> None:
    assert set(services) == EXPECTED_SERVICES


def test_common_anchor_builds_the_project_image(common: dict) -> None:
    build = common.get("build")
    context = build if isinstance(build, str) else (build or {}).get("context")
    assert context in (".", "./"), "the image must be built from the repo's Dockerfile"
    assert common.get("image") == PROJECT_IMAGE


def test_every_airflow_service_merges_the_common_anchor() -> None:
    """Syntactic check: each Airflow service has `<<: *airflow-common`."""
    root = yaml.compose(_compose_text())
    top = {key.value: value for key, value in root.value}
    common_node = top[COMMON_KEY]
    services_node = {key.value: value for key, value in top["services"].value}
    for name in sorted(AIRFLOW_SERVICES):
        merges = [
            value
            for key, value in services_node[name].value
            if key.tag == "tag:yaml.org,2002:merge"
        ]
        assert any(node is common_node for node in merges), (
            f"{name} does not merge the {COMMON_KEY} anchor"
        )


def test_only_airflow_services_run_the_project_image(services: dict) -> None:
    using_image = {name for name, svc in services.items() if svc.get("image") == PROJECT_IMAGE}
    # metabase-init runs a script baked into the project image.
    assert using_image == AIRFLOW_SERVICES | {"metabase-init"}


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_airflow_service_matches_common_anchor(name: str, services: dict, common: dict) -> None:
    svc = services[name]
    for key in ("build", "image", "user", "volumes"):
        assert svc.get(key) == common.get(key), f"{name} overrides `{key}` of the common anchor"
    common_env = env_mapping(common)
    env = env_mapping(svc)
    missing = set(common_env) - set(env)
    assert not missing, f"{name} lacks common environment keys {sorted(missing)}"
    extra = set(env) - set(common_env)
    allowed = ALLOWED_EXTRA_ENV.get(name, frozenset())
    assert extra <= allowed, f"{name} adds unexpected environment keys {sorted(extra - allowed)}"
    changed = {k for k in common_env if env[k] != common_env[k]}
    assert not changed, f"{name} overrides common environment values {sorted(changed)}"


@pytest.mark.parametrize("name", sorted(EXPECTED_COMMANDS))
def test_long_running_services_run_their_airflow_component(name: str, services: dict) -> None:
    assert command_text(services[name]).strip() == EXPECTED_COMMANDS[name]
    assert services[name].get("restart") == "always"


def test_core_airflow_settings(common: dict) -> None:
    env = env_mapping(common)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/hrss/dags"
    assert env["DBT_PROFILES_DIR"] == "/opt/hrss/dbt_project"
    assert env["HRSS_HOME"] == PROJECT_ROOT_IN_IMAGE
    conn = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert conn.startswith("postgresql"), conn
    assert "@postgres:" in conn or "@postgres/" in conn, "metadata DB must be the postgres service"
    names = {ref[0] for ref in interpolation_refs(conn)}
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= names
    assert "airflow-apiserver:8080/execution" in env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]


def test_app_paths_point_into_the_mounted_volumes(common: dict) -> None:
    env = env_mapping(common)
    targets = {src: dst for _, src, dst in mounts(common)}
    assert env["HRSS_LANDING_DIR"] == targets["landing"]
    assert env["HRSS_ARCHIVE_DIR"] == targets["archive"]
    assert env["HRSS_REPORT_DIR"] == targets["reports"]
    assert Path(env["HRSS_WAREHOUSE"]).parent == Path(targets["warehouse"])
    assert Path(env["HRSS_WORK_DIR"]).is_relative_to(targets["warehouse"])
    assert env["HRSS_CATALOG_DIR"] == f"{PROJECT_ROOT_IN_IMAGE}/seeds"
    assert "HRSS_DBT_TARGET" in env and "HRSS_AS_OF" in env


# --------------------------------------------------------------------------
# volumes, dependencies, health checks
# --------------------------------------------------------------------------


def test_required_named_volumes_are_declared(compose: dict) -> None:
    assert set(compose["volumes"]) >= REQUIRED_VOLUMES


@pytest.mark.parametrize("name", sorted(EXPECTED_SERVICES))
def test_service_mounts_only_declared_volumes(name: str, compose: dict, services: dict) -> None:
    declared = set(compose["volumes"])
    svc = services[name]
    assert "volumes_from" not in svc, f"{name} uses volumes_from"
    for kind, source, target in mounts(svc):
        if kind == "volume":
            assert source, f"{name} mounts an anonymous volume at {target}"
            assert source in declared, f"{name} mounts undeclared volume {source!r}"
        elif name in AIRFLOW_SERVICES:
            assert source in ALLOWED_AIRFLOW_BIND_SOURCES, (
                f"{name} bind-mounts {source!r} at {target}; bake it into the image instead"
            )
        else:
            pytest.fail(f"{name} has an unexpected {kind} mount {source!r} -> {target}")


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_airflow_service_mounts_the_data_volumes(name: str, services: dict) -> None:
    found = {src: dst for kind, src, dst in mounts(services[name]) if kind == "volume"}
    for volume, target in EXPECTED_AIRFLOW_MOUNTS.items():
        assert found.get(volume) == target, f"{name}: volume {volume} must be mounted at {target}"


def test_postgres_keeps_its_data_in_the_postgres_db_volume(services: dict) -> None:
    assert ("volume", "postgres-db", "/var/lib/postgresql/data") in mounts(services["postgres"])


def test_every_declared_volume_is_used(compose: dict, services: dict) -> None:
    used = {src for svc in services.values() for kind, src, _ in mounts(svc) if kind == "volume"}
    assert set(compose["volumes"]) <= used, f"unused volumes {set(compose['volumes']) - used}"


def test_depends_on_graph_is_valid_and_acyclic(services: dict) -> None:
    graph = {name: depends_on(svc) for name, svc in services.items()}
    for name, deps in graph.items():
        for dep, condition in deps.items():
            assert dep in services, f"{name} depends on unknown service {dep!r}"
            assert dep != name, f"{name} depends on itself"
            assert condition in {
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            }, f"{name}: unknown condition {condition!r}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], (
                    f"{name} waits for healthy {dep}, which has no healthcheck"
                )

    visiting: set[str] = set()
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in visiting, f"depends_on cycle: {' -> '.join((*path, node))}"
        if node in done:
            return
        visiting.add(node)
        for dep in graph[node]:
            visit(dep, (*path, node))
        visiting.discard(node)
        done.add(node)

    for node in graph:
        visit(node, ())


def test_startup_order_mirrors_the_official_file(services: dict) -> None:
    assert depends_on(services["airflow-init"]).get("postgres") == "service_healthy"
    for name in sorted(LONG_RUNNING_AIRFLOW_SERVICES):
        deps = depends_on(services[name])
        assert deps.get("postgres") == "service_healthy", name
        assert deps.get("airflow-init") == "service_completed_successfully", name
    assert services["airflow-init"].get("restart") in (None, "no")


def test_postgres_has_a_pg_isready_healthcheck(services: dict) -> None:
    assert "pg_isready" in healthcheck_text(services["postgres"])


def test_apiserver_has_a_version_healthcheck_on_8080(services: dict) -> None:
    svc = services["airflow-apiserver"]
    assert "http://localhost:8080/api/v2/version" in healthcheck_text(svc)
    ports = [str(p) for p in svc.get("ports", [])]
    assert any(p.endswith(":8080") for p in ports), ports


@pytest.mark.parametrize("name", sorted(LONG_RUNNING_AIRFLOW_SERVICES))
def test_long_running_airflow_services_have_healthchecks(name: str, services: dict) -> None:
    assert healthcheck_text(services[name]).strip(), f"{name} has no healthcheck"


def test_airflow_init_gates_on_secrets_then_migrates_creates_admin_and_pool(services: dict) -> None:
    script = command_text(services["airflow-init"])
    steps = [
        "check-secrets.sh",
        "airflow db migrate",
        "airflow users create",
        POOL_COMMAND,
    ]
    positions = []
    for step in steps:
        assert step in script, f"airflow-init does not run {step!r}"
        positions.append(script.index(step))
    assert positions == sorted(positions), (
        "airflow-init must check secrets first, then migrate, user, pool"
    )
    assert "set -e" in script, "airflow-init must stop at the first failing step"
    assert "|| true" not in script, "airflow-init must not swallow failures"


# --------------------------------------------------------------------------
# secrets in compose
# --------------------------------------------------------------------------


def test_compose_uses_only_braced_interpolation(compose: dict) -> None:
    """Bare $VAR would slip past the reference checks below."""
    for text in _iter_scalars(compose):
        rest = _REF_RE.sub("", text.replace("$$", ""))
        assert "$" not in rest, f"unbraced or malformed interpolation in {text!r}"
        for name, op, arg in interpolation_refs(text):
            assert op is not None or arg == "", f"malformed reference to {name} in {text!r}"


def test_every_required_secret_reference_uses_the_required_form(compose: dict) -> None:
    refs = all_refs(compose)
    referenced = {name for name, _, _ in refs}
    assert set(REQUIRED_SECRETS) <= referenced, (
        f"secrets never referenced: {sorted(set(REQUIRED_SECRETS) - referenced)}"
    )
    for name, op, arg in refs:
        if name in REQUIRED_SECRETS:
            assert op == ":?", f"${{{name}}} must use ${{{name}:?message}}, found op {op!r}"
            assert arg.strip(), f"${{{name}:?}} needs an explanatory message"


def test_secret_like_environment_entries_are_required_references(compose: dict) -> None:
    blocks = {COMMON_KEY: compose[COMMON_KEY], **compose["services"]}
    checked = 0
    for owner, block in blocks.items():
        for key, value in env_mapping(block).items():
            if not SECRET_NAME_RE.search(key):
                continue
            checked += 1
            assert isinstance(value, str), f"{owner}: {key} has a literal non-string value"
            m = _FULL_REQUIRED_REF_RE.match(value)
            assert m, f"{owner}: {key} must be exactly ${{VAR:?message}}, not a literal"
            assert m["name"] in REQUIRED_SECRETS, (
                f"{owner}: {key} reads {m['name']}, not a guarded secret"
            )
    assert checked >= len(REQUIRED_SECRETS)


def test_guard_covers_every_secret_the_compose_file_reads(compose: dict) -> None:
    secret_like = {name for name, _, _ in all_refs(compose) if SECRET_NAME_RE.search(name)}
    assert secret_like <= set(REQUIRED_SECRETS), sorted(secret_like - set(REQUIRED_SECRETS))
    script = CHECK_SECRETS.read_text(encoding="utf-8")
    for name in REQUIRED_SECRETS:
        assert re.search(rf"^\s*{re.escape(name)}\s*$", script, re.MULTILINE), (
            f"check-secrets.sh does not list {name}"
        )


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
)
def test_guard_rejects_malformed_or_weak_values_without_echoing(name: str, value: str) -> None:
    env = strong_secret_env()
    env[name] = value
    result = run_guard(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert name in output
    assert value not in output, "check-secrets.sh printed the rejected value"


# --------------------------------------------------------------------------
# the BI side: PostgreSQL warehouse and Metabase
# --------------------------------------------------------------------------


def test_pipeline_publishes_to_the_warehouse_db_service(common: dict, services: dict) -> None:
    env = env_mapping(common)
    dsn = env["HRSS_PG_DSN"]
    assert dsn.startswith("postgresql://hrss:") and "@warehouse-db:5432/hrss" in dsn
    assert {name for name, _, _ in interpolation_refs(dsn)} == {"WAREHOUSE_DB_PASSWORD"}
    assert depends_on(common).get("warehouse-db") == "service_healthy"
    assert "pg_isready" in healthcheck_text(services["warehouse-db"])
    assert ("volume", "warehouse-db", "/var/lib/postgresql/data") in mounts(
        services["warehouse-db"]
    )


def test_airflow_init_creates_the_bi_role_before_metabase_connects(services: dict) -> None:
    script = command_text(services["airflow-init"])
    assert script.index("airflow db migrate") < script.index(
        "python -m hrss_warehouse.publish_postgres ensure-bi-role"
    )
    deps = depends_on(services["metabase-init"])
    assert deps == {"metabase": "service_healthy", "airflow-init": "service_completed_successfully"}
    assert services["metabase-init"].get("restart") == "no"


def test_metabase_is_healthchecked_and_keeps_its_state(services: dict) -> None:
    svc = services["metabase"]
    assert "/api/health" in healthcheck_text(svc)
    assert ("volume", "metabase-data", "/metabase-data") in mounts(svc)
    assert any(str(p).endswith(":3000") for p in svc.get("ports", []))


def test_metabase_connects_with_the_read_only_role_to_marts_only() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "metabase_init", REPO_ROOT / "docker" / "metabase_init.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    payload = module.database_payload({"HRSS_PG_BI_PASSWORD": "x" * 24})
    details = payload["details"]
    assert (payload["engine"], details["host"], details["dbname"]) == (
        "postgres",
        "warehouse-db",
        "hrss",
    )
    assert (details["user"], details["password"]) == ("hrss_bi", "x" * 24)
    assert (details["schema-filters-type"], details["schema-filters-patterns"]) == (
        "inclusion",
        "marts",
    )


def test_celery_is_an_opt_in_profile(services: dict, common: dict) -> None:
    for name in CELERY_SERVICES:
        assert services[name].get("profiles") == ["celery"], name
    for name in EXPECTED_SERVICES - CELERY_SERVICES:
        assert "profiles" not in services[name], f"{name} must start without a profile"
    env = env_mapping(common)
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert "@postgres:5432/" in env["AIRFLOW__CELERY__RESULT_BACKEND"]
    worker = depends_on(services["airflow-worker"])
    assert worker.get("redis") == "service_healthy"
    assert "redis-cli" in healthcheck_text(services["redis"])


# --------------------------------------------------------------------------
# the Compose Specification
# --------------------------------------------------------------------------


def _as_compose_would_read(text: str) -> str:
    """What Compose validates: variables interpolated (required ones given a value),
    YAML merge keys resolved, extension fields (x-*) set aside."""

    def value(match: re.Match) -> str:
        return "x" * 24 if match["op"] in (":?", "?") else (match["arg"] if match["op"] else "")

    interpolated = _REF_RE.sub(value, text).replace("$$", "$")
    data = yaml.safe_load(interpolated)
    return yaml.safe_dump(
        {k: v for k, v in data.items() if not k.startswith("x-")}, allow_unicode=True
    )


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    from compose_spec import PyCompose

    parsed = PyCompose.from_yaml(_as_compose_would_read(_compose_text()))
    assert set(parsed.service_names()) == EXPECTED_SERVICES | CELERY_SERVICES


def test_the_specification_check_catches_an_invalid_file() -> None:
    from compose_spec import PyCompose

    broken = _compose_text().replace("interval: 10s", "interval: every ten seconds", 1)
    with pytest.raises(ValueError, match="duration"):
        PyCompose.from_yaml(_as_compose_would_read(broken))
