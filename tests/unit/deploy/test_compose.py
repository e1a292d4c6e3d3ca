"""Static checks of docker-compose.yml: services, the common Airflow anchor, volumes,
dependencies, health checks, how secrets are read, the BI side, and validity against the
Compose Specification. There is no Docker engine in CI, so they work on the file itself."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from tests.unit.deploy.support import (
    CHECK_SECRETS,
    COMMON_KEY,
    PROJECT_IMAGE,
    PROJECT_ROOT_IN_IMAGE,
    REF_RE,
    REPO_ROOT,
    REQUIRED_SECRETS,
    all_refs,
    compose_text,
    env_mapping,
    interpolation_refs,
    iter_scalars,
)

pytestmark = pytest.mark.unit

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
# The one-shot that runs docker/check-secrets.sh before anything holding a secret starts.
GATE = "check-secrets"
EXPECTED_SERVICES = AIRFLOW_SERVICES | {"postgres", "redis", GATE} | BI_SERVICES
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

SECRET_NAME_RE = re.compile(r"PASSWORD|SECRET|KEY", re.IGNORECASE)

POOL_COMMAND = (
    'airflow pools set hrss_duckdb_writer 1 "Serialises writers of the DuckDB working database"'
)


_FULL_REQUIRED_REF_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?(?P<msg>[^}]+)\}$")


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
    root = yaml.compose(compose_text())
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
    # metabase-init and the secrets gate run scripts baked into the project image.
    assert using_image == AIRFLOW_SERVICES | {"metabase-init", GATE}


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


def test_airflow_init_migrates_creates_admin_and_pool(services: dict) -> None:
    script = command_text(services["airflow-init"])
    steps = [
        "airflow db migrate",
        "airflow users create",
        POOL_COMMAND,
    ]
    positions = []
    for step in steps:
        assert step in script, f"airflow-init does not run {step!r}"
        positions.append(script.index(step))
    assert positions == sorted(positions), (
        "airflow-init must migrate first, then create the user, then the pool"
    )
    assert "set -e" in script, "airflow-init must stop at the first failing step"
    assert "|| true" not in script, "airflow-init must not swallow failures"


# --------------------------------------------------------------------------
# secrets in compose
# --------------------------------------------------------------------------


def test_compose_uses_only_braced_interpolation(compose: dict) -> None:
    """Bare $VAR would slip past the reference checks below."""
    for text in iter_scalars(compose):
        rest = REF_RE.sub("", text.replace("$$", ""))
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


def ungated(services: dict) -> set[str]:
    """Services that may start before the secrets gate has passed. Every service that
    receives a secret must wait for it, and so must Metabase: until metabase-init has
    run, its setup page belongs to whoever reaches it first."""
    must_wait = {"metabase"} | {
        name
        for name, svc in services.items()
        if name != GATE and {ref[0] for ref in all_refs(svc)} & set(REQUIRED_SECRETS)
    }
    return {
        name
        for name in must_wait
        if depends_on(services[name]).get(GATE) != "service_completed_successfully"
    }


def test_nothing_holding_a_secret_starts_before_the_secrets_gate(services: dict) -> None:
    assert ungated(services) == set()
    gated = {n for n, svc in services.items() if GATE in depends_on(svc)}
    assert gated == AIRFLOW_SERVICES | BI_SERVICES | {"postgres"}


@pytest.mark.parametrize("condition", [None, "service_started"])
@pytest.mark.parametrize("name", ["warehouse-db", "metabase", "metabase-init"])
def test_the_gate_check_catches_a_service_that_does_not_wait(
    services: dict, name: str, condition: str | None
) -> None:
    changed = copy.deepcopy(services)
    deps = changed[name]["depends_on"]
    if condition is None:
        del deps[GATE]
    else:
        deps[GATE]["condition"] = condition
    assert ungated(changed) == {name}


def test_the_secrets_gate_runs_the_guard_on_every_secret(services: dict) -> None:
    gate = services[GATE]
    assert gate["entrypoint"] == ["bash", f"{PROJECT_ROOT_IN_IMAGE}/docker/check-secrets.sh"]
    env = env_mapping(gate)
    assert set(env) == set(REQUIRED_SECRETS)
    for name, value in env.items():
        assert _FULL_REQUIRED_REF_RE.match(value)["name"] == name
    # A one-shot that waits for nothing: depends_on would never see it complete if it
    # restarted, and it must run before everything else.
    assert (gate.get("restart"), gate.get("depends_on"), gate.get("ports")) == ("no", None, None)


def test_guard_covers_every_secret_the_compose_file_reads(compose: dict) -> None:
    secret_like = {name for name, _, _ in all_refs(compose) if SECRET_NAME_RE.search(name)}
    assert secret_like <= set(REQUIRED_SECRETS), sorted(secret_like - set(REQUIRED_SECRETS))
    script = CHECK_SECRETS.read_text(encoding="utf-8")
    for name in REQUIRED_SECRETS:
        assert re.search(rf"^\s*{re.escape(name)}\s*$", script, re.MULTILINE), (
            f"check-secrets.sh does not list {name}"
        )


# --------------------------------------------------------------------------
# published ports: loopback unless configured
# --------------------------------------------------------------------------

BIND_PREFIX = "${HRSS_BIND_ADDRESS:-127.0.0.1}:"
# (service, container port) of everything the stack publishes on the host.
PUBLISHED = {("airflow-apiserver", "8080"), ("warehouse-db", "5432"), ("metabase", "3000")}


def host_ip(entry: str | dict) -> str | None:
    """The host address a `ports:` entry binds to; None = every interface."""
    if isinstance(entry, dict):
        return entry.get("host_ip")
    if entry.startswith("["):  # [IPv6]:host:container
        return entry[1:].partition("]")[0]
    parts = entry.split(":")
    return parts[0] if len(parts) == 3 else None


def exposed_ports(text: str) -> list[str]:
    """Entries of a compose text that, with no .env, publish beyond 127.0.0.1."""
    data = yaml.safe_load(_as_compose_would_read(text))
    exposed = []
    for name, svc in data["services"].items():
        if svc.get("network_mode") == "host":
            exposed.append(f"{name}: network_mode host")
        exposed += [f"{name}: {p}" for p in svc.get("ports", []) if host_ip(p) != "127.0.0.1"]
    return exposed


def test_every_published_port_binds_to_loopback_by_default(services: dict) -> None:
    assert exposed_ports(compose_text()) == []
    published = {
        (name, str(entry).rsplit(":", 1)[1])
        for name, svc in services.items()
        for entry in svc.get("ports", [])
    }
    assert published == PUBLISHED


def test_one_variable_sets_the_bind_address_of_every_port(services: dict) -> None:
    entries = [str(p) for svc in services.values() for p in svc.get("ports", [])]
    assert len(entries) == len(PUBLISHED)
    for entry in entries:
        assert entry.startswith(BIND_PREFIX), entry


@pytest.mark.parametrize(
    ("entry", "reported"),
    [
        ("8080:8080", "8080:8080"),  # every interface
        ("8080", "8080"),  # a random host port, every interface
        ("0.0.0.0:8080:8080", "0.0.0.0:8080:8080"),
        ("${HRSS_BIND_ADDRESS:-0.0.0.0}:8080:8080", "0.0.0.0:8080:8080"),  # unsafe default
    ],
)
def test_the_port_check_catches_an_exposed_port(entry: str, reported: str) -> None:
    apiserver = f'"{BIND_PREFIX}${{AIRFLOW_API_HOST_PORT:-8080}}:8080"'
    text = compose_text()
    assert text.count(apiserver) == 1
    assert exposed_ports(text.replace(apiserver, f'"{entry}"')) == [
        f"airflow-apiserver: {reported}"
    ]


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
        "python -m hrss_warehouse.publish.postgres ensure-bi-role"
    )
    deps = depends_on(services["metabase-init"])
    assert deps == {
        GATE: "service_completed_successfully",
        "metabase": "service_healthy",
        "airflow-init": "service_completed_successfully",
    }
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

    interpolated = REF_RE.sub(value, text).replace("$$", "$")
    data = yaml.safe_load(interpolated)
    return yaml.safe_dump(
        {k: v for k, v in data.items() if not k.startswith("x-")}, allow_unicode=True
    )


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    from compose_spec import PyCompose

    parsed = PyCompose.from_yaml(_as_compose_would_read(compose_text()))
    assert set(parsed.service_names()) == EXPECTED_SERVICES | CELERY_SERVICES


def test_the_specification_check_catches_an_invalid_file() -> None:
    from compose_spec import PyCompose

    broken = compose_text().replace("interval: 10s", "interval: every ten seconds", 1)
    with pytest.raises(ValueError, match="duration"):
        PyCompose.from_yaml(_as_compose_would_read(broken))
