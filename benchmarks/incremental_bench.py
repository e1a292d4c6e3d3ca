"""A nightly dbt build after one more month of data, against a full rebuild of the same
warehouse — the cost of a night should follow the new data, not the history.

    python -m benchmarks.incremental_bench [--months 600]

Synthetic history straight into raw.observations: every indicator kept in 万人 × every
catalog region × every month (back from December 2024), each month delivered once and
revised the next month (two vintages per figure). Then: a first build, one more month
landed, the nightly (incremental) build, and `dbt build --full-refresh` on the very same
data. Times are wall-clock seconds of the whole `dbt build` in the same run, plus the
per-model seconds dbt reports for the models that grow with the history.
"""

from __future__ import annotations

import argparse
import logging
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WATCHED = (
    "int_observation_vintages_numbered",
    "fct_indicator_observation_vintage",
    "fct_indicator_observation",
    "fct_plan_progress",
)

INSERT_MONTHS = """
insert into raw.observations (
    batch_id, file_sha256, file_name, row_number, indicator_code, region_code, period_code,
    period_grain, period_start_date, period_end_date, basis, value, unit, value_as_reported,
    unit_as_reported, source, note, sheet_name, column_label, received_at
)
with
indicators as (
    select indicator_code, row_number() over (order by indicator_code) as i
    from read_csv(?, header = true, all_varchar = true) where unit = '万人'
),
regions as (
    select region_code, row_number() over (order by region_code) as r
    from read_csv(?, header = true, all_varchar = true)
),
months as (
    select m, date_trunc('month', date '2024-12-01' - to_months(m)) as month_start
    from range(?, ?) as t (m)
),
figures as (
    -- vintage 0: first delivery; vintage 1: the revision delivered a month later
    select months.*, indicators.indicator_code, indicators.i, regions.region_code, regions.r, v
    from months, indicators, regions, range(2) as vintages (v)
)
select
    'bench-' || (m - v),
    'sha-' || (m - v),
    'month-' || (m - v) || '.csv',
    cast(row_number() over (partition by m - v order by i, r, month_start) as integer),
    indicator_code,
    region_code,
    strftime(month_start, '%Y-%m'),
    'month',
    month_start,
    last_day(month_start),
    'end',
    10 + i + r / 10.0 + v / 100.0,
    '万人',
    cast(10 + i + r / 10.0 + v / 100.0 as varchar),
    '万人',
    null, null, null, null,
    timestamp '2025-01-01' - to_months(m - v)
from figures
where m - v >= ? and m - v < ?
"""


def land(settings, first: int, last: int, files_from: int, files_to: int) -> int:
    """Months [first, last) back from December 2024, as delivered in files
    [files_from, files_to) (file k: month k first published, month k+1 revised)."""
    from hrss_warehouse import workdb

    with workdb.connect(settings.work_db) as con:
        before = con.execute("select count(*) from raw.observations").fetchone()[0]
        con.execute(
            INSERT_MONTHS,
            [
                str(ROOT / "seeds" / "indicators.csv"),
                str(ROOT / "seeds" / "regions.csv"),
                first,
                last,
                files_from,
                files_to,
            ],
        )
        return con.execute("select count(*) from raw.observations").fetchone()[0] - before


def timed_build(settings, *args: str) -> tuple[float, dict[str, float]]:
    from hrss_warehouse.dbt_runner import run_dbt

    started = time.perf_counter()
    lines = run_dbt(settings, "build", *args)
    seconds = time.perf_counter() - started
    models = {}
    for line in lines:
        m = re.search(r"OK created sql \w+ model \w+\.(\w+) .*in ([\d.]+)s\]", line)
        if m and m.group(1) in WATCHED:
            models[m.group(1)] = float(m.group(2))
    return seconds, models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=600, help="months of history")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from hrss_warehouse.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load({"warehouse": Path(tmp) / "hrss.duckdb"}, environ={})
        settings.ensure_dirs()
        # History: months 1 .. N back from December 2024 (month 0 is the night to come).
        history = land(settings, 1, args.months + 1, 1, args.months + 1)
        first, _ = timed_build(settings)
        # One more month: December 2024 delivered, November 2024 revised.
        night = land(settings, 0, 2, 0, 1)
        nightly, nightly_models = timed_build(settings)
        full, full_models = timed_build(settings, "--full-refresh")

    print(f"history: {history:,} raw rows ({args.months} months); the night adds {night:,}")
    print(f"first build: {first:.1f} s")
    print()
    print("| build | seconds | " + " | ".join(WATCHED) + " |")
    print("|---|---:|" + "---:|" * len(WATCHED))
    for label, seconds, models in (
        ("nightly (incremental)", nightly, nightly_models),
        ("full rebuild, same data", full, full_models),
    ):
        cells = " | ".join(f"{models.get(m, float('nan')):.2f}" for m in WATCHED)
        print(f"| {label} | {seconds:.1f} | {cells} |")
    print()
    print(f"nightly ÷ full rebuild: {nightly / full:.2f}")
    for m in WATCHED[:2]:
        if m in nightly_models and m in full_models and full_models[m]:
            print(f"  {m}: {nightly_models[m] / full_models[m]:.2f}")


if __name__ == "__main__":
    main()
