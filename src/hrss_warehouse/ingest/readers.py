"""Read a landing file into sheets of text cells, whatever form the department sent.

- CSV in UTF-8 (with or without BOM) or GBK/GB18030, detected from the bytes;
- Excel .xlsx/.xlsm and legacy .xls through calamine (Rust; an order of magnitude
  faster than openpyxl), every visible sheet; hidden sheets and hidden columns are
  skipped and reported, because departments hide stale or helper data there.

Line numbers are the file's own (1 = the first line or spreadsheet row) so a
message like “第12行” points at the row a department sees. Cells are text exactly as
shown: numbers become their shortest decimal form, dates ISO dates, and a cell that
looks like a formula (``=cmd|…``) stays the text it is. Nothing here evaluates or
interprets content, and no cell ever becomes an SQL identifier.

Untrusted input: a file larger than the configured limit, an .xlsx whose unpacked
size or compression ratio gives away a zip bomb, or bytes that are not text, is
rejected as a whole before anything is parsed (``FileProblem``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from hrss_warehouse.ingest.template_key import KEY_SHEET, TemplateKey

SUPPORTED_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls"}
# UTF-8 first (a valid UTF-8 file is almost never meant as GBK); GB18030 is the
# superset of GBK and GB2312 that Chinese Excel's "CSV" export uses.
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024
    # An .xlsx is a zip: refuse to unpack more than this, or a ratio no real sheet has.
    max_unpacked_bytes: int = 1024 * 1024 * 1024
    max_compression_ratio: float = 200.0


@dataclass
class FileProblem(Exception):
    reason_code: str
    detail: str


@dataclass
class Sheet:
    name: str
    # (line number, cells), blank rows left out. For CSV a one-pass generator over the
    # decoded text, so rows are never all held at once.
    rows: Iterable[tuple[int, list[str]]]
    hidden_columns: set[int] = field(default_factory=set)  # 0-based column indexes
    # A spreadsheet's cells have addresses (J7) a message can name; a CSV's do not.
    lettered: bool = False


@dataclass
class Workbook:
    sheets: list[Sheet]
    encoding: str | None = None  # for CSV: the one that decoded it
    notes: list[str] = field(default_factory=list)  # what was skipped, for the ledger
    template: TemplateKey | None = None  # the key of a form `hrss template` wrote


def read_workbook(path: Path, limits: Limits | None = None) -> Workbook:
    limits = limits or Limits()
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise FileProblem(
            "file_too_large", f"{size / 1048576:.1f} MB，超过上限 {limits.max_file_bytes >> 20} MB"
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path.read_bytes())
    if suffix in (".xlsx", ".xlsm"):
        _check_zip(path, limits)
    return _read_excel(path)


# Control characters a cell can carry (an .xlsx note `_x0000_` decodes to NUL) but no
# figure, name or note needs; tab and line breaks stay. PostgreSQL's COPY refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# More NUL than this (and than 1% of the text) is binary content that happens to decode;
# a few are a careless export, taken out and noted.
_MAX_NUL = 16
# The csv module's default field limit (128 kB) turns a long cell into a crash; the file
# size limit already bounds every field.
csv.field_size_limit(2**31 - 1)


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding); FileProblem if no supported encoding decodes them.
    UTF-16 with its BOM is Excel's “Unicode text” export."""
    candidates = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ENCODINGS
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _binary(text):
            break
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    else:
        # Two exports pasted together (a UTF-8 one and a GBK one): line by line.
        mixed = _decode_lines(data)
        if mixed is not None and not _binary(mixed):
            return mixed, "mixed"
    raise FileProblem(
        "file_encoding_unknown", "不是UTF-8、GBK/GB18030或UTF-16编码的文本（疑似二进制文件）"
    )


def _binary(text: str) -> bool:
    nul = text.count("\x00")
    return nul > _MAX_NUL and nul > 0.01 * len(text)


def _decode_lines(data: bytes) -> str | None:
    """Each line in the first encoding that decodes it; None if a line decodes in none
    or the file is not text at all."""
    lines = []
    for line in data.splitlines(keepends=True):
        for encoding in ENCODINGS:
            try:
                lines.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    return "".join(lines)


def clean_cell(text: str, removed: list[int]) -> str:
    """A cell without control characters; ``removed[0]`` counts the ones taken out."""
    cleaned, count = _CONTROL.subn("", text)
    removed[0] += count
    return cleaned


def _read_csv(data: bytes) -> Workbook:
    text, encoding = decode(data)
    del data
    # A BOM in the middle (two exports pasted together) is not part of any cell.
    text = text.lstrip("\ufeff").replace("\ufeff", "")
    book = Workbook([], encoding=encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    book.sheets.append(Sheet("", _csv_rows(text, delimiter, book)))
    return book


def _csv_rows(text: str, delimiter: str, book: Workbook) -> Iterator[tuple[int, list[str]]]:
    removed = [0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        # A quoted cell may span lines: report the line the row starts on.
        cells = [clean_cell(c, removed) for c in cells]
        if any(c.strip() for c in cells):
            yield line, cells
        line = reader.line_num + 1
    if removed[0]:
        book.notes.append(f"已移除 {removed[0]} 个控制字符（如 NUL）")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # 4.6 stays 4.6, not 4.5999999999999996
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path) -> Workbook:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise FileProblem("file_unreadable", f"无法作为Excel文件打开：{exc}") from None
    is_xlsx = path.suffix.lower() != ".xls"
    hidden_columns = _hidden_columns(path) if is_xlsx else {}
    formatted_cells = _formatted_cells(path) if is_xlsx else {}
    workbook = Workbook([])
    removed = [0]
    for meta in book.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            if meta.name == KEY_SHEET and workbook.template is None:
                workbook.template = _template_key(book, meta.name)
            if workbook.template is None or meta.name != KEY_SHEET:
                workbook.notes.append(f"跳过隐藏工作表“{meta.name}”")
            continue
        sheet = book.get_sheet_by_name(meta.name)
        grid = sheet.to_python(skip_empty_area=False)
        rows = []
        formats = formatted_cells.get(meta.name, {})
        for index, values in enumerate(grid, start=1):
            cells = [
                clean_cell(_shown(v, formats.get((index, c))), removed)
                for c, v in enumerate(values)
            ]
            if any(c.strip() for c in cells):
                rows.append((index, cells))
        hidden = hidden_columns.get(meta.name, set())
        if hidden:
            letters = "、".join(column_letter(c) for c in sorted(hidden))
            workbook.notes.append(f"工作表“{meta.name}”跳过隐藏列 {letters}")
        workbook.sheets.append(Sheet(clean_cell(meta.name, removed), rows, hidden, lettered=True))
    if removed[0]:
        workbook.notes.append(f"已移除 {removed[0]} 个控制字符（如 NUL）")
    return workbook


def _template_key(book: object, name: str) -> TemplateKey | None:
    """The key in a template's hidden sheet (ingest/template_key.py); None if it is not one."""
    try:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)  # type: ignore[attr-defined]
        return TemplateKey.from_rows(grid[:40])
    except Exception:  # a damaged hidden sheet: the workbook is read as any other
        return None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_zip(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileProblem("file_unreadable", "不是有效的 .xlsx 文件（zip 结构损坏）") from None
    if unpacked > limits.max_unpacked_bytes:
        raise FileProblem(
            "file_too_large",
            f"解压后 {unpacked / 1048576:.0f} MB，超过上限 {limits.max_unpacked_bytes >> 20} MB",
        )
    packed = max(path.stat().st_size, 1)
    if unpacked / packed > limits.max_compression_ratio:
        raise FileProblem(
            "file_suspicious", f"压缩比 {unpacked / packed:.0f}:1，疑似压缩炸弹，未解析"
        )


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_members(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member of its XML), in workbook order."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    members = []
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        members.append((sheet.get("name", ""), member))
    return members


def _cell_ref(ref: str) -> tuple[int, int]:
    """``D12`` → (12, 3): 1-based row, 0-based column."""
    letters = "".join(ch for ch in ref if ch.isalpha())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch.upper()) - 64
    return int(ref[len(letters) :]), column - 1


def _shown(value: object, number_format: tuple[bool, int] | None) -> str:
    """A cell as Excel shows it: 35.3% for 0.353 under a percent format, 2024.10 for
    2024.1 under a two-decimal format (an October period, not January)."""
    if number_format is None or isinstance(value, bool) or not isinstance(value, float | int):
        return _cell_text(value)
    is_percent, decimals = number_format
    if is_percent:
        return f"{value * 100:.{decimals}f}%" if decimals else f"{value * 100:.12g}%"
    return f"{value:.{decimals}f}"


def _format_of(code: str) -> tuple[bool, int] | None:
    """A number format code → (is a percentage, decimals shown), when it matters."""
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code.split(";")[0])
    decimals = len(m.group(1)) if (m := re.search(r"\.(0+)", code)) else 0
    if "%" in code:
        return True, decimals
    return (False, decimals) if decimals else None


# Built-in number formats that show decimals or percentages (ECMA-376 18.8.30).
_BUILTIN_FORMATS = {"2": (False, 2), "4": (False, 2), "9": (True, 0), "10": (True, 2)}


def _formatted_cells(path: Path) -> dict[str, dict[tuple[int, int], tuple[bool, int]]]:
    """Sheet name → {(row, column): (is a percentage, decimals)} for cells whose number
    format changes what is shown (percentages, fixed decimals). Sheets are only scanned
    when the workbook has such a style."""
    result: dict[str, dict[tuple[int, int], tuple[bool, int]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
            custom = {
                f.get("numFmtId"): f.get("formatCode", "")
                for f in styles.findall("m:numFmts/m:numFmt", _NS)
            }
            styled = {}
            for index, xf in enumerate(styles.findall("m:cellXfs/m:xf", _NS)):
                format_id = xf.get("numFmtId", "0")
                shown = _BUILTIN_FORMATS.get(format_id) or (
                    _format_of(custom[format_id]) if format_id in custom else None
                )
                if shown:
                    styled[str(index)] = shown
            if not styled:
                return {}
            for name, member in _sheet_members(archive):
                cells = {}
                with archive.open(member) as stream:
                    for _event, element in ElementTree.iterparse(stream, events=("end",)):
                        if element.tag.rsplit("}", 1)[-1] == "c":
                            if element.get("s") in styled and element.get("r"):
                                cells[_cell_ref(element.get("r"))] = styled[element.get("s")]
                            element.clear()
                if cells:
                    result[name] = cells
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return {}
    return result


def _hidden_columns(path: Path) -> dict[str, set[int]]:
    """Sheet name → hidden column indexes, from each sheet's ``<cols>`` (which precedes
    ``<sheetData>``, so only the head of each sheet's XML is read)."""
    result: dict[str, set[int]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name, member in _sheet_members(archive):
                hidden: set[int] = set()
                with archive.open(member) as stream:
                    for _event, element in ElementTree.iterparse(stream, events=("start",)):
                        tag = element.tag.rsplit("}", 1)[-1]
                        if tag == "sheetData":
                            break
                        if tag == "col" and element.get("hidden") in ("1", "true"):
                            first, last = int(element.get("min", 0)), int(element.get("max", 0))
                            hidden.update(range(first - 1, last))
                if hidden:
                    result[name] = hidden
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}  # calamine still reads the cells; hidden columns just cannot be told
    return result
