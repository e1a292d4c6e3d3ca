"""The measures a target is judged on, labelled as bureaus label them, for every place a
figure is shown (`hrss status`, the report, the alerts) — so each says the same.

- **目标完成率** ``attainment_ratio``: x/T (T/x when lower is better).
- **进度完成度** ``baseline_progress`` C: progress since the baseline, (x − x0)/(T − x0)
  (ln(x/x0)/ln(T/x0) for a growth-rate target) — what the status is judged on, against
- **时序进度**: the share of the plan's time gone (the row's pace basis: the year's share
  for an annual task, the time since the first figure when the baseline is imputed:
  ``pace_basis``). ``pace_gap_pp`` = 100·(C − pace_basis), and N in 高于/低于时序进度 N
  个百分点 is the difference of the two percentages as printed: it agrees with them.
- A cumulative or annual total: C = x/T = 目标完成率, shown once as 目标完成率（累计）.
- A bound (bound_max / bound_min): no 完成度 of any kind; compliance and 余量 (headroom,
  in the indicator's unit; negative = 超出上限 / 低于下限 by so much).
- A growth-rate (geometric) target: also 年均增长 x%（目标 g%以上）.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hrss_warehouse.formatting import fmt_number, fmt_percent

BOUND_KINDS = ("bound_max", "bound_min")
TOTAL_KINDS = ("cumulative", "annual")

# A comparator of a growth target in words after the rate (6%以上, 5%左右).
_GROWTH_WORDS = {">": "以上", ">=": "以上", "<": "以下", "<=": "以下", "~": "左右"}


@dataclass(frozen=True)
class Measures:
    """One row's figures, formatted; ``None`` where the row has no such figure."""

    shape: str  # progress / total / bound / none
    attainment: str | None = None  # 目标完成率 (x/T), never for a bound
    progress: str | None = None  # 进度完成度 (C), level targets only
    elapsed: str | None = None  # 时序进度 the progress is compared with
    gap_pp: float | None = None  # 100·(C − 时序进度), signed
    compliance: str | None = None  # 达标 / 超出上限 / 低于下限 …, bounds only
    headroom: str | None = None  # 余量 or by how much the bound is broken
    growth: str | None = None  # 年均增长 5.8%（目标 6%以上）
    growth_en: str | None = None
    progress_ratio: float | None = None  # C (or x/T of a total), for bars
    elapsed_ratio: float | None = None


def _get(row: Mapping[str, Any] | object, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def pace_basis(row: Mapping[str, Any] | object) -> float | None:
    """The 时序进度 the row's progress is judged against: the mart's ``pace_basis`` (the
    year's share for an annual task, the time since an imputed baseline); from a row
    without it, C − gap/100, else the plan's time share."""
    basis = _get(row, "pace_basis")
    if basis is not None:
        return basis
    progress, gap = _get(row, "baseline_progress"), _get(row, "pace_gap_pp")
    if progress is not None and gap is not None:
        return progress - gap / 100
    return _get(row, "time_elapsed_ratio")


def is_bound(row: Mapping[str, Any] | object) -> bool:
    return _get(row, "target_kind") in BOUND_KINDS


def _unit_of_difference(unit: str) -> tuple[str, str]:
    """A difference of two rates is in percentage points, not per cent."""
    return ("个百分点", " points") if unit == "%" else (unit, unit)


def _bound(row: Mapping[str, Any] | object) -> Measures:
    headroom = _get(row, "headroom")
    if headroom is None:
        return Measures("bound")
    kind, comparator = _get(row, "target_kind"), _get(row, "target_comparator") or ""
    compliant = _get(row, "is_compliant")
    if compliant is None:
        compliant = headroom >= 0
    unit = _get(row, "unit") or ""
    zh_unit, _ = _unit_of_difference(unit)
    amount = fmt_number(abs(headroom)) + zh_unit
    if compliant:
        return Measures("bound", compliance="达标", headroom=f"余量 {amount}")
    # Which side is broken: a band (~) around T can be left on either.
    actual, target = _get(row, "actual_value"), _get(row, "target_value")
    above = (
        actual > target
        if comparator == "~" and actual is not None and target is not None
        else kind == "bound_max"
    )
    if headroom == 0:  # exactly at a strict bound (<3, >96): not inside it
        word = "达到上限（须低于）" if above else "仅达下限（须高于）"
        return Measures("bound", compliance="超限" if above else "低于下限", headroom=word)
    word = "超出上限" if above else "低于下限"
    return Measures(
        "bound", compliance="超限" if above else "低于下限", headroom=f"{word} {amount}"
    )


def _growth(row: Mapping[str, Any] | object) -> tuple[str | None, str | None]:
    observed, required = _get(row, "observed_growth_rate"), _get(row, "target_growth_rate")
    if _get(row, "trajectory_shape") != "geometric" or observed is None:
        return None, None
    words = _GROWTH_WORDS.get(_get(row, "target_comparator") or "", "")
    target = "" if required is None else f"（目标 {fmt_number(required)}%{words}）"
    target_en = "" if required is None else f" (required {fmt_number(required)}% a year)"
    # The observed rate to one decimal, as bureaus print 年均增长; the required as planned.
    return (
        f"年均增长 {observed:.1f}%{target}",
        f"average yearly growth {observed:.1f}%{target_en}",
    )


def measures(row: Mapping[str, Any] | object) -> Measures:
    """The labelled figures of one fct_plan_progress row (a dict or a ScorecardRow)."""
    if is_bound(row):
        return _bound(row)
    kind = _get(row, "target_kind")
    progress = _get(row, "baseline_progress")
    attainment = _get(row, "attainment_ratio")
    elapsed = pace_basis(row)
    gap = _get(row, "pace_gap_pp")
    growth, growth_en = _growth(row)
    if kind in TOTAL_KINDS:
        # x/T is both the share of the target and the progress: one figure.
        total = attainment if attainment is not None else progress
        if total is None:
            return Measures("none")
        return Measures(
            "total",
            attainment=fmt_percent(total),
            elapsed=fmt_percent(elapsed) if elapsed is not None else None,
            gap_pp=gap,
            progress_ratio=total,
            elapsed_ratio=elapsed,
        )
    if attainment is None and progress is None:
        return Measures("none")
    return Measures(
        "progress",
        attainment=fmt_percent(attainment) if attainment is not None else None,
        progress=fmt_percent(progress) if progress is not None else None,
        elapsed=fmt_percent(elapsed) if elapsed is not None and progress is not None else None,
        gap_pp=gap if progress is not None else None,
        growth=growth,
        growth_en=growth_en,
        progress_ratio=progress,
        elapsed_ratio=elapsed if progress is not None else None,
    )


def gap_words(m: Measures, lang: str = "zh") -> str | None:
    """高于/低于时序进度 N 个百分点, N the difference of the two percentages as printed
    (within 0.1 of ``pace_gap_pp``), so the sentence agrees with its own figures."""
    if m.progress_ratio is None or m.elapsed_ratio is None or m.gap_pp is None:
        return None
    points = round(round(100 * m.progress_ratio, 1) - round(100 * m.elapsed_ratio, 1), 1)
    if points == 0:
        return "on the time share" if lang == "en" else "与时序进度持平"
    if lang == "en":
        side = "ahead of" if points > 0 else "behind"
        return f"{abs(points):.1f} points {side} the time share"
    side = "高于" if points > 0 else "低于"
    return f"{side}时序进度 {abs(points):.1f} 个百分点"
