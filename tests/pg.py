"""A throwaway PostgreSQL server for the tests, from the machine's own binaries.

One cluster per test session: `initdb` into a temporary folder (as an
unprivileged user when the tests run as root, since initdb refuses root),
started on a free 127.0.0.1 port with no Unix socket left elsewhere, stopped
and removed at the end. Each test gets a database of its own.

When the binaries are missing the PostgreSQL tests are skipped — unless `CI`
is set, where `.ci/run` installs PostgreSQL and a missing server is a failure.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

CREDENTIAL = "sop"  # the cluster's superuser; trust authentication on 127.0.0.1 only


def _bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        candidates.append(Path(folder))
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _version(folder: str) -> float:
    try:
        return float(Path(folder).parent.name)
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _owner() -> str | None:
    """Who runs the server: this user, or an unprivileged one when this is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL as")


class Cluster:
    """`durable`: fsync as a production server does (benchmarks); the tests
    run without it, which only matters if the machine itself loses power."""

    def __init__(self, bindir: Path, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.owner = _owner()
        self.root = Path(tempfile.mkdtemp(prefix="sop-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self._names = itertools.count(1)
        if self.owner is not None:
            info = pwd.getpwnam(self.owner)
            os.chown(self.root, info.pw_uid, info.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> None:
        done = self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", CREDENTIAL, "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr}")
        for _ in range(5):  # a port taken between choosing and binding: try another
            self.port = _free_port()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                "-c max_connections=200 -c shared_buffers=128MB"
            )
            if not self.durable:
                options += " -c fsync=off -c full_page_writes=off"
            done = self._run(
                "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                "-w", "-t", "60", "start",
            )  # fmt: skip
            if done.returncode == 0:
                return
            time.sleep(0.2)
        log = (self.root / "log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {done.stderr}\n{log}")

    def url(self, database: str = "postgres", user: str = CREDENTIAL) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as db:
            db.execute(statement)  # type: ignore[call-overload]

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def available() -> Path | None:
    """The binaries and the driver, or None (then the tests skip, or fail in CI)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None
    return _bin_dir()


def require() -> Path:
    bindir = available()
    if bindir is None:
        why = "PostgreSQL's server binaries (initdb, pg_ctl) or psycopg are not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{why}: CI needs them (.ci/run installs them)")
        pytest.skip(why)
    return bindir
