"""`-o`: every command that writes a file refuses to replace what it reads
(a rulebook's YAML, the journal), says in words what is wrong with a path
(zh, or en with --lang en) with exit 1 or 2 and never an internal error,
and replaces a file atomically."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from engine.cli.output import Protected, write_output
from engine.errors import SopError, UsageError
from engine.journal import Journal
from tests.conftest import ROOT, Runner

SOPS = ROOT / "sops"
SMALL = ROOT / "tests" / "fixtures" / "rulebook_runtime"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = tmp_path / "sops"
    shutil.copytree(SOPS, folder)
    return folder


def _same_rulebook(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in SOPS.iterdir())
    for p in SOPS.iterdir():
        assert (folder / p.name).read_bytes() == p.read_bytes(), p.name


# Each command with -o, given the rulebook (and journal) it reads.
def _commands(book: Path, journal: Path) -> dict[str, list[str]]:
    return {
        "manual": ["render", "manual", str(book)],
        # The PDF of a small rulebook: /dev/full fails only once it is made.
        "manual-pdf": ["render", "manual", str(SMALL), "--format", "pdf"],
        "script": ["render", "script", "fire", "-R", str(book)],
        "checklist": ["render", "checklist", "fire", "-R", str(book), "--format", "md"],
        "graph": ["graph", "fire", "-R", str(book)],
        "due": ["due", "--journal", str(journal)],
    }


@pytest.mark.parametrize("target", ["fire.yaml", "new.yaml", "rulebook.yaml", "x.YML"])
@pytest.mark.parametrize("command", ["manual", "script", "checklist", "graph"])
def test_output_never_replaces_or_adds_a_rulebook_file(
    sop: Runner, book: Path, tmp_path: Path, command: str, target: str
) -> None:
    args = _commands(book, tmp_path / "j.sqlite3")[command]
    done = sop(*args, "-o", str(book / target))
    assert done.returncode == 2, done.stderr
    assert "规则手册文件夹" in done.stderr and target in done.stderr
    _same_rulebook(book)
    english = sop(*args, "-o", str(book / target), "--lang", "en")
    assert english.returncode == 2 and "rulebook folder" in english.stderr, english.stderr
    _same_rulebook(book)


def test_the_default_rulebook_is_protected_too(sop: Runner, book: Path) -> None:
    """No -R: ./sops is the rulebook, and its YAML files are off limits."""
    done = sop("graph", "fire", "-o", "sops/fire.yaml", cwd=book.parent)
    assert done.returncode == 2 and "规则手册文件夹" in done.stderr, done.stderr
    _same_rulebook(book)
    fine = sop("graph", "fire", "-o", "sops/fire.mmd", cwd=book.parent)
    assert fine.returncode == 0 and (book / "fire.mmd").read_text().startswith("flowchart TD")


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_output_never_replaces_the_journal(
    sop: Runner, book: Path, tmp_path: Path, suffix: str
) -> None:
    journal = tmp_path / "j.sqlite3"
    journal.write_bytes(b"journal")
    target = str(journal) + suffix
    for args in (
        ["due", "--journal", str(journal)],
        ["render", "script", "--run", "1", "--journal", str(journal), "-R", str(book)],
    ):
        done = sop(*args, "-o", target)
        assert done.returncode == 2 and "日志文件" in done.stderr, done.stderr
    assert journal.read_bytes() == b"journal"
    done = sop("due", "-o", str(journal), "--lang", "en", env={"SOP_JOURNAL": str(journal)})
    assert done.returncode == 2 and "journal" in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["manual", "manual-pdf", "script", "graph", "due"])
def test_bad_paths_are_explained(sop: Runner, book: Path, tmp_path: Path, command: str) -> None:
    journal = tmp_path / "j.sqlite3"
    with Journal(str(journal)):
        pass  # an empty journal, for due to read
    args = _commands(book, journal)[command]
    missing = sop(*args, "-o", str(tmp_path / "nowhere" / "out.txt"))
    assert missing.returncode == 2 and "不存在" in missing.stderr, missing.stderr
    folder = sop(*args, "-o", str(book.parent / "sops"))
    assert folder.returncode == 2 and "是一个文件夹" in folder.stderr, folder.stderr
    english = sop(*args, "-o", str(tmp_path / "nowhere" / "out.txt"), "--lang", "en")
    assert english.returncode == 2 and "does not exist" in english.stderr, english.stderr
    if os.path.exists("/dev/full"):
        full = sop(*args, "-o", "/dev/full")
        assert full.returncode == 1 and "磁盘已满" in full.stderr, full.stderr
    for done in (missing, folder, english):
        assert "内部错误" not in done.stderr and "Traceback" not in done.stderr


def test_a_file_is_written_and_replaced_whole(sop: Runner, book: Path, tmp_path: Path) -> None:
    out = tmp_path / "fire.mmd"
    out.write_text("old")
    done = sop("graph", "fire", "-R", str(book), "-o", str(out))
    assert done.returncode == 0 and "已写入" in done.stderr, done.stderr
    assert out.read_text().startswith("flowchart TD")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fire.mmd", "sops"]  # no temp file


# -- the writer itself, for failures a test cannot cause as root --------------
def test_permission_denied_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    with pytest.raises(SopError) as caught:
        write_output("x", str(tmp_path / "out.txt"))
    assert caught.value.exit_code == 1 and "没有写入权限" in caught.value.message


def test_a_read_only_file_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old")
    monkeypatch.setattr("os.access", lambda path, mode: False)
    with pytest.raises(SopError) as caught:
        write_output("new", str(out))
    assert "没有写入权限" in caught.value.message and out.read_text() == "old"


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old")
    os.chmod(out, 0o640)

    def no_space(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.replace", no_space)
    with pytest.raises(SopError) as caught:
        write_output("new", str(out))
    assert "磁盘已满" in caught.value.message
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    monkeypatch.undo()
    write_output("new", str(out), announce=False)
    assert out.read_text() == "new" and (out.stat().st_mode & 0o777) == 0o640  # mode kept


def test_protection_follows_symlinks(tmp_path: Path) -> None:
    book = tmp_path / "sops"
    book.mkdir()
    (book / "a.yaml").write_text("id: a\n")
    link = tmp_path / "elsewhere.yaml"
    link.symlink_to(book / "a.yaml")
    with pytest.raises(UsageError):
        write_output("x", str(link), Protected(rulebooks=(str(book),)))
    assert (book / "a.yaml").read_text() == "id: a\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["validate"],
        ["due", "--format", "csv", "--ahead"],
        ["render", "script", "fire"],
        ["simulate", "fire", "--save", "/dev/full"],
    ],
)
def test_a_full_standard_output_is_a_message(args: list[str], book: Path, tmp_path: Path) -> None:
    """Standard output on a full disk (or a --save folder that is a device)
    is said plainly, never an internal error."""
    import subprocess

    from tests.conftest import sop_command

    rulebook = str(book)
    if args[0] == "validate":
        args = [*args, rulebook]
    elif args[0] == "render":
        args = [*args, "-R", rulebook]
    elif args[0] == "simulate":
        args = [*args, "--rulebook", rulebook]
    journal = tmp_path / "j.sqlite3"
    Journal(str(journal)).close()  # an empty journal: `due` prints its header
    env = {**os.environ, "SOP_JOURNAL": str(journal)}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*sop_command(), *args], stdout=full, stderr=subprocess.PIPE, text=True, env=env
        )
    assert done.returncode == 1, done.stderr
    assert "无法" in done.stderr and "内部错误" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
