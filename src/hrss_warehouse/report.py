"""The nightly HTML report: one self-contained file (no CDN, no external fonts or scripts).

First version: the scorecard grouped by domain, status in colour, the run's load
counts and quarantined rows, and links to the Great Expectations Data Docs.
Trajectory charts are not built yet.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from hrss_warehouse.config import Settings
from hrss_warehouse.scorecard import display_row, read_scorecard

STATUS_COLOURS = {
    "achieved": "#1a7f37",
    "on_track": "#2da44e",
    "compliant": "#2da44e",
    "too_early": "#6e7781",
    "needs_acceleration": "#bf8700",
    "lagging": "#d1242f",
    "regressing": "#a40e26",
    "breached": "#a40e26",
    "no_data": "#6e7781",
}

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1f2328}
table{border-collapse:collapse;margin-bottom:1.5rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
.status{color:#fff;border-radius:.3rem;padding:.1rem .4rem;white-space:nowrap}
.flag{color:#9a6700;font-size:.85em}
"""


def _link(target: Path, base: Path) -> str:
    return html.escape(os.path.relpath(target, base))


def write_report(settings: Settings, results: Mapping[str, Any]) -> str:
    from hrss_warehouse.validate import data_docs_index

    rows = read_scorecard(settings.warehouse)
    out = settings.report_dir / "index.html"
    ingest = results.get("ingest") or {}
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<title>规划指标进度报告</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>规划指标进度报告</h1>",
        f"<p>生成时间 {html.escape(datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'))}；",
        f"本次处理文件 {len(ingest.get('files', []))} 个，",
        f"载入 {ingest.get('rows_loaded', 0)} 行，隔离 {ingest.get('rows_quarantined', 0)} 行。</p>",
    ]
    from hrss_warehouse.dbt_runner import docs_index

    links = [
        (data_docs_index(settings), "数据校验报告（GX Data Docs）"),
        (docs_index(settings), "数据模型文档（dbt docs：表、字段、测试、血缘）"),
    ]
    shown = [f"<a href='{_link(p, out.parent)}'>{t}</a>" for p, t in links if p.is_file()]
    if shown:
        parts.append("<p>" + " · ".join(shown) + "</p>")
    for plan_code, plan_rows in groupby(rows, key=lambda r: r.plan_code):
        plan_rows = list(plan_rows)
        parts.append(
            f"<h2>{html.escape(plan_rows[0].plan_name_zh)} ({html.escape(plan_code)})</h2>"
        )
        parts.extend(_domain_tables(plan_rows))
    parts.extend(_validation_section(results))
    quarantined = [f for f in ingest.get("files", []) if f.get("rows_quarantined")]
    if quarantined:
        parts.append("<h2>隔离的数据</h2><ul>")
        for item in quarantined:
            parts.append(
                f"<li>{html.escape(str(item['file_name']))}：隔离 {item['rows_quarantined']} 行"
                f"（{html.escape(str(item['status']))}）<ul>"
                + "".join(f"<li>{html.escape(m)}</li>" for m in item.get("messages", []))
                + "</ul></li>"
            )
        parts.append("</ul>")
    parts.append("</body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return str(out)


def _domain_tables(rows: list) -> list[str]:
    parts: list[str] = []
    for domain, group in groupby(rows, key=lambda r: r.domain_name_zh):
        parts.append(f"<h3>{html.escape(domain)}</h3><table><tr>")
        group_rows = list(group)
        headers = [h for h in display_row(group_rows[0]) if h != "领域"]
        parts.append("".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr>")
        for row in group_rows:
            cells = display_row(row)
            parts.append("<tr>")
            for header in headers:
                text = html.escape(cells[header])
                if header == "状态":
                    colour = STATUS_COLOURS.get(row.status, "#6e7781")
                    title = html.escape(row.status_reason or "")
                    badge = f"<span class='status' style='background:{colour}' title='{title}'>"
                    label = html.escape(row.status_zh)
                    flag = (
                        f"<div class='flag'>⚠ 数据校验警告：{html.escape(row.validation_flags)}</div>"
                        if row.validation_flags
                        else ""
                    )
                    parts.append(f"<td>{badge}{label}</span>{flag}</td>")
                else:
                    numeric = header in ("实际值", "目标", "完成度", "时序进度")
                    parts.append(f"<td class='{'num' if numeric else ''}'>{text}</td>")
            parts.append("</tr>")
        parts.append("</table>")
    return parts


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
