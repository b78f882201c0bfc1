"""Shared fixtures. CLI tests run the installed `sop` entry point, from a
folder outside the checkout so the checkout's sources cannot shadow it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A test's terminal is the pseudo-terminal it opens, never the runner's: the
# workers of pytest-xdist inherit COLUMNS, which would outrank the terminal.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)
CASES = ROOT / "tests" / "cases"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update",
        action="store_true",
        help="rewrite golden files from the current output (review the diff!)",
    )


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update"))


def sop_command() -> list[str]:
    exe = Path(sys.executable).parent / "sop"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("sop")
    return [found] if found else [sys.executable, "-m", "engine"]


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session's `sop` commands: every entry is keyed
    by the content it was made from, so sharing it is what a user's machine
    does, and the bundled rulebook is validated once, not once per test."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def sop(tmp_path: Path, shared_cache: Path) -> Runner:
    def run(
        *args: str,
        cwd: Path | str | None = None,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "SOP_CACHE_DIR": str(shared_cache),
            "LANG": "C.UTF-8",
            "SOP_LANG": "",
            **(env or {}),
        }
        return subprocess.run(
            [*sop_command(), *args],
            cwd=cwd or tmp_path,
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )

    return run


# ---- the journal's stores: an SQLite file, and a throwaway PostgreSQL server

STORES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """One PostgreSQL server for the whole session (tests/pg.py)."""
    from tests import pg

    cluster = pg.Cluster(pg.require())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Any) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return str(pg_cluster.new_database())


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's journal lives, once per store: a file, then a database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "journal.sqlite3")


# ---- PDF manuals, rendered once a session (the bundled one takes 10-20 s)


@pytest.fixture(scope="session")
def pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("font-cache")


def render_pdf_cli(folder: Path, out: Path, cache: Path, *extra: str) -> None:
    """`sop render manual FOLDER --format pdf -o OUT`, dated as the golden files."""
    import subprocess

    from tests.render_golden import EPOCH

    env = {**os.environ, "SOP_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [
            *sop_command(),
            "render",
            "manual",
            str(folder),
            "--format",
            "pdf",
            "-o",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
        cwd=out.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "警告" not in done.stderr  # every character drawn has a glyph in the font
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.fixture(scope="session")
def mini_pdf(tmp_path_factory: pytest.TempPathFactory, pdf_cache: Path) -> Path:
    from tests.render_golden import MINI

    out = tmp_path_factory.mktemp("pdf") / "mini.pdf"
    render_pdf_cli(MINI, out, pdf_cache)
    return out


@pytest.fixture(scope="session")
def bundled_pdf(tmp_path_factory: pytest.TempPathFactory, pdf_cache: Path) -> Path:
    """The bundled rulebook's manual: shared by every test that reads it."""
    from tests.render_golden import BUNDLED

    out = tmp_path_factory.mktemp("pdf") / "bundled.pdf"
    render_pdf_cli(BUNDLED, out, pdf_cache)
    return out
