"""The latest scorecard, read from the published warehouse (read-only), as table/CSV/JSON.

Numbers are shown as a bureau writes them: values with their unit and the
published precision, and the measures the status is judged on under their own names
(report/measures.py): 目标完成率 (x/T), 进度完成度 (progress since the baseline) beside
时序进度, as percentages with one decimal; one 目标完成率（累计） for a total; 余量 for a
bound (no 完成度); 年均增长 against the required rate for a growth target.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import asdict, dataclass
from itertools import groupby
from pathlib import Path

from hrss_warehouse.errors import PipelineError
from hrss_warehouse.formatting import fmt_number, fmt_percent, fmt_target
from hrss_warehouse.report.measures import measures

SCORECARD_SQL = """
select
    progress.plan_code,
    plan.plan_name_zh,
    indicator.domain_code,
    indicator.domain_name_zh,
    progress.indicator_code,
    indicator.indicator_name_zh,
    progress.region_code,
    region.region_name_zh,
    -- The date the figure refers to (a 2024 annual figure: 2024-12-31), not the month
    -- row it is carried to.
    coalesce(progress.reference_date, progress.as_of_date) as as_of_date,
    progress.observation_period_code,
    progress.unit,
    progress.target_kind,
    progress.attribute,
    target.target_notation,
    progress.actual_value,
    progress.target_value,
    progress.baseline_value,
    progress.projected_end_value,
    progress.trajectory_shape,
    progress.target_comparator,
    progress.attainment_ratio,
    progress.baseline_progress,
    progress.time_elapsed_ratio,
    progress.pace_basis,
    progress.pace_gap_pp,
    progress.is_baseline_imputed,
    progress.is_compliant,
    progress.headroom,
    progress.observed_growth_rate,
    progress.target_growth_rate,
    progress.status,
    progress.status_zh,
    progress.evaluation_category_zh,
    progress.status_reason,
    progress.severity,
    progress.evidence_source,
    progress.validation_flags,
    target.indicator_seq
from marts.fct_plan_progress as progress
inner join marts.dim_plan as plan on progress.plan_code = plan.plan_code
inner join marts.dim_indicator as indicator on progress.indicator_code = indicator.indicator_code
inner join marts.dim_region as region on progress.region_code = region.region_code
inner join marts.fct_plan_target as target
    on progress.plan_code = target.plan_code
    and progress.indicator_code = target.indicator_code
    and progress.region_code = target.region_code
-- The latest month of each target, or the month-end asked for (hrss export --as-of).
where (case when ? is null then progress.is_latest else progress.as_of_date = cast(? as date) end)
    and (? is null or progress.plan_code = ?)
order by plan.end_year desc, progress.plan_code, target.indicator_seq, progress.region_code
"""


@dataclass
class ScorecardRow:
    plan_code: str
    plan_name_zh: str
    domain_name_zh: str
    indicator_code: str
    indicator_name_zh: str
    region_code: str
    region_name_zh: str
    as_of_date: str
    unit: str
    target_kind: str
    attribute: str
    target_notation: str | None
    actual_value: float | None
    target_value: float | None
    attainment_ratio: float | None
    time_elapsed_ratio: float | None
    pace_gap_pp: float | None
    status: str
    status_zh: str
    status_reason: str | None
    severity: str | None = None  # high / medium / low for non-good statuses (the mart's)
    evidence_source: str | None = None  # observation / plan_document
    validation_flags: str | None = None  # warnings the figure was published with
    observation_period_code: str | None = None  # the period the figure is for (2024, 2025M06)
    baseline_progress: float | None = None  # 进度完成度 C: what the status is judged on
    headroom: float | None = None  # a bound's room left (negative: broken by so much)
    is_compliant: bool | None = None
    trajectory_shape: str | None = None  # linear / geometric
    target_comparator: str | None = None  # '', '<', '<=', '>', '>=', '~' (左右)
    observed_growth_rate: float | None = None  # % a year so far (geometric targets)
    target_growth_rate: float | None = None  # % a year required
    is_baseline_imputed: bool | None = None
    pace_basis: float | None = None  # the 时序进度 C is judged against (pace_gap_pp's)
    evaluation_category_zh: str | None = None  # 中期评估类别: 提前实现, 快于预期, 滞后 …
    baseline_value: float | None = None  # 基期值 (imputed when the plan printed none)
    projected_end_value: float | None = None  # 预计期末值 at the current trend


def read_scorecard(
    warehouse: Path, plan_code: str | None = None, as_of: str | None = None
) -> list[ScorecardRow]:
    """Each target × region's latest month, or the month-end ``as_of`` (YYYY-MM-DD)."""
    import duckdb

    if not warehouse.is_file():
        raise PipelineError(f"no published warehouse at {warehouse}: run `hrss run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(SCORECARD_SQL, [as_of, as_of, plan_code, plan_code])
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    fields = ScorecardRow.__dataclass_fields__
    return [
        ScorecardRow(
            **{k: (str(v) if k == "as_of_date" else v) for k, v in r.items() if k in fields}
        )
        for r in records
    ]


# What is due from whom, per indicator: read when no figure has been loaded yet (the
# first night of a deployment), so `hrss status`, the run summary and the report can say
# what the warehouse is waiting for instead of only 数据不足.
RELEASES_DUE_SQL = """
select
    release.indicator_code,
    indicator.indicator_name_zh,
    release.publisher_zh,
    release.frequency_code,
    count(distinct release.region_code) as regions,
    count(*) filter (where release.release_status = 'overdue') as overdue,
    max(release.period_code) filter (where release.release_status = 'overdue')
        as latest_overdue_period,
    max(release.due_date) filter (where release.release_status = 'overdue')
        as latest_overdue_due_date,
    min(release.period_code) filter (where release.release_status = 'not_yet_due')
        as next_period,
    min(release.due_date) filter (where release.release_status = 'not_yet_due') as next_due_date
from marts.fct_expected_release as release
inner join marts.dim_indicator as indicator on release.indicator_code = indicator.indicator_code
group by all
order by release.publisher_zh, release.indicator_code
"""

FREQUENCY_ZH = {"month": "月报", "quarter": "季报", "year": "年报"}


@dataclass
class ReleasesDue:
    indicator_code: str
    indicator_name_zh: str
    publisher_zh: str | None
    frequency_code: str
    regions: int
    overdue: int
    latest_overdue_period: str | None
    latest_overdue_due_date: str | None
    next_period: str | None
    next_due_date: str | None


def read_waiting(warehouse: Path) -> list[ReleasesDue] | None:
    """``None`` once any figure is in the marts; before that, the releases the catalog's
    release calendar expects for the current plan targets (possibly none)."""
    import duckdb

    if not warehouse.is_file():
        raise PipelineError(f"no published warehouse at {warehouse}: run `hrss run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if con.execute("select count(*) from marts.fct_indicator_observation").fetchone()[0]:
            return None
        cursor = con.execute(RELEASES_DUE_SQL)
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [
        ReleasesDue(
            **{
                k: (None if v is None else str(v) if k.endswith(("_date", "_period")) else v)
                for k, v in r.items()
            }
        )
        for r in records
    ]


def render_waiting(releases: list[ReleasesDue]) -> str:
    """The day-one note: nothing has arrived, and which releases are due when."""
    lines = ["尚未载入任何统计数据：各规划指标均为“数据不足”（no figure has been loaded yet）。"]
    if not releases:
        lines.append("release_calendar.csv 未列出当前规划指标的报送安排。")
        return "\n".join(lines)
    lines.append("按报送日历（目录中的 release_calendar.csv）应报的数据：")
    for item in releases:
        due = []
        if item.overdue:
            due.append(
                f"已逾期 {item.overdue} 期，最近一期 {item.latest_overdue_period}"
                f"（应于 {item.latest_overdue_due_date} 前报送）"
            )
        if item.next_period:
            due.append(f"下一期 {item.next_period} 应于 {item.next_due_date} 前报送")
        lines.append(
            f"  {item.publisher_zh or '（未指定报送单位）'} · {item.indicator_name_zh}"
            f"（{FREQUENCY_ZH.get(item.frequency_code, item.frequency_code)}，"
            f"{item.regions} 个地区）：{'；'.join(due) or '尚无到期'}"
        )
    return "\n".join(lines)


def _ratios(row: ScorecardRow) -> tuple[str, str, str, str]:
    """目标完成率, 进度完成度, 时序进度, and 余量 or 年均增长: empty where the measure means
    nothing for the row (every ratio of a bound, 进度完成度 of a total), "—" where it is
    missing."""
    m = measures(row)
    if m.shape == "bound":
        return "", "", "", m.headroom or "—"
    if m.shape == "total":
        return f"{m.attainment}（累计）", "", m.elapsed or "—", ""
    if m.shape == "none":
        return "—", "—", fmt_percent(row.time_elapsed_ratio), ""
    return m.attainment or "—", m.progress or "—", m.elapsed or "—", m.growth or ""


def display_row(row: ScorecardRow) -> dict[str, str]:
    attainment, progress, elapsed, extra = _ratios(row)
    return {
        "领域": row.domain_name_zh,
        "指标": row.indicator_name_zh,
        "地区": row.region_name_zh,
        "截至": row.as_of_date,
        "实际值": fmt_number(row.actual_value, row.unit),
        "目标": fmt_target(row.target_notation, row.target_value, row.unit),
        "目标完成率": attainment,
        "进度完成度": progress,
        "时序进度": elapsed,
        "余量/年均增长": extra,
        # ⚠: the figure was published with a validation warning (the report says which).
        "状态": row.status_zh + (" ⚠" if row.validation_flags else ""),
        "评估类别": row.evaluation_category_zh or "",
    }


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(rows: list[ScorecardRow], *, fold_empty: bool = False) -> str:
    """One aligned table per plan, newest plan first. ``fold_empty``: plans without a
    single figure yet get one line at the end instead of a table of 数据不足 rows."""
    if not rows:
        return "(no plan targets in the warehouse)"
    empty: dict[str, int] = {}
    if fold_empty:
        by_plan: dict[str, list[ScorecardRow]] = {}
        for row in rows:
            by_plan.setdefault(row.plan_code, []).append(row)
        empty = {
            code: len(group)
            for code, group in by_plan.items()
            if all(r.status == "no_data" for r in group)
        }
        rows = [r for r in rows if r.plan_code not in empty]
    footer = (
        "no figures yet for: "
        + ", ".join(f"{code} ({n} indicators)" for code, n in empty.items())
        + " — `hrss status --plan CODE` lists them"
        if empty
        else ""
    )
    if not rows:
        return footer
    table = [display_row(r) for r in rows]
    headers = list(table[0])
    widths = {h: max(_width(h), *(_width(t[h]) for t in table)) for h in headers}

    def line(cells: dict[str, str]) -> str:
        return "  ".join(c + " " * (widths[h] - _width(c)) for h, c in cells.items()).rstrip()

    out: list[str] = []
    for plan_code, group in groupby(zip(rows, table, strict=True), key=lambda p: p[0].plan_code):
        group = list(group)
        if out:
            out.append("")
        out.append(f"{group[0][0].plan_name_zh} ({plan_code})")
        out += [line({h: h for h in headers}), "  ".join("-" * widths[h] for h in headers)]
        out += [line(cells) for _, cells in group]
    if footer:
        out += ["", footer]
    return "\n".join(out)


def render(rows: list[ScorecardRow], fmt: str) -> str:
    if fmt == "table":
        # A single plan asked for by name is shown whole, even without figures.
        return render_table(rows, fold_empty=len({r.plan_code for r in rows}) > 1)
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(ScorecardRow.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
        return buffer.getvalue()
    raise PipelineError(f"unknown format {fmt!r}: use table, csv or json")
