"""Find the observations in a sheet laid out the way departments lay them out.

A statistics sheet is read top-down:

1. **Context rows** above the header: a title (``2024年舟山市就业情况统计表`` → year
   2024, region 舟山市; a title naming an indicator makes it the sheet's indicator) and
   a unit row (``单位：万人``).
2. **The header**: the first row in which at least two cells are recognised (a
   canonical column such as 指标/地区/统计期/数值/单位, a period such as ``2024年``,
   ``3月``, ``1-3月``, ``2024年第一季度``, a region, an indicator, or a basis word
   本月/累计/期末) and no cell is a number. A second header row under it (``2024年`` merged
   over ``1月 … 12月``; an indicator merged over ``本月 | 累计``) is combined with it
   column by column, merged cells filled rightwards.
3. **Layout**: with a 数值 column the sheet is *long* (one row per observation).
   Otherwise it is *wide*: every column whose header is a period, region, indicator or
   basis holds values, and the row's label (first column) supplies what the columns do
   not — indicator, region or period.
4. **Data rows**: footnotes (``注：``, ``说明：``, ``资料来源``, ``填表人``…) and repeated
   headers are skipped; total rows (``合计``, ``全市``) are the figure of the region the
   title names. In a wide sheet an empty or ``—`` cell is simply not an observation
   (counted as missing, never zero); in a long sheet the row is kept and quarantined.

The result is one ``Candidate`` per value cell, its fields as text for
``parse._parse_row`` to type, check and convert; nothing is decided here about
whether a value is acceptable.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.ingest.normalize import (
    RowProblem,
    canonical_column,
    is_missing,
    missing_columns,
    parse_period,
)
from hrss_warehouse.ingest.readers import Sheet

DIMENSIONS = ("indicator", "region", "period")
HEAD_ROWS = 60  # titles, unit rows and the header are within these
LABEL_HEADERS = {"", "项目", "类别", "名称", "区域", "单位名称"}
# Columns that number or annotate rows; never a value, never the row label.
IGNORED_HEADERS = {"序号", "编号", "行次", "栏次"}
# Columns that compare with another period; their cells are not this period's figures.
COMPARISON_WORDS = ("上年", "去年", "同期", "同比", "环比", "增减", "增幅")
TOTAL_WORDS = {"合计", "总计", "全市", "全省", "全区", "全县", "总数", "全市合计"}
BASIS_WORDS = {
    "本月": "period",
    "当月": "period",
    "本期": "period",
    "当期": "period",
    "本季": "period",
    "累计": "ytd",
    "本年累计": "ytd",
    "1-本月累计": "ytd",
    "期末": "end",
    "期末数": "end",
    "年末": "end",
}
# A note or a signature line says so with a colon (注：, 说明：, 填表人：); a data row whose
# label merely starts with 注 or 说明 (注册会计师人数) is data, and must not be skipped.
_FOOTNOTE = re.compile(
    r"^(?:(?:注|附注|备注|说明)\d*|资料来源|数据来源"
    r"|(?:填表|制表|审核|统计负责人|单位负责人|负责人|联系)(?:人|单位|日期|电话)?)\s*[:：]"
)
_UNIT = re.compile(r"(?<![填报制表统计])(?:计量)?单位\s*[:：]\s*([^\s,，;；:：)）]+)")
_TITLE_PERIOD = re.compile(
    r"\d{4}年(?:(?:1\s*[-~至－—]\s*)?\d{1,2}月份?|第[一二三四1-4]季度|[上下]半年)?"
)
_PARTIAL_PERIOD = re.compile(
    r"(?:1\s*[-~至－—]\s*)?\d{1,2}月份?|第[一二三四1-4]季度|Q[1-4]|[上下]半年"
)
_NUMBER = re.compile(r"^[+-]?[\d,]*\.?\d+%?$")
_CANONICAL_FOR = {"indicator": "indicator_name", "region": "region_name", "period": "period"}


_BLANKS = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)
def _norm_text(text: str) -> str:
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text))


def _norm(text: object) -> str:
    # Labels, headers and names repeat on every row of a big sheet: cached.
    return _norm_text(str(text or ""))


@dataclass
class Context:
    """What the rows above the header say about every value in the sheet."""

    period: str | None = None  # 2024年 / 2024年1-6月
    region: str | None = None  # a region name as written
    unit: str | None = None
    indicator: str | None = None

    @property
    def year(self) -> str | None:
        return self.period[:4] if self.period else None


@dataclass
class Candidate:
    line: int
    column_label: str | None  # the header of the value cell (wide layouts)
    fields: dict[str, str]
    record: dict[str, str]
    value_column: int | None = None  # 0-based index of the value's cell in its row


@dataclass
class SheetLayout:
    layout: str = "long"
    # A generator: rows are turned into candidates as the caller consumes them, so a
    # million-row sheet never holds a million candidates at once. missing_cells and
    # skipped_rows are complete once it is exhausted.
    candidates: Iterator[Candidate] = field(default_factory=lambda: iter(()))
    missing_cells: int = 0
    skipped_rows: int = 0
    skipped_columns: int = 0  # row-sum (合计) columns left out
    # Canonical field → its column (long layouts): where a problem with that field sits.
    field_columns: dict[str, int] = field(default_factory=dict)
    # Rows that cannot be read at all (no header found / required columns missing).
    unreadable: list[tuple[int, RowProblem, dict[str, str]]] = field(default_factory=list)


class _Classifier:
    def __init__(self, catalog: Catalog, units: set[str]):
        self.catalog = catalog
        self.units = units

    def split_unit(self, text: str) -> tuple[str, str | None]:
        """``城镇新增就业人数（万人）`` → (name, 万人) when the last bracket is a unit."""
        # Headers wrap inside cells ("城镇新增就业人数\n（人）"): blanks are not part of a name.
        normalized = _BLANKS.sub("", unicodedata.normalize("NFKC", text))
        m = re.fullmatch(r"(.+?)\(([^()]+)\)", normalized)
        if m and m.group(2).strip() in self.units:
            return m.group(1), m.group(2).strip()
        return text, None

    def period(self, text: str, context: Context) -> str | None:
        compact = _norm(text)
        # A basis word after a period header: 3月累计, 1-3月累计.
        for word in sorted(BASIS_WORDS, key=len, reverse=True):
            if compact.endswith(word) and len(compact) > len(word):
                compact = compact[: -len(word)]
                break
        try:
            parse_period(compact)
            return compact
        except RowProblem:
            pass
        if _PARTIAL_PERIOD.fullmatch(compact):
            # 3月 / 1-3月 / 第一季度 under a title that names the year.
            return f"{context.year}年{compact}" if context.year else compact
        return None

    def basis(self, text: str) -> str | None:
        compact = _norm(text)
        if compact in BASIS_WORDS:
            return BASIS_WORDS[compact]
        for word in sorted(BASIS_WORDS, key=len, reverse=True):
            if compact.endswith(word) and len(compact) > len(word):
                return BASIS_WORDS[word]
        return None

    def header(self, text: str, context: Context) -> dict[str, str]:
        """What a header cell says about the values under it."""
        compact = _norm(text)
        if not compact:
            return {}
        if canonical := canonical_column(compact):
            return {"column": canonical}
        if compact in LABEL_HEADERS:
            return {"label": compact}
        if compact in IGNORED_HEADERS:
            return {"ignored": compact}
        if any(word in compact for word in COMPARISON_WORDS):
            # 上年同期累计, 同比增长: a comparison, not this period's figure (ignored).
            return {}
        dims: dict[str, str] = {}
        if basis := self.basis(compact):
            dims["basis"] = basis
        if period := self.period(compact, context):
            dims["period"] = period
            return dims
        if compact in BASIS_WORDS:
            return dims
        if compact in TOTAL_WORDS or self.catalog.resolve_region(None, compact):
            dims["region"] = text.strip()
            return dims
        name, unit = self.split_unit(text)
        if self.catalog.resolve_indicator(None, name):
            dims["indicator"] = name.strip()
            if unit:
                dims["unit"] = unit
        return dims

    def title(self, text: str, context: Context) -> None:
        """Learn period, region, unit and indicator from a row above the header."""
        compact = _norm(text)
        if m := _UNIT.search(unicodedata.normalize("NFKC", text)):
            context.unit = context.unit or m.group(1)
        elif (unit := self.split_unit(text)[1]) and context.unit is None:
            context.unit = unit  # 2024年舟山市城镇登记失业率（%）
        periods = _TITLE_PERIOD.findall(compact)
        if periods and context.period is None:
            context.period = max(periods, key=len)
        if context.region is None:
            context.region = self._longest(compact, self.catalog.region_by_name)
        if context.indicator is None:
            context.indicator = self._longest(compact, self.catalog.indicator_by_name)

    @staticmethod
    def _longest(text: str, names: dict[str, str]) -> str | None:
        # Names of two characters or fewer (舟山) are too likely to be part of other words.
        # Chinese titles run from the larger unit to the smaller (浙江省舟山市定海区): of
        # the names found, the one that ends last is the most specific; then the longest.
        found = [n for n in names if len(n) > 2 and n in text]
        return max(found, key=lambda n: (text.rfind(n) + len(n), len(n))) if found else None


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(_norm(text)))


def _is_value(text: str) -> bool:
    """A number that is not a year: Excel headers hold years as numbers (2022, 2023)."""
    compact = _norm(text)
    return _is_number(compact) and not re.fullmatch(r"(19|20)\d\d", compact)


def _header_rows(rows, start, classifier, context, hidden):
    """(index of the last header row, per-column header texts, per-column dims)."""
    _line, top = rows[start]
    width = max(len(cells) for _, cells in rows)
    top = list(top) + [""] * (width - len(top))
    last = start
    bottom = [""] * width
    if start + 1 < len(rows):
        _, below = rows[start + 1]
        below = list(below) + [""] * (width - len(below))
        filled = [(c, t) for c, t in enumerate(below) if t.strip() and c not in hidden]
        first_col = next((c for c, t in enumerate(top) if t.strip()), 0)
        if (
            filled
            and not below[first_col].strip()
            and not any(_is_value(t) for _, t in filled)
            and all(classifier.header(t, context) for _, t in filled)
        ):
            bottom, last = below, start + 1
            carried = ""
            for c in range(width):
                if top[c].strip():
                    carried = top[c]
                elif bottom[c].strip() and c > first_col:
                    top[c] = carried  # a cell merged across the columns below it
    texts, dims = [], []
    for c in range(width):
        text = f"{top[c].strip()}{bottom[c].strip()}"
        merged = classifier.header(top[c], context) if top[c].strip() else {}
        if bottom[c].strip():
            below_dims = classifier.header(bottom[c], context)
            merged = {**merged, **below_dims} if "column" not in below_dims else below_dims
            if not merged and (combined := classifier.header(text, context)):
                merged = combined
        texts.append(text)
        dims.append(merged)
    return last, texts, dims


def read_sheet(sheet: Sheet, catalog: Catalog, units: set[str]) -> SheetLayout:
    """Read a sheet top-down: context rows, the header, its layout, then its data rows."""
    classifier = _Classifier(catalog, units)
    context = Context()
    classifier.title(sheet.name, context)
    result = SheetLayout()
    # The header is looked for in the first rows; the rest is streamed once, so a
    # million-row CSV is never held as a list of rows.
    stream = iter(_visible_rows(sheet))
    head = list(itertools.islice(stream, HEAD_ROWS))
    header_at = _find_header(head, classifier, context)
    if header_at is None:
        problem = RowProblem("header_not_found", None, sheet.name or None)
        result.unreadable = _rows_with_numbers(itertools.chain(head, stream), problem)
        return result

    last, texts, dims = _header_rows(head, header_at, classifier, context, sheet.hidden_columns)
    body = itertools.chain(head[last + 1 :], stream)
    reading = _read_columns(texts, dims, sheet.hidden_columns, classifier, context, result)
    if result.layout == "long" and (missing := _missing_long_columns(reading.columns, context)):
        problem = RowProblem("header_missing_column", None, "、".join(missing))
        result.unreadable = _rows_but_footnotes(body, texts, problem) or [(0, problem, {})]
        return result
    if not reading.value_columns:
        problem = RowProblem("header_not_found", None, sheet.name or None)
        result.unreadable = [
            (line, problem, dict(zip(texts, cells, strict=False))) for line, cells in body
        ]
        return result

    if result.layout == "long":
        result.field_columns = dict(reading.columns)
    result.candidates = _candidates(body, [_norm(t) for t in head[header_at][1]], reading, result)
    return result


def _visible_rows(sheet: Sheet) -> Iterable[tuple[int, list[str]]]:
    """The sheet's rows with hidden columns blanked: what a reader of the sheet sees."""
    if not sheet.hidden_columns:
        return sheet.rows
    hidden = sheet.hidden_columns
    return (
        (line, [("" if c in hidden else cell) for c, cell in enumerate(cells)])
        for line, cells in sheet.rows
    )


def _find_header(
    head: list[tuple[int, list[str]]], classifier: _Classifier, context: Context
) -> int | None:
    """Index of the header row in ``head``, learning the context from the rows above it."""
    for index, (_line, cells) in enumerate(head[:40]):
        filled = [t for t in cells if t.strip()]
        if not filled:
            continue
        if any(_is_value(t) for t in filled):
            return None  # data before any header
        recognised = [classifier.header(t, context) for t in filled]
        if len(set(filled)) > 1 and sum(1 for d in recognised if d) >= 2:
            return index
        for text in filled:  # a title, unit or subtitle row
            classifier.title(text, context)
    return None


_Unreadable = list[tuple[int, RowProblem, dict[str, str]]]


def _rows_with_numbers(rows: Iterable[tuple[int, list[str]]], problem: RowProblem) -> _Unreadable:
    """Rows holding a number, as unreadable: the figures a headerless sheet loses."""
    return [
        (line, problem, {str(i): c for i, c in enumerate(cells)})
        for line, cells in rows
        if any(_is_number(t) for t in cells)
    ]


def _rows_but_footnotes(
    rows: Iterable[tuple[int, list[str]]], texts: list[str], problem: RowProblem
) -> _Unreadable:
    """Every row but footnotes, as unreadable: a long sheet missing a required column."""
    return [
        (line, problem, dict(zip(texts, cells, strict=False)))
        for line, cells in rows
        if not _FOOTNOTE.match(_norm(next((t for t in cells if t.strip()), "")))
    ]


@dataclass
class _Reading:
    """How a sheet's columns were understood: what each data row is read with."""

    texts: list[str]  # header text per column
    dims: list[dict[str, str]]  # what each header says about its values
    columns: dict[str, int]  # canonical column → index
    value_columns: list[int]
    label_column: int | None
    provided: set[str]  # dimensions the columns or the title supply
    classifier: _Classifier
    context: Context


def _read_columns(
    texts: list[str],
    dims: list[dict[str, str]],
    hidden: set[int],
    classifier: _Classifier,
    context: Context,
    result: SheetLayout,
) -> _Reading:
    """Which columns hold values, which one labels the rows, and the layout (set on
    ``result``) these make."""
    columns = {d["column"]: c for c, d in reversed(list(enumerate(dims))) if "column" in d}
    value_columns = _value_columns(dims, result)
    if "value" in columns:
        result.layout, value_columns = "long", [columns["value"]]
    elif not value_columns and columns:
        result.layout = "long"  # canonical columns but no 数值: reported as a missing column
    else:
        result.layout = "wide"
    label_column = _label_column(dims, value_columns, hidden) if result.layout == "wide" else None
    provided = _provided(dims, columns, value_columns, context)
    return _Reading(
        texts, dims, columns, value_columns, label_column, provided, classifier, context
    )


def _label_column(
    dims: list[dict[str, str]], value_columns: list[int], hidden: set[int]
) -> int | None:
    """The column naming what each row of a wide sheet is about."""
    # The first column left of the values whose header is empty, 项目 … or unrecognised;
    # a long sheet has none (an unknown extra column is just ignored).
    if not value_columns:
        return None
    return next(
        (
            c
            for c, d in enumerate(dims[: min(value_columns)])
            if ("label" in d or not d) and c not in hidden
        ),
        None,
    )


def _provided(
    dims: list[dict[str, str]], columns: dict[str, int], value_columns: list[int], context: Context
) -> set[str]:
    """The dimensions the value columns' headers, the canonical columns or the title supply."""
    provided = {dim for c in value_columns for dim in DIMENSIONS if dim in dims[c]}
    provided |= {
        dim for dim in DIMENSIONS if any(k in columns for k in (f"{dim}_name", f"{dim}_code", dim))
    }
    if context.indicator:
        provided.add("indicator")
    return provided


def _value_columns(dims: list[dict[str, str]], result: SheetLayout) -> list[int]:
    """Columns whose header is a period, region, indicator or basis, less row sums."""
    value_columns = [
        c for c, d in enumerate(dims) if d and not {"column", "label", "ignored"} & set(d)
    ]
    # A 合计 column in a sheet whose other value columns are not regions is a row sum
    # (1月+2月+3月), not the figure of the title's region: left out, noted.
    region_columns = [c for c in value_columns if "region" in dims[c]]
    total_columns = [c for c in region_columns if _norm(dims[c]["region"]) in TOTAL_WORDS]
    if total_columns and len(total_columns) == len(region_columns):
        value_columns = [c for c in value_columns if c not in total_columns]
        result.skipped_columns += len(total_columns)
    return value_columns


def _candidates(
    rows: Iterable[tuple[int, list[str]]],
    header_compact: list[str],
    reading: _Reading,
    result: SheetLayout,
) -> Iterator[Candidate]:
    """One candidate per value cell of each data row; footnotes and repeated headers skipped."""
    for line, cells in rows:
        filled = [t for t in cells if t.strip()]
        if not filled:
            continue
        first = _norm(filled[0])
        repeated_header = first == header_compact[0] and [_norm(t) for t in cells] == header_compact
        if _FOOTNOTE.match(first) or repeated_header:
            result.skipped_rows += 1
            continue
        yield from _row_candidates(line, cells, reading, result)


def _row_candidates(
    line: int, cells: list[str], reading: _Reading, result: SheetLayout
) -> Iterator[Candidate]:
    """The candidates of one data row: what its columns and label say, merged with what
    each value column's header says."""
    texts, label_column = reading.texts, reading.label_column
    label = (
        cells[label_column].strip()
        if label_column is not None and label_column < len(cells)
        else ""
    )
    row_fields = _row_fields(cells, label, reading)
    for c in reading.value_columns:
        raw = cells[c] if c < len(cells) else ""
        if result.layout == "wide" and is_missing(raw):
            result.missing_cells += 1
            continue
        fields = _merge(reading.context, row_fields, reading.dims[c])
        fields["value"] = raw.strip()
        if result.layout != "wide":
            yield Candidate(line, None, fields, _row_record(cells, texts), c)
            continue
        # One cell of a wide row: its record is the row's label and that cell, not
        # the whole row (a 10,000-column row of bad cells would copy it 10,000 times).
        column_label = texts[c] if c < len(texts) else f"第{c + 1}列"
        cell = {column_label or f"第{c + 1}列": raw}
        if label_column is not None and label:
            label_key = (texts[label_column] if label_column < len(texts) else "") or "行标签"
            cell = {label_key: label, **cell}
        yield Candidate(line, column_label, fields, cell, c)


def _row_record(cells: list[str], texts: list[str]) -> dict[str, str]:
    """A long row as its department wrote it: header → filled cell."""
    return {
        (texts[c] if c < len(texts) else "") or f"第{c + 1}列": t
        for c, t in enumerate(cells)
        if t.strip()
    }


def _row_fields(cells: list[str], label: str, reading: _Reading) -> dict[str, str]:
    """What a row's canonical columns and its label say, before the value column's header."""
    classifier = reading.classifier
    row_fields = {
        name: cells[c].strip()
        for name, c in reading.columns.items()
        if name != "value" and c < len(cells)
    }
    if row_fields.get("indicator_name"):
        # 失业保险参保人数（万人） in a 指标 column carries its unit.
        name, unit = classifier.split_unit(row_fields["indicator_name"])
        row_fields["indicator_name"] = name.strip()
        if unit and not row_fields.get("unit"):
            row_fields["unit"] = unit
    if label:
        row_fields.update(_label_fields(label, classifier, reading.context, reading.provided))
    return row_fields


def _missing_long_columns(columns: dict[str, int], context: Context) -> list[str]:
    from_context = {
        "region_name": context.region,
        "period": context.period,
        "unit": context.unit,
        "indicator_name": context.indicator,
    }
    return missing_columns(set(columns) | {c for c, v in from_context.items() if v})


def _label_fields(
    label: str, classifier: _Classifier, context: Context, provided: set[str]
) -> dict[str, str]:
    """A row label is an indicator, a region, a total or a period; failing all, it is
    whichever of the three the columns and the title do not supply (so an unknown
    name is quarantined under the right field, with its text)."""
    compact = _norm(label)
    name, unit = classifier.split_unit(label)
    if compact in TOTAL_WORDS or _norm(name) in TOTAL_WORDS:
        return {"region_name": context.region or label}
    if classifier.catalog.resolve_indicator(None, name):
        return {"indicator_name": name.strip(), **({"unit": unit} if unit else {})}
    if classifier.catalog.resolve_region(None, compact):
        return {"region_name": label}
    if period := classifier.period(compact, context):
        return {"period": period}
    needed = [d for d in DIMENSIONS if d not in provided]
    if not needed:
        # Columns and title say it all, yet the row names something the catalog does
        # not know (其中：女性 under a 技能人才 title): quarantined with its text, never
        # counted as the title's indicator.
        return {"indicator_name": name.strip()}
    fields = {_CANONICAL_FOR[needed[0]]: name.strip() if needed[0] == "indicator" else label}
    if unit and needed[0] == "indicator":
        fields["unit"] = unit
    return fields


def _merge(context: Context, row: dict[str, str], column: dict[str, str]) -> dict[str, str]:
    """Column beats row beats title: a region column is more specific than the title's city."""
    fields = {
        k: v
        for k, v in {
            "period": context.period,
            "region_name": context.region,
            "unit": context.unit,
            "indicator_name": context.indicator,
        }.items()
        if v
    }
    fields.update({k: v for k, v in row.items() if v})
    for dim, name in (
        ("indicator", "indicator_name"),
        ("region", "region_name"),
        ("period", "period"),
    ):
        if dim in column:
            fields[name] = column[dim]
            if dim != "period":
                fields.pop(f"{dim}_code", None)
    if "region_name" in fields and _norm(fields["region_name"]) in TOTAL_WORDS and context.region:
        fields["region_name"] = context.region
    if "unit" in column:
        fields["unit"] = column["unit"]
    if "basis" in column:
        fields["basis"] = column["basis"]
    return fields
