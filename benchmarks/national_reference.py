"""Run the hand-written reference script (national_reference.sql) and compare its rows
with the project's marts.fct_plan_progress.

    python -m benchmarks.national_reference WORK_DB CATALOG_DIR [--out reference.duckdb]
        [--memory-limit 6GB] [--threads 2] [--temp-dir DIR] [--no-run | --no-check]

The script runs in its own database file (``--out``) with the work database attached
read-only, so the reference never touches what dbt built. The check matches rows on
(plan_code, indicator_code, region_code, as_of_date) and compares COMPARED, floats to
1e-9 relative; it prints how many rows differ (rows on one side only count as differing)
and which columns.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "national_reference.sql"
KEY = ("plan_code", "indicator_code", "region_code", "as_of_date")
TEXT_COLUMNS = ("status", "severity", "evaluation_category_zh")
FLOAT_COLUMNS = (
    "actual_value",
    "attainment_ratio",
    "baseline_progress",
    "time_elapsed_ratio",
    "pace_basis",
    "pace_ratio",
    "expected_value",
    "projected_end_value",
)
COMPARED = TEXT_COLUMNS[:1] + FLOAT_COLUMNS + TEXT_COLUMNS[1:]
RELATIVE_TOLERANCE = 1e-9


def connect(path: Path, memory_limit: str | None, threads: int | None, temp_dir: Path | None):
    import duckdb

    con = duckdb.connect(str(path))
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    if temp_dir:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"set temp_directory = '{temp_dir}'")
    return con


def run_reference(
    work_db: Path,
    catalog_dir: Path,
    out_db: Path,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_dir: Path | None = None,
) -> int:
    """Build ``handwritten.fct_plan_progress`` in ``out_db``; returns its row count."""
    out_db.unlink(missing_ok=True)
    con = connect(out_db, memory_limit, threads, temp_dir)
    try:
        con.execute(f"attach '{work_db}' as w (read_only)")
        con.execute(SCRIPT.read_text("utf-8").replace("${CATALOG}", str(catalog_dir)))
        return con.execute("select count(*) from handwritten.fct_plan_progress").fetchone()[0]
    finally:
        con.close()


def _differs(column: str) -> str:
    a, b = f"a.{column}", f"b.{column}"
    if column in FLOAT_COLUMNS:
        return (
            f"not ({a} is not distinct from {b} or abs({a} - {b}) <= "
            f"{RELATIVE_TOLERANCE} * greatest(abs({a}), abs({b})))"
        )
    return f"{a} is distinct from {b}"


def compare(con, left: str, right: str) -> dict[str, int]:
    """Rows of ``left`` and ``right`` (qualified table names on ``con``) that differ:
    ``{"rows": n, "only_left": …, "only_right": …, <column>: …}``."""
    on = " and ".join(f"a.{k} = b.{k}" for k in KEY)
    per_column = ", ".join(
        f"count(*) filter (where a.{KEY[0]} is not null and b.{KEY[0]} is not null "
        f"and {_differs(c)}) as {c}"
        for c in COMPARED
    )
    any_differs = " or ".join(_differs(c) for c in COMPARED)
    row = con.execute(
        f"""
        select
            count(*) filter (where a.{KEY[0]} is null or b.{KEY[0]} is null or {any_differs}),
            count(*) filter (where b.{KEY[0]} is null),
            count(*) filter (where a.{KEY[0]} is null),
            count(*),
            {per_column}
        from {left} as a
        full join {right} as b on {on}
        """
    ).fetchone()
    names = ["rows", "only_left", "only_right", "compared", *COMPARED]
    return dict(zip(names, row, strict=True))


def describe(result: dict[str, int]) -> str:
    columns = ", ".join(f"{c} {result[c]:,}" for c in COMPARED if result[c])
    return (
        f"{result['rows']:,} of {result['compared']:,} rows differ"
        f" (only left {result['only_left']:,}, only right {result['only_right']:,}"
        f"{'; ' + columns if columns else ''})"
    )


def check(work_db: Path, reference_db: Path) -> dict[str, int]:
    """handwritten.fct_plan_progress against the work database's marts.fct_plan_progress."""
    import duckdb

    con = duckdb.connect(str(reference_db), read_only=True)
    try:
        con.execute(f"attach '{work_db}' as w (read_only)")
        return compare(con, "handwritten.fct_plan_progress", "w.marts.fct_plan_progress")
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work_db", type=Path)
    parser.add_argument("catalog_dir", type=Path)
    parser.add_argument("--out", type=Path, default=Path("reference.duckdb"))
    parser.add_argument("--memory-limit")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--temp-dir", type=Path)
    parser.add_argument("--no-run", action="store_true", help="only compare an earlier run")
    parser.add_argument("--no-check", action="store_true", help="only run the script")
    args = parser.parse_args()
    if not args.no_run:
        started = time.perf_counter()
        rows = run_reference(
            args.work_db.resolve(),
            args.catalog_dir.resolve(),
            args.out.resolve(),
            memory_limit=args.memory_limit,
            threads=args.threads,
            temp_dir=args.temp_dir,
        )
        print(f"reference: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    if not args.no_check:
        print("reference vs dbt:", describe(check(args.work_db.resolve(), args.out.resolve())))


if __name__ == "__main__":
    main()
