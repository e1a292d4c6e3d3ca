"""What is taken from the landing folder, and how it is named (ingest/landing.py)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from hrss_warehouse.ingest import landing
from hrss_warehouse.ingest.landing import archive_suffix, in_flight, scan, shown_name

pytestmark = pytest.mark.unit

GBK_NAME = "2024年就业统计.csv"
# What a zip made on Chinese Windows leaves on Linux: the GBK bytes of the name.
GBK_BYTES = GBK_NAME.encode("gbk")
CSV = "指标名称,地区,统计期,数值,单位\n城镇新增就业人数,舟山市,2024年,4.6,万人\n".encode()


def land(folder: Path, name: str | bytes, data: bytes = CSV, age_s: float = 3600) -> Path:
    """A file in the landing folder, last written ``age_s`` seconds ago."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.write_bytes(data)
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def take(folder: Path, archive: Path, known: set[str] | None = None, settle_s: float = 60):
    return scan(folder, archive, known or set(), settle_s=settle_s)


def test_a_gbk_name_is_shown_as_the_chinese_it_is(tmp_path):
    assert os.fsdecode(GBK_BYTES) != GBK_NAME  # Python holds it as surrogates
    assert shown_name(os.fsdecode(GBK_BYTES)) == GBK_NAME
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    land(landing_dir, GBK_BYTES)
    [entry] = take(landing_dir, tmp_path / "archive")
    assert entry.file_name == GBK_NAME
    assert entry.source_path.endswith("/landing/" + GBK_NAME)
    entry.file_name.encode("utf-8")  # JSON, logs and databases accept it
    # The archive is named by content, and holds exactly the bytes hashed.
    archived = Path(entry.archive_path)
    assert archived.name == f"{hashlib.sha256(CSV).hexdigest()}.csv"
    assert archived.read_bytes() == CSV and entry.sha256 == hashlib.sha256(CSV).hexdigest()


def test_bytes_that_are_no_encoding_get_replacement_characters():
    # 0xFF is never valid in UTF-8 nor a GB18030 lead byte.
    assert shown_name(os.fsdecode(b"report\xff\xfe.csv")) == "report\ufffd\ufffd.csv"


def test_control_characters_in_a_name_are_made_visible():
    assert shown_name("a\nb\tc.csv") == "a\\x0ab\\x09c.csv"


def test_the_archive_keeps_only_a_plain_extension():
    assert archive_suffix("报表.XLSX") == ".xlsx"
    assert archive_suffix("报表") == ""
    assert archive_suffix("x.csv\n") == ""
    assert archive_suffix("x.c$v") == ""


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("report.csv.part", True),
        ("report.csv.tmp", True),
        ("~$report.xlsx", True),  # Excel's lock file while the workbook is open
        ("report.xlsx.crdownload", True),
        (".report.csv", True),
        ("report.csv~", True),
        ("report.csv", False),
        ("2024年报表.xlsx", False),
    ],
)
def test_names_of_files_in_flight(name, skipped):
    assert in_flight(name) is skipped


def test_a_file_younger_than_the_settle_time_waits_for_the_next_run(tmp_path):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    land(landing_dir, "new.csv", age_s=5)
    land(landing_dir, "old.csv", CSV + b"\n", age_s=120)
    assert [e.file_name for e in take(landing_dir, tmp_path / "archive", settle_s=60)] == [
        "old.csv"
    ]
    assert len(take(landing_dir, tmp_path / "archive", settle_s=0)) == 2


def test_a_file_that_changes_while_it_is_copied_is_left_for_later(tmp_path, monkeypatch):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    path = land(landing_dir, "growing.csv")
    real = landing._hash_no_follow

    def hash_then_append(target):
        digest = real(target)
        with open(target, "ab") as handle:  # the uploader writes on
            handle.write(b"more\n")
        return digest

    monkeypatch.setattr(landing, "_hash_no_follow", hash_then_append)
    assert take(landing_dir, tmp_path / "archive") == []
    # No partial copy is left behind.
    assert [p for p in (tmp_path / "archive").rglob("*") if p.is_file()] == []
    monkeypatch.setattr(landing, "_hash_no_follow", real)
    # Just written, it also waits out the settle time; then it is taken whole.
    assert take(landing_dir, tmp_path / "archive") == []
    [entry] = take(landing_dir, tmp_path / "archive", settle_s=0)
    assert Path(entry.archive_path).read_bytes() == path.read_bytes() == CSV + b"more\n"


def test_known_bytes_are_not_taken_again(tmp_path):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    land(landing_dir, "a.csv")
    assert take(landing_dir, tmp_path / "archive", {hashlib.sha256(CSV).hexdigest()}) == []


def test_a_symlink_is_refused_not_followed(tmp_path):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_bytes(CSV)
    (landing_dir / "link.csv").symlink_to(secret)
    [entry] = take(landing_dir, tmp_path / "archive")
    assert (entry.refused, entry.archive_path, entry.size_bytes) == ("symlink_refused", None, 0)
    assert entry.detail == str(secret)
    assert not (tmp_path / "archive").exists()  # nothing was read through it
    # Recorded once: with its key known, the next run passes it by.
    assert take(landing_dir, tmp_path / "archive", {entry.sha256}) == []


def test_a_fifo_is_refused_and_never_opened(tmp_path):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    os.mkfifo(landing_dir / "pipe.csv")  # opening it for reading would block forever
    [entry] = take(landing_dir, tmp_path / "archive")
    assert entry.refused == "file_not_regular" and entry.detail.startswith("p")


def test_folders_are_not_searched(tmp_path):
    landing_dir = tmp_path / "landing"
    (landing_dir / "sub").mkdir(parents=True)
    land(landing_dir / "sub", "inner.csv")
    assert take(landing_dir, tmp_path / "archive") == []


def test_an_unreadable_file_waits_instead_of_failing_the_run(tmp_path, monkeypatch):
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    land(landing_dir, "locked.csv")
    land(landing_dir, "fine.csv", CSV + b"\n")

    def refuse(target):
        if target.name == "locked.csv":
            raise PermissionError(13, "Permission denied", str(target))
        return real(target)

    real = landing._hash_no_follow
    monkeypatch.setattr(landing, "_hash_no_follow", refuse)
    assert [e.file_name for e in take(landing_dir, tmp_path / "archive")] == ["fine.csv"]
