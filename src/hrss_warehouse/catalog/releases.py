"""Which figures a plan expects from whom for a period: the rows of a reporting template.

The same rule as ``marts.fct_expected_release`` (dbt), read from the catalog itself so a
form can be written before any run and for a period the warehouse has not reached:

- an indicator is expected when the plan sets it a target and ``release_calendar.csv``
  lists it (its ``frequency``, its publisher ``publisher_zh`` and the ``basis`` it is
  published on: 当期 period / 累计 ytd / 期末 end);
- from the plan's own region (a plan's targets are set for its region);
- one figure per period of the indicator's frequency that *ends* inside the asked span
  (``2025-03``: the month of March, the first quarter, no year; ``2025``: twelve months,
  four quarters and the year) and inside the plan's years.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hrss_warehouse.catalog.names import normalize_name, read_catalog_csv
from hrss_warehouse.errors import PipelineError

BASIS_ZH = {"period": "当期", "ytd": "累计", "end": "期末"}
_QUARTER_ZH = "一二三四"


class TemplateError(PipelineError):
    """What was asked for cannot make a form (unknown plan or department, a period
    outside the plan, nothing expected): said in words the caller can act on."""


@dataclass(frozen=True)
class Span:
    """The period a form is for: a month (2025-03) or a year (2025)."""

    text: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """2025年 / 2025年3月, as a title says it."""
        if self.start.month == 1 and self.end.month == 12:
            return f"{self.start.year}年"
        return f"{self.start.year}年{self.start.month}月"

    @classmethod
    def parse(cls, text: str) -> Span:
        cleaned = unicodedata.normalize("NFKC", text or "").strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", cleaned):
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1900 < year < 2200:
                last = calendar.monthrange(year, month)[1]
                return cls(f"{year}-{month:02d}", date(year, month, 1), date(year, month, last))
        elif re.fullmatch(r"\d{4}", cleaned) and 1900 < int(cleaned) < 2200:
            year = int(cleaned)
            return cls(cleaned, date(year, 1, 1), date(year, 12, 31))
        raise TemplateError(f"--period takes YYYY or YYYY-MM (2025, 2025-03), not {text!r}")


@dataclass(frozen=True)
class ExpectedFigure:
    """One value cell of a form: an indicator × region × period on one basis."""

    seq: int  # the indicator's order in the plan
    indicator_code: str
    indicator_name: str
    region_code: str
    region_name: str
    frequency: str  # month | quarter | year
    period_code: str  # 2025-03 / 2025-Q1 / 2025, as the marts write it
    period_text: str  # 2025年3月 / 2025年第一季度 / 2025年, as ingest reads it
    period_start: date
    period_end: date
    basis: str  # period | ytd | end
    unit: str
    publisher: str

    @property
    def basis_zh(self) -> str:
        return BASIS_ZH[self.basis]


def _periods(
    frequency: str, span: Span, first: date, last: date
) -> list[tuple[str, str, date, date]]:
    """(code, text, start, end) of each period of ``frequency`` ending in ``span`` and in
    [first, last]."""
    found = []
    year, month = span.start.year, span.start.month
    while date(year, month, 1) <= span.end:
        end = date(year, month, calendar.monthrange(year, month)[1])
        if first <= end <= last:
            if frequency == "month":
                found.append(
                    (f"{year}-{month:02d}", f"{year}年{month}月", date(year, month, 1), end)
                )
            elif frequency == "quarter" and month % 3 == 0:
                q = month // 3
                found.append(
                    (
                        f"{year}-Q{q}",
                        f"{year}年第{_QUARTER_ZH[q - 1]}季度",
                        date(year, month - 2, 1),
                        end,
                    )
                )
            elif frequency == "year" and month == 12:
                found.append((str(year), f"{year}年", date(year, 1, 1), end))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _plan(catalog_dir: Path, plan_code: str) -> dict[str, str]:
    plans = {row["plan_code"]: row for row in read_catalog_csv(catalog_dir / "plans.csv")}
    if plan_code not in plans:
        known = "、".join(sorted(plans))
        raise TemplateError(
            f"规划代码 {plan_code} 不在目录 {catalog_dir}/plans.csv 中（可选：{known}）"
        )
    return plans[plan_code]


def release_calendar(path: Path, bundled: Path) -> tuple[list[dict[str, str]], int]:
    """The release calendar at ``path`` (the bundled one when a catalog has none, as the
    pipeline does) with every row's ``basis``, and how many rows lacked one.

    A calendar written before the ``basis`` column existed is still a valid catalog: a
    missing basis is taken from the bundled calendar's row for the same indicator, else
    ``period`` (当期) — so an upgrade never stops a night."""
    rows = read_catalog_csv(path if path.is_file() else bundled)
    known = {}
    if bundled.is_file() and bundled != path:
        known = {r["indicator_code"]: r.get("basis") for r in read_catalog_csv(bundled)}
    filled = 0
    for row in rows:
        if not (row.get("basis") or "").strip():
            row["basis"] = known.get(row["indicator_code"]) or "period"
            filled += 1
    return rows, filled


def _plan_releases(
    catalog_dir: Path, plan_code: str, bundled_dir: Path | None
) -> list[tuple[int, str, dict[str, str]]]:
    """(seq, indicator code, release calendar row) of each indicator of the plan the
    calendar lists, in the plan's order."""
    name = "release_calendar.csv"
    calendar_rows, _ = release_calendar(catalog_dir / name, (bundled_dir or catalog_dir) / name)
    releases = {row["indicator_code"]: row for row in calendar_rows}
    chosen: dict[str, tuple[int, str, dict[str, str]]] = {}
    for row in read_catalog_csv(catalog_dir / "plan_indicators.csv"):
        code = row["indicator_code"]
        if row["plan_code"] == plan_code and code in releases and code not in chosen:
            chosen[code] = (int(row["indicator_seq"] or 0), code, releases[code])
    return sorted(chosen.values())


def _named(rows: dict[str, dict[str, str]], key: str, file: str) -> dict[str, str]:
    if key not in rows:
        raise TemplateError(f"目录文件 {file} 中没有 {key}（规划或报送日历引用了它）")
    return rows[key]


def expected_figures(
    catalog_dir: Path,
    plan_code: str,
    span: Span,
    department: str | None = None,
    bundled_dir: Path | None = None,
) -> list[ExpectedFigure]:
    """The figures ``plan_code`` expects for ``span`` (from ``department`` only, when
    given), in the plan's indicator order, then by period. ``bundled_dir``: the project's
    own seeds, whose release calendar stands in for a catalog without one."""
    plan = _plan(catalog_dir, plan_code)
    first = date(int(plan["start_year"]), 1, 1)
    last = date(int(plan["end_year"]), 12, 31)
    if span.end < first or span.start > last:
        raise TemplateError(
            f"统计期 {span.text} 不在规划 {plan_code} 的期限（{first.year}–{last.year}年）内"
        )
    releases = _plan_releases(catalog_dir, plan_code, bundled_dir)
    if department:
        publishers = sorted({r["publisher_zh"] for _, _, r in releases})
        wanted = normalize_name(department)
        releases = [x for x in releases if normalize_name(x[2]["publisher_zh"]) == wanted]
        if not releases:
            raise TemplateError(
                f"规划 {plan_code} 没有由“{department}”报送的指标"
                f"（release_calendar.csv 中的报送单位：{'、'.join(publishers) or '无'}）"
            )
    indicators = {r["indicator_code"]: r for r in read_catalog_csv(catalog_dir / "indicators.csv")}
    regions = {r["region_code"]: r for r in read_catalog_csv(catalog_dir / "regions.csv")}
    region = plan["region_code"]
    region_name = _named(regions, region, "regions.csv")["region_name_zh"]
    figures = []
    for seq, code, release in releases:
        if release.get("basis") not in BASIS_ZH:
            raise TemplateError(
                f"release_calendar.csv 中 {code} 的 basis “{release.get('basis')}” 无法识别"
                "（应为 period/ytd/end）"
            )
        indicator = _named(indicators, code, "indicators.csv")
        for period_code, text, start, end in _periods(release["frequency"], span, first, last):
            figures.append(
                ExpectedFigure(
                    seq=seq,
                    indicator_code=code,
                    indicator_name=indicator["indicator_name_zh"],
                    region_code=region,
                    region_name=region_name,
                    frequency=release["frequency"],
                    period_code=period_code,
                    period_text=text,
                    period_start=start,
                    period_end=end,
                    basis=release["basis"],
                    unit=indicator["unit"],
                    publisher=release["publisher_zh"],
                )
            )
    if not figures:
        who = f"“{department}”" if department else "各报送单位"
        raise TemplateError(f"规划 {plan_code} 在统计期 {span.text} 没有{who}应报的数据")
    return sorted(figures, key=lambda f: (f.seq, f.indicator_code, f.period_end))


def plan_name(catalog_dir: Path, plan_code: str) -> str:
    return _plan(catalog_dir, plan_code)["plan_name_zh"]
