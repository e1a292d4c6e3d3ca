"""A failed `hrss` run ends in one line saying what failed and why — a full disk included
(issue 15: the run used to end in a traceback from writing its own log).

The disk is filled for real where it matters: ``/dev/full`` answers every write with
ENOSPC, so the run log is made a link to it."""

from __future__ import annotations

import errno
import io
import json
import os
import uuid
from pathlib import Path

import pytest

from hrss_warehouse import cli
from hrss_warehouse.config import Settings
from hrss_warehouse.errors import PipelineError, cause_of, one_line

pytestmark = pytest.mark.unit

TOKEN = "0123456789ab"
# What `airflow dags test` printed when a task hit a full disk (Airflow 3.3 format).
FULL_DISK_TASK = (
    "2026-12-06T07:10:42.101000Z [info     ] [DAG TEST] starting task_id=ingest_files\n"
    "OSError: [Errno 28] No space left on device: '/srv/hrss/work/spool/a.csv'\n"
    "2026-12-06T07:10:43.923451Z [info     ] DagRun Finished: dag_id=hrss_nightly state=failed\n"
)


class FakeAirflow:
    """Stands in for the `airflow dags test` child: prints ``output``, exits ``code`` and,
    if asked, writes the run summary the render_report task would have written."""

    def __init__(self, output: str, code: int, summary: dict | None = None) -> None:
        self.output, self.code, self.summary = output, code, summary

    def __call__(self, command, **kwargs):
        env = kwargs["env"]
        assert json.loads(command[command.index("--conf") + 1]) == {}  # settings go by env
        if self.summary is not None:
            summary = Path(env["HRSS_WORK_DIR"]) / "runs" / f"{env['HRSS_RUN_TOKEN']}.json"
            summary.write_text(json.dumps(self.summary), "utf-8")
        fake = self

        class Process:
            stdout = io.StringIO(fake.output)
            returncode = fake.code

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        return Process()


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setattr(cli, "bootstrap_airflow", lambda env: None)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0x0123456789AB << 80))
    settings = Settings.load({"warehouse": str(tmp_path / "hrss.duckdb")}, environ={})
    settings.ensure_dirs()
    return settings


def full_disk_log(settings: Settings) -> Path:
    runs = settings.work_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    log = runs / f"{TOKEN}.log"
    log.symlink_to("/dev/full")
    return log


def test_a_full_disk_under_the_run_log_ends_in_one_line(settings, monkeypatch, capsys):
    assert uuid.uuid4().hex[:12] == TOKEN
    full_disk_log(settings)
    # 100 kB of task output: more than any write buffer, so the disk is really written to.
    output = "x" * 200 + "\n"
    monkeypatch.setattr(cli.subprocess, "Popen", FakeAirflow(output * 500, code=1))
    code, summary, _ = cli.run_pipeline(settings)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and summary is None
    assert len(err) == 1
    assert err[0].startswith("hrss run failed: 磁盘空间不足：run log ")
    assert "No space left on device" in err[0] and err[0].endswith("(log incomplete)")


def test_a_full_disk_in_a_task_is_named_as_such(settings, monkeypatch, capsys):
    monkeypatch.setattr(cli.subprocess, "Popen", FakeAirflow(FULL_DISK_TASK, code=1))
    code, _, log = cli.run_pipeline(settings)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0] == (
        "hrss run failed: 磁盘空间不足：OSError: [Errno 28] No space left on device: "
        f"'/srv/hrss/work/spool/a.csv' (log: {log})"
    )


def test_a_run_that_succeeded_while_its_log_could_not_be_written_says_so(
    settings, monkeypatch, capsys
):
    full_disk_log(settings)
    monkeypatch.setattr(cli.subprocess, "Popen", FakeAirflow("y\n" * 9000, 0, {"ok": 1}))
    code, summary, _ = cli.run_pipeline(settings)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 0 and summary == {"ok": 1}
    assert len(err) == 1 and err[0].startswith("warning: 磁盘空间不足：run log ")


def test_any_error_reaching_main_is_one_line(monkeypatch, capsys):
    def boom(args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/hrss/work/hrss_work.duckdb")

    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(boom))
    assert cli.main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "hrss run failed: 磁盘空间不足：OSError: [Errno 28] No space left on device: "
        "'/srv/hrss/work/hrss_work.duckdb'"
    ]


def _parser_with(func):
    parser = cli.argparse.ArgumentParser(prog="hrss")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run").set_defaults(func=func)
    return parser


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("OSError: [Errno 28] No space left on device", "disk_full"),
        (
            'IO Error: Could not set lock on file "/w/hrss_work.duckdb": Conflicting lock',
            "lock_held",
        ),
        ("PermissionError: [Errno 13] Permission denied: '/srv/landing'", "permission_denied"),
        ("dbt build failed: a test failed", None),
    ],
)
def test_causes_are_recognised_from_their_text(text, cause):
    assert cause_of(text) == cause


def test_a_pipeline_error_keeps_its_own_words():
    assert one_line(PipelineError("marts failed critical expectations")) == (
        "marts failed critical expectations"
    )
    assert one_line(ValueError("bad\n  value")) == "ValueError: bad value"
