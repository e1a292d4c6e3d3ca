"""A synthetic national history for the national benchmark (issue 19).

    python -m benchmarks.national_data OUT_DIR [--scale 0.01|0.1|1] [--seed 19]
    python -m benchmarks.national_data OUT_DIR --night    # land December 2025

At scale 1: a region tree shaped like GB/T 2260 — 31 provinces (XX0000), 330 cities
(XXYY00), 2,800 districts and counties (XXYYZZ) — every region with a 14th-FYP plan
(2021–2025) of 20 targets (level, geometric level, cumulative, annual, bound_max,
bound_min), 94 of the catalog's indicators, 60 months of history (2020-12 … 2025-11)
straight into raw.observations of a work database, 5 % of the figures revised by the
next month's delivery: 3,161 × 94 × 60 × 1.05 ≈ 18.7 M raw rows. Smaller scales scale
the region counts. Everything is deterministic: the catalog from ``random.Random(seed)``,
the figures from integer arithmetic on the (indicator, region, month) indices.

OUT_DIR gets ``catalog/`` (the project's seeds with regions, plans, plan_indicators,
region_aliases and status_thresholds replaced) and ``work/hrss_work.duckdb``; point
HRSS_CATALOG_DIR and HRSS_WORK_DIR at them. ``land_month`` lands one more month (the
night the benchmark measures): its first figures and the revisions of the month before.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from hrss_warehouse.catalog.importer import PLAN_COLUMNS, PLAN_INDICATOR_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# GB/T 2260 province prefixes.
PROVINCE_PREFIXES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
]
NATIONAL = {"provinces": 31, "cities": 330, "counties": 2800}
N_INDICATORS = 94
TARGETS_PER_REGION = 20
HISTORY_MONTHS = 60
# Month 0 of the history: December 2020 (the baseline year's last month); month 60 is
# December 2025, the night the benchmark lands.
FIRST_MONTH = (2020, 12)
# Every REVISION_EVERY-th figure (by a fixed arithmetic mix of its indices) is revised.
REVISION_EVERY = 20
PLAN_START, PLAN_END = 2021, 2025

# Kinds of the 20 targets of a region's plan: (target kind, shape, how many, series kind).
PLAN_MIX = (
    ("level", "linear", 7, "stock"),
    ("level", "geometric", 2, "stock"),
    ("cumulative", "linear", 4, "flow"),
    ("annual", "linear", 3, "flow"),
    ("bound_max", "linear", 2, "rate_down"),
    ("bound_min", "linear", 2, "rate_up"),
)
# The columns of plan_indicators.csv, as the catalog importer writes them.
PLAN_FIELDS = PLAN_INDICATOR_COLUMNS


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent: str


@dataclass(frozen=True)
class Indicator:
    index: int  # 1-based, the figures' arithmetic uses it
    code: str
    unit: str
    direction: int
    series: str  # stock / flow / rate_up / rate_down
    basis: str  # end / ytd / period (monthly flow)
    additive: bool = False
    derived: bool = False  # the catalog derives it from two others (indicator_derivations)


@dataclass(frozen=True)
class Generated:
    catalog_dir: Path
    work_dir: Path
    regions: list[Region]
    indicators: list[Indicator]
    raw_rows: int
    targets: int
    gaps: bool = False


def counts_for(scale: float) -> dict[str, int]:
    provinces = max(1, round(NATIONAL["provinces"] * scale))
    cities = max(provinces, round(NATIONAL["cities"] * scale))
    counties = max(cities, round(NATIONAL["counties"] * scale))
    return {"provinces": provinces, "cities": cities, "counties": counties}


def region_tree(provinces: int, cities: int, counties: int) -> list[Region]:
    """Provinces XX0000, cities XXYY00 dealt round the provinces, counties XXYYZZ dealt
    round the cities (every second one a district)."""
    tree = [Region(f"{p}0000", f"{p}省", "province", "") for p in PROVINCE_PREFIXES[:provinces]]
    city_list: list[Region] = []
    for c in range(cities):
        prov = tree[c % provinces]
        code = f"{prov.code[:2]}{c // provinces + 1:02d}00"
        city_list.append(Region(code, f"{code}市", "city", prov.code))
    county_list = []
    for k in range(counties):
        city = city_list[k % cities]
        code = f"{city.code[:4]}{k // cities + 1:02d}"
        level = "district" if k % 2 else "county"
        county_list.append(Region(code, f"{code}{'区' if k % 2 else '县'}", level, city.code))
    return tree + city_list + county_list


def pick_indicators(n: int = N_INDICATORS) -> list[Indicator]:
    """The catalog's first ``n`` indicators (with the derivation's three), each given a
    series kind: a rate (unit %) by its direction, an additive count a flow (reported
    year-to-date or month by month, alternately), any other a stock."""
    with (SEEDS / "indicators.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with (SEEDS / "indicator_derivations.csv").open(encoding="utf-8") as f:
        derivations = list(csv.DictReader(f))
    derived = {c for r in derivations for c in list(r.values())[:3]}
    ratios = {r["indicator_code"] for r in derivations}
    chosen = [r for r in rows if r["indicator_code"] in derived]
    chosen += [r for r in rows if r["indicator_code"] not in derived][: n - len(chosen)]
    picked = []
    for i, row in enumerate(sorted(chosen, key=lambda r: r["indicator_code"]), start=1):
        direction = int(row["direction"])
        if row["unit"] == "%":
            series, basis = ("rate_up" if direction == 1 else "rate_down"), "end"
        elif row["is_additive"] == "true" and i % 3 and row["indicator_code"] not in derived:
            series, basis = "flow", ("ytd" if i % 3 == 1 else "period")
        else:
            series, basis = "stock", "end"
        code, additive = row["indicator_code"], row["is_additive"] == "true"
        picked.append(
            Indicator(i, code, row["unit"], direction, series, basis, additive, code in ratios)
        )
    return picked


def base_and_growth(ind: Indicator, r: int) -> tuple[float, float]:
    """The level at month 0 and the monthly growth of one indicator in region index r
    (the same integer mix the SQL uses for its noise, so it is reproducible anywhere)."""
    u = ((ind.index * 7919 + r * 104729) % 1000) / 1000
    v = ((ind.index * 3571 + r * 65537) % 1000) / 1000
    if ind.series == "rate_up":
        return round(60 + 35 * u, 2), -0.0005 + 0.0025 * v
    if ind.series == "rate_down":
        return round(2.5 + 3 * u, 2), -0.004 + 0.006 * v
    return round(10 + 990 * u, 2), -0.001 + 0.009 * v


def _series_value(ind: Indicator, base: float, growth: float, t: int) -> float:
    return base * (1 + growth * t)


def target_row(plan: str, seq: int, ind: Indicator, kind: str, shape: str, r: int, rng) -> dict:
    """One target, set so that the plan's targets land on every side of their pace."""
    base, growth = base_and_growth(ind, r)
    factor = rng.choice((0.5, 0.8, 0.95, 1.05, 1.3, 2.0))
    row = dict.fromkeys(PLAN_FIELDS, "")
    row.update(
        plan_code=plan,
        indicator_code=ind.code,
        indicator_seq=seq,
        indicator_name_as_written=ind.code,
        unit=ind.unit,
        target_kind=kind,
        trajectory_shape=shape,
        direction=ind.direction,
        attribute="binding" if rng.random() < 0.3 else "expected",
        baseline_year=PLAN_START - 1,
        target_year=PLAN_END,
        source_ref="benchmarks/national_data.py",
    )
    months = HISTORY_MONTHS
    if kind == "cumulative":
        target = factor * base / 10 * (months + growth * months * (months + 1) / 2)
        row["baseline_value"] = round(base / 10 * 12, 4)
    elif kind == "annual":
        target = factor * base / 10 * (12 + growth * sum(range(49, 61)))
        row["baseline_value"] = round(base / 10 * 12, 4)
    elif kind == "bound_max":
        target = base * rng.choice((0.9, 1.02, 1.1, 1.3))
        row["target_comparator"] = rng.choice(("<=", "<=", "<", "~"))
        row["baseline_value"] = base
    elif kind == "bound_min":
        target = base * rng.choice((0.9, 0.98, 0.999, 1.02))
        row["target_comparator"] = rng.choice((">=", ">=", ">", "~"))
        row["baseline_value"] = base
    elif shape == "geometric":
        rate = (1 + growth * months * factor) ** (1 / 5) - 1
        rate = round(100 * max(rate, 0.005), 2)
        target = base * (1 + rate / 100) ** 5
        row.update(baseline_value=base, target_growth_rate=rate)
    else:
        target = base * (1 + growth * months * factor)
        row["baseline_value"] = base if rng.random() > 0.15 else ""  # imputed from data
        row["target_comparator"] = rng.choice(("", "", "", ">=", "~"))
        if rng.random() < 0.05:
            row["target_year"] = PLAN_END - 1  # a target year before the plan's end
    row["target_value"] = round(target, 4)
    row["target_notation"] = f"{row['target_comparator']}{row['target_value']}"
    return row


def plan_rows(regions: list[Region], indicators: list[Indicator], seed: int):
    """plans.csv and plan_indicators.csv rows: one 14th-FYP plan of 20 targets per region,
    the indicators drawn per region; 2 % of targets get a mid-term revision (a second
    version from 2023-07-01)."""
    rng = random.Random(seed)
    by_series: dict[str, list[Indicator]] = {}
    for ind in indicators:
        by_series.setdefault(ind.series, []).append(ind)
    plans, targets = [], []
    for r, region in enumerate(regions, start=1):
        code = f"fyp14_{region.code}"
        plans.append([code, f"{region.name}“十四五”规划", region.code, 2021, 2025, 2020, "bench"])
        used: set[str] = set()
        seq = 0
        for kind, shape, how_many, series in PLAN_MIX:
            pool = [i for i in by_series[series] if i.code not in used]
            for ind in rng.sample(pool, min(how_many, len(pool))):
                used.add(ind.code)
                seq += 1
                row = target_row(code, seq, ind, kind, shape, r, rng)
                targets.append(row)
                if rng.random() < 0.02 and row["target_value"] != "":
                    revised = dict(row, effective_from_date="2023-07-01")
                    revised["target_value"] = round(float(row["target_value"]) * 1.05, 4)
                    targets.append(revised)
    return plans, targets


def write_catalog(catalog: Path, regions: list[Region], indicators, seed: int) -> int:
    """The project's seeds, with this tree's regions and plans. Returns the target rows."""
    catalog.mkdir(parents=True, exist_ok=True)
    for csv_file in SEEDS.glob("*.csv"):
        shutil.copyfile(csv_file, catalog / csv_file.name)
    plans, targets = plan_rows(regions, indicators, seed)

    def write(name: str, header: list[str], rows) -> None:
        with (catalog / name).open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            out.writerows(rows)

    write(
        "regions.csv",
        ["region_code", "region_name_zh", "region_level", "parent_region_code"],
        [[g.code, g.name, g.level, g.parent] for g in regions],
    )
    write(
        "region_aliases.csv",
        ["alias", "region_code"],
        [[g.name, g.code] for g in regions if g.level == "province"],
    )
    write("plans.csv", PLAN_COLUMNS, plans)
    write("plan_indicators.csv", PLAN_FIELDS, [[t[k] for k in PLAN_FIELDS] for t in targets])
    # Two indicators with a bureau's own cut-offs, so the reference honours them too.
    thresholds = [i for i in indicators if i.series == "stock"][:2]
    write(
        "status_thresholds.csv",
        [
            "indicator_code",
            "on_track_min_pace",
            "needs_acceleration_min_pace",
            "ahead_min_pace",
            "at_risk_headroom",
            "about_band_share",
            "note",
        ],
        [[t.code, 0.9, 0.5, 1.2, "", 0.03, "bench"] for t in thresholds],
    )
    return len(targets)


# Figures of months [?, ?) delivered in files [?, ?): file k carries month k first and
# the revisions of month k-1. t = months since December 2020; value arithmetic as in
# base_and_growth, plus a ±0.5 % (stock, rate) or ±5 % (flow) wobble.
INSERT_SQL = """
insert into raw.observations (
    batch_id, file_sha256, file_name, row_number, indicator_code, region_code, period_code,
    period_grain, period_start_date, period_end_date, basis, value, unit, value_as_reported,
    unit_as_reported, source, note, sheet_name, column_label, received_at
)
with
months as (
    -- From a year before the first month wanted: a year-to-date figure sums its year.
    select t, cast(date '2020-12-01' + to_months(t) as date) as month_start
    from range(greatest(0, ? - 12), ?) as m (t)
),
grid as (
    select
        p.*, months.t, months.month_start,
        ((p.i * 7 + p.r * 13 + months.t * 29) % 1000) / 1000.0 as wobble,
        (p.r * 31 + p.i * 17 + months.t * 13) % {every} = 0 as is_revised
    from params as p, months
),
valued as (
    select
        *,
        case
            when series = 'flow' then base / 10 * (1 + growth * t) * (0.95 + 0.1 * wobble)
            else base * (1 + growth * t) * (0.995 + 0.01 * wobble)
        end as month_value
    from grid
),
figures as (
    select
        *,
        case
            when basis = 'ytd' then sum(month_value) over (
                partition by i, r, year(month_start) order by t
                rows between unbounded preceding and current row
            )
            else month_value
        end as raw_value
    from valued
),
vintages as (
    select figures.*, v, t + v as file_no, round(raw_value * (1 + 0.01 * v), 4) as value
    from figures, range(2) as vs (v)
    where
        (v = 0 or is_revised) and t >= ? and t < ?
        and not skip and not (month_gaps and (r + i + t) % 37 = 0)
)
select
    'nat-' || file_no,
    'sha-nat-' || file_no,
    'national-' || file_no || '.csv',
    cast(row_number() over (partition by file_no order by v, i, r) as integer),
    indicator_code,
    region_code,
    strftime(month_start, '%Y-%m'),
    'month',
    case when basis = 'ytd' then make_date(year(month_start), 1, 1) else month_start end,
    last_day(month_start),
    basis,
    value,
    unit,
    cast(value as varchar),
    unit,
    null, null, null, null,
    cast(last_day(month_start) as timestamp) + interval 10 day + to_months(v)
from vintages
where file_no >= ? and file_no < ?
"""


def _params(con, regions: list[Region], indicators: list[Indicator], gaps: bool) -> None:
    """One row per indicator × region: its series and level. ``gaps`` leaves out what the
    catalog completes (every second city's additive figures: the roll-up; the derived
    indicator in every second region) and every 37th month-figure."""
    import pandas as pd

    rows = []
    for r, region in enumerate(regions, start=1):
        for ind in indicators:
            base, growth = base_and_growth(ind, r)
            skip = gaps and bool(
                (region.level == "city" and ind.additive and r % 2 == 0) or (ind.derived and r % 2)
            )
            key = (ind.index, r, ind.code, region.code)
            rows.append((*key, ind.unit, ind.series, ind.basis, base, growth, skip, gaps))
    frame = pd.DataFrame(
        rows,
        columns=[
            "i",
            "r",
            "indicator_code",
            "region_code",
            "unit",
            "series",
            "basis",
            "base",
            "growth",
            "skip",
            "month_gaps",
        ],
    )
    con.register("params_frame", frame)
    con.execute("create or replace temp table params as select * from params_frame")
    con.unregister("params_frame")


def land(
    work_db: Path,
    regions,
    indicators,
    months: tuple[int, int],
    files: tuple[int, int],
    gaps: bool = False,
) -> int:
    """Insert the figures of months [a, b) delivered in files [c, d); returns rows added."""
    from hrss_warehouse import workdb

    with workdb.connect(work_db) as con:
        _params(con, regions, indicators, gaps)
        before = con.execute("select count(*) from raw.observations").fetchone()[0]
        con.execute(INSERT_SQL.format(every=REVISION_EVERY), [*months, *months, *files])
        return con.execute("select count(*) from raw.observations").fetchone()[0] - before


def generate(
    out: Path,
    scale: float = 0.1,
    *,
    counts: dict[str, int] | None = None,
    seed: int = 19,
    months: int = HISTORY_MONTHS,
    gaps: bool = False,
) -> Generated:
    """Write the catalog and the history (months 0 … months-1, files 1 … months-1 plus
    month 0's first file) into ``out``. ``counts`` (provinces, cities, counties) overrides
    the scale; ``gaps`` leaves figures out for the catalog to complete (see _params)."""
    counts = counts or counts_for(scale)
    regions = region_tree(counts["provinces"], counts["cities"], counts["counties"])
    indicators = pick_indicators()
    catalog, work = out / "catalog", out / "work"
    targets = write_catalog(catalog, regions, indicators, seed)
    rows = land(work / "hrss_work.duckdb", regions, indicators, (0, months), (0, months), gaps)
    (out / "national.json").write_text(json.dumps({"counts": counts, "gaps": gaps}), "utf-8")
    return Generated(catalog, work, regions, indicators, rows, targets, gaps)


def generated(out: Path) -> Generated:
    """What ``generate`` wrote into ``out`` (for landing the night in another process)."""
    made = json.loads((out / "national.json").read_text("utf-8"))
    counts = made["counts"]
    regions = region_tree(counts["provinces"], counts["cities"], counts["counties"])
    return Generated(out / "catalog", out / "work", regions, pick_indicators(), 0, 0, made["gaps"])


def land_month(gen: Generated, month: int = HISTORY_MONTHS) -> int:
    """The night: month ``month`` first published and month-1's revisions (file ``month``)."""
    return land(
        gen.work_dir / "hrss_work.duckdb",
        gen.regions,
        gen.indicators,
        (month - 1, month + 1),
        (month, month + 1),
        gen.gaps,
    )


def expected_raw_rows(regions: int, months: int = HISTORY_MONTHS) -> float:
    """About regions × indicators × months × 1.05 (the last month's revisions come later)."""
    return regions * N_INDICATORS * (months + (months - 1) / REVISION_EVERY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--night", action="store_true", help="land one more month into OUT")
    args = parser.parse_args()
    if args.night:
        print(f"the night: {land_month(generated(args.out)):,} raw rows")
        return
    gen = generate(args.out, args.scale, seed=args.seed)
    print(
        f"{len(gen.regions):,} regions × {len(gen.indicators)} indicators × {HISTORY_MONTHS} "
        f"months: {gen.raw_rows:,} raw rows, {gen.targets:,} target rows → {args.out}"
    )


if __name__ == "__main__":
    main()
