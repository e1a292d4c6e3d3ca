"""``hrss catalog import``: upsert one plan's indicator table into the catalog folder.

All or nothing: the table is parsed and checked against the catalog (region, units,
alias conflicts) first; only when every line is understood are the CSV files
rewritten (each via a temporary file and an atomic rename). Other plans' rows are
kept as they are.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hrss_warehouse.catalog.names import Catalog, normalize_name
from hrss_warehouse.catalog.plan_table import (
    DOMAINS,
    LineError,
    Notation,
    PlanRow,
    PlanTableError,
    parse_plan_table,
)

PLAN_COLUMNS = [
    "plan_code",
    "plan_name_zh",
    "region_code",
    "start_year",
    "end_year",
    "baseline_year",
    "source_ref",
]
PLAN_INDICATOR_COLUMNS = [
    "plan_code",
    "effective_from_date",
    "indicator_code",
    "indicator_seq",
    "indicator_name_as_written",
    "parent_indicator_code",
    "unit",
    "target_kind",
    "trajectory_shape",
    "direction",
    "attribute",
    "baseline_year",
    "baseline_value",
    "baseline_comparator",
    "baseline_notation",
    "target_year",
    "target_value",
    "target_comparator",
    "target_notation",
    "target_growth_rate",
    "result_year",
    "result_value",
    "result_notation",
    "source_ref",
    "note",
]
INDICATOR_COLUMNS = [
    "indicator_code",
    "indicator_name_zh",
    "indicator_name_en",
    "domain_code",
    "domain_name_zh",
    "unit",
    "direction",
    "is_additive",
]
CONVERSION_COLUMNS = ["from_unit", "to_unit", "factor"]
ALIAS_COLUMNS = ["alias", "indicator_code"]
# The first label of each domain in DOMAINS is its name (the others are group labels
# that map to it, such as 人才总量 for talent).
DOMAIN_NAMES = {code: name for name, code in reversed(DOMAINS.items())}
KIND_NOTES = {
    "cumulative": "plan-period total",
    "bound_max": "ceiling to hold every period",
    "bound_min": "floor to hold every period",
    "annual": "per-year task",
    "level": "end-of-plan level",
    "none": "no numeric target",
}


@dataclass
class ImportResult:
    plan_code: str
    indicators: int
    new_indicators: list[str]
    new_aliases: int


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _fmt(row.get(c)) for c in columns})
    os.replace(tmp, path)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def new_indicator_code(name: str) -> str:
    """A stable code for a name the catalog does not know yet (rename freely later:
    the name stays an alias)."""
    return "ind_" + hashlib.sha1(normalize_name(name).encode("utf-8")).hexdigest()[:10]


def _value(notation: Notation | None, factor: float) -> float | None:
    return (
        None if notation is None or notation.value is None else round(notation.value * factor, 10)
    )


@dataclass(frozen=True)
class _PlanVersion:
    """The plan version being imported, with the years its figures are stated for and
    where its rows come from (for their source_ref)."""

    plan_code: str
    effective_from: str  # ISO date
    baseline_year: int
    target_year: int
    result_year: int | None
    source: str
    line_offset: int


@dataclass
class _ResolvedRows:
    """The table's rows matched to the catalog: plan_indicators records, indicators the
    catalog does not know yet, and the rows whose unit cannot be converted."""

    plan_rows: list[dict[str, object]]
    new_indicators: list[dict[str, object]]
    errors: list[LineError]


def import_plan_table(
    file: Path,
    *,
    plan_code: str,
    plan_name: str,
    region_code: str,
    start_year: int,
    end_year: int,
    baseline_year: int | None,
    catalog_dir: Path,
    source_name: str | None = None,
    line_offset: int = 0,
    effective_from: date | None = None,
) -> ImportResult:
    """``effective_from``: the date this version of the targets takes effect (default
    the plan's first day). Importing with a later date adds a revision (e.g. after a
    mid-term evaluation) and keeps the earlier version for the dates before it."""
    table = parse_plan_table(file)  # raises PlanTableError listing every bad line
    effective = effective_from or date(start_year, 1, 1)
    errors = _plan_errors(catalog_dir, region_code, start_year, end_year, effective)
    version = _PlanVersion(
        plan_code=plan_code,
        effective_from=effective.isoformat(),
        baseline_year=baseline_year or table.baseline_year or start_year - 1,
        target_year=table.target_year or end_year,
        result_year=table.result_year,
        source=source_name or file.name,
        line_offset=line_offset,
    )
    indicators = _read(catalog_dir / "indicators.csv")
    aliases = _read(catalog_dir / "indicator_aliases.csv")
    # The same name index and unit conversions ingestion uses, so a name the importer
    # accepts is a name ingestion resolves.
    resolved = _resolve_rows(table.rows, Catalog.load(catalog_dir), version)
    errors += resolved.errors
    if errors:
        raise PlanTableError(errors)

    plan_rows, new_indicators = resolved.plan_rows, resolved.new_indicators
    new_aliases = _new_aliases(table.rows, plan_rows, aliases, [*indicators, *new_indicators])
    plan_record = {
        "plan_code": plan_code,
        "plan_name_zh": plan_name,
        "region_code": region_code,
        "start_year": start_year,
        "end_year": end_year,
        "baseline_year": version.baseline_year,
        "source_ref": _plan_source_ref(plan_rows) if plan_rows else version.source,
    }
    previous = _read(catalog_dir / "plan_indicators.csv")
    _keep_curated_notes(plan_rows, previous, plan_code)
    plans = _replace_in_place(_read(catalog_dir / "plans.csv"), (plan_code,), [plan_record])
    _add_identity_conversions(catalog_dir, new_indicators)
    _write(catalog_dir / "indicators.csv", INDICATOR_COLUMNS, indicators + new_indicators)
    _write(catalog_dir / "indicator_aliases.csv", ALIAS_COLUMNS, aliases + new_aliases)
    _write(catalog_dir / "plans.csv", PLAN_COLUMNS, plans)
    _write(
        catalog_dir / "plan_indicators.csv",
        PLAN_INDICATOR_COLUMNS,
        _replace_in_place(previous, (plan_code, version.effective_from), plan_rows),
    )
    return ImportResult(
        plan_code,
        len(plan_rows),
        [str(r["indicator_code"]) for r in new_indicators],
        len(new_aliases),
    )


def _plan_errors(
    catalog_dir: Path, region_code: str, start_year: int, end_year: int, effective: date
) -> list[LineError]:
    """What is wrong with the plan itself (line 0): its dates, or a region the catalog
    does not have."""
    errors: list[LineError] = []
    if not date(start_year, 1, 1) <= effective <= date(end_year, 12, 31):
        errors.append(LineError(0, effective.isoformat(), "生效日期不在规划期内"))
    if start_year > end_year:
        errors.append(LineError(0, f"{start_year}-{end_year}", "规划起始年份晚于结束年份"))
    regions = {r["region_code"] for r in _read(catalog_dir / "regions.csv")}
    if region_code not in regions:
        errors.append(LineError(0, region_code, "地区代码不在 regions.csv 中"))
    return errors


def _resolve_rows(rows: list[PlanRow], catalog: Catalog, version: _PlanVersion) -> _ResolvedRows:
    """Each row → its indicator code (a new indicator for a name the catalog does not
    know) and its plan_indicators record, its figures converted to the catalog's unit."""
    by_name = dict(catalog.indicator_by_name)
    units = dict(catalog.indicator_units)
    resolved = _ResolvedRows([], [], [])
    codes_by_seq: dict[int, str] = {}
    for row in rows:
        code = by_name.get(normalize_name(row.name))
        factor: float | None = 1.0
        if code is None:
            code = new_indicator_code(row.name)
            by_name[normalize_name(row.name)] = code
            units[code] = row.unit
            resolved.new_indicators.append(_indicator_record(code, row))
        elif units.get(code) and units[code] != row.unit:
            factor = catalog.conversion_factor(row.unit, units[code])
        if factor is None:
            resolved.errors.append(
                LineError(
                    row.line + version.line_offset,
                    row.name_as_written,
                    f"单位“{row.unit}”无法换算为目录单位“{units[code]}”",
                )
            )
            continue
        codes_by_seq[row.seq] = code
        resolved.plan_rows.append(
            _plan_indicator_record(
                row,
                version,
                code=code,
                parent=codes_by_seq.get(row.parent_seq) if row.parent_seq else None,
                unit=units[code] or row.unit,
                factor=factor,
            )
        )
    return resolved


def _new_aliases(
    rows: list[PlanRow],
    plan_rows: list[dict[str, object]],
    aliases: list[dict[str, str]],
    indicators: list[dict[str, object]],
) -> list[dict[str, object]]:
    """The names as written (and as cleaned) that the catalog does not know yet, each an
    alias of its row's indicator; a name already used, as alias or indicator name, is left."""
    new_aliases: list[dict[str, object]] = []
    known_aliases = {(r["alias"], r["indicator_code"]) for r in aliases}
    known_names = {r["alias"] for r in aliases} | {str(r["indicator_name_zh"]) for r in indicators}
    for row, record in zip(rows, plan_rows, strict=True):
        for alias in dict.fromkeys([row.name_as_written, row.name]):
            if alias in known_names or (alias, record["indicator_code"]) in known_aliases:
                continue
            known_names.add(alias)
            new_aliases.append({"alias": alias, "indicator_code": record["indicator_code"]})
    return new_aliases


def _keep_curated_notes(
    plan_rows: list[dict[str, object]], previous: list[dict[str, str]], plan_code: str
) -> None:
    """Notes are written by people reviewing the catalog; a re-import keeps them."""
    curated = {
        r["indicator_code"]: r["note"]
        for r in previous
        if r["plan_code"] == plan_code and r["note"]
    }
    for record in plan_rows:
        record["note"] = curated.get(str(record["indicator_code"]), record["note"])


def _add_identity_conversions(catalog_dir: Path, new_indicators: list[dict[str, object]]) -> None:
    """A unit the catalog has not seen (人年, 场) converts to itself, so ingestion accepts it."""
    conversions = _read(catalog_dir / "unit_conversions.csv")
    identities = {r["from_unit"] for r in conversions if r["from_unit"] == r["to_unit"]}
    new_units = dict.fromkeys(str(r["unit"]) for r in new_indicators if r["unit"] not in identities)
    if new_units:
        _write(
            catalog_dir / "unit_conversions.csv",
            CONVERSION_COLUMNS,
            conversions + [{"from_unit": u, "to_unit": u, "factor": 1} for u in new_units],
        )


def _plan_source_ref(plan_rows: list[dict[str, object]]) -> str:
    """The lines a plan's rows come from, per document: ``doc.txt:L99-L123`` (rows cut
    from one table) or ``a.txt:L9-L53; b.txt:L86-L94`` (a table transcribed from prose)."""
    lines: dict[str, list[int]] = {}
    for record in plan_rows:
        document, _, line = str(record["source_ref"]).rpartition(":L")
        if document and line.isdigit():
            lines.setdefault(document, []).append(int(line))
        else:
            lines.setdefault(str(record["source_ref"]), [])
    return "; ".join(
        f"{document}:L{min(found)}-L{max(found)}" if found else document
        for document, found in lines.items()
    )


def _replace_in_place(
    rows: list[dict[str, str]], key: tuple[str, ...], new: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Swap the rows of one plan (key: plan_code) or one plan version (plan_code,
    effective_from_date) where they stood, so a re-import shows in a diff only as what
    really changed; a new version goes after the plan's earlier ones."""
    fields = ("plan_code", "effective_from_date")[: len(key)]

    def matches(row: dict[str, str]) -> bool:
        return tuple(str(row.get(f, "")) for f in fields) == key

    others = [r for r in rows if not matches(r)]
    index = next((i for i, r in enumerate(rows) if matches(r)), None)
    if index is not None:
        at = sum(1 for r in rows[:index] if not matches(r))
    else:
        same_plan = [i for i, r in enumerate(others) if r.get("plan_code") == key[0]]
        at = same_plan[-1] + 1 if same_plan else len(others)
    return [*others[:at], *new, *others[at:]]


def _indicator_record(code: str, row: PlanRow) -> dict[str, object]:
    return {
        "indicator_code": code,
        "indicator_name_zh": row.name,
        "indicator_name_en": "",
        "domain_code": row.domain_code or "",
        "domain_name_zh": DOMAIN_NAMES.get(row.domain_code or "", ""),
        "unit": row.unit,
        "direction": row.direction,
        # Counts add up from districts to the city; rates and per-capita figures
        # (每万名劳动力中研发人员, 人/万人, 全员劳动生产率 万元/人) do not.
        "is_additive": "false"
        if row.unit in ("%", "人/万人", "万元/人") or row.name.startswith(("每万", "万人"))
        else "true",
    }


def _plan_indicator_record(
    row: PlanRow,
    version: _PlanVersion,
    *,
    code: str,
    parent: str | None,
    unit: str,
    factor: float,
) -> dict[str, object]:
    """One plan_indicators.csv row: the figures times ``factor`` (into the catalog's
    unit) and a note saying how to read the target."""
    note = _target_note(row)
    target_value = _value(row.target, factor)
    growth_rate = None
    if row.trajectory_shape == "geometric" and row.target and row.baseline:
        growth_rate = row.target.value
        years = (row.target_year or version.target_year) - version.baseline_year
        target_value, note = _compounded_target(row.baseline, factor, growth_rate, years)
    return {
        "plan_code": version.plan_code,
        "effective_from_date": version.effective_from,
        "indicator_code": code,
        "indicator_seq": row.seq,
        "indicator_name_as_written": row.name_as_written,
        "parent_indicator_code": parent,
        "unit": unit,
        "target_kind": row.target_kind,
        "trajectory_shape": row.trajectory_shape,
        "direction": row.direction,
        "attribute": row.attribute,
        "baseline_year": version.baseline_year,
        "baseline_value": _value(row.baseline, factor),
        "baseline_comparator": row.baseline.comparator if row.baseline else "",
        "baseline_notation": row.written.get("baseline", ""),
        "target_year": row.target_year or version.target_year,
        "target_value": target_value,
        "target_comparator": row.target.comparator if row.target else "",
        "target_notation": row.written.get("target", ""),
        "target_growth_rate": growth_rate,
        "result_year": (row.result_year or version.result_year) if row.result else None,
        "result_value": _value(row.result, factor),
        "result_notation": row.written.get("result", ""),
        "source_ref": row.source_ref or f"{version.source}:L{row.line + version.line_offset}",
        "note": note,
    }


def _target_note(row: PlanRow) -> str:
    """How to read the target: its kind, and whether it is approximate or a range."""
    note = KIND_NOTES[row.target_kind]
    if row.target_kind == "bound_min" and row.target and row.target.comparator in ("", "~"):
        same = row.baseline and row.baseline.value == row.target.value
        note = (
            "target equals baseline: maintain" if same else "target below baseline: floor to hold"
        )
    if row.target and row.target.is_approximate:
        note += "; approximate target (约/左右)"
    if row.target and row.target.upper is not None:
        note += f"; range target, met at its bottom (top: {_fmt(row.target.upper)})"
    return note


def _compounded_target(
    baseline: Notation, factor: float, growth_rate: float, years: int
) -> tuple[float, str]:
    """A yearly growth rate as the level it implies, and the note showing the sum."""
    # 年均增长 g% from the baseline: T = x0 (1 + g/100)^(target year - baseline year).
    x0 = _value(baseline, factor)
    target_value = round(x0 * (1 + growth_rate / 100) ** years, 10)
    note = (
        f"target is a yearly growth rate of {_fmt(growth_rate)}% compounded over {years} "
        f"years from the baseline: {_fmt(x0)} × "
        f"{_fmt(1 + growth_rate / 100)}^{years} = {_fmt(round(target_value, 4))}; "
        "geometric trajectory"
    )
    return target_value, note
