"""Ingest throughput and peak memory, beside pandas' plain read of the same file.

    python -m benchmarks.ingest_bench [--csv-rows 1000000] [--xlsx-rows 100000]

Each measurement runs in a fresh interpreter so its peak RSS (ru_maxrss) is its own;
all are measured in the same run on the same files, and the comparison is a ratio.
Measured:
- ``parse_file``: decode, header/layout detection, every field parsed and converted
  (what one landing file costs, in process);
- ``ingest``: the whole landing step for that one file — parsing in the limited child
  process, spooling, DuckDB bulk insert, ledger, archive;
- ``pandas``: ``pandas.read_csv(encoding="gb18030")`` / ``pandas.read_excel(engine=
  "calamine")``, which only reads cells into columns (no validation, no conversion).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBES = {
    "parse_file": """
        from datetime import date
        from hrss_warehouse.catalog.names import Catalog
        from hrss_warehouse.ingest.parse import parse_file
        result = parse_file(PATH, Catalog.load(ROOT / "seeds"), date(2026, 1, 1))
        rows = result.rows_loaded
        assert not result.quarantined, result.quarantined[:3]
    """,
    "ingest": """
        import shutil
        from hrss_warehouse.config import Settings
        from hrss_warehouse.ingest.load import discover, ingest_files
        landing = WORK / "landing"
        landing.mkdir()
        shutil.copy(PATH, landing / PATH.name)
        settings = Settings.load(
            {"landing_dir": landing, "warehouse": WORK / "wh" / "hrss.duckdb"}, environ={}
        )
        settings.ensure_dirs()
        summary = ingest_files(settings, discover(settings), "bench")
        rows = summary["rows_loaded"]
        assert summary["rows_quarantined"] == 0
    """,
    "pandas_csv": """
        import pandas
        rows = len(pandas.read_csv(PATH, encoding="gb18030"))
    """,
    "pandas_xlsx": """
        import pandas
        rows = len(pandas.read_excel(PATH, engine="calamine"))
    """,
}


def measure(probe: str, path: Path) -> dict[str, float]:
    code = textwrap.dedent(
        """
        import json, resource, sys, tempfile, time
        from pathlib import Path
        ROOT = Path({root!r}); PATH = Path({path!r})
        sys.path.insert(0, str(ROOT))
        with tempfile.TemporaryDirectory() as work:
            WORK = Path(work)
            started = time.perf_counter()
        {body}
            seconds = time.perf_counter() - started
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        print(json.dumps({{"rows": rows, "seconds": seconds, "peak_mb": peak / 1024}}))
        """
    ).format(
        root=str(ROOT), path=str(path), body=textwrap.indent(textwrap.dedent(PROBES[probe]), "    ")
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("duckdb", "pandas", "python-calamine", "openpyxl")} | {
        "python": platform.python_version()
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory = 0
    import os

    return f"{cpu}, {os.cpu_count()} cores, {memory / 1024:.0f} GiB RAM, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    args = parser.parse_args()
    from benchmarks.make_inputs import write_csv, write_xlsx

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = [
            ("GBK CSV", write_csv(folder / "bench_gbk.csv", args.csv_rows), "pandas_csv"),
            (".xlsx", write_xlsx(folder / "bench.xlsx", args.xlsx_rows), "pandas_xlsx"),
        ]
        for label, path, baseline in inputs:
            size_mb = path.stat().st_size / 1048576
            measured = {p: measure(p, path) for p in ("parse_file", "ingest", baseline)}
            base = measured[baseline]
            for probe, m in measured.items():
                results.append(
                    {
                        "input": f"{label}, {m['rows']:,} rows, {size_mb:.0f} MB",
                        "probe": "pandas plain read" if probe == baseline else probe,
                        "seconds": m["seconds"],
                        "rows_per_s": m["rows"] / m["seconds"],
                        "peak_mb": m["peak_mb"],
                        "time_ratio": m["seconds"] / base["seconds"],
                        "memory_ratio": m["peak_mb"] / base["peak_mb"],
                    }
                )
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    print()
    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    print()
    print("| input | step | seconds | rows/s | peak RSS MB | time ÷ pandas | memory ÷ pandas |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['input']} | {r['probe']} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} "
            f"| {r['peak_mb']:.0f} | {r['time_ratio']:.1f}× | {r['memory_ratio']:.1f}× |"
        )


if __name__ == "__main__":
    main()
