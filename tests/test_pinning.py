"""Pinning a rulebook for a run and restoring it from a journal.

A journal is data from outside: the names it stores for the pinned files may
be crafted. Restoring must never write a file, wherever the names point, and
must refuse names that are not plain rulebook file names with a clear
message (a JournalError), never an exception."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import validate
from engine.errors import JournalError, RulebookError
from engine.journal.events import GENESIS, canonical, chain_hash
from engine.paths import in_layout, unsafe_name
from engine.runtime import pinning
from engine.runtime.pinning import pin, restore
from engine.validate import read_folder, validate_paths, validate_texts
from tests.conftest import ROOT, Runner

SOPS = ROOT / "sops"


def bundled_texts() -> dict[str, str]:
    files = read_folder(str(SOPS))
    assert all(isinstance(t, str) for t in files.values())
    return {k: v for k, v in files.items() if isinstance(v, str)}


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("fire.yaml", None),
        ("night/patrol.yml", None),
        ("rulebook.yaml", None),
        ("../x.yaml", "parent"),
        ("a/../../x.yaml", "parent"),
        ("/etc/x.yaml", "absolute"),
        ("C:/x.yaml", "drive"),
        ("C:x.yaml", "drive"),
        ("a\\..\\x.yaml", "backslash"),
        ("a//x.yaml", "empty-part"),
        ("./x.yaml", "empty-part"),
        ("a/", "empty-part"),
        ("", "empty"),
        (".hidden.yaml", "hidden"),
        ("a/.git/x.yaml", "hidden"),
        ("x.txt", "not-yaml"),
        ("x\x1b[2J.yaml", "control"),
        ("../x\u202e.yaml", "parent"),
        ("x\u202e.yaml", "control"),
        ("x\n.yaml", "control"),
    ],
)
def test_unsafe_names_are_named(name: str, reason: str | None) -> None:
    assert unsafe_name(name) == reason


def test_in_layout_orders_as_a_folder_walk_and_leaves_nested_rulebooks_out() -> None:
    names = ["z.yaml", "b/x.yaml", "a.yaml", "b/a/y.yaml", "n/rulebook.yaml", "n/q.yaml"]
    assert in_layout(names) == ["a.yaml", "z.yaml", "b/x.yaml", "b/a/y.yaml"]


# ---------------------------------------------------------------- restore


def test_restore_rebuilds_what_pin_read() -> None:
    pinned = pin(str(SOPS))
    restored = restore(dict(pinned.files), pinned.sha)
    assert restored.folder == ""
    assert set(restored.rulebook.procedures) == set(pinned.rulebook.procedures)
    assert restored.paths == {pid: f"{pid}.yaml" for pid in restored.rulebook.procedures}
    for pid, proc in pinned.rulebook.procedures.items():
        assert list(restored.rulebook.procedures[pid].steps) == list(proc.steps)
        assert restored.procedure_sha(pid) == pinned.procedure_sha(pid)


def test_validate_texts_reports_as_the_folder_run_does(tmp_path: Path) -> None:
    texts = bundled_texts()
    texts["fire.yaml"] = texts["fire.yaml"].replace("next: ", "next: nowhere_", 1)
    for rel, text in texts.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    on_disk = validate_paths([str(tmp_path)])
    in_memory = validate_texts(texts, str(tmp_path))
    assert on_disk.problems == in_memory.problems
    assert [p.rule for p in in_memory.problems] == ["unknown-step"]


def test_restore_refuses_a_text_that_no_longer_builds() -> None:
    texts = bundled_texts()
    texts["fire.yaml"] = "id: [\n"
    with pytest.raises(RulebookError, match=r"fire\.yaml:2:1: .*\[yaml-syntax\]"):
        restore(texts, "ab" * 32)


@pytest.mark.parametrize(
    "files",
    [[], ["../x"], {"a.yaml": 3}, {5: "x"}, "rulebook.yaml"],
)
def test_restore_refuses_damaged_snapshots(files: Any) -> None:
    with pytest.raises(JournalError, match=r"已损坏|不安全"):
        restore(files, "cd" * 32)


_PART = st.sampled_from(
    ["..", ".", "", "a", "sops", "x.yaml", ".git", "C:", "c:", "\\", "..\\..", "\x1b[2J", "\u202e"]
)


@st.composite
def crafted_names(draw: st.DrawFn, base: str) -> str:
    """Names a crafted journal could store: relative climbs, absolute paths
    into the test's own folder, Windows forms, hidden and control parts."""
    parts = draw(st.lists(_PART, min_size=1, max_size=6))
    last = draw(st.sampled_from(["x.yaml", "rulebook.yaml", "x.yml", "x", ".yaml"]))
    name = "/".join([*parts, last])
    style = draw(st.sampled_from(["relative", "absolute", "backslash", "drive"]))
    if style == "absolute":
        name = f"{base}/{name}"
    elif style == "backslash":
        name = name.replace("/", "\\")
    elif style == "drive":
        name = "C:" + name
    return name


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_crafted_names_create_no_file_anywhere(data: st.DataObject) -> None:
    outer = Path(tempfile.mkdtemp(prefix="sop-crafted-"))
    try:
        # cwd and TMPDIR deep inside a fresh folder, so a name climbing out of
        # either (up to six levels) would land somewhere we look.
        deep = outer / "1" / "2" / "3" / "4" / "5" / "6" / "7"
        cwd, tmp = deep / "cwd", deep / "tmp"
        cwd.mkdir(parents=True)
        tmp.mkdir()
        before = _tree(outer)
        names = data.draw(st.lists(crafted_names(str(deep)), min_size=1, max_size=4))
        files = dict(bundled_texts())
        files.update({n: "id: x\n" for n in names})
        old_cwd, old_tmpdir, old_env = os.getcwd(), tempfile.tempdir, os.environ.get("TMPDIR")
        os.chdir(cwd)
        os.environ["TMPDIR"] = str(tmp)
        tempfile.tempdir = None
        try:
            unsafe = [n for n in names if unsafe_name(n) is not None]
            if unsafe:
                with pytest.raises(JournalError) as raised:
                    restore(files, "ef" * 32)
                assert "不安全的文件名" in raised.value.message
                assert "\x1b" not in raised.value.message and "\u202e" not in raised.value.message
            else:
                # A plain extra file that does not build is refused; still nothing is written.
                with contextlib.suppress(RulebookError):
                    restore(files, "ef" * 32)
        finally:
            os.chdir(old_cwd)
            tempfile.tempdir = old_tmpdir
            if old_env is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = old_env
        assert _tree(outer) == before
    finally:
        shutil.rmtree(outer)


def _crafted_journal(run: Runner, tmp_path: Path) -> Path:
    """A journal whose pinned rulebook holds hostile file names, forged
    consistently (the snapshot under its true hash, the run and its events
    pointing at it, the whole chain recomputed), as an attacker who can write
    the file would: the journal's own checks pass, so only the refusal of the
    names stands between the text and the file system."""
    journal = tmp_path / "journal.sqlite3"
    result = run("run", "fire", "--journal", str(journal), input="p\n")
    assert "已暂停运行 #1" in result.stdout, result.stdout + result.stderr
    db = sqlite3.connect(journal)
    (old_sha, files_json) = db.execute("SELECT sha, files FROM snapshots").fetchone()
    files = json.loads(files_json)
    files["../../escaped.yaml"] = "id: escaped\n"
    files[str(tmp_path / "absolute.yaml")] = "id: absolute\n"
    sha = pinning.text_sha(canonical(files))
    triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("INSERT INTO snapshots(sha, files) VALUES (?, ?)", (sha, canonical(files)))
    db.execute("UPDATE runs SET rulebook_sha = ? WHERE rulebook_sha = ?", (sha, old_sha))
    prev = GENESIS
    rows = db.execute("SELECT seq, run, at, kind, actor, data FROM events ORDER BY seq").fetchall()
    for seq, run_id, at, kind, actor, data in rows:
        data = data.replace(old_sha, sha)
        digest = chain_hash(prev, seq, run_id, at, kind, actor, data)
        db.execute(
            "UPDATE events SET data = ?, prev = ?, hash = ? WHERE seq = ?",
            (data, prev, digest, seq),
        )
        prev = digest
    db.execute("DELETE FROM snapshots WHERE sha = ?", (old_sha,))
    db.commit()
    db.close()
    return journal


@pytest.mark.parametrize(
    "command",
    [
        ["show", "1"],
        ["render", "script", "--run", "1"],
        ["resume", "1"],
        ["report", "1"],
        ["milestone", "1", "signed", "2026-01-01"],
    ],
)
def test_a_crafted_journal_writes_nothing(sop: Runner, tmp_path: Path, command: list[str]) -> None:
    journal = _crafted_journal(sop, tmp_path)
    cwd = tmp_path / "a" / "b" / "cwd"
    tmp = tmp_path / "a" / "b" / "tmp"
    cwd.mkdir(parents=True)
    tmp.mkdir()
    before = _tree(tmp_path)
    result = sop(*command, "--journal", str(journal), cwd=cwd, env={"TMPDIR": str(tmp)})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr
    if command[0] in ("resume", "render", "milestone"):  # these rebuild the pinned rulebook
        assert result.returncode == 1 and "不安全的文件名" in result.stderr, result.stderr
    # The journal itself may gain a WAL or an index; nothing else appears.
    assert {p for p in _tree(tmp_path) - before if not p.startswith("journal.sqlite3")} == set()
    assert not (tmp_path / "a" / "escaped.yaml").exists()


# ---------------------------------------------------------------- pin


def test_pin_reads_each_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    real = validate.read_bytes  # the folder is read by the validator's reader

    def counting(path: str, max_bytes: int = 1 << 20) -> Any:
        reads.append(os.path.basename(path))
        return real(path, max_bytes)

    monkeypatch.setattr(validate, "read_bytes", counting)
    pinned = pin(str(SOPS))
    assert sorted(reads) == sorted(os.path.basename(f) for f in pinned.files)
    assert len(reads) == len(set(reads))


def test_pin_reads_again_when_a_file_is_saved_mid_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "sops"
    shutil.copytree(SOPS, folder)
    real = validate.read_bytes
    saved: list[str] = []

    def saving(path: str, max_bytes: int = 1 << 20) -> Any:
        raw = real(path, max_bytes)
        if path.endswith("fire.yaml") and not saved:
            # The designer saves lobby.yaml (already read) while fire.yaml is read.
            lobby = folder / "lobby.yaml"
            lobby.write_text(lobby.read_text(encoding="utf-8") + "# saved\n", encoding="utf-8")
            saved.append(path)
        return raw

    monkeypatch.setattr(validate, "read_bytes", saving)
    pinned = pin(str(folder))
    assert saved
    assert pinned.files["lobby.yaml"].endswith("# saved\n")


def test_pin_names_the_file_it_cannot_read(tmp_path: Path) -> None:
    folder = tmp_path / "sops"
    shutil.copytree(SOPS, folder)
    (folder / "fire.yaml").write_bytes("id: 火警\n".encode("gbk"))
    with pytest.raises(RulebookError, match=r"fire\.yaml:1:.*GBK"):
        pin(str(folder))
