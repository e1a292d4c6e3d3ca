"""Generate the benchmark inputs: a long-layout GBK CSV and a long-layout .xlsx with
unique observation keys (every indicator kept in 万人 × every catalog region × every
month, going back in time as far as the row count needs), so each row takes the full
path: decode, header, name/region/period/value/unit parsing, conversion."""

from __future__ import annotations

import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["指标名称", "地区", "统计期", "数值", "单位", "口径"]


def rows(count: int):
    with (ROOT / "seeds" / "indicators.csv").open(encoding="utf-8") as handle:
        names = [r["indicator_name_zh"] for r in csv.DictReader(handle) if r["unit"] == "万人"]
    with (ROOT / "seeds" / "regions.csv").open(encoding="utf-8") as handle:
        regions = [r["region_name_zh"] for r in csv.DictReader(handle)]
    rnd = random.Random(2026)
    per_month = len(names) * len(regions)
    for i in range(count):
        month_index = i // per_month  # 0 = December 2024, then back in time
        year, month = 2024 - month_index // 12, 12 - month_index % 12
        within = i % per_month
        yield [
            names[within % len(names)],
            regions[within // len(names)],
            f"{year}年{month}月",
            f"{rnd.random() * 30:.2f}",
            "万人",
            "期末",
        ]


def write_csv(path: Path, count: int) -> Path:
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(count))
    return path


def write_xlsx(path: Path, count: int) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append([*row[:3], float(row[3]), *row[4:]])
    book.save(path)
    return path
