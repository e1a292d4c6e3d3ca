"""A real PostgreSQL server for tests: initdb + pg_ctl on a free port, started and
stopped by the test session itself. No mocks, no Docker.

The server binaries come from PATH or Debian's /usr/lib/postgresql/<version>/bin
(`.ci/run` installs the `postgresql` package where they are missing). PostgreSQL
refuses to run as root, so under root the server runs as the `postgres` user the
Debian package creates.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


def server_bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for candidate in versions:
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
        "`postgresql` (.ci/run does this)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """``settings`` are extra server settings (``log_statement="all"``); ``hba`` lines go
    before initdb's trust rules, e.g. to make a role log in with SCRAM. The server log is
    ``log_file``."""

    def __init__(self, settings: dict[str, str] | None = None, hba: Sequence[str] = ()) -> None:
        self.settings = settings or {}
        self.hba = list(hba)
        self.bin = server_bin_dir()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hrss-pg-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses root; the server runs as the unprivileged `postgres` user.
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o755)

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        if self.hba:
            conf = self.data / "pg_hba.conf"
            conf.write_text("\n".join(self.hba) + "\n" + conf.read_text())
        options = "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log_file),
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off{options}",
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
