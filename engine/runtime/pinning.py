"""Pinning: a run keeps the exact rulebook text it began with.

At start the whole rulebook folder (rulebook.yaml and every procedure, since
a run may call others or be interrupted by an emergency) is read into memory
and stored in the journal under its sha256; the run records that hash and the
sha256 of its own procedure's file. `sop resume` rebuilds the model from the
stored text, so a run continues on its version even if the YAML has changed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import RulebookError
from engine.journal.events import canonical
from engine.model import Rulebook
from engine.paths import iter_yaml_files
from engine.source import decode, read_bytes
from engine.validate import RULEBOOK_FILE, load_rulebook, validate_paths


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Pinned:
    rulebook: Rulebook
    sha: str
    files: Mapping[str, str]  # path relative to the rulebook folder -> text
    folder: str  # where it was read from ("" when rebuilt from the journal)
    paths: Mapping[str, str] = field(default_factory=dict)  # procedure id -> relative path

    def procedure_sha(self, pid: str) -> str:
        return text_sha(self.files[self.paths[pid]])


def read_folder(folder: str) -> dict[str, str]:
    """The text of every file the validator reads in a rulebook folder."""
    files: dict[str, str] = {}
    root = os.path.join(folder, RULEBOOK_FILE)
    for path in (root, *iter_yaml_files(folder)):
        rel = Path(os.path.relpath(path, folder)).as_posix()
        if rel in files:
            continue
        raw = read_bytes(path)
        text = decode(raw, path) if isinstance(raw, bytes) else raw
        if not isinstance(text, str):
            raise RulebookError(f"无法读取 {path}。请先运行 sop validate {folder}")
        files[rel] = text
    return files


def _paths(rulebook: Rulebook, folder: str) -> dict[str, str]:
    return {
        pid: Path(os.path.relpath(p.path, folder)).as_posix()
        for pid, p in rulebook.procedures.items()
    }


def pin(folder: str) -> Pinned:
    """Load a rulebook for a new run, with the text it was loaded from."""
    if not os.path.isfile(os.path.join(folder, RULEBOOK_FILE)):
        raise RulebookError(
            f"找不到规则手册: {folder} 中没有 {RULEBOOK_FILE}。请用 --rulebook 指定规则手册文件夹"
        )
    for _ in range(3):  # a designer saving a file mid-read: read again
        before = read_folder(folder)
        rulebook = load_rulebook(folder)
        if read_folder(folder) == before:
            return Pinned(
                rulebook, text_sha(canonical(before)), before, folder, _paths(rulebook, folder)
            )
    raise RulebookError(f"规则手册 {folder} 正在被修改, 请保存完再运行")


def restore(files: Mapping[str, str], sha: str) -> Pinned:
    """Rebuild a pinned rulebook from its stored text. Checks added to the
    validator since the run began may now object to it; the run still
    continues on the text it began with (only a text that cannot be built at
    all is refused)."""
    with tempfile.TemporaryDirectory(prefix="sop-pinned-") as tmp:
        for rel, text in files.items():
            target = Path(tmp, *rel.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        result = validate_paths([tmp])
        if not result.rulebooks:
            raise RulebookError(f"日志中保存的规则手册 ({sha[:12]}) 无法再读取")
        rulebook = result.rulebooks[0]
        return Pinned(rulebook, sha, dict(files), "", _paths(rulebook, tmp))


def current_sha(folder: str, rel: str) -> str | None:
    """The sha of a procedure file as it is now on disk (None if gone or unreadable)."""
    path = os.path.join(folder, *rel.split("/"))
    raw = read_bytes(path)
    if not isinstance(raw, bytes):
        return None
    text = decode(raw, path)
    return text_sha(text) if isinstance(text, str) else None
