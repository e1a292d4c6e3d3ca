"""The nightly HTML report: one self-contained file (no CDN, no external fonts or scripts)
that works offline, plus ``charts/`` with every chart as SVG and PNG (for e-mail).

- a plan selector (when several plans are loaded) and, per plan, the scorecard grouped by
  domain (就业 / 社会保障 / 人才队伍建设 / 劳动关系 / 公共服务): indicator, region, actual,
  target, the measures the status is judged on (report/measures.py: 目标完成率 as a number,
  进度完成度 next to 时序进度 as paired bars; a total's 目标完成率（累计）; a bound's
  compliance and 余量, no bars), status in colour with its Chinese label, the mid-term
  evaluation category, severity, freshness (the latest period and whether a release is
  overdue), validation flags; a legend says what each measure is;
- per plan target with figures, a trajectory chart (charts.py);
- per indicator reported by several regions, the regions side by side;
- this run's loads, validation findings, quarantined files, and links to the GX Data Docs
  and the dbt docs.

Chinese is drawn with the report font (font.py), embedded in the page.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

from hrss_warehouse.config import Settings, alert_overdue_window_days
from hrss_warehouse.formatting import fmt_number, fmt_percent, fmt_target
from hrss_warehouse.report.charts import (
    FONT_STACK,
    Chart,
    TrajectoryData,
    chart_id,
    region_chart,
    to_png,
    to_svg,
    trajectory_chart,
)
from hrss_warehouse.report.measures import gap_words, measures
from hrss_warehouse.report.scorecard import (
    FREQUENCY_ZH,
    ReleasesDue,
    ScorecardRow,
    read_scorecard,
    read_waiting,
)

STATUS_COLOURS = {
    "achieved": "#1a7f37",
    "achieved_early": "#1a7f37",
    "on_track": "#2da44e",
    "compliant": "#2da44e",
    "ahead": "#1a7f37",
    "improving": "#2da44e",
    "worsening": "#d1242f",
    "too_early": "#6e7781",
    "needs_acceleration": "#bf8700",
    "lagging": "#d1242f",
    "at_risk": "#d1242f",
    "regressing": "#a40e26",
    "breached": "#a40e26",
    "below_floor": "#a40e26",
    "not_achieved": "#a40e26",
    "no_data": "#6e7781",
}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
DOMAIN_ORDER = ("就业", "社会保障", "人才队伍建设", "劳动关系", "公共服务")

_CSS = """
body{font-family:FONT_STACK;margin:2rem;color:#1f2328;max-width:1200px}
table{border-collapse:collapse;margin-bottom:1rem;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .5rem}
th{background:#f6f8fa;font-weight:normal;color:#57606a;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.status{color:#fff;border-radius:.3rem;padding:.1rem .4rem;white-space:nowrap}
.flag{color:#9a6700;font-size:.85em}.overdue{color:#cf222e;font-size:.85em;white-space:nowrap}
.pair{min-width:300px}.att{font-size:.85em}.gap{font-size:.8em;color:#57606a}
.legend{font-size:.85em;color:#57606a}.bar{display:flex;align-items:center;gap:.3rem;font-size:.8em;height:1em;margin:.15rem 0}
.bar span.track{flex:1;background:#eaeef2;height:.7em;position:relative}
.bar span.fill{position:absolute;left:0;top:0;bottom:0}
.bar b{font-weight:normal;width:3.2em;text-align:right;font-variant-numeric:tabular-nums}
.bar i{font-style:normal;color:#57606a;width:8.2em;white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1rem}
figure{margin:0}figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.8em;color:#57606a}figcaption a{color:#57606a}
.plan-picker{margin:1rem 0;font-size:1rem}
"""

_CSS = _CSS.replace("FONT_STACK", FONT_STACK)

_SELECT_JS = """
(function(){var s=document.getElementById('plan-select');if(!s)return;
function show(){document.querySelectorAll('section.plan').forEach(function(e){
e.hidden=e.dataset.plan!==s.value;});}
s.addEventListener('change',show);show();})();
"""


def _link(target: Path, base: Path) -> str:
    return html.escape(os.path.relpath(target, base))


def write_report(settings: Settings, results: Mapping[str, Any]) -> str:
    """Write ``report/index.html`` and ``report/charts/``; returns the page's path."""
    from hrss_warehouse.report.font import embedded_css

    rows = read_scorecard(settings.warehouse)
    marts = _read_marts(settings.warehouse)
    out = settings.report_dir / "index.html"
    charts_dir = settings.report_dir / "charts"
    # Charts are output of this run only: a target gone from the catalog loses its files.
    shutil.rmtree(charts_dir, ignore_errors=True)
    charts_dir.mkdir(parents=True)
    ingest = results.get("ingest") or {}
    body = [
        "<h1>规划指标进度报告</h1>",
        f"<p>生成时间 {html.escape(datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'))}；",
        f"本次处理文件 {len(ingest.get('files', []))} 个，",
        f"载入 {ingest.get('rows_loaded', 0)} 行，隔离 {ingest.get('rows_quarantined', 0)} 行。</p>{LEGEND}",
    ]
    # The report folder is what gets served (and a volume of its own in docker-compose):
    # the Data Docs site goes in it, as the dbt docs do.
    data_docs = settings.report_dir / "data_docs" / "index.html"
    shutil.rmtree(data_docs.parent, ignore_errors=True)
    if settings.data_docs_index.is_file():
        shutil.copytree(settings.data_docs_index.parent, data_docs.parent)
    links = [
        (data_docs, "数据校验报告（GX Data Docs）"),
        (settings.dbt_docs_index, "数据模型文档（dbt docs：表、字段、测试、血缘）"),
    ]
    shown = [f"<a href='{_link(p, out.parent)}'>{t}</a>" for p, t in links if p.is_file()]
    if shown:
        body.append("<p>" + " · ".join(shown) + "</p>")
    waiting = read_waiting(settings.warehouse)
    if waiting is not None:
        body.extend(_waiting_section(waiting))
    plans = [(code, list(group)) for code, group in groupby(rows, key=lambda r: r.plan_code)]
    # The plan with the most targets measured first (the page opens on it), none last.
    plans.sort(key=lambda p: -sum(r.actual_value is not None for r in p[1]))
    if len(plans) > 1:
        options = "".join(
            f"<option value='{html.escape(code)}'>{html.escape(group[0].plan_name_zh)}"
            f"{'' if any(r.actual_value is not None for r in group) else '（暂无数据）'}</option>"
            for code, group in plans
        )
        body.append(
            "<p class='plan-picker'><label for='plan-select'>规划：</label>"
            f"<select id='plan-select'>{options}</select></p>"
        )
    for plan_code, plan_rows in plans:
        body.append(f"<section class='plan' data-plan='{html.escape(plan_code)}'>")
        body.append(f"<h2>{html.escape(plan_rows[0].plan_name_zh)} ({html.escape(plan_code)})</h2>")
        body.extend(_domain_tables(plan_rows, marts))
        body.extend(_trajectory_section(plan_rows, marts, charts_dir, out.parent))
        body.extend(_region_section(plan_code, plan_rows, marts, charts_dir, out.parent))
        body.append("</section>")
    body.extend(_validation_section(results))
    quarantined = [f for f in ingest.get("files", []) if f.get("rows_quarantined")]
    if quarantined:
        body.append("<h2>隔离的数据</h2><ul>")
        for item in quarantined:
            body.append(
                f"<li>{html.escape(str(item['file_name']))}：隔离 {item['rows_quarantined']} 行"
                f"（{html.escape(str(item['status']))}）<ul>"
                + "".join(f"<li>{html.escape(m)}</li>" for m in item.get("messages", []))
                + "</ul></li>"
            )
        body.append("</ul>")
    text = "\n".join(body)
    page = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        # No favicon request: the page loads nothing beyond itself.
        "<link rel='icon' href='data:,'>",
        "<title>规划指标进度报告</title>",
        f"<style>{embedded_css(_visible_text(text))}{_CSS}</style></head><body>",
        text,
        f"<script>{_SELECT_JS}</script>" if len(plans) > 1 else "",
        "</body></html>",
    ]
    out.write_text("\n".join(page), encoding="utf-8")
    return str(out)


def _visible_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _read_marts(warehouse: Path) -> dict[str, Any]:
    """What the charts and the freshness column need, beyond the scorecard."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        figures = con.execute(
            """
            select distinct progress.plan_code, progress.indicator_code, progress.region_code,
                progress.reference_date, progress.observation_period_code,
                progress.actual_value, progress.evidence_source
            from marts.fct_plan_progress as progress
            where progress.actual_value is not null and progress.reference_date is not null
            order by all
            """
        ).fetchall()
        targets = con.execute(
            """
            select progress.plan_code, progress.indicator_code, progress.region_code,
                progress.target_kind, progress.trajectory_shape, progress.unit,
                progress.baseline_value, progress.target_value, progress.projected_end_value,
                progress.is_baseline_imputed, plan.plan_start_date, plan.plan_end_date
            from marts.fct_plan_progress as progress
            inner join marts.dim_plan as plan on progress.plan_code = plan.plan_code
            where progress.is_latest
            """
        ).fetchall()
        freshness = con.execute(
            """
            select indicator_code, region_code, period_code, due_date, period_end_date
            from marts.fct_expected_release
            where release_status = 'overdue'
            order by period_end_date
            """
        ).fetchall()
        by_region = con.execute(
            """
            select observation.indicator_code, observation.period_code,
                observation.period_end_date, observation.region_code, region.region_name_zh,
                region.parent_region_code, observation.value, observation.unit
            from marts.fct_indicator_observation as observation
            inner join marts.dim_region as region using (region_code)
            order by observation.indicator_code, observation.period_end_date, observation.region_code
            """
        ).fetchall()
        plans = dict(con.execute("select plan_code, region_code from marts.dim_plan").fetchall())
        additive = dict(
            con.execute("select indicator_code, is_additive from marts.dim_indicator").fetchall()
        )
    series: dict[tuple, list] = {}
    for plan, indicator, region, day, period, value, source in figures:
        series.setdefault((plan, indicator, region), []).append((day, period, value, source))
    regions: dict[str, list] = {}
    for indicator, *rest in by_region:
        regions.setdefault(indicator, []).append(tuple(rest))
    return {
        "series": series,
        "targets": {tuple(t[:3]): t[3:] for t in targets},
        "overdue": _by_key(freshness),
        "additive": additive,
        "regions": regions,
        "plan_regions": plans,
    }


def _by_key(rows: list[tuple]) -> dict[tuple, list[tuple]]:
    grouped: dict[tuple, list[tuple]] = {}
    for indicator, region, *rest in rows:
        grouped.setdefault((indicator, region), []).append(tuple(rest))
    return grouped


def _figure(chart: Chart, charts_dir: Path, base: Path, caption: str) -> str:
    from hrss_warehouse.report.font import can_draw_png

    svg = to_svg(chart)
    (charts_dir / f"{chart.chart_id}.svg").write_text(svg, encoding="utf-8")
    link = ""
    if can_draw_png():
        png = charts_dir / f"{chart.chart_id}.png"
        png.write_bytes(to_png(chart))
        link = f" · <a href='{_link(png, base)}'>PNG</a>"
    return (
        f"<figure id='chart-{html.escape(chart.chart_id)}'>{svg}<figcaption>"
        f"{html.escape(caption)}{link}</figcaption></figure>"
    )


def _trajectory_section(
    rows: list[ScorecardRow], marts: dict, charts_dir: Path, base: Path
) -> list[str]:
    figures = []
    for row in rows:
        key = (row.plan_code, row.indicator_code, row.region_code)
        points = marts["series"].get(key)
        if not points or key not in marts["targets"]:
            continue
        kind, shape, unit, x0, target, projected, imputed, start, end = marts["targets"][key]
        data = TrajectoryData(
            chart_id=chart_id(*key),
            title=f"{row.indicator_name_zh}（{row.region_name_zh}）",
            unit=unit or "",
            target_kind=kind,
            trajectory_shape=shape,
            plan_start=start,
            plan_end=end,
            baseline_value=x0,
            target_value=target,
            target_label=fmt_target(row.target_notation, target, unit or ""),
            observed=[(d, p, v) for d, p, v, src in points if src == "observation"],
            documented=[(d, p, v) for d, p, v, src in points if src != "observation"],
            projected_end_value=projected,
            is_baseline_imputed=bool(imputed),
        )
        caption = f"{row.status_zh}：{row.status_reason or ''}"
        figures.append(_figure(trajectory_chart(data), charts_dir, base, caption))
    if not figures:
        return []
    return ["<h3>指标轨迹</h3><div class='charts'>", *figures, "</div>"]


def _regions_compared(plan_code: str, row: ScorecardRow, marts: dict) -> list[tuple]:
    """The latest period within the plan in which the plan's region and its districts
    (two or more of them) reported the indicator: [(period, code, name, value, unit)]."""
    home = marts["plan_regions"].get(plan_code)
    start, end = marts["targets"][(plan_code, row.indicator_code, row.region_code)][-2:]
    by_period: dict[str, list] = {}
    for period, period_end, code, name, parent, value, unit in marts["regions"].get(
        row.indicator_code, []
    ):
        if (home in (code, parent)) and start <= period_end <= end:
            by_period.setdefault(period, []).append((period, code, name, value, unit))
    shared = [rows for rows in by_period.values() if len(rows) > 1]
    return shared[-1] if shared else []


def _region_section(
    plan_code: str, rows: list[ScorecardRow], marts: dict, charts_dir: Path, base: Path
) -> list[str]:
    figures = []
    seen: set[str] = set()
    for row in rows:
        if row.indicator_code in seen:
            continue
        seen.add(row.indicator_code)
        compared = _regions_compared(plan_code, row, marts)
        if not compared:
            continue
        period, unit = compared[0][0], compared[0][4]
        bars = [(code, name, value) for _, code, name, value, _ in compared]
        target = None
        # A plan-wide total (技能人才总量 26万人) is no yardstick for one district.
        comparable = row.target_kind in ("level", "bound_max", "bound_min")
        if (
            row.target_value is not None
            and comparable
            and not marts["additive"].get(row.indicator_code)
        ):
            label = fmt_target(row.target_notation, row.target_value, unit)
            target = (f"{row.region_name_zh}目标 {label}", row.target_value)
        chart = region_chart(
            chart_id(plan_code, row.indicator_code, "regions", period),
            f"{row.indicator_name_zh}：各地区 {period}",
            unit,
            bars,
            target,
        )
        figures.append(_figure(chart, charts_dir, base, f"{period} 各地区数据"))
    if not figures:
        return []
    return ["<h3>地区比较</h3><div class='charts'>", *figures, "</div>"]


LEGEND = (
    "<p class='legend'>目标完成率 = 实际值 ÷ 目标值（越低越好的指标为目标值 ÷ 实际值）；"
    "进度完成度 = (实际值 − 基数) ÷ (目标值 − 基数)，即基期以来应增部分已完成的比例（增速目标按"
    "复合增长计）；时序进度 = 规划期已过时间的比例（年度任务按当年，"
    "无基数的指标自首个数据起算）。状态按进度完成度对比时序进度判定（高于/低于时序进度 N "
    "个百分点）。累计和年度目标两者相同，只显示目标完成率（累计）。约束上下限的指标显示是否达标"
    "和余量（负值为超出上限或低于下限的幅度），不计完成率。增速目标另列年均增长与目标增速。"
    "评估类别采用“十四五”规划中期评估的提法。</p>"
)


def _bar(label: str, ratio: float | None, colour: str) -> str:
    width = 0 if ratio is None else max(0.0, min(ratio, 1.2)) / 1.2 * 100
    return (
        f"<div class='bar'><i>{label}</i><span class='track'><span class='fill' "
        f"style='width:{width:.1f}%;background:{colour}'></span></span>"
        f"<b>{fmt_percent(ratio)}</b></div>"
    )


def _measures(row: ScorecardRow) -> str:
    """The measures the status is judged on: 进度完成度 beside 时序进度 as two bars on one
    scale (0–120 %), 目标完成率 as a labelled number; a total's one 目标完成率（累计）; a
    bound's compliance and 余量 without bars (report/measures.py)."""
    e = html.escape
    m = measures(row)
    if m.shape == "bound":
        return f"<div class='att'>{e(m.compliance or '—')}</div>" + (
            f"<div class='att'>{e(m.headroom)}</div>" if m.headroom else ""
        )
    if m.shape == "none":
        return "—"
    parts = []
    if m.shape == "total":
        parts.append(_bar("目标完成率（累计）", m.progress_ratio, "#0969da"))
    else:
        parts.append(f"<div class='att'>目标完成率 {e(m.attainment or '—')}</div>")
        if m.progress is not None:
            parts.append(_bar("进度完成度", m.progress_ratio, "#0969da"))
    if m.elapsed_ratio is not None:
        parts.append(_bar("时序进度", m.elapsed_ratio, "#8c959f"))
    gap = gap_words(m)
    if gap:
        parts.append(f"<div class='gap'>{e(gap)}</div>")
    if m.growth:
        parts.append(f"<div class='gap'>{e(m.growth)}</div>")
    return "".join(parts)


def _domain_tables(rows: list[ScorecardRow], marts: dict) -> list[str]:
    parts: list[str] = []
    order = {name: i for i, name in enumerate(DOMAIN_ORDER)}
    ordered = sorted(rows, key=lambda r: order.get(r.domain_name_zh, len(order)))
    for domain, group in groupby(ordered, key=lambda r: r.domain_name_zh):
        parts.append(f"<h3>{html.escape(domain)}</h3><table>")
        parts.append(
            "<tr><th>指标</th><th>地区</th><th>实际值</th><th>目标</th>"
            "<th>完成情况（进度完成度对比时序进度）</th><th>状态</th><th>评估类别</th>"
            "<th>严重程度</th><th>数据时效</th></tr>"
        )
        for row in group:
            parts.append(_scorecard_row(row, _overdue(row, marts)))
        parts.append("</table>")
    return parts


def _overdue(row: ScorecardRow, marts: dict) -> tuple | None:
    """The latest release of the indicator that is overdue, falls in the plan's period (a
    finished plan is not waiting for next year's figures) and is recent: a gap older than
    the alerts' window (HRSS_ALERT_OVERDUE_WINDOW_DAYS) is history, as in the alerts."""
    key = (row.plan_code, row.indicator_code, row.region_code)
    if key not in marts["targets"]:
        return None
    start, end = marts["targets"][key][-2:]
    since = date.today() - timedelta(days=alert_overdue_window_days())
    releases = marts["overdue"].get((row.indicator_code, row.region_code), [])
    late = [(p, due) for p, due, p_end in releases if start <= p_end <= end and due >= since]
    return late[-1] if late else None


def _scorecard_row(row: ScorecardRow, late: tuple | None) -> str:
    e = html.escape
    colour = STATUS_COLOURS.get(row.status, "#6e7781")
    badge = (
        f"<span class='status' style='background:{colour}' title='{e(row.status_reason or '')}'"
        f" data-status='{e(row.status)}'>{e(row.status_zh)}</span>"
    )
    if row.validation_flags:
        badge += f"<div class='flag'>⚠ 数据校验警告：{e(row.validation_flags)}</div>"
    target = fmt_target(row.target_notation, row.target_value, row.unit)
    period = row.observation_period_code or ("规划文件" if row.evidence_source else "—")
    fresh = e(f"截至 {period}") if row.actual_value is not None else "暂无数据"
    if late:
        fresh += f"<div class='overdue'>逾期未报：{e(late[0])}（应于 {e(str(late[1]))} 前）</div>"
    return (
        f"<tr data-indicator='{e(row.indicator_code)}' data-region='{e(row.region_code)}'>"
        f"<td>{e(row.indicator_name_zh)}</td><td>{e(row.region_name_zh)}</td>"
        f"<td class='num'>{e(fmt_number(row.actual_value, row.unit))}</td>"
        f"<td class='num'>{e(target)}</td>"
        f"<td class='pair'>{_measures(row)}</td>"
        f"<td>{badge}</td><td>{e(row.evaluation_category_zh or '')}</td>"
        f"<td>{e(SEVERITY_ZH.get(row.severity or '', ''))}</td>"
        f"<td>{fresh}</td></tr>"
    )


def _waiting_section(releases: list[ReleasesDue]) -> list[str]:
    """Before the first figure: say so, and what is due from whom (release calendar)."""
    e = html.escape
    parts = [
        "<section id='waiting'><h2>尚未收到数据</h2>",
        "<p>仓库中还没有载入任何统计数据，以下各规划指标均显示为“数据不足”。"
        "按报送日历（release_calendar.csv）应报的数据如下。</p>",
    ]
    if not releases:
        return [*parts, "<p>报送日历未列出当前规划指标的报送安排。</p></section>"]
    parts.append(
        "<table><tr><th>报送单位</th><th>指标</th><th>频率</th><th>地区数</th>"
        "<th>已逾期</th><th>最近应报期（截止日）</th><th>下一期（截止日）</th></tr>"
    )
    for item in releases:
        latest = (
            f"{item.latest_overdue_period}（{item.latest_overdue_due_date}）"
            if item.latest_overdue_period
            else "—"
        )
        upcoming = f"{item.next_period}（{item.next_due_date}）" if item.next_period else "—"
        parts.append(
            f"<tr data-indicator='{e(item.indicator_code)}'><td>{e(item.publisher_zh or '—')}</td>"
            f"<td>{e(item.indicator_name_zh)}</td>"
            f"<td>{e(FREQUENCY_ZH.get(item.frequency_code, item.frequency_code))}</td>"
            f"<td class='num'>{item.regions}</td><td class='num'>{item.overdue}</td>"
            f"<td>{e(latest)}</td><td>{e(upcoming)}</td></tr>"
        )
    return [*parts, "</table></section>"]


def _validation_section(results: Mapping[str, Any]) -> list[str]:
    """This run's validation findings: files quarantined whole by a critical rule, and
    warnings the data was published with."""
    items = []
    for file in (results.get("batch_validation") or {}).get("files", []):
        name = html.escape(str(file["file_name"]))
        for failure in file.get("critical_failures", []):
            items.append(
                f"<li><b>{name}</b>：严重（已隔离整个文件）— "
                f"{html.escape(failure['expectation_type'])}({html.escape(failure['column'])})</li>"
            )
        for warning in file.get("warnings", []):
            items.append(
                f"<li>{name}：警告（数据已发布并标记）— "
                f"{html.escape(warning['expectation_type'])}({html.escape(warning['column'])})</li>"
            )
    for suite in (results.get("marts_validation") or {}).get("suites", []):
        for warning in suite.get("warnings", []):
            items.append(
                f"<li>{html.escape(suite['suite'])}：警告 — "
                f"{html.escape(warning['expectation_type'])}({html.escape(warning['column'])})</li>"
            )
    if not items:
        return []
    return ["<h2>数据校验</h2><ul>", *items, "</ul>"]
