"""Turn one landing row's text into typed fields, or say precisely why it cannot be.

Every rejection is a ``RowProblem`` with a stable ``reason_code`` (for machines and
dashboards) and a Chinese message a department can act on
(``第12行 字段“数值”：“四点六”无法识别为数字``).
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

# Stable reason codes. Add, never rename: BI filters and alert routing use them.
REASONS = {
    "file_not_utf8": "文件编码无法识别（应为UTF-8）",  # retired: GBK is read now
    "file_encoding_unknown": "文件编码无法识别（支持UTF-8、GBK/GB18030、UTF-16）",
    "file_empty": "文件为空或只有表头",
    "file_type_unsupported": "文件类型不受支持（应为 .csv、.xlsx 或 .xls）",
    "file_unreadable": "文件已损坏或不是所标示的格式",
    "file_too_large": "文件过大，未解析",
    "file_suspicious": "文件结构异常（疑似压缩炸弹），未解析",
    "parse_timeout": "解析超时，未载入",
    "parse_failed": "解析进程异常退出（内存超限或文件异常），未载入",
    "header_not_found": "找不到表头（应有指标、地区、统计期、数值等列，或以月份/年份/地区为列）",
    "header_missing_column": "表头缺少必填列",
    "indicator_missing": "指标代码和指标名称均为空",
    "indicator_unknown": "指标不在目录中",
    "region_missing": "地区代码和地区名称均为空",
    "region_unknown": "地区不在目录中",
    "period_missing": "统计期为空",
    "period_invalid": "统计期格式无法识别",
    "period_year_missing": "统计期缺少年份（表题、工作表名和表头都没有给出年份）",
    "period_in_future": "统计期晚于今天",
    "value_missing": "数值为空",
    "value_not_numeric": "数值无法识别为数字",
    "unit_missing": "单位为空",
    "unit_not_convertible": "单位无法换算为目录单位",
    "basis_invalid": "口径无法识别（应为 当期/累计/期末）",
    "basis_conflict": "口径与统计期矛盾",
    "duplicate_in_file": "同一文件内重复的指标、地区、统计期",
    "batch_validation_failed": "所在文件未通过数据校验",
    "symlink_refused": "落地目录中的符号链接不被读取（请直接放入文件本身）",
    "file_not_regular": "不是普通文件（管道、设备等），未读取",
    "parse_output_too_large": "解析结果过大（问题行过多或单元格过长），未载入",
}

# Text a department typed is kept, but not without bound: a 5 MB cell in 备注 would
# otherwise travel into every table, message and report that shows it. The archived
# file keeps the original.
MAX_TEXT_CHARS = 2000


def clip(text: str | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    """``text`` cut to ``limit`` characters, saying so and how long it was."""
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}…（已截断，原文共 {len(text)} 字）"


# Canonical column → accepted header spellings (compared after NFKC + lower-case).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator_code": ("指标代码", "indicator_code"),
    "indicator_name": ("指标名称", "指标", "indicator_name", "indicator"),
    "region_code": ("地区代码", "行政区划代码", "region_code"),
    "region_name": ("地区", "地区名称", "region_name", "region"),
    "period": ("统计期", "时期", "period"),
    "value": ("数值", "值", "value"),
    "unit": ("单位", "计量单位", "unit"),
    "basis": ("口径", "basis"),
    "source": ("来源", "source"),
    "note": ("备注", "note"),
}
REQUIRED_GROUPS = (
    ("indicator_code", "indicator_name"),
    ("region_code", "region_name"),
    ("period",),
    ("value",),
    ("unit",),
)
HEADER_ZH = {
    "indicator_code": "指标代码",
    "indicator_name": "指标名称",
    "region_code": "地区代码",
    "region_name": "地区",
    "period": "统计期",
    "value": "数值",
    "unit": "单位",
    "basis": "口径",
}

BASIS = {
    "当期": "period",
    "period": "period",
    "累计": "ytd",
    "ytd": "ytd",
    "期末": "end",
    "end": "end",
}

# Compared after NFKC (as every cell is), which turns “……” into “......”.
_MISSING = {
    unicodedata.normalize("NFKC", m)
    for m in ("", "-", "—", "——", "–", "…", "……", "...", "/", "n/a", "na", "null")
}


# Not frozen: raising an exception sets attributes (__traceback__) on it.
@dataclass
class RowProblem(Exception):
    reason_code: str
    field: str | None
    text: str | None

    def message_zh(
        self,
        file_name: str,
        line: int,
        *,
        sheet: str | None = None,
        column: str | None = None,
        cell: str | None = None,
    ) -> str:
        """``文件“x.xlsx”工作表“就业”第12行（单元格D12） 字段“3月”：“四点六” 数值无法识别为数字`` —
        the column a department sees (a wide sheet's 3月) rather than the canonical field
        name, and in a spreadsheet the cell's address."""
        where = f"文件“{file_name}”" + (f"工作表“{sheet}”" if sheet else "") + f"第{line}行"
        where += f"（单元格{cell}）" if cell else ""
        shown_field = column if column and self.field == "value" else None
        shown_field = shown_field or (
            HEADER_ZH.get(self.field or "", self.field) if self.field else None
        )
        field = f" 字段“{shown_field}”" if shown_field else ""
        shown = f"：“{clip(self.text, 200)}”" if self.text not in (None, "") else ""
        return f"{where}{field}{shown} {REASONS[self.reason_code]}"


@dataclass(frozen=True)
class Period:
    """A reference period. ``grain`` is the length of the period the value describes
    when ``basis`` is ``period``; a year-to-date value has grain ``month`` and
    basis ``ytd`` with ``start_date`` on 1 January."""

    code: str
    grain: str  # year | half | quarter | month
    start_date: date
    end_date: date
    implied_basis: str | None = None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _text(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


_HEADER_LOOKUP = {
    alias.lower(): canonical for canonical, aliases in HEADER_ALIASES.items() for alias in aliases
}


def canonical_column(cell: object) -> str | None:
    """A header cell → its canonical column (``指标名称`` → indicator_name), or None."""
    return _HEADER_LOOKUP.get(_text(cell).replace(" ", "").lower())


def missing_columns(present: set[str]) -> list[str]:
    """The required column groups none of whose columns is ``present``, in Chinese."""
    return [
        "|".join(HEADER_ZH.get(c, c) for c in group)
        for group in REQUIRED_GROUPS
        if not any(c in present for c in group)
    ]


def is_missing(raw: object) -> bool:
    """``—`` ``-`` ``…`` ``/`` or blank: no figure (never zero)."""
    return _text(raw).replace(" ", "").lower() in _MISSING


_YEAR = re.compile(r"(\d{4})年?")
_MONTH = re.compile(r"(\d{4})(?:年|-|/|\.)(\d{1,2})月?")
_QUARTER = re.compile(r"(\d{4})(?:年)?(?:Q|第)([1-4一二三四])(?:季度)?", re.IGNORECASE)
_YTD = re.compile(r"(\d{4})年?1[-~至—–－](\d{1,2})月")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T00:00:00)?")
_WITHOUT_YEAR = re.compile(
    r"(?:1[-~至—–－])?\d{1,2}月份?|第?[一二三四1-4]季度|Q[1-4]|[上下]半年", re.IGNORECASE
)
_HALF = re.compile(r"(\d{4})年?(上|下)半年")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(raw: object) -> Period:
    """See ``_parse_period``; cached, since a big file repeats a few periods."""
    return _parse_period(_text(raw).replace(" ", ""))


@functools.lru_cache(maxsize=1 << 14)
def _parse_period(raw: str) -> Period:
    """``2024`` ``2024年`` ``2024-03`` ``2024年3月`` ``2024Q1`` ``2024年第一季度``
    ``2024年上半年`` and year-to-date ``2024年1-3月``."""
    text = _text(raw).replace(" ", "")
    if text in _MISSING:
        raise RowProblem("period_missing", "period", text)
    for pattern, period_of in _PERIOD_FORMS:
        if m := pattern.fullmatch(text):
            return period_of(m)
    if _WITHOUT_YEAR.fullmatch(text):
        # 3月, 1-3月, 第一季度 with no year anywhere on the sheet: say so.
        raise RowProblem("period_year_missing", "period", text)
    raise RowProblem("period_invalid", "period", text)


def _date_period(m: re.Match[str]) -> Period:
    """A date cell (Excel stores 2024年3月 as 2024-03-01): the month it starts or ends."""
    year, month, day = (int(g) for g in m.groups())
    if 1 <= month <= 12 and day in (1, calendar.monthrange(year, month)[1]):
        return Period(f"{year}-{month:02d}", "month", date(year, month, 1), _month_end(year, month))
    raise RowProblem("period_invalid", "period", m.string)


def _ytd_period(m: re.Match[str]) -> Period:
    """``2024年1-3月``: January to March, a month's figure counted from 1 January."""
    year, month = int(m.group(1)), _valid_month(m)
    return Period(f"{year}-{month:02d}", "month", date(year, 1, 1), _month_end(year, month), "ytd")


def _month_period(m: re.Match[str]) -> Period:
    """``2024-03`` ``2024年3月``."""
    year, month = int(m.group(1)), _valid_month(m)
    return Period(f"{year}-{month:02d}", "month", date(year, month, 1), _month_end(year, month))


def _valid_month(m: re.Match[str]) -> int:
    """The month a period names, if it is one (1 to 12)."""
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise RowProblem("period_invalid", "period", m.string)
    return month


def _quarter_period(m: re.Match[str]) -> Period:
    """``2024Q1`` ``2024年第一季度``."""
    year = int(m.group(1))
    quarter = _CN_DIGIT.get(m.group(2)) or int(m.group(2))
    return Period(
        f"{year}-Q{quarter}",
        "quarter",
        date(year, 3 * quarter - 2, 1),
        _month_end(year, 3 * quarter),
    )


def _half_period(m: re.Match[str]) -> Period:
    """``2024年上半年`` ``2024年下半年``."""
    year, first = int(m.group(1)), m.group(2) == "上"
    return Period(
        f"{year}-H{1 if first else 2}",
        "half",
        date(year, 1 if first else 7, 1),
        _month_end(year, 6 if first else 12),
    )


def _year_period(m: re.Match[str]) -> Period:
    """``2024`` ``2024年``."""
    year = int(m.group(1))
    if year < 1:
        raise RowProblem("period_invalid", "period", m.string)
    return Period(str(year), "year", date(year, 1, 1), date(year, 12, 31))


# The ways a period is written, each with the Period it makes; tried in turn.
_PERIOD_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Period]], ...] = (
    (_DATE, _date_period),
    (_YTD, _ytd_period),
    (_MONTH, _month_period),
    (_QUARTER, _quarter_period),
    (_HALF, _half_period),
    (_YEAR, _year_period),
)


# Footnote marks after a number: 4.6* 4.6＊ 4.6① 4.6⑴ 4.6† 4.6注1. Stripped *before* NFKC,
# which would turn ① into the digit 1 (4.6① → 4.61).
_FOOTNOTE_MARK = re.compile(
    r"(?<=[0-9０-９%％])\s*(?:[*＊†‡#＃]+|[\u2460-\u24ff\u2776-\u2793]+|注\d*)$"
)


def parse_value(raw: object) -> float:
    """Numbers as departments write them: ``1,234.5``, full-width digits, ``35.3%``,
    footnote marks (``4.6*``, ``4.6①``). Missing markers are missing (never zero);
    anything else non-numeric (``四点六``) is rejected."""
    text = _text(_FOOTNOTE_MARK.sub("", str(raw if raw is not None else "").strip()))
    if text.lower() in _MISSING:
        raise RowProblem("value_missing", "value", text)
    cleaned = text.replace(",", "").replace(" ", "").removesuffix("%")
    try:
        value = float(cleaned)
    except ValueError:
        raise RowProblem("value_not_numeric", "value", text) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowProblem("value_not_numeric", "value", text)
    return value


def parse_basis(raw: object, period: Period) -> str:
    """口径: 当期 (the period itself) / 累计 (year to date) / 期末 (end-of-period stock)."""
    text = _text(raw).lower()
    if text in ("", "-"):
        return period.implied_basis or "period"
    basis = BASIS.get(text)
    if basis is None:
        raise RowProblem("basis_invalid", "basis", text)
    if period.implied_basis and basis != period.implied_basis:
        raise RowProblem("basis_conflict", "basis", text)
    return basis
