"""The package's shape, checked from its source: what the tree promises a newcomer holds.

Three layers, dependencies pointing one way (entry points → stages → shared):

- shared: ``config``, ``errors``, ``workdb``, ``runlock``, ``formatting`` — import nothing
  of the stages or the entry points;
- the stages: ``catalog/``, ``ingest/``, ``quality/``, ``publish/``, ``alerts/``,
  ``report/`` — import shared modules and one another, never an entry point;
- entry points: ``pipeline``, ``airflow_adapter``, ``cli``, ``dbt_runner``.

No import cycle between modules nor between subpackages (a top-level module counts as
its own unit); nothing is imported by a leading-underscore name from another module (a
helper two modules need is public where it lives); the environment is read in
``config.py`` only. Every import counts, also one inside a function: a deferred import
is still a dependency. No function of the package or the DAG runs past 80 lines (one
screen; ruff's C901/PLR0912/PLR0915 in pyproject.toml bound their complexity). Each rule
has a planted case below showing the checker catches it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "hrss_warehouse"
SOURCE = ROOT / "src" / PACKAGE

SHARED = ("config", "errors", "workdb", "runlock", "formatting")
STAGES = ("catalog", "ingest", "quality", "publish", "alerts", "report")
ENTRY_POINTS = ("pipeline", "airflow_adapter", "cli", "dbt_runner")
# The package's __init__ holds only its docstring and version.
LAYERS = {
    PACKAGE: "shared",
    **dict.fromkeys(SHARED, "shared"),
    **dict.fromkeys(STAGES, "stage"),
    **dict.fromkeys(ENTRY_POINTS, "entry"),
}
# What a layer may import, besides itself.
ALLOWED = {"shared": {"shared"}, "stage": {"shared", "stage"}, "entry": {"shared", "stage"}}
ENV_MODULE = f"{PACKAGE}.config"
_ENV_READS = {"environ", "environb", "getenv", "getenvb"}


@dataclass(frozen=True)
class Import:
    importer: str
    module: str  # the package module imported (or imported from)
    name: str | None  # the attribute imported from it, if any
    line: int


# --------------------------------------------------------------------------- the checker


def read_package(folder: Path = SOURCE) -> dict[str, str]:
    """Every module of the package: dotted name → source."""
    modules = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path.read_text("utf-8")
    return modules


def _is_package(name: str, modules: Iterable[str]) -> bool:
    return any(other.startswith(f"{name}.") for other in modules)


def imports(modules: Mapping[str, str]) -> list[Import]:
    """Every import of a package module by another, wherever it stands in the file."""
    found = []
    for importer, source in modules.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found += [
                    Import(importer, alias.name, None, node.lineno)
                    for alias in node.names
                    if alias.name in modules
                ]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(importer, node, modules)
                for alias in node.names:
                    if f"{base}.{alias.name}" in modules:  # a submodule
                        found.append(Import(importer, f"{base}.{alias.name}", None, node.lineno))
                    elif base in modules:
                        found.append(Import(importer, base, alias.name, node.lineno))
    return found


def _absolute(importer: str, node: ast.ImportFrom, modules: Iterable[str]) -> str:
    if not node.level:
        return node.module or ""
    package = importer if _is_package(importer, modules) else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def unit_of(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """One cycle of the directed graph (as a path that ends where it starts), or None."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        if source != target:
            graph.setdefault(source, set()).add(target)
    state: dict[str, str] = {}  # "open" while on the path, "done" once fully explored

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, node])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [])):
            return cycle
    return None


def module_edges(found: Iterable[Import]) -> set[tuple[str, str]]:
    return {(i.importer, i.module) for i in found}


def unit_edges(found: Iterable[Import]) -> set[tuple[str, str]]:
    return {(unit_of(i.importer), unit_of(i.module)) for i in found}


def layer_violations(found: Iterable[Import]) -> list[str]:
    bad = []
    for i in found:
        have, want = LAYERS.get(unit_of(i.importer)), LAYERS.get(unit_of(i.module))
        if have is not None and want is not None and want != have and want not in ALLOWED[have]:
            bad.append(f"{i.importer}:{i.line} ({have}) imports {i.module} ({want})")
    return bad


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(modules: Mapping[str, str]) -> list[str]:
    """``from m import _x`` (an alias may start with ``_``, the name imported may not),
    and ``m._x`` on a module bound by an import, from any module but ``m`` itself."""
    bad = [
        f"{i.importer}:{i.line} imports {i.module}.{i.name}"
        for i in imports(modules)
        if i.name and _private(i.name) and i.importer != i.module
    ]
    for importer, source in modules.items():
        tree = ast.parse(source)
        bound = {}  # local name → package module
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bound |= {a.asname: a.name for a in node.names if a.asname and a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(importer, node, modules)
                bound |= {
                    a.asname or a.name: f"{base}.{a.name}"
                    for a in node.names
                    if f"{base}.{a.name}" in modules
                }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and _private(node.attr)
                and bound[node.value.id] != importer
            ):
                bad.append(f"{importer}:{node.lineno} uses {bound[node.value.id]}.{node.attr}")
    return bad


def environment_reads(modules: Mapping[str, str]) -> list[str]:
    """``os.environ`` / ``os.getenv`` (or ``from os import environ``) outside config.py."""
    bad: list[tuple[str, int]] = []
    for module, source in modules.items():
        if module == ENV_MODULE:
            continue
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr in _ENV_READS
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(a.name in _ENV_READS for a in node.names)
            ):
                bad.append((module, node.lineno))
    return [f"{module}:{line}" for module, line in sorted(bad)]


# One screen: a longer function becomes named steps.
MAX_FUNCTION_LINES = 80


def long_functions(sources: Mapping[str, str], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``module.function (lines)`` for every function, nested ones too, over ``limit``
    lines from its ``def`` (decorators excluded) to its last line."""
    found = []
    for module, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{module}.{node.name} ({length})")
    return sorted(found)


# --------------------------------------------------------------------------- the package


@pytest.fixture(scope="module")
def package() -> dict[str, str]:
    modules = read_package()
    # The listing worked: this is the package, not an empty or moved folder.
    assert len(modules) > 30 and f"{PACKAGE}.ingest.load" in modules
    return modules


def test_every_module_belongs_to_a_layer(package):
    assert sorted({unit_of(m) for m in package} - set(LAYERS)) == []
    assert sorted(set(LAYERS) - {unit_of(m) for m in package}) == []


def test_no_import_cycle_between_modules(package):
    found = imports(package)
    assert len(found) > 50  # the imports were read
    assert find_cycle(module_edges(found)) is None


def test_no_import_cycle_between_subpackages(package):
    assert find_cycle(unit_edges(imports(package))) is None


def test_dependencies_point_from_entry_points_to_stages_to_shared(package):
    assert layer_violations(imports(package)) == []


def test_nothing_private_is_imported_from_another_module(package):
    assert private_imports(package) == []


def test_the_environment_is_read_in_config_only(package):
    assert environment_reads(package) == []


def test_every_function_fits_on_a_screen(package):
    dags = {f"dags.{p.stem}": p.read_text("utf-8") for p in (ROOT / "dags").glob("*.py")}
    assert len(dags) >= 1
    assert long_functions({**package, **dags}) == []


# --------------------------------------------------------------------------- planted cases


def _pkg(**sources: str) -> dict[str, str]:
    """A synthetic package: ``ingest__load="..."`` is module hrss_warehouse.ingest.load."""
    modules = {f"{PACKAGE}.{name.replace('__', '.')}": text for name, text in sources.items()}
    for name in list(modules):  # every parent package exists, as on disk
        while "." in name:
            name = name.rpartition(".")[0]
            modules.setdefault(name, "")
    return modules


def test_a_cycle_through_a_function_level_import_is_caught():
    # The cycle this issue broke: load imported sandbox lazily, sandbox imported load.
    modules = _pkg(
        ingest__load="def parse():\n    from hrss_warehouse.ingest.sandbox import run\n",
        ingest__sandbox="from hrss_warehouse.ingest.load import FileResult\n",
    )
    cycle = find_cycle(module_edges(imports(modules)))
    assert cycle is not None and set(cycle) == {
        f"{PACKAGE}.ingest.load",
        f"{PACKAGE}.ingest.sandbox",
    }
    assert find_cycle([("a", "b"), ("b", "c")]) is None
    assert find_cycle([("a", "b"), ("b", "c"), ("c", "a")]) == ["a", "b", "c", "a"]


def test_a_cycle_between_subpackages_is_caught_without_a_module_cycle():
    # alerts → report for a chart link, report → alerts for the overdue window.
    modules = _pkg(
        alerts__messages="from hrss_warehouse.report.charts import chart_url\n",
        report__charts="",
        report__html="def f():\n    from hrss_warehouse.alerts.detect import window\n",
        alerts__detect="",
    )
    found = imports(modules)
    assert find_cycle(module_edges(found)) is None
    assert find_cycle(unit_edges(found)) == ["alerts", "report", "alerts"]


def test_imports_against_the_layers_are_caught():
    modules = _pkg(
        config="from hrss_warehouse.alerts import channels\n",
        alerts__channels="",
        report__html="def f():\n    from hrss_warehouse.dbt_runner import docs_index\n",
        dbt_runner="from hrss_warehouse.publish.postgres import INCOMING\n",
        publish__postgres="from hrss_warehouse.errors import PipelineError\n",
        errors="",
    )
    assert layer_violations(imports(modules)) == [
        f"{PACKAGE}.config:1 (shared) imports {PACKAGE}.alerts.channels (stage)",
        f"{PACKAGE}.report.html:2 (stage) imports {PACKAGE}.dbt_runner (entry)",
    ]


def test_private_names_from_another_module_are_caught():
    modules = _pkg(
        publish__pg="def session(): ...\ndef _connect(): ...\n",
        publish__postgres_dbt=(
            "from hrss_warehouse.publish.postgres import _quote, copy_schema\n"
            "from hrss_warehouse.publish import pg\n"
            "from hrss_warehouse.alerts.detect import records as _records\n"
            "def f():\n    return pg._connect(), pg.session(), _records\n"
        ),
        publish__postgres="def _quote(): ...\ndef copy_schema(): ...\n",
        alerts__detect="def records(): ...\n",
    )
    assert private_imports(modules) == [
        f"{PACKAGE}.publish.postgres_dbt:1 imports {PACKAGE}.publish.postgres._quote",
        f"{PACKAGE}.publish.postgres_dbt:5 uses {PACKAGE}.publish.pg._connect",
    ]


def test_environment_reads_outside_config_are_caught():
    modules = _pkg(
        config="import os\nURLS = os.environ.get('HRSS_ALERT_URLS')\n",
        alerts__channels="import os\n\ndef urls():\n    return os.environ.get('HRSS_ALERT_URLS')\n",
        cli="from os import getenv\n",
        dbt_runner="import os\nenv = dict(os.environ)\nos.getpid()\n",
    )
    assert environment_reads(modules) == [
        f"{PACKAGE}.alerts.channels:4",
        f"{PACKAGE}.cli:1",
        f"{PACKAGE}.dbt_runner:2",
    ]


def test_a_long_function_is_caught_also_when_nested():
    body = "".join(f"        x{i} = {i}\n" for i in range(80))
    modules = _pkg(
        report__html=f"def short():\n    return 1\n\n\ndef outer():\n    def inner():\n{body}",
    )
    # outer: its def, inner's def and 80 lines; inner: its def and 80 lines.
    assert long_functions(modules) == [
        f"{PACKAGE}.report.html.inner (81)",
        f"{PACKAGE}.report.html.outer (82)",
    ]
