"""Pinning: a run keeps the exact rulebook text it began with.

At start the whole rulebook folder (rulebook.yaml and every procedure, since
a run may call others or be interrupted by an emergency) is read into memory
once, validated from that text and stored in the journal under its sha256;
the run records that hash and the sha256 of its own procedure's file. `sop
resume` rebuilds the model from the stored text in memory (no file is
written, whatever names the journal holds), so a run continues on its
version even if the YAML has changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.cache import validated
from engine.errors import JournalError, RulebookError
from engine.i18n import message, messages
from engine.journal.events import canonical
from engine.model import Rulebook
from engine.paths import RULEBOOK_FILE, unsafe_name
from engine.problems import Severity
from engine.source import decode, read_bytes
from engine.validate import Result, read_folder, rulebook_layout

NO_RULEBOOK = message(
    "pin.no-rulebook",
    "找不到规则手册: {folder} 中没有 {file}。请用 --rulebook 指定规则手册文件夹",
    "no rulebook: {folder} holds no {file}. name the rulebook folder with --rulebook",
)
BEING_EDITED = message(
    "pin.being-edited",
    "规则手册 {folder} 正在被修改, 请保存完再运行",
    "the rulebook {folder} is being edited; save your changes and run again",
)
NOT_VALID = message(
    "pin.not-valid",
    "{problems}",
    "{problems}",
)
SNAPSHOT_DAMAGED = message(
    "pin.snapshot-damaged",
    "日志中保存的规则手册 ({sha}) 已损坏: 内容不是文件名到文字的对应。"
    "请用 sop journal verify 检查日志",
    "the rulebook stored in the journal ({sha}) is damaged: it is not a map of file names to "
    "texts. check the journal with: sop journal verify",
)
SNAPSHOT_UNSAFE_NAME = message(
    "pin.snapshot-unsafe-name",
    "日志中保存的规则手册 ({sha}) 含有不安全的文件名 {name} ({reason})。日志可能已被篡改, "
    "不能据此恢复运行; 请用 sop journal verify 检查日志",
    "the rulebook stored in the journal ({sha}) holds an unsafe file name {name} ({reason}). "
    "the journal may have been tampered with, so the run is not restored from it; check the "
    "journal with: sop journal verify",
)
SNAPSHOT_BROKEN = message(
    "pin.snapshot-broken",
    "日志中保存的规则手册 ({sha}) 无法再读取:\n{problems}",
    "the rulebook stored in the journal ({sha}) can no longer be read:\n{problems}",
)
_REASONS = messages(
    "pin.unsafe",
    {
        "empty": ("空的文件名", "an empty name"),
        "too-long": ("文件名过长", "too long"),
        "backslash": ("含有反斜杠", "it holds a backslash"),
        "absolute": ("是绝对路径", "an absolute path"),
        "drive": ("含有盘符或冒号", "it holds a drive letter or colon"),
        "control": ("含有控制字符或看不见的字符", "it holds control or invisible characters"),
        "parent": ('含有 ".."', 'it holds ".."'),
        "empty-part": ("含有空的路径部分", "it has an empty part"),
        "hidden": ("是隐藏文件", "a hidden file"),
        "not-yaml": ("不是 .yaml 文件", "not a .yaml file"),
    },
)


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


# What tells a file was replaced or rewritten while being read: its identity,
# size and modification time.
_Stamp = tuple[int, int, int, int]


def _stamps(folder: str, names: list[str]) -> dict[str, _Stamp | None]:
    out: dict[str, _Stamp | None] = {}
    for rel in names:
        try:
            st = os.stat(os.path.join(folder, *rel.split("/")))
        except OSError:
            out[rel] = None
            continue
        out[rel] = (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns)
    return out


def _paths(rulebook: Rulebook, folder: str) -> dict[str, str]:
    return {
        pid: Path(os.path.relpath(p.path, folder)).as_posix() if folder else p.path
        for pid, p in rulebook.procedures.items()
    }


def pin(folder: str) -> Pinned:
    """Load a rulebook for a new run, with the text it was loaded from: each
    file is read once, and the texts are validated as read. A file saved while
    the folder was being read (its stamp changed) makes it read again."""
    if not os.path.isfile(os.path.join(folder, RULEBOOK_FILE)):
        raise RulebookError(NO_RULEBOOK, folder=folder, file=RULEBOOK_FILE)
    for _ in range(3):
        names = rulebook_layout(folder)
        before = _stamps(folder, names)
        read = read_folder(folder)
        if rulebook_layout(folder) == names and _stamps(folder, names) == before:
            break
    else:
        raise RulebookError(BEING_EDITED, folder=folder)
    result = validated(read, folder)
    texts = {rel: text for rel, text in read.items() if isinstance(text, str)}
    if result.errors or not result.rulebooks or len(texts) != len(read):
        from engine.i18n import current
        from engine.report import render_text

        raise RulebookError(NOT_VALID, problems=render_text(result, current(), color=False))
    rulebook = result.rulebooks[0]
    return Pinned(rulebook, text_sha(canonical(texts)), texts, folder, _paths(rulebook, folder))


def _shown(name: object) -> str:
    """A stored name as it may be shown: control and invisible characters escaped."""
    text = name if isinstance(name, str) else repr(name)
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:120])
    return f'"{text}"'


def restore(files: Mapping[str, str], sha: str) -> Pinned:
    """Rebuild a pinned rulebook from its stored text, in memory. Checks added
    to the validator since the run began may now object to it; the run still
    continues on the text it began with (only a text that cannot be built at
    all is refused). Stored names that are not plain rulebook file names mean
    the journal was damaged or crafted: refused, nothing is written."""
    if not isinstance(files, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise JournalError(SNAPSHOT_DAMAGED, sha=sha[:12])
    for name in files:
        reason = unsafe_name(name)
        if reason is not None:
            raise JournalError(
                SNAPSHOT_UNSAFE_NAME, sha=sha[:12], name=_shown(name), reason=_REASONS[reason].say()
            )
    result = validated(files)
    if not result.rulebooks:
        raise RulebookError(SNAPSHOT_BROKEN, sha=sha[:12], problems=_summary(result))
    rulebook = result.rulebooks[0]
    return Pinned(rulebook, sha, dict(files), "", _paths(rulebook, ""))


def _summary(result: Result, limit: int = 5) -> str:
    """The first problems of a stored rulebook, without source lines (the
    names are the journal's, not files on this disk)."""
    from engine.i18n import current
    from engine.messages import render

    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    lines = [f"  {p.pos}: {render(p, current())} [{p.rule}]" for p in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  … (+{len(errors) - limit})")
    return "\n".join(lines)


def current_sha(folder: str, rel: str) -> str | None:
    """The sha of a procedure file as it is now on disk (None if gone or unreadable)."""
    path = os.path.join(folder, *rel.split("/"))
    raw = read_bytes(path)
    if not isinstance(raw, bytes):
        return None
    text = decode(raw, path)
    return text_sha(text) if isinstance(text, str) else None
