"""A Word draft of a plan's implementation (mid-term) evaluation (`hrss export evaluation`).

What the planning office edits rather than writes: a cover line (plan, as-of date, data
sources), the indicator table, one paragraph per domain in the evaluation's own phrasing,
the targets that need attention, the releases overdue, and the trajectory charts of the last
run (report/charts/*.png). Every figure comes from the same scorecard rows and the same
formatting as `hrss status` and the report (report/measures.py), so each sentence agrees
with the table. Chinese is set in Noto Sans CJK SC, the report's font (a reader without it
gets Word's substitute).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from hrss_warehouse.formatting import fmt_number, fmt_target
from hrss_warehouse.report.excel import save_atomically
from hrss_warehouse.report.measures import BOUND_KINDS, TOTAL_KINDS, gap_words, measures
from hrss_warehouse.report.scorecard import ScorecardRow

FONT = "Noto Sans CJK SC"
TABLE_COLUMNS = (
    "指标", "单位", "基期值", "目标值", "最新值", "截至", "目标完成率", "进度完成度", "时序进度",
    "状态", "预计期末值",
)  # fmt: skip
# What a row's evaluation category asks of the office, closing its sentence.
CLOSING = {
    "提前实现": "已提前实现目标",
    "快于预期": "进展快于预期",
    "基本符合预期": "进展基本符合预期",
    "滞后": "需加快进度",
    "已完成": "已完成目标",
    "未完成": "未完成目标",
}


PLAN_SQL = """
select plan_code, plan_name_zh, region_code, source_ref, start_year, end_year
from marts.dim_plan where plan_code = ?
"""
# The plan's own region's releases past their due date without a figure, per indicator.
OVERDUE_SQL = """
select indicator.indicator_name_zh, release.publisher_zh, count(*) as periods,
    max(release.period_code) as latest_period, max(release.due_date) as latest_due_date
from marts.fct_expected_release as release
inner join marts.dim_indicator as indicator on release.indicator_code = indicator.indicator_code
where release.release_status = 'overdue' and release.region_code = ?
    and release.indicator_code in (
        select indicator_code from marts.fct_plan_target where plan_code = ?
    )
group by all
order by 1
"""


def read_plan(warehouse: Path, plan_code: str) -> tuple[dict | None, list[str]]:
    """The plan's row of dim_plan (None: no such plan) and its overdue releases, as lines."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(PLAN_SQL, [plan_code])
        names = [d[0] for d in cursor.description]
        found = cursor.fetchone()
        if found is None:
            return None, []
        plan = dict(zip(names, found, strict=True))
        overdue = con.execute(OVERDUE_SQL, [plan["region_code"], plan_code]).fetchall()
    lines = [
        f"{name}（{publisher}）：{periods} 期逾期未报，最近一期 {period}（应于 {due} 前报送）"
        for name, publisher, periods, period, due in overdue
    ]
    return plan, lines


def sentence(row: ScorecardRow, end_year: int | None) -> str:
    """One target in the evaluation's words, with the table's figures (report/measures.py):
    技能人才总量达24.4万人，目标完成率93.8%，进度完成度66.0%，低于时序进度 14.0 个百分点，
    按当前趋势预计2025年末达24.8万人，需加快进度。"""
    name, unit = row.indicator_name_zh, row.unit or ""
    if row.actual_value is None:
        return f"{name}尚无数据。"
    m = measures(row)
    value = fmt_number(row.actual_value, unit)
    if row.target_kind in BOUND_KINDS:
        parts = [f"{name}为{value}", f"{m.compliance}（{m.headroom}）" if m.headroom else ""]
    elif row.target_kind in TOTAL_KINDS:
        parts = [f"{name}累计达{value}", f"目标完成率{m.attainment}" if m.attainment else ""]
    else:
        parts = [f"{name}达{value}", f"目标完成率{m.attainment}" if m.attainment else ""]
        parts.append(f"进度完成度{m.progress}" if m.progress else "")
        parts.append(m.growth or "")
    parts.append(gap_words(m) or "")
    if row.projected_end_value is not None and row.target_kind not in BOUND_KINDS and end_year:
        parts.append(f"按当前趋势预计{end_year}年末达{fmt_number(row.projected_end_value, unit)}")
    parts.append(CLOSING.get(row.evaluation_category_zh or "", ""))
    return "，".join(p for p in parts if p) + "。"


def table_cells(row: ScorecardRow) -> list[str]:
    m = measures(row)
    total, bound = row.target_kind in TOTAL_KINDS, row.target_kind in BOUND_KINDS
    return [
        row.indicator_name_zh,
        row.unit or "",
        fmt_number(row.baseline_value),
        fmt_target(row.target_notation, row.target_value, ""),
        fmt_number(row.actual_value),
        row.as_of_date if row.actual_value is not None else "—",
        "" if bound else (m.attainment or "—"),
        "" if bound or total else (m.progress or "—"),
        "" if bound else (m.elapsed or "—"),
        row.status_zh,
        "" if bound else fmt_number(row.projected_end_value),
    ]


def _set_font(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), FONT)
    document.styles["Normal"].font.size = Pt(10.5)  # 五号


def _table(document, rows: list[ScorecardRow]) -> None:
    table = document.add_table(rows=1, cols=len(TABLE_COLUMNS), style="Table Grid")
    for cell, text in zip(table.rows[0].cells, TABLE_COLUMNS, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, table_cells(row), strict=True):
            cell.text = text


def _charts(document, rows: Iterable[ScorecardRow], charts_dir: Path) -> int:
    from docx.shared import Cm

    added = 0
    for row in rows:
        png = charts_dir / f"{row.plan_code}__{row.indicator_code}__{row.region_code}.png"
        if png.is_file():
            document.add_paragraph(f"{row.indicator_name_zh}（{row.region_name_zh}）")
            document.add_picture(str(png), width=Cm(15))
            added += 1
    return added


def write_evaluation(
    rows: list[ScorecardRow], out: Path, *, plan: dict, as_of: str | None, charts_dir: Path,
    overdue: list[str], warehouse: Path,
) -> dict[str, int]:  # fmt: skip
    """Write the draft for one plan's rows (its own region's); return what it holds."""
    from docx import Document

    document = Document()
    _set_font(document)
    document.add_heading(f"{plan['plan_name_zh']}实施情况评估（初稿）", level=0)
    made = datetime.now(UTC).astimezone().strftime("%Y-%m-%d")
    document.add_paragraph(
        f"规划：{plan['plan_name_zh']}（{plan['start_year']}—{plan['end_year']}年）；"
        f"评估时点：{as_of or '各指标最新数据'}；数据来源：{warehouse.name}（hrss-warehouse），"
        f"规划文本 {plan.get('source_ref') or '—'}；生成于 {made}，供修改。"
    )
    document.add_heading("一、主要指标完成情况", level=1)
    _table(document, rows)
    document.add_heading("二、分领域进展", level=1)
    domains: dict[str, list[ScorecardRow]] = {}
    for row in rows:
        domains.setdefault(row.domain_name_zh, []).append(row)
    for domain, items in domains.items():
        document.add_heading(domain, level=2)
        document.add_paragraph("".join(sentence(r, plan["end_year"]) for r in items))
    document.add_heading("三、需关注的指标", level=1)
    at_risk = [r for r in rows if r.severity]
    for row in at_risk or []:
        document.add_paragraph(f"{row.indicator_name_zh}：{row.status_zh}", style="List Bullet")
    if not at_risk:
        document.add_paragraph("暂无。")
    document.add_heading("四、逾期未报数据", level=1)
    for line in overdue or ["暂无。"]:
        document.add_paragraph(line, style="List Bullet" if overdue else None)
    document.add_heading("五、指标走势图", level=1)
    charts = _charts(document, rows, charts_dir)
    save_atomically(document, out)
    return {"rows": len(rows), "domains": len(domains), "at_risk": len(at_risk), "charts": charts}
