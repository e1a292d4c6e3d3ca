"""The hostile landing corpus: names, contents and entries that departments, their tools
and the file system actually produce, each with what the run must make of it.

Not one of them may stop the run: each gets a ledger row with a stable reason (or, for an
upload still in flight, is left for the next run), the files around it load, and the
counts balance (rows_in = rows_loaded + rows_quarantined). Values are the 2024 Zhoushan
figures of the results article (catalog_sources/documents/004_abfd66c9a0fb837c.txt:
城镇新增就业 4.6万人 L13; 技能人才 24.4万 and 高技能人才 8.6万 L89).

``python -m tests.corpus.hostile DIR`` writes them out to look at.
"""

from __future__ import annotations

import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus.cases import xlsx, zip_bomb

Obs = tuple[str, str, str, str, float]
JOBS: Obs = ("urban_new_jobs", "330900", "2024", "period", 4.6)
SKILLED: Obs = ("skilled_talent", "330900", "2024", "end", 24.4)
HIGH: Obs = ("high_skilled_talent", "330900", "2024", "end", 8.6)
HEADER = "指标名称,地区,统计期,数值,单位,口径,备注\n"
JOBS_ROW = "城镇新增就业人数,舟山市,2024年,4.6,万人,,\n"
SKILLED_ROW = "技能人才总量,舟山市,2024年,24.4,万人,期末,\n"
# A 5 MB cell, as a pasted-in document or a runaway formula leaves it.
HUGE = "很" * (5 * 1024 * 1024 // 3)


@dataclass
class Hostile:
    name: str | bytes  # bytes: a name that is not UTF-8, as the file system holds it
    build: Callable[[Path], None]
    shown: str | None = None  # the name the ledger and messages use (default: name)
    taken: bool = True  # False: an upload in flight or a folder, left alone
    status: str | None = None  # loaded / partially_loaded / quarantined
    loaded: list[Obs] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # reason → quarantine records
    rows_in: int | None = None
    notes: tuple[str, ...] = ()  # substrings of the ledger notes
    kind: str = "file"  # file | symlink | fifo | dir
    encoding: str | None = None

    @property
    def shown_name(self) -> str:
        if self.shown is not None:
            return self.shown
        return self.name if isinstance(self.name, str) else self.name.decode("gb18030")


def jobs(note: str) -> str:
    """The 城镇新增就业 file, told apart by its note: files with the same bytes load once,
    and each name case must reach the parser on its own."""
    return HEADER + JOBS_ROW.replace(",,\n", f",,{note}\n")


def csv(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(content.encode(encoding))

    return build


def raw(data: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(data)

    return build


def good_xlsx() -> bytes:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"hostile-{os.getpid()}.xlsx"
    xlsx([{"title": "就业", "rows": [HEADER.strip().split(","), JOBS_ROW.strip().split(",")]}])(
        path
    )
    data = path.read_bytes()
    path.unlink()
    return data


def truncated_xlsx(keep: float) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        data = good_xlsx()
        path.write_bytes(data[: int(len(data) * keep)])

    return build


def xlsx_nul_note(path: Path) -> None:
    """A note cell holding ``_x0000_`` (OOXML's escape for NUL), as some exporters write:
    openpyxl refuses to write a NUL itself, so a marker is swapped in afterwards."""
    row = [*JOBS_ROW.strip().split(",")[:6], "NULMARK"]
    xlsx([{"title": "就业", "rows": [HEADER.strip().split(","), row]}])(path)
    with zipfile.ZipFile(path) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    members = {n: d.replace(b"NULMARK", b"a_x0000_b") for n, d in members.items()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)


def xlsx_deep_xml(path: Path) -> None:
    """A worksheet whose XML nests 200,000 elements deep: a parser that recurses dies.
    Stored uncompressed, so it is the parser that meets it, not the zip-bomb check."""
    depth = 200_000
    sheet = b"<worksheet>" + b"<a>" * depth + b"</a>" * depth + b"</worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)


def xlsx_huge_cell(path: Path) -> None:
    xlsx(
        [
            {
                "title": "就业",
                "rows": [
                    HEADER.strip().split(","),
                    [*JOBS_ROW.strip().split(",")[:6], "长" * 2_100_000],
                ],
            }
        ]
    )(path)


def xlsx_many_sheets(path: Path) -> None:
    rows = [HEADER.strip().split(","), JOBS_ROW.strip().split(",")]
    xlsx([{"title": f"表{i}", "rows": rows} for i in range(60)])(path)


def utf16_tsv(path: Path) -> None:
    """Excel's “Unicode text” export: UTF-16 with a BOM, tab-separated."""
    text = (HEADER + SKILLED_ROW).replace(",", "\t")
    path.write_bytes(text.encode("utf-16"))


def mixed_encodings(path: Path) -> None:
    """Two files pasted together: a UTF-8 header and row, then a GBK row."""
    path.write_bytes((HEADER + JOBS_ROW).encode() + SKILLED_ROW.encode("gbk"))


def bom_in_the_middle(path: Path) -> None:
    """Two UTF-8 exports concatenated: the second brings its own BOM and header."""
    path.write_bytes(("\ufeff" + HEADER + JOBS_ROW + "\ufeff" + HEADER + SKILLED_ROW).encode())


def wide_bad_cells(path: Path) -> None:
    """A months sheet of 200 regions' rows whose 12 cells are all words: 2,400 bad cells."""
    months = ",".join(f"{m}月" for m in range(1, 13))
    rows = [f"2024年城镇新增就业人数（万人）\n地区,{months}\n"]
    rows += [f"舟山市,{','.join(['待填'] * 12)}\n" for _ in range(200)]
    path.write_text("".join(rows), encoding="utf-8")


def ten_thousand_columns(path: Path) -> None:
    """One indicator row with 10,000 region columns no catalog knows."""
    regions = ",".join(f"未知地区{i}" for i in range(10_000))
    values = ",".join("1.0" for _ in range(10_000))
    path.write_text(
        f"2024年城镇新增就业人数（万人）\n指标,{regions}\n城镇新增就业人数,{values}\n", "utf-8"
    )


def xlsx_as_csv(path: Path) -> None:
    path.write_bytes(good_xlsx())


def many_duplicates(path: Path) -> None:
    path.write_text(HEADER + JOBS_ROW * 20_000, encoding="utf-8")


def oversized(path: Path) -> None:
    # Over HRSS_MAX_FILE_MB = 8 (the test deployment's): refused before it is read.
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        handle.write(JOBS_ROW * (9 * 1024 * 1024 // len(JOBS_ROW.encode()) + 1))


# An official letter's title as its file name: 80 characters, 244 bytes with ".csv".
LONG_NAME = ("关于报送舟山市人力资源和社会保障局" + "二〇二四年度就业和人才统计数据" * 5)[:80]
NAME_255 = "统" * 83 + ".csv"  # 83 × 3 + 4 = 253 bytes: at the file system's limit

CASES: list[Hostile] = [
    # ---------------------------------------------------------------- names
    Hostile(("2024年就业统计.csv").encode("gbk"), csv(jobs("用例1")), loaded=[JOBS]),
    Hostile(LONG_NAME + ".csv", csv(jobs("用例2")), loaded=[JOBS]),
    Hostile(NAME_255, csv(HEADER + SKILLED_ROW), loaded=[SKILLED]),
    Hostile("换行\n名称.csv", csv(jobs("用例3")), shown="换行\\x0a名称.csv", loaded=[JOBS]),
    Hostile("-rf --all.csv", csv(jobs("用例4")), loaded=[JOBS]),
    Hostile("'; drop table raw.file_ledger; --.csv", csv(jobs("用例5")), loaded=[JOBS]),
    # \xff is no lead byte: replaced; \xfe with "n" happens to be the GB18030 for ⺪.
    Hostile(b"bad\xff\xfename.csv", csv(jobs("用例6")), shown="bad\ufffd⺪ame.csv", loaded=[JOBS]),
    Hostile("大写扩展名.CSV", csv(jobs("用例7")), loaded=[JOBS]),
    Hostile(
        "没有扩展名",
        csv(jobs("用例8")),
        status="quarantined",
        reasons={"file_type_unsupported": 1},
    ),
    Hostile("上传中.csv.part", csv(jobs("用例9")), taken=False),
    Hostile("~$打开中.xlsx", raw(b"lock"), taken=False),
    Hostile("下载中.xlsx.crdownload", raw(b"PK"), taken=False),
    Hostile(
        "链接.csv",
        lambda p: None,
        kind="symlink",
        status="quarantined",
        reasons={"symlink_refused": 1},
    ),
    Hostile(
        "管道.csv",
        lambda p: None,
        kind="fifo",
        status="quarantined",
        reasons={"file_not_regular": 1},
    ),
    Hostile("子目录", lambda p: None, kind="dir", taken=False),
    Hostile("'$(touch pwned)'.csv", csv(jobs("用例10")), loaded=[JOBS]),
    # ---------------------------------------------------------------- contents
    Hostile(
        "备注含NUL.csv",
        csv(HEADER + JOBS_ROW.replace(",,\n", ",,说明\x00文字\n")),
        loaded=[JOBS],
        notes=("已移除 1 个控制字符",),
    ),
    Hostile(
        "几乎全是NUL.csv",
        raw(b"\x00" * 4096 + HEADER.encode()),
        status="quarantined",
        reasons={"file_encoding_unknown": 1},
    ),
    Hostile("备注x0000.xlsx", xlsx_nul_note, loaded=[JOBS], notes=("已移除 1 个控制字符",)),
    Hostile(
        "五兆备注.csv",
        csv(HEADER + JOBS_ROW.replace(",,\n", f",,{HUGE}\n")),
        loaded=[JOBS],
        notes=("已截断",),
    ),
    Hostile("两兆单元格.xlsx", xlsx_huge_cell, loaded=[JOBS], notes=("已截断",)),
    Hostile(
        "五兆数值.csv",
        csv(HEADER + f"城镇新增就业人数,舟山市,2024年,{HUGE},万人,,\n"),
        status="quarantined",
        reasons={"value_not_numeric": 1},
        rows_in=1,
    ),
    # No column is a region the catalog knows: no header is found; the row's record is
    # clipped (MAX_TEXT_CHARS), not 10,000 cells long.
    Hostile(
        "一万列.csv",
        ten_thousand_columns,
        status="quarantined",
        reasons={"header_not_found": 1},
        rows_in=1,
    ),
    Hostile(
        "整表无效单元格.csv",
        wide_bad_cells,
        status="quarantined",
        reasons={"value_not_numeric": 1001},
        rows_in=2400,
    ),
    Hostile(
        "两万行重复.csv",
        many_duplicates,
        status="partially_loaded",
        loaded=[JOBS],
        reasons={"duplicate_in_file": 1001},
        rows_in=20_000,
    ),
    Hostile("深层嵌套.xlsx", xlsx_deep_xml, status="quarantined", reasons={"file_unreadable": 1}),
    Hostile(
        "截断一半.xlsx", truncated_xlsx(0.5), status="quarantined", reasons={"file_unreadable": 1}
    ),
    Hostile(
        "截断末尾.xlsx", truncated_xlsx(0.97), status="quarantined", reasons={"file_unreadable": 1}
    ),
    Hostile(
        "其实是文本.xlsx",
        csv(jobs("用例11")),
        status="quarantined",
        reasons={"file_unreadable": 1},
    ),
    Hostile(
        "其实是表格.csv", xlsx_as_csv, status="quarantined", reasons={"file_encoding_unknown": 1}
    ),
    Hostile("两种编码.csv", mixed_encodings, loaded=[JOBS, SKILLED], encoding="mixed"),
    Hostile("中间有BOM.csv", bom_in_the_middle, loaded=[JOBS, SKILLED]),
    Hostile(
        "公式.csv",
        csv(HEADER + "城镇新增就业人数,舟山市,2024年,=4.6,万人,,\n" + SKILLED_ROW),
        status="partially_loaded",
        loaded=[SKILLED],
        reasons={"value_not_numeric": 1},
    ),
    Hostile(
        "公式注入备注.csv",
        csv(HEADER + JOBS_ROW.replace(",,\n", ",,=cmd|'/c calc'!A1\n")),
        loaded=[JOBS],
    ),
    Hostile("空文件.csv", raw(b""), status="quarantined", reasons={"file_empty": 1}),
    Hostile("只有表头.csv", csv(HEADER), status="quarantined", reasons={"file_empty": 1}),
    Hostile("UTF16制表符.txt.csv", utf16_tsv, loaded=[SKILLED]),
    Hostile(
        "DOS结束符.csv",
        raw((HEADER + JOBS_ROW).replace("\n", "\r\n").encode() + b"\x1a"),
        loaded=[JOBS],
        notes=("已移除 1 个控制字符",),
    ),
    Hostile(
        "旧Mac换行.csv",
        raw((HEADER + JOBS_ROW + SKILLED_ROW).replace("\n", "\r").encode()),
        loaded=[JOBS, SKILLED],
    ),
    Hostile(
        "无穷大.csv",
        csv(HEADER + "城镇新增就业人数,舟山市,2024年,1e999,万人,,\n"),
        status="quarantined",
        reasons={"value_not_numeric": 1},
    ),
    Hostile(
        "NaN.csv",
        csv(HEADER + "城镇新增就业人数,舟山市,2024年,NaN,万人,,\n"),
        status="quarantined",
        reasons={"value_not_numeric": 1},
    ),
    Hostile(
        "未来统计期.csv",
        csv(HEADER + "城镇新增就业人数,舟山市,2099年,4.6,万人,,\n" + SKILLED_ROW),
        status="partially_loaded",
        loaded=[SKILLED],
        reasons={"period_in_future": 1},
    ),
    Hostile(
        "六十个工作表.xlsx",
        xlsx_many_sheets,
        status="partially_loaded",
        loaded=[JOBS],
        reasons={"duplicate_in_file": 59},
    ),
    Hostile("超过大小上限.csv", oversized, status="quarantined", reasons={"file_too_large": 1}),
    Hostile("压缩炸弹.xlsx", zip_bomb, status="quarantined", reasons={"file_suspicious": 1}),
    Hostile(
        "半截GBK.csv",
        raw((HEADER + "高技能人才数量,舟山市,2024年,8.6,万人,期末,\n").encode("gbk") + b"\xff"),
        status="quarantined",
        reasons={"file_encoding_unknown": 1},
    ),
]


def write(case: Hostile, folder: Path) -> Path:
    """Put the case into ``folder`` as the file system would hold it."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(case.name))))
    if case.kind == "symlink":
        secret = folder.parent / "outside_the_landing_folder.csv"
        secret.write_text(HEADER + JOBS_ROW, "utf-8")
        path.symlink_to(secret)
    elif case.kind == "fifo":
        os.mkfifo(path)
    elif case.kind == "dir":
        path.mkdir()
        (path / "inside.csv").write_text(HEADER + JOBS_ROW, "utf-8")
    else:
        case.build(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_corpus")
    target.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        write(case, target)
    print(f"{len(CASES)} hostile files in {target}", file=sys.stderr)
