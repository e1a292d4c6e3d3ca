"""The nightly transform at national scale against one hand-written DuckDB script (issue 19).

    python -m benchmarks.national_bench [--scale 0.1] [--dir DIR] [--keep]
        [--memory-limit 3GB] [--threads 2]

In one run, on one synthetic history (benchmarks/national_data.py):

1. generate the catalog and the history;
2. ``dbt build`` (the first night: everything built), the way the pipeline runs it
   (``python -m hrss_warehouse.dbt_runner build`` with HRSS_WORK_DIR / HRSS_CATALOG_DIR);
3. one more month landed, then the nightly ``dbt build``;
4. ``dbt build --full-refresh`` on the very same data;
5. the reference script (benchmarks/national_reference.sql) on the same data;
6. the checks: reference vs dbt's full rebuild, and the nightly build vs the full rebuild
   (benchmarks/national_reference.py: rows compared on their key, floats to 1e-9).

Each step runs in its own child process; its wall time, CPU time (user + sys of the
child and its children: ``RUSAGE_CHILDREN`` deltas) and peak RSS (``ru_maxrss`` of that
child's process tree, reported by a fresh wrapper process) are printed as a table with
ratios to the reference measured in the same run, then dbt's own seconds for its
slowest models (target/run_results.json).

``--memory-limit`` / ``--threads`` bound the reference's DuckDB, and are handed to dbt
as HRSS_DUCKDB_MEMORY_LIMIT / HRSS_DUCKDB_THREADS (and HRSS_DUCKDB_TEMP_DIR, a folder in
the run's directory) — which only a checkout whose config.py reads them applies; the
table says whether this one does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hrss_warehouse.config import DEFAULT_DUCKDB_MEMORY_LIMIT

ROOT = Path(__file__).resolve().parents[1]
DBT_LIMIT_VARS = ("HRSS_DUCKDB_MEMORY_LIMIT", "HRSS_DUCKDB_THREADS", "HRSS_DUCKDB_TEMP_DIR")
TOP_MODELS = 6


@dataclass
class Step:
    label: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    models: dict[str, float] | None = None


def measured(label: str, command: list[str], env: dict[str, str] | None = None) -> Step:
    """Run ``command`` under a fresh wrapper interpreter (``--child``) so that its peak RSS
    is its own process tree's; wall and CPU time are this process's child deltas."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.national_bench", "--child", "--", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"{label} failed (exit {done.returncode}): {' '.join(command)}")
    peak_kb = json.loads(done.stdout.strip().splitlines()[-1])["maxrss_kb"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Step(label, wall, cpu, peak_kb / 1024)


def child(command: list[str]) -> None:
    """The wrapper: run the step, then report the peak RSS of its process tree."""
    code = subprocess.run(command, stdout=sys.stderr, check=False).returncode
    if code != 0:
        raise SystemExit(code)
    print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))


def python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def dbt_env(run_dir: Path, memory_limit: str | None, threads: int | None) -> dict[str, str]:
    """The environment a user's night runs dbt with, pointed at this run's folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_")}
    env.update(
        HRSS_WAREHOUSE=str(run_dir / "hrss.duckdb"),
        HRSS_WORK_DIR=str(run_dir / "work"),
        HRSS_CATALOG_DIR=str(run_dir / "catalog"),
        HRSS_DUCKDB_TEMP_DIR=str(run_dir / "duckdb_tmp"),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]),
    )
    if memory_limit:
        env["HRSS_DUCKDB_MEMORY_LIMIT"] = memory_limit
    if threads:
        env["HRSS_DUCKDB_THREADS"] = str(threads)
    return env


def dbt_limits_supported() -> bool:
    """Whether this checkout's dbt run reads the HRSS_DUCKDB_* limits."""
    config = (ROOT / "src" / "hrss_warehouse" / "config.py").read_text("utf-8")
    return all(name in config for name in DBT_LIMIT_VARS)


# dbt's seconds summed per kind of node, printed under the slowest models; what a step
# spends outside them is dbt's start-up, parse and Python.
KINDS = {"seed": "(all seeds)", "test": "(all data tests)", "unit_test": "(all unit tests)"}


def model_seconds(run_dir: Path) -> dict[str, float]:
    results = run_dir / "work" / "dbt_project" / "target" / "run_results.json"
    data = json.loads(results.read_text("utf-8"))
    seconds = {label: 0.0 for label in KINDS.values()}
    for r in data["results"]:
        kind, name = r["unique_id"].split(".")[0], r["unique_id"].split(".")[-1]
        if kind == "model":
            seconds[name] = r["execution_time"]
        elif kind in KINDS:
            seconds[KINDS[kind]] += r["execution_time"]
    seconds["(dbt's run, without start-up and parse)"] = data["elapsed_time"]
    return seconds


def dbt_build(label: str, run_dir: Path, env: dict[str, str], *args: str) -> Step:
    step = measured(label, python("hrss_warehouse.dbt_runner", "build", *args), env)
    step.models = model_seconds(run_dir)
    return step


def snapshot_mart(work_db: Path, out_db: Path) -> None:
    """Keep the nightly build's fct_plan_progress for the comparison with the rebuild."""
    import duckdb

    out_db.unlink(missing_ok=True)
    with duckdb.connect(str(out_db)) as con:
        con.execute(f"attach '{work_db}' as w (read_only)")
        con.execute("create table fct_plan_progress as select * from w.marts.fct_plan_progress")


def nightly_vs_full(work_db: Path, nightly_db: Path) -> dict[str, int]:
    import duckdb

    from benchmarks.national_reference import compare

    with duckdb.connect(str(nightly_db), read_only=True) as con:
        con.execute(f"attach '{work_db}' as w (read_only)")
        return compare(con, "fct_plan_progress", "w.marts.fct_plan_progress")


def run(args: argparse.Namespace, run_dir: Path) -> tuple[list[Step], dict, dict]:
    scale = str(args.scale)
    env = dbt_env(run_dir, args.memory_limit, args.threads)
    work_db = run_dir / "work" / "hrss_work.duckdb"
    steps = [
        measured(
            "generate", python("benchmarks.national_data", str(run_dir), "--scale", scale), env
        )
    ]
    steps.append(dbt_build("dbt build (first)", run_dir, env))
    steps.append(
        measured("land one month", python("benchmarks.national_data", str(run_dir), "--night"), env)
    )
    steps.append(dbt_build("dbt build (nightly)", run_dir, env))
    snapshot_mart(work_db, run_dir / "nightly.duckdb")
    steps.append(dbt_build("dbt build --full-refresh", run_dir, env, "--full-refresh"))
    reference = [str(work_db), str(run_dir / "catalog"), "--out", str(run_dir / "reference.duckdb")]
    if args.memory_limit:
        reference += ["--memory-limit", args.memory_limit]
    if args.threads:
        reference += ["--threads", str(args.threads)]
    reference += ["--temp-dir", str(run_dir / "reference_tmp"), "--no-check"]
    steps.append(
        measured("reference script", python("benchmarks.national_reference", *reference), env)
    )

    from benchmarks.national_reference import check

    return (
        steps,
        check(work_db, run_dir / "reference.duckdb"),
        nightly_vs_full(work_db, run_dir / "nightly.duckdb"),
    )


def raw_rows(work_db: Path) -> tuple[int, int]:
    import duckdb

    with duckdb.connect(str(work_db), read_only=True) as con:
        raw = con.execute("select count(*) from raw.observations").fetchone()[0]
        mart = con.execute("select count(*) from marts.fct_plan_progress").fetchone()[0]
    return raw, mart


def versions() -> str:
    import dbt.version
    import duckdb

    return (
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"dbt-core {dbt.version.__version__}; {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def report(args, run_dir: Path, steps: list[Step], checks: tuple[dict, dict]) -> None:
    from benchmarks.national_reference import describe

    raw, mart = raw_rows(run_dir / "work" / "hrss_work.duckdb")
    ref = next(s for s in steps if s.label == "reference script")
    limits = "applied" if dbt_limits_supported() else "NOT read by this checkout (DuckDB defaults)"
    print(f"scale {args.scale}: {raw:,} raw rows, {mart:,} fct_plan_progress rows")
    print(f"{versions()}")
    print(
        f"limits: memory {args.memory_limit or 'DuckDB default'}, threads "
        f"{args.threads or 'default'}; HRSS_DUCKDB_* for dbt: {limits}"
    )
    print()
    print(
        "| step | wall s | CPU s | peak RSS MB | wall ÷ reference | CPU ÷ reference | RSS ÷ reference |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in steps:
        print(
            f"| {s.label} | {s.wall_s:.1f} | {s.cpu_s:.1f} | {s.peak_rss_mb:,.0f} | "
            f"{s.wall_s / ref.wall_s:.2f}× | {s.cpu_s / ref.cpu_s:.2f}× | "
            f"{s.peak_rss_mb / ref.peak_rss_mb:.2f}× |"
        )
    full = next(s for s in steps if s.label == "dbt build --full-refresh")
    nightly = next(s for s in steps if s.label == "dbt build (nightly)")
    print()
    print(f"nightly ÷ full rebuild (wall): {nightly.wall_s / full.wall_s:.2f}")
    print(f"reference vs dbt full rebuild: {describe(checks[0])}")
    print(f"nightly vs full rebuild: {describe(checks[1])}")
    print()
    models = {m: t for m, t in (full.models or {}).items() if not m.startswith("(")}
    top = sorted(models, key=lambda m: -models[m])[:TOP_MODELS]
    top += [m for m in full.models or {} if m.startswith("(")]
    print("| model (dbt's seconds) | " + " | ".join(s.label for s in steps if s.models) + " |")
    print("|---|" + "---:|" * sum(1 for s in steps if s.models))
    for m in top:
        cells = " | ".join(
            f"{(s.models or {}).get(m, float('nan')):.1f}" for s in steps if s.models
        )
        print(f"| {m} | {cells} |")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--dir", type=Path, help="run folder (default: a new one in .bench/)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder")
    parser.add_argument(
        "--memory-limit",
        default=DEFAULT_DUCKDB_MEMORY_LIMIT,
        help=f"DuckDB memory_limit ('' = none; default {DEFAULT_DUCKDB_MEMORY_LIMIT}, the pipeline's)",
    )
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's)")
    args = parser.parse_args()
    (ROOT / ".bench").mkdir(exist_ok=True)
    run_dir = (
        args.dir or Path(tempfile.mkdtemp(prefix="national-", dir=ROOT / ".bench"))
    ).resolve()
    if args.dir:
        shutil.rmtree(run_dir, ignore_errors=True)
    try:
        steps, *checks = run(args, run_dir)
        report(args, run_dir, steps, (checks[0], checks[1]))
    finally:
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
