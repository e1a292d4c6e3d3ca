"""The reference catalog as the ingest step needs it: resolve names to codes, convert units.

The same CSV files are dbt seeds (``seeds/``); dbt owns the modelling, this module
only answers "which indicator/region is this text, and how do I convert its unit".
Names are never guessed: an unknown name is quarantined with its text.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from hrss_warehouse.errors import ConfigError

# Qualifier/unit parentheses in names as written in plans and reports:
# 专业技术人才总量（含管理岗位和专技人才）（万人） → 专业技术人才总量
_PARENS = re.compile(r"[(（][^()（）]*[)）]")
_SUB_PREFIX = re.compile(r"^(其中[:：]|[0-9]+[.、．]\s*)")


@functools.lru_cache(maxsize=1 << 16)
def normalize_name(text: str) -> str:
    """Canonical form for matching names: NFKC (full-width → half-width), no blanks,
    no leading ``其中：`` or item number, no parenthesised qualifiers or units."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    # "10. 其中：高级职称人才数量" carries both an item number and 其中.
    while (stripped := _SUB_PREFIX.sub("", text)) != text:
        text = stripped
    return _PARENS.sub("", text)


def normalize_unit(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip()
    return re.sub(r"^单位[:：]\s*", "", text)


def read_catalog_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigError(f"catalog file missing: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Catalog:
    indicator_units: dict[str, str]
    indicator_by_name: dict[str, str]
    region_codes: set[str]
    region_by_name: dict[str, str]
    conversions: dict[tuple[str, str], float]
    source_dir: Path | None = field(default=None, compare=False)

    @classmethod
    def load(cls, catalog_dir: Path) -> Catalog:
        indicators = read_catalog_csv(catalog_dir / "indicators.csv")
        by_name: dict[str, str] = {}
        for row in indicators:
            by_name[normalize_name(row["indicator_name_zh"])] = row["indicator_code"]
        plan_rows = read_catalog_csv(catalog_dir / "plan_indicators.csv")
        for row in plan_rows:
            by_name.setdefault(
                normalize_name(row["indicator_name_as_written"]), row["indicator_code"]
            )
        for row in read_catalog_csv(catalog_dir / "indicator_aliases.csv"):
            by_name[normalize_name(row["alias"])] = row["indicator_code"]

        regions = read_catalog_csv(catalog_dir / "regions.csv")
        region_by_name = {normalize_name(r["region_name_zh"]): r["region_code"] for r in regions}
        for row in read_catalog_csv(catalog_dir / "region_aliases.csv"):
            region_by_name[normalize_name(row["alias"])] = row["region_code"]

        conversions = {
            (normalize_unit(r["from_unit"]), normalize_unit(r["to_unit"])): float(r["factor"])
            for r in read_catalog_csv(catalog_dir / "unit_conversions.csv")
        }
        return cls(
            indicator_units={r["indicator_code"]: normalize_unit(r["unit"]) for r in indicators},
            indicator_by_name=by_name,
            region_codes={r["region_code"] for r in regions},
            region_by_name=region_by_name,
            conversions=conversions,
            source_dir=catalog_dir,
        )

    def resolve_indicator(self, code: str | None, name: str | None) -> str | None:
        if code:
            code = code.strip()
            return code if code in self.indicator_units else None
        if name:
            return self.indicator_by_name.get(normalize_name(name))
        return None

    def resolve_region(self, code: str | None, name: str | None) -> str | None:
        if code:
            code = unicodedata.normalize("NFKC", code).strip()
            return code if code in self.region_codes else None
        if name:
            return self.region_by_name.get(normalize_name(name))
        return None

    def conversion_factor(self, from_unit: str, to_unit: str) -> float | None:
        """Multiplier taking a value in ``from_unit`` to ``to_unit``; None if not convertible."""
        return self.conversions.get((normalize_unit(from_unit), normalize_unit(to_unit)))
