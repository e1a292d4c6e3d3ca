"""The hidden key that marks a workbook as a reporting template `hrss template` wrote.

A template (report/template.py) is an ordinary long sheet — 指标代码 / 地区代码 / 统计期 /
口径 / 单位 / 数值 — that ingest would read without help. The key, a very hidden sheet of
name–value pairs, tells ingest what it is reading, so that:

- a row the department left empty is a figure not yet reported (counted as 未填, like an
  empty cell of a wide sheet), not a row to quarantine: a department filling half its
  form in January and the rest in February sends the same file twice;
- the run's ledger says which plan, period and department the file answers and how many
  of its cells were filled (``按填报模板读取……应填 16 项，已填 15 项，未填 1 项``).

The key never decides what a figure is: the row's own cells do, as in any other file. A
key copied into another workbook changes only how the named sheet's empty value cells
count (未填, not quarantined as 数值为空) and the ledger's note. A workbook whose hidden sheet
of that name does not begin with the marker, or holds a malformed key, is not a template
(the sheet is skipped as any hidden sheet is).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

KEY_SHEET = "_hrss_template"
MARKER = "hrss-warehouse reporting template"
VERSION = "1"


@dataclass(frozen=True)
class TemplateKey:
    plan_code: str
    period: str  # as asked: YYYY or YYYY-MM
    department: str | None  # release_calendar.csv's publisher_zh, or None for all
    sheet: str  # the sheet holding the form
    cells: int  # value cells the form asks for
    generated_at: str = ""
    version: str = VERSION

    def rows(self) -> list[tuple[str, str]]:
        """The key as the name–value rows of its sheet, the marker first."""
        return [
            (MARKER, self.version),
            ("plan_code", self.plan_code),
            ("period", self.period),
            ("department", self.department or ""),
            ("sheet", self.sheet),
            ("cells", str(self.cells)),
            ("generated_at", self.generated_at),
        ]

    @classmethod
    def from_rows(cls, rows: Iterable[Iterable[object]]) -> TemplateKey | None:
        """The key a sheet's rows hold; None when they are not one (no marker first, a
        field missing or malformed)."""
        pairs = [[str(c if c is not None else "").strip() for c in row][:2] for row in rows]
        pairs = [p + [""] * (2 - len(p)) for p in pairs if any(p)]
        if not pairs or pairs[0][0] != MARKER:
            return None
        fields = dict(pairs[1:])
        if not re.fullmatch(r"\d{1,9}(?:\.0+)?", fields.get("cells", "")):
            return None  # not a count (1e400, inf, text): not a key this code wrote
        cells = int(float(fields["cells"]))
        if not fields.get("plan_code") or not fields.get("sheet"):
            return None
        return cls(
            plan_code=fields["plan_code"],
            period=fields.get("period", ""),
            department=fields.get("department") or None,
            sheet=fields["sheet"],
            cells=cells,
            generated_at=fields.get("generated_at", ""),
            version=pairs[0][1],
        )

    def describe(self) -> str:
        """``规划 zs_hrss_14fyp，统计期 2025，职业能力建设处`` for the ledger's notes."""
        who = f"，{self.department}" if self.department else ""
        return f"规划 {self.plan_code}，统计期 {self.period}{who}"
