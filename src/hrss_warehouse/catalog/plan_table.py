"""Parse a plan's indicator table as published (专栏 / 表) into typed target rows.

Understands the notation of Chinese plan documents:

- units from the name's last bracket: ``（万人）`` ``（%）`` ``（万人次）`` ``(人)`` ``（家）`` ``（亿元）``;
- cumulative totals in ``( )`` ``[ ]`` ``{ }``, honouring a footnote that says which
  bracket means what (``注：（ ）内为五年累计数``);
- yearly growth rates ``年均增长6%以上`` (or a bracket a footnote calls 年均增速),
  compounded on the baseline into the level they imply (geometric trajectory);
- comparators ``≤3`` ``<3`` ``≥96`` ``>96`` ``96以上`` ``3以内`` ``控制在3%以内``, approximations
  ``约`` ``左右`` (comparator ``~``; a range ``5—10`` keeps ``>=``), and ``—`` ``——`` ``-`` or empty for no value;
- 预期性 → expected, 约束性 → binding; sections (一、就业 …) → domain; ``其中：`` rows
  keep their parent.

Nothing is guessed silently: a line that cannot be understood is reported with its
line number, text and reason, and the caller writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

KNOWN_UNITS = {
    "万人",
    "%",
    "万人次",
    "人",
    "人次",
    "家",
    "个",
    "亿元",
    "万元",
    "元",
    "名",
    "件",
    "项",
    "场",  # events (创业活动20场)
    "张",  # cards
    "万张",
    "人年",  # full-time-equivalent person-years (R&D personnel)
    "人/万人",  # per 10,000 population
    "期",  # training classes (高研班培训10-15期)
    "万元/人",  # labour productivity (全员劳动生产率, 002 L738)
    # Zhejiang's task section (002): 2万人年 (L1042), 3.5万家 (L1050), 15所 (L1066), 6万个 (L1116).
    "万人年",
    "万家",
    "所",
    "万个",
}
DOMAINS = {
    "就业": "employment",
    "社会保障": "social_security",
    "人才队伍建设": "talent",
    "人才": "talent",
    "劳动关系": "labour_relations",
    "公共服务": "public_service",
    # The first-level groups of talent-plan tables (浙江省人才发展“十四五”规划 表2).
    "人才总量": "talent",
    "人才结构": "talent",
    "人才效能和环境": "talent",
    "人才人事": "talent",
}
ATTRIBUTES = {"预期性": "expected", "约束性": "binding"}
# What an indicator *means* decides its direction, not the sign of target − baseline.
LOWER_IS_BETTER = ("失业率", "发生率", "死亡率", "欠薪", "拖欠")
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_NO_VALUE = {"", "-", "—", "——", "－", "–", "/"}
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*(.+)$")
_NUMBERED = re.compile(r"^(\d+)\s*[.．、]\s*(.+)$")
_SUB = re.compile(r"^其中\s*[:：]\s*(.+)$")
_TITLE = re.compile(r"^(专栏|表)\s*\d+")
_YEAR = re.compile(r"(\d{4})\s*年")


@dataclass
class LineError:
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.line}行 “{self.text}”: {self.reason}"


class PlanTableError(ValueError):
    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Notation:
    text: str
    value: float | None
    # "", "<", "<=", ">", ">=", or "~" for an approximate figure (约20 / 32.5左右): the
    # engine reads it as "about" (a reach target met near T, a bound held within a band).
    comparator: str = ""
    bracket: str = ""  # "(", "[", "{" or ""
    is_approximate: bool = False
    upper: float | None = None  # the top of a range target ("5—10个"); value is its bottom
    # "年均增长6%以上" / a bracket the footnote calls 年均增速: value is a yearly growth
    # rate in percent, not a level.
    is_growth_rate: bool = False


@dataclass
class PlanRow:
    line: int
    seq: int  # position in the table (1, 2, …); unnumbered 其中 rows get their own
    name_as_written: str
    name: str
    unit: str
    domain_code: str | None
    parent_seq: int | None
    baseline: Notation | None
    target: Notation | None
    result: Notation | None
    attribute: str | None
    written: dict[str, str] = field(default_factory=dict)  # value cells as printed, by role
    source_ref: str | None = None  # from a 来源 column, when the table has one
    target_kind: str = "none"
    direction: int = 1
    is_cumulative: bool = False
    # "geometric" when the target is a yearly growth rate applied to the baseline.
    trajectory_shape: str = "linear"
    # A 目标年份 / 完成年份 column overrides the table's year for one row (a target the
    # text dates 3年内, a result printed for 2019 only).
    target_year: int | None = None
    result_year: int | None = None


@dataclass
class PlanTable:
    rows: list[PlanRow] = field(default_factory=list)
    baseline_year: int | None = None
    target_year: int | None = None
    result_year: int | None = None
    cumulative_brackets: set[str] = field(default_factory=lambda: set(_BRACKETS))
    growth_brackets: set[str] = field(default_factory=set)
    footnotes: list[str] = field(default_factory=list)


def _strip(text: object) -> str:
    # Cells are kept as written (full-width brackets and all): notation and names are
    # recorded verbatim; matching normalises with _clean.
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or ""))).strip()


def parse_notation(raw: str) -> Notation | None:
    """``(12.34)`` ``≤3`` ``>96`` ``96以上`` ``控制在3%以内`` ``约20`` ``5左右`` → Notation;
    ``—`` / empty → None; anything else raises ValueError with the reason."""
    text = _clean(raw)
    if text in _NO_VALUE:
        return None
    # Peeled from the outside in: bracket, 年均 rate, 约/左右, worded comparator.
    bracket, body = _split_bracket(text)
    growth, body = _split_growth_rate(body)
    approximate, body = _split_approximation(body)
    comparator, body = _split_worded_comparator(body)
    if bounds := _range_bounds(body, text):
        low, high = bounds
        return Notation(
            text=str(raw).strip(),
            value=low,
            comparator=">=",
            bracket=bracket,
            is_approximate=approximate,
            upper=high,
            is_growth_rate=growth,
        )
    comparator, body = _split_symbol_comparator(body, comparator)
    if approximate and not comparator:
        comparator = "~"
    return Notation(
        text=str(raw).strip(),  # as printed
        value=_number(body, text),
        comparator=comparator,
        bracket=bracket,
        is_approximate=approximate,
        is_growth_rate=growth,
    )


def _split_bracket(text: str) -> tuple[str, str]:
    """``(12.34)`` → ("(", "12.34"): the bracket may say the figure is cumulative."""
    if text[:1] in _BRACKETS and text.endswith(_BRACKETS[text[:1]]):
        return text[:1], text[1:-1].strip()
    return "", text


def _split_growth_rate(body: str) -> tuple[bool, str]:
    """年均增长6%以上 / 年均增速6% / 年均6% → (True, "6%以上"): a compound yearly growth rate."""
    # A bare 年均 needs the % to be a rate: "年均1.2万人" would be a yearly amount.
    if (m := re.fullmatch(r"年均(增长|增速|递增)?率?\s*(.+)", body)) and (
        m.group(1) or "%" in m.group(2)
    ):
        return True, m.group(2).strip()
    return False, body


def _split_approximation(body: str) -> tuple[bool, str]:
    """``约20`` / ``5左右`` → (True, the figure)."""
    approximate = False
    if body.startswith("约"):
        approximate, body = True, body[1:].strip()
    if body.endswith("左右"):
        approximate, body = True, body[:-2].strip()
    return approximate, body


def _split_worded_comparator(body: str) -> tuple[str, str]:
    """``控制在3%以内`` and prose targets transcribed with their own words (超过65% /
    不少于2.25万人 / 不超过3%) → (comparator, the rest)."""
    comparator = ""
    if m := re.fullmatch(r"控制在(.+)以内", body):
        comparator, body = "<=", m.group(1)
    for word, symbol in (
        ("不少于", ">="),
        ("不低于", ">="),
        ("不超过", "<="),
        ("不高于", "<="),
        ("超过", ">"),
    ):
        if body.startswith(word):
            return symbol, body[len(word) :].strip()
    return comparator, body


def _range_bounds(body: str, text: str) -> tuple[float, float] | None:
    """``5—10`` / ``10-15`` → (5, 10): a range, met once its bottom is reached."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[-—–~～至]\s*(\d+(?:\.\d+)?)", body)
    if m is None:
        return None
    low, high = float(m.group(1)), float(m.group(2))
    if low >= high:
        raise ValueError(f"范围“{text}”的下限不小于上限")
    return low, high


def _split_symbol_comparator(body: str, comparator: str) -> tuple[str, str]:
    """``96以上`` ``3以内`` ``≤3`` ``>96`` → (comparator, the figure); ``comparator`` is the
    one found so far, kept when the body has none of its own."""
    for suffix, symbol in (("以内", "<="), ("以下", "<="), ("以上", ">=")):
        if body.endswith(suffix):
            comparator, body = symbol, body[: -len(suffix)].strip()
    for prefix, symbol in (
        ("≤", "<="),
        ("<=", "<="),
        ("≥", ">="),
        (">=", ">="),
        ("<", "<"),
        (">", ">"),
    ):
        if body.startswith(prefix):
            return symbol, body[len(prefix) :].strip()
    return comparator, body


def _number(body: str, text: str) -> float:
    """The figure left once notation is peeled off (``12.5%``, ``1,200``); ``text`` names
    the whole cell in the error."""
    try:
        return float(body.removesuffix("%").replace(",", "").strip())
    except ValueError:
        raise ValueError(f"数值“{text}”无法识别") from None


def split_name(name_as_written: str) -> tuple[str, str]:
    """Name as written → (name without unit/qualifiers/其中, unit); ValueError if no known unit."""
    text = _clean(name_as_written)
    text = _SUB.sub(r"\1", text)
    groups = re.findall(r"\(([^()]*)\)", text)
    if not groups:
        raise ValueError("指标名称中没有单位（如“（万人）”）")
    unit = groups[-1].strip()
    if unit not in KNOWN_UNITS:
        raise ValueError(f"单位“{unit}”无法识别")
    name = re.sub(r"\([^()]*\)", "", text).strip()
    return name, unit


def direction_of(name: str) -> int:
    return -1 if any(word in name for word in LOWER_IS_BETTER) else 1


def target_kind_of(row: PlanRow, cumulative_brackets: set[str]) -> str:
    """The rules, in order (docs/catalog.md explains each with its source line)."""
    target, baseline = row.target, row.baseline
    if target is None:
        return "none"
    if target.is_growth_rate:
        # A level reached by compounding the rate on the baseline (geometric trajectory).
        return "level"
    if row.name.startswith("每年"):
        return "annual"
    if target.bracket and target.bracket in cumulative_brackets:
        return "cumulative"
    # A flow over the plan period (新增…, 新引进…, 新建…, 累计…) is a total even without brackets.
    if row.name.startswith(("新增", "新引进", "新建", "累计")):
        return "cumulative"
    if target.comparator in ("<", "<="):
        return "bound_max"
    has_baseline = baseline is not None and baseline.value is not None
    if target.comparator in (">", ">=") and not has_baseline:
        # Without a baseline a "达到35%以上" is a level to reach by the end of the plan.
        return "level"
    if has_baseline and not baseline.bracket:
        # A target at or "behind" the baseline (plain, ~ or ≥: 基本医疗保险参保率 >98 → >98)
        # is a bound to hold, not a decline to achieve. Beyond it, a >/≥ target is a level
        # to reach (基本养老保险参保率 >95 → >96: 专栏4 says 进一步提高, 003 L214).
        if row.direction == 1 and target.value <= baseline.value:
            return "bound_min"
        if row.direction == -1 and target.value >= baseline.value:
            return "bound_max"
    if not has_baseline and row.direction == -1:
        # Nobody plans to *reach* an unemployment rate: a plain figure is its ceiling
        # (邵阳“十三五”城镇登记失业率 4.5, which the text calls 稳定在4.5%以内, 002 L200).
        return "bound_max"
    return "level"


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) from plain text / TSV (tab-separated), CSV, or .xlsx."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        return [(i, [_strip(c) for c in row]) for i, row in enumerate(sheet, start=1)]
    text = path.read_bytes().decode("utf-8-sig")
    if suffix == ".csv":
        reader = csv.reader(io.StringIO(text))
        return [(reader.line_num, [_strip(c) for c in row]) for row in reader]
    return [
        (i, [_strip(c) for c in line.split("\t")]) for i, line in enumerate(text.splitlines(), 1)
    ]


def _header_roles(cells: list[str]) -> tuple[list[str], dict[str, int | None]] | None:
    if not cells or _clean(cells[0]) not in ("指标", "指标名称"):
        return None
    roles, years = [], {}
    for cell in map(_clean, cells[1:]):
        year = _YEAR.search(cell)
        if cell in ("目标年份", "完成年份"):
            roles.append("target_year" if cell == "目标年份" else "result_year")
            continue
        if "基数" in cell or "基期" in cell:
            role = "baseline"
        elif "完成" in cell:
            role = "result"
        elif "目标" in cell:
            role = "target"
        elif "属性" in cell:
            role = "attribute"
        elif cell in ("来源", "source", "source_ref"):
            role = "source"
        else:
            return None
        roles.append(role)
        years[role] = int(year.group(1)) if year else None
    return roles, years


@dataclass
class _Reading:
    """What parsing has met so far: the table and its errors, the header's column roles,
    the section's domain, and the last top-level row (the parent of 其中 rows)."""

    table: PlanTable = field(default_factory=PlanTable)
    errors: list[LineError] = field(default_factory=list)
    roles: list[str] | None = None
    domain: str | None = None
    parent: PlanRow | None = None


def parse_plan_table(path: Path) -> PlanTable:
    """Read every line (header, titles, footnotes, sections, indicator rows), then decide
    each row's target kind; raises PlanTableError listing every line not understood."""
    reading = _Reading()
    for line, cells in read_rows(path):
        _read_line(reading, line, _without_trailing_empty(cells))
    if reading.roles is None:
        reading.errors.append(LineError(0, "", "没有找到表头（第一列为“指标”的行）"))
    if reading.errors:
        raise PlanTableError(reading.errors)
    table = reading.table
    for row in table.rows:
        _mark_growth_target(row, table, reading.errors)
    if reading.errors:
        raise PlanTableError(reading.errors)
    _classify_targets(table)
    return table


def _without_trailing_empty(cells: list[str]) -> list[str]:
    """The cells up to the last filled one (spreadsheets pad rows with empty cells)."""
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _read_line(reading: _Reading, line: int, cells: list[str]) -> None:
    """One line: a header, a title, a footnote, a section or an indicator row."""
    if not cells:
        return
    first, text = _clean(cells[0]), "\t".join(cells)
    if header := _header_roles(cells):
        reading.roles, years = header
        reading.table.baseline_year = years.get("baseline")
        reading.table.target_year = years.get("target")
        reading.table.result_year = years.get("result")
        return
    if _TITLE.match(first) and len(cells) == 1:
        return
    if re.match(r"^注\s*[:：]", first):
        reading.table.footnotes.append(first)
        _apply_footnote(first, reading.table)
        return
    if (m := _SECTION.match(first)) and len(cells) == 1:
        label = m.group(1).strip()
        reading.domain = DOMAINS.get(label)
        if reading.domain is None:
            reading.errors.append(LineError(line, text, f"分组“{label}”无法对应到领域"))
        return
    _read_indicator(reading, line, cells, text)


def _read_indicator(reading: _Reading, line: int, cells: list[str], text: str) -> None:
    """A numbered row (``1. 城镇新增就业（万人）``) or a ``其中：`` row under one → a PlanRow."""
    first = _clean(cells[0])
    numbered, sub = _NUMBERED.match(first), _SUB.match(first)
    if not numbered and not sub:
        reading.errors.append(LineError(line, text, "无法识别的行（不是表头、分组、指标或注释）"))
        return
    roles = reading.roles
    if roles is None:
        reading.errors.append(LineError(line, text, "指标行出现在表头之前"))
        return
    written = re.sub(r"^\d+\s*[.．、]\s*", "", cells[0]) if numbered else cells[0]
    name_as_written = written.strip()
    is_sub = bool(_SUB.match(name_as_written))
    try:
        values = _value_cells(cells, roles)
        name, unit = split_name(name_as_written)
        parsed = _parse_values(roles, values)
    except ValueError as exc:
        reading.errors.append(LineError(line, text, str(exc)))
        return
    if is_sub and reading.parent is None:
        reading.errors.append(LineError(line, text, "“其中”行前没有上级指标"))
        return
    row = PlanRow(
        line=line,
        seq=len(reading.table.rows) + 1,
        name_as_written=name_as_written,
        name=name,
        unit=unit,
        domain_code=reading.domain,
        parent_seq=reading.parent.seq if is_sub and reading.parent else None,
        baseline=parsed.get("baseline"),
        target=parsed.get("target"),
        result=parsed.get("result"),
        attribute=parsed.get("attribute"),
        source_ref=parsed.get("source"),
        written=dict(zip(roles, values, strict=True)),
        direction=direction_of(name),
        target_year=parsed.get("target_year"),
        result_year=parsed.get("result_year"),
    )
    if not is_sub:
        reading.parent = row
    reading.table.rows.append(row)


def _value_cells(cells: list[str], roles: list[str]) -> list[str]:
    """The row's value cells, one per header role; ValueError when the count is off."""
    values = cells[1:]
    if len(values) < len(roles):
        if not any(values):
            raise ValueError(f"缺少{len(roles)}列数值")
        raise ValueError(f"应有{len(roles)}列数值，只有{len(values)}列")
    if len(values) > len(roles):
        raise ValueError(f"应有{len(roles)}列数值，却有{len(values)}列")
    return values


def _parse_values(roles: list[str], values: list[str]) -> dict[str, Any]:
    """Value cells by role: a 来源 as written, 预期性/约束性 as expected/binding, and
    figures as Notation (ValueError with the reason for any cell not understood)."""
    parsed: dict[str, Any] = {}
    for role, value in zip(roles, values, strict=True):
        if role == "source":
            parsed[role] = value or None
        elif role in ("target_year", "result_year"):
            if value and not re.fullmatch(r"\d{4}", _clean(value)):
                raise ValueError(f"年份“{value}”应为四位数字")
            parsed[role] = int(_clean(value)) if value else None
        elif role == "attribute":
            attribute = _clean(value)
            if not attribute:
                # A target stated only in the plan's text, transcribed into its table, has
                # no printed attribute.
                parsed[role] = None
                continue
            if attribute not in ATTRIBUTES:
                raise ValueError(f"属性“{attribute}”应为 预期性 或 约束性")
            parsed[role] = ATTRIBUTES[attribute]
        else:
            parsed[role] = parse_notation(value)
    return parsed


def _classify_targets(table: PlanTable) -> None:
    """Each row's target kind and trajectory shape, decided only once the whole table is
    read: a footnote saying what a bracket means may come after the rows."""
    for row in table.rows:
        row.target_kind = target_kind_of(row, table.cumulative_brackets)
        row.is_cumulative = row.target_kind == "cumulative"
        if row.target is not None and row.target.is_growth_rate:
            row.trajectory_shape = "geometric"


def _mark_growth_target(row: PlanRow, table: PlanTable, errors: list[LineError]) -> None:
    """A target written as a yearly growth rate (年均增长6%, or in a bracket the footnote
    calls 年均增速) on an indicator that is itself a level: it needs a positive baseline
    to compound from. An indicator that *is* a growth rate (全员劳动生产率年均增长（%）)
    keeps its figure as a plain level to reach."""
    target = row.target
    if target is None:
        return
    if target.bracket and target.bracket in table.growth_brackets and not target.is_growth_rate:
        target = row.target = replace(target, is_growth_rate=True)
    if not target.is_growth_rate:
        return
    if row.unit == "%" and re.search(r"增长|增速", row.name):
        row.target = replace(target, is_growth_rate=False)
        return
    text = f"{row.name_as_written}\t{target.text}"
    if row.baseline is None or row.baseline.value is None or row.baseline.bracket:
        errors.append(LineError(row.line, text, "年均增速目标需要基数，才能换算为目标年的水平"))
    elif row.baseline.value <= 0:
        errors.append(LineError(row.line, text, "基数为零或负数，无法按年均增速复利换算"))


def _apply_footnote(text: str, table: PlanTable) -> None:
    """``注：（ ）内为五年累计数`` → round brackets mean cumulative; a bracket the footnote
    gives another meaning (``[ ]内为年均增速``) stops meaning cumulative."""
    normalized = _clean(text)
    for match in re.finditer(r"([(\[{])\s*[)\]}]\s*内为([^，。;；]+)", normalized):
        bracket, meaning = match.group(1), match.group(2)
        if "累计" in meaning or "积累" in meaning:
            table.cumulative_brackets.add(bracket)
        else:
            table.cumulative_brackets.discard(bracket)
            if re.search(r"年均(增速|增长)", meaning):
                table.growth_brackets.add(bracket)
