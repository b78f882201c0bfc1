"""Evidence files (photos, drawn signatures) kept beside the journal.

A file is kept under its content's sha256 (`ab/abcdef…`), never under the
name it was uploaded or found with: the same picture twice is kept once, and
`sop journal verify` can tell a file that is missing or altered from the
sha256 the journal's `evidence.attached` event holds. Only JPEG, PNG and
WebP are taken, known by their first bytes (never by a file name), each at
most 10 MB.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.errors import JournalError
from engine.i18n import Message, messages, os_reason

MAX_BYTES = 10 * 1024 * 1024
MAX_SIGNATURE = 1024 * 1024  # a signature drawn on the phone's pad (a PNG of a few KB)
EVIDENCE_SUFFIX = ".evidence"

MSG = messages(
    "evidence",
    {
        "not-image": (
            "{what} 不是 JPEG、PNG 或 WebP 图片 (按文件开头的字节判断)",
            "{what} is not a JPEG, PNG or WebP picture (judged by its first bytes)",
        ),
        "too-big": (
            "{what} 有 {size} 字节, 超过 10 MB 的上限",
            "{what} is {size} bytes, more than the 10 MB limit",
        ),
        "no-folder": (
            "日志 {journal} 旁没有存放凭证的文件夹, 请用 --evidence 指定一个",
            "the journal {journal} has no evidence folder beside it: give one with --evidence",
        ),
        "unwritable": (
            "凭证文件夹 {folder} 不能写入: {why}",
            "the evidence folder {folder} cannot be written: {why}",
        ),
    },
)


class EvidenceRefused(JournalError):
    """A file that is not a picture sop keeps, or one too big."""


def media_type(data: bytes) -> str | None:
    """The picture's type from its first bytes, or None (not one sop keeps)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def refusal(data: bytes) -> tuple[Message, dict[str, object]] | None:
    """Why `data` is not kept (a message and its values, `what` left to the
    caller), or None when it is."""
    if len(data) > MAX_BYTES:
        return MSG["too-big"], {"size": len(data)}
    if media_type(data) is None:
        return MSG["not-image"], {}
    return None


@dataclass(frozen=True, slots=True)
class Stored:
    sha256: str
    media_type: str
    size: int


Check = Literal["ok", "missing", "altered"]


@dataclass(frozen=True, slots=True)
class EvidenceStore:
    """The folder of evidence files, each under its sha256."""

    root: Path

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes, what: str) -> Stored:
        """Keep `data` (once, whatever it was called); `EvidenceRefused` when
        it is not a JPEG, PNG or WebP picture of at most 10 MB."""
        refused = refusal(data)
        if refused is not None:
            msg, values = refused
            raise EvidenceRefused(msg, what=what, **values)
        kind = media_type(data)
        assert kind is not None
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not (target.exists() and self.check(sha) == "ok"):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except OSError as exc:
                raise JournalError(
                    MSG["unwritable"], folder=str(self.root), why=os_reason(exc, writing=True)
                ) from None
        return Stored(sha, kind, len(data))

    def check(self, sha256: str) -> Check:
        """Whether the file the journal names is there, as it was kept."""
        target = self.path(sha256)
        try:
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
        except OSError:
            return "missing"
        return "ok" if digest == sha256 else "altered"


def evidence_folder(journal_path: str, option: str | None = None) -> Path | None:
    """`--evidence DIR`, else the folder beside an SQLite journal
    (`journal.sqlite3` → `journal.evidence/`); None for a journal with no
    folder of its own (in memory, PostgreSQL)."""
    if option:
        return Path(option)
    if journal_path == ":memory:" or "://" in journal_path:
        return None
    path = Path(journal_path)
    stem = path.stem if path.suffix else path.name
    return path.with_name(stem + EVIDENCE_SUFFIX)


def no_folder(journal_path: str) -> JournalError:
    return JournalError(MSG["no-folder"], journal=journal_path)


__all__ = [
    "MAX_BYTES",
    "MAX_SIGNATURE",
    "EvidenceRefused",
    "EvidenceStore",
    "Stored",
    "evidence_folder",
    "media_type",
    "no_folder",
    "refusal",
]
