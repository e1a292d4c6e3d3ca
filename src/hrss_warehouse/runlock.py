"""One run at a time per warehouse, said plainly.

DuckDB allows one writing process per file. Under the scheduler the DAG's
``max_active_runs=1`` and the 1-slot writer pool serialise runs; ``hrss run`` (cron, an
operator) goes around the scheduler, so it takes this lock on the working directory
first. A second run either waits for it (``--wait``) or stops at once with
``另一次运行正在进行（PID …，开始于 …）`` — never with DuckDB's own lock error half-way
through. The lock is an ``flock``: the kernel releases it when its holder dies, so a
killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from hrss_warehouse.errors import PipelineError

# `hrss run`'s exit status when another run holds the lock: EX_TEMPFAIL, "try again
# later" — a scheduler can tell it from a failed run.
BUSY_EXIT = 75


class RunBusy(PipelineError):
    """Another run holds the warehouse."""


def holder(lock_file: Path) -> str:
    """Who holds the lock, as the message shows it."""
    try:
        info = json.loads(lock_file.read_text("utf-8"))
    except (OSError, ValueError):
        return "另一次运行正在进行"
    return f"另一次运行正在进行（PID {info.get('pid')}，开始于 {info.get('started_at')}）"


@contextmanager
def run_lock(
    work_dir: Path, *, wait_s: float = 0, notify=print, poll_s: float = 1.0
) -> Iterator[None]:
    """Hold the warehouse's run lock for the ``with`` block. Waits up to ``wait_s``
    seconds (announcing it once through ``notify``), then raises ``RunBusy``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    lock_file = work_dir / "run.lock"
    handle = lock_file.open("a+", encoding="utf-8")
    try:
        _acquire(handle, lock_file, wait_s, notify, poll_s)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "started_at": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
                }
            )
        )
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the flock


def _acquire(handle, lock_file: Path, wait_s: float, notify, poll_s: float) -> None:
    deadline = time.monotonic() + wait_s
    announced = False
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise RunBusy(
                holder(lock_file) + ("" if wait_s else "；稍后再试，或用 --wait 秒数等待")
            )
        if not announced:
            notify(f"{holder(lock_file)}：等待其结束（最多 {wait_s:g} 秒）…")
            announced = True
        time.sleep(min(poll_s, max(deadline - time.monotonic(), 0.01)))
