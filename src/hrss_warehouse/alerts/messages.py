"""Alert texts, in Chinese by default (HRSS_ALERT_LANGUAGE=en for English), with the
numbers as a bureau writes them (24.4万人, 目标完成率 93.8%, 进度完成度 66.0%, 时序进度
80.0%, 低于时序进度 14.0 个百分点).

Text that came from outside — a file name, an error quoting a cell, a sheet, an
indicator, region or plan name a department typed — is data, not markup: ``plain``
makes it one line without control characters, turns the characters that are markup
in DingTalk, Feishu, WeCom or an HTML e-mail into their full-width twins (``*`` → ``＊``,
``<`` → ``＜``, ``@`` → ``＠``, …), breaks ``://`` and ``www.`` so nothing links, and caps
its length. Only the texts we write ourselves (headings, bold, the report link) render.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hrss_warehouse.formatting import fmt_number, fmt_target
from hrss_warehouse.report.measures import Measures, gap_words, measures

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低", None: "—"}

# Every character that is markup inside a line for one of the renderers we send to
# becomes its full-width twin: it reads the same and renders as itself. Not a backslash
# or an HTML entity: DingTalk and WeCom document neither. `#`, `>`, `-`, `+`, `1.` are
# markup only at the start of a line, which delivered text never is once its line
# breaks are gone, and `(` only after a `]`: they stay, so a target still reads ">96"
# and a file "报表(1).xlsx". So does `_` between two letters or digits, which CommonMark
# and Python-Markdown never read as emphasis: "30_skilled_2025.csv" and
# "expect_column_values_to_be_between" stay as written, "_斜体_" does not.
_INERT = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        "|": "｜",
        "@": "＠",  # @所有人, @all, @13800138000, <@userid> mention no one
    }
)
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# "&lt;" would render as "<"; "R&D" is just text.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]{1,32};)")
_WWW = re.compile(r"www\.", re.IGNORECASE)
# The event fields that hold delivered or typed text, and how much of each to show.
_UNTRUSTED = {
    "indicator_name_zh": 120,
    "indicator_name_en": 120,
    "region_name_zh": 60,
    "plan_name_zh": 120,
    "publisher_zh": 60,
    "period_code": 40,
    "unit": 20,
    "target_notation": 40,
    "file_name": 160,
    "first_error": 300,
    "error": 300,
}


def plain(text: object, limit: int = 200) -> str:
    """Untrusted text made safe to show in a message: one line, no control characters,
    no markup, mentions or live links, at most ``limit`` characters (then "…")."""
    if text is None:
        return ""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if char.isspace():
            kept.append(" ")
        elif category == "Cs":  # half of a byte pair an undecodable file name left behind
            kept.append("\ufffd")
        elif category not in ("Cc", "Cf"):  # NUL, DEL, bidi overrides, zero-width joiners
            kept.append(char)
    line = " ".join("".join(kept).split()).translate(_INERT)
    line = _EDGE_UNDERSCORE.sub("＿", line)
    line = _ENTITY.sub("＆", line).replace("://", "：//")
    line = _WWW.sub(lambda m: m.group(0)[:3] + "．", line)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Described:
    title: str
    line: str


def _target(e: dict) -> str:
    """As the plan writes it, the unit in its place (32.5万人左右, ≤3%), as the report does."""
    return fmt_target(e.get("target_notation"), e.get("target_value"), e.get("unit") or "")


def _figures(e: dict, zh: bool) -> str:
    """The measures the status is judged on, labelled (report/measures.py): 目标完成率,
    进度完成度 beside 时序进度 and the points between them; 目标完成率（累计） alone for a
    total; compliance and 余量 for a bound (no 完成度, no time share); 年均增长 for a
    growth-rate target."""
    m = measures(e)
    if m.shape == "bound":
        return (m.headroom or "") if zh else _bound_en(e, m)
    sep = "，" if zh else ", "
    labels = (
        ("目标完成率（累计）" if m.shape == "total" else "目标完成率", "进度完成度", "时序进度")
        if zh
        else (
            "share of target to date" if m.shape == "total" else "share of target",
            "progress since baseline",
            "time share",
        )
    )
    shown = [
        f"{label} {value}"
        for label, value in zip(labels, (m.attainment, m.progress, m.elapsed), strict=True)
        if value is not None
    ]
    gap = gap_words(m, "zh" if zh else "en")
    if gap:
        shown.append(gap)
    growth = m.growth if zh else m.growth_en
    if growth:
        shown.append(growth)
    return sep.join(shown)


def _bound_en(e: dict, m: Measures) -> str:
    headroom = e.get("headroom")
    if headroom is None:
        return ""
    amount = fmt_number(abs(headroom)) + (
        " points" if e.get("unit") == "%" else e.get("unit") or ""
    )
    if m.compliance == "达标":
        return f"within the bound, headroom {amount}"
    if headroom == 0:
        return "at the bound (the target is strict)"
    return f"{'above the ceiling' if m.compliance == '超限' else 'below the floor'} by {amount}"


def _progress(e: dict, lang: str) -> str:
    """actual vs expected, the labelled measures, projection: what a target row says."""
    unit = e.get("unit") or ""
    zh = lang != "en"
    parts = [
        (f"截至 {e['as_of_date']} 实际 " if zh else f"at {e['as_of_date']}: actual ")
        + fmt_number(e.get("actual_value"), unit)
    ]
    if e.get("expected_value") is not None:
        parts.append(
            ("按进度应达 " if zh else "expected on the trajectory ")
            + fmt_number(e["expected_value"], unit)
        )
    figures = _figures(e, zh)
    if figures:
        parts.append(figures)
    if e.get("projected_end_value") is not None:
        parts.append(
            ("按趋势期末 " if zh else "projected at the plan end ")
            + fmt_number(e["projected_end_value"], unit)
        )
    parts.append(("目标 " if zh else "target ") + _target(e))
    return ("；" if zh else "; ").join(parts)


def describe(e: dict, lang: str = "zh") -> Described:
    """An event's title and one-line message in ``lang``, its untrusted text made plain."""
    e = {**e, **{k: plain(e[k], n) for k, n in _UNTRUSTED.items() if e.get(k) is not None}}
    kind = e["event_kind"]
    if kind not in _DESCRIBERS:
        raise ValueError(f"unknown alert kind {kind}")
    return _DESCRIBERS[kind](e, lang != "en")


def _name(e: dict, zh: bool) -> str | None:
    """The indicator's name in the message's language (Chinese when it has no English)."""
    return (
        e.get("indicator_name_zh")
        if zh
        else (e.get("indicator_name_en") or e.get("indicator_name_zh"))
    )


def _describe_trajectory(e: dict, zh: bool) -> Described:
    """A target that changed status: into one that needs action, or recovered."""
    name, where = _name(e, zh), e.get("region_name_zh") or ""
    recovered = e["event_kind"] == "recovery"
    status = e["status_zh"] if zh else e["status_en"]
    before = e.get("previous_status_zh" if zh else "previous_status_en") or e.get("previous_status")
    if zh:
        change = f"此前状态 {before}" if before else "首次评估"
        if e.get("previous_actual_value") is not None:
            change += f"，上次实际 {fmt_number(e['previous_actual_value'], e.get('unit') or '')}"
        head = f"已恢复：{status}" if recovered else status
        line = f"**{head}** · {name} · {where}（{e['plan_name_zh']}）：{_progress(e, 'zh')}。{change}。"
        return Described(f"{head}：{name}（{where}）", line)
    change = f"was {before}" if before else "first evaluation"
    head = f"Recovered: {status}" if recovered else status
    line = f"**{head}** · {name} · {where} ({e['plan_code']}): {_progress(e, 'en')}. {change}."
    return Described(f"{head}: {name} ({where})", line)


def _describe_overdue(e: dict, zh: bool) -> Described:
    """The latest figure the release calendar expected has not arrived."""
    name, where = _name(e, zh), e.get("region_name_zh") or ""
    if zh:
        line = (
            f"**数据逾期** · {name} · {where}：{e['period_code']} 的数据应于 {e['due_date']} 前报送"
            f"（{e.get('publisher_zh') or '报送单位'}），尚未收到。"
        )
        return Described(f"数据逾期：{name}（{where}）", line)
    line = f"**Release overdue** · {name} · {where}: {e['period_code']} was due by {e['due_date']}."
    return Described(f"Release overdue: {name} ({where})", line)


def _describe_quarantine(e: dict, zh: bool) -> Described:
    """A delivered file validation quarantined whole, with the validation's reason."""
    if zh:
        line = f"**文件被隔离** · {e['file_name']}（{e['rows_in']} 行未发布）：{e['first_error']}"
        return Described(f"文件被隔离：{e['file_name']}", line)
    line = f"**File quarantined** · {e['file_name']} ({e['rows_in']} rows not published): {e['first_error']}"
    return Described(f"File quarantined: {e['file_name']}", line)


def _describe_revision(e: dict, zh: bool) -> Described:
    """A published figure revised beyond the tolerance: first value, now, and by how much."""
    name, where = _name(e, zh), e.get("region_name_zh") or ""
    unit = e.get("unit") or ""
    ratio = e.get("revision_ratio")
    change = f"（{ratio * 100:+.1f}%）" if ratio is not None else ""
    if zh:
        line = (
            f"**数据大幅修订** · {name} · {where} · {e['period_code']}：首次发布 "
            f"{fmt_number(e['first_published_value'], unit)}，现为 {fmt_number(e['value'], unit)}{change}，"
            f"来自 {e['file_name']}。"
        )
        return Described(f"数据大幅修订：{name}（{where}）", line)
    line = (
        f"**Material revision** · {name} · {where} · {e['period_code']}: first published "
        f"{fmt_number(e['first_published_value'], unit)}, now {fmt_number(e['value'], unit)}{change}."
    )
    return Described(f"Material revision: {name} ({where})", line)


def _describe_failure(e: dict, zh: bool) -> Described:
    """A task that failed for good, with the gist of its error."""
    if zh:
        line = f"**流水线失败** · 任务 {e['task_id']}（运行 {e['run_id']}）：{e['error']}"
        return Described(f"流水线失败：{e['task_id']}", line)
    line = f"**Pipeline failure** · task {e['task_id']} (run {e['run_id']}): {e['error']}"
    return Described(f"Pipeline failure: {e['task_id']}", line)


_DESCRIBERS = {
    "trajectory": _describe_trajectory,
    "recovery": _describe_trajectory,
    "release_overdue": _describe_overdue,
    "batch_quarantined": _describe_quarantine,
    "material_revision": _describe_revision,
    "pipeline_failure": _describe_failure,
}


def _marker(e: dict, zh: bool) -> str:
    if e["event_kind"] == "recovery":
        return "恢复" if zh else "recovered"
    return SEVERITY_ZH[e.get("severity")] if zh else (e.get("severity") or "-")


def _chart(e: dict, report_url: str, zh: bool) -> str:
    """The report's trajectory chart of the target (PNG: e-mail clients show no SVG)."""
    from hrss_warehouse.report.charts import chart_url

    if e["event_kind"] not in ("trajectory", "recovery"):
        return ""
    url = chart_url(report_url, e["plan_code"], e["indicator_code"], e["region_code"])
    return (f" 图表：{url}" if zh else f" Chart: {url}") if url else ""


def digest(
    events: list[dict], lang: str, report_url: str, reminders: list[dict] | None = None
) -> tuple[str, str]:
    """One message for one channel: this run's events, most severe first, then what is
    still open (a reminder), then the report link."""
    zh = lang != "en"
    events = sorted(events, key=lambda e: (SEVERITY_ORDER.get(e.get("severity"), 3), e["line"]))
    counts = {s: sum(e.get("severity") == s for e in events) for s in ("high", "medium", "low")}
    recovered = sum(e["event_kind"] == "recovery" for e in events)
    if zh:
        title = f"人社规划指标预警：{len(events)} 条" + (
            "（"
            + "，".join(f"{SEVERITY_ZH[s]} {n}" for s, n in counts.items() if n)
            + (f"，恢复 {recovered}" if recovered else "")
            + "）"
            if events
            else ""
        )
    else:
        title = f"HRSS plan indicator alerts: {len(events)}"
    if not events and reminders:
        title = (
            f"人社规划指标预警提醒：仍有 {len(reminders)} 项未解决"
            if zh
            else f"HRSS plan indicator alerts: {len(reminders)} still open"
        )
    lines = [f"- [{_marker(e, zh)}] {e['line']}{_chart(e, report_url, zh)}" for e in events]
    if reminders:
        lines.append("")
        lines.append("**仍未解决**" if zh else "**Still open**")
        lines += [f"- {r['line']}" for r in reminders]
    lines.append("")
    lines.append(("完整报告：" if zh else "Full report: ") + report_url)
    return title, "\n".join(lines)
