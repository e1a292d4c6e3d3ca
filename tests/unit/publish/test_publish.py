"""Write-audit-publish on DuckDB: the published file is replaced only whole, by one
rename, never blocks or breaks a reader, and survives a crash at any point."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from hrss_warehouse.config import Settings
from hrss_warehouse.errors import PipelineError
from hrss_warehouse.publish.duckdb_file import publish

pytestmark = pytest.mark.unit


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings.load({"warehouse": str(tmp_path / "pub" / "hrss.duckdb")})
    settings.work_dir.mkdir(parents=True)
    return settings


def build_work(settings: Settings, version: int, rows: int = 3) -> None:
    """A working database whose marts say which version built them."""
    settings.work_db.unlink(missing_ok=True)
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("create schema marts; create schema raw")
        con.execute(
            f"create table marts.fct_demo as select range as id, {version} as version "
            f"from range({rows})"
        )
        con.execute("create table raw.secret as select 'not for BI' as text")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def versions(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select version, count(*) from marts.fct_demo group by all").fetchall()


def test_only_marts_are_published_and_counted(settings):
    build_work(settings, 1)
    result = publish(settings)
    assert result["tables"] == {"marts.fct_demo": 3}
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute("select schema_name from information_schema.schemata").fetchall()
        }
    assert "raw" not in schemas and "marts" in schemas


def test_a_reader_holding_the_file_open_keeps_working_while_a_new_version_lands(settings):
    build_work(settings, 1)
    publish(settings)
    reader = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        assert reader.execute("select max(version) from marts.fct_demo").fetchone() == (1,)
        build_work(settings, 2, rows=5)
        publish(settings)  # does not wait for, or fail because of, the open reader
        # The open connection still sees the complete old version ...
        assert reader.execute("select max(version), count(*) from marts.fct_demo").fetchone() == (
            1,
            3,
        )
    finally:
        reader.close()
    # ... and a new reader the complete new one.
    assert versions(settings.warehouse) == [(2, 5)]


def test_a_failure_while_copying_leaves_the_published_file_untouched(settings, monkeypatch):
    build_work(settings, 1)
    publish(settings)
    before = digest(settings.warehouse)
    build_work(settings, 2)

    import hrss_warehouse.publish.duckdb_file as module

    def broken(con, table):
        raise OSError("disk full")

    monkeypatch.setattr(module, "_count", broken)
    with pytest.raises(OSError, match="disk full"):
        publish(settings)
    assert digest(settings.warehouse) == before
    assert list(settings.warehouse.parent.glob(".hrss.duckdb.publishing-*")) == []


def test_a_copy_that_lost_rows_is_never_published(settings, monkeypatch):
    build_work(settings, 1)
    publish(settings)
    before = digest(settings.warehouse)
    build_work(settings, 2)

    import hrss_warehouse.publish.duckdb_file as module

    real = module._count
    monkeypatch.setattr(
        module, "_count", lambda con, table: real(con, table) - (not table.startswith("work."))
    )
    with pytest.raises(PipelineError, match=r"publish check failed: marts\.fct_demo has 2 rows"):
        publish(settings)
    assert digest(settings.warehouse) == before


def test_a_process_killed_just_before_the_rename_leaves_the_old_version(settings):
    build_work(settings, 1)
    publish(settings)
    before = digest(settings.warehouse)
    build_work(settings, 2)
    # The worst moment: the new copy is complete on disk and the rename is next.
    script = textwrap.dedent(
        f"""
        import os, signal
        from hrss_warehouse.config import Settings
        from hrss_warehouse.publish import duckdb_file as module
        module.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        module.publish(Settings.load({{"warehouse": {str(settings.warehouse)!r}}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert digest(settings.warehouse) == before
    assert versions(settings.warehouse) == [(1, 3)]
    leftovers = sorted(settings.warehouse.parent.glob(".hrss.duckdb.publishing-*"))
    # The copy, and the lock its dead publisher held.
    assert [p.name.endswith(".lock") for p in leftovers] == [False, True]
    # The next publish clears what the killed one left, and lands the new version.
    publish(settings)
    assert not any(p.exists() for p in leftovers)
    assert versions(settings.warehouse) == [(2, 3)]
    assert sorted(os.listdir(settings.warehouse.parent)) == ["hrss.duckdb", "work"]


def test_the_clean_up_never_touches_a_live_publish(settings):
    """Another process publishing into the same folder right now (its lock held): its
    copy is not a leftover, whatever the clean-up of this publish finds."""
    build_work(settings, 1)
    other = settings.warehouse.with_name(".hrss.duckdb.publishing-999999")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, sys, time
                lock = open({str(other) + ".lock"!r}, "w")
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                open({str(other)!r}, "wb").write(b"half-written")
                print("held", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        publish(settings)
        assert other.read_bytes() == b"half-written"
        assert versions(settings.warehouse) == [(1, 3)]
    finally:
        holder.kill()
        holder.wait()
    # Its publisher gone, the copy is a leftover like any other.
    publish(settings)
    assert not other.exists() and not other.with_name(other.name + ".lock").exists()
