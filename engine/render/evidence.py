"""A run's evidence as a record shows it: each photo and signature with where
and when it was left, by whom, its sha256 (short) and size, and whether the
file the journal names is still in the evidence folder as it was kept.

A file that is missing or altered is marked, never shown and never a crash;
a picture that cannot be read (a file sop kept, but damaged in a way its
sha256 cannot tell, or one Pillow cannot open) is listed without a picture.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.runtime.record import Proof

State = Literal["ok", "missing", "altered", "name-only", "unchecked"]

THUMB_PX = 320  # the longer side of a thumbnail, in pixels


@dataclass(frozen=True, slots=True)
class Shown:
    """One proof and the state of its file."""

    proof: Proof
    state: State

    @property
    def where(self) -> str:
        """The step's title, and the `do` item's text when an item asked."""
        parts = [x for x in (self.proof.step_title, self.proof.item_text) if x]
        return " › ".join(parts)

    @property
    def sha(self) -> str:
        return (self.proof.sha256 or "")[:12]

    @property
    def size(self) -> str:
        return human_size(self.proof.size)

    @property
    def picture(self) -> bool:
        """Whether a picture of it can be shown (its file is there, intact)."""
        return self.state == "ok"


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size}B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / 1024 / 1024:.1f}MB"


def shown(proofs: Sequence[Proof], folder: Path | None) -> tuple[Shown, ...]:
    """Each proof with its file checked against the sha256 the journal holds
    (`unchecked` without a folder: a journal with none of its own)."""
    from engine.journal.evidence import EvidenceStore

    store = EvidenceStore(folder) if folder is not None else None
    out: list[Shown] = []
    for p in proofs:
        state: State
        if p.sha256 is None:
            state = "name-only"
        elif store is None:
            state = "unchecked"
        else:
            state = store.check(p.sha256)
        out.append(Shown(p, state))
    return tuple(out)


def file_bytes(folder: Path | None, sha256: str) -> bytes | None:
    """The file kept under `sha256`, only when it is there and unchanged."""
    import hashlib

    from engine.journal.evidence import EvidenceStore

    if folder is None or not is_sha256(sha256):
        return None
    try:
        data = EvidenceStore(folder).path(sha256).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def thumbnail(data: bytes, px: int = THUMB_PX) -> bytes | None:
    """The picture scaled to fit `px` × `px` (never enlarged), as a JPEG on
    white (a drawn signature's transparency stays readable); None when the
    picture cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (px, px))  # a JPEG is decoded at a smaller scale
            im.thumbnail((px, px))
            if im.mode in ("RGBA", "LA", "P"):
                rgba = im.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = im.convert("RGB")
            out = io.BytesIO()
            flat.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


__all__ = ["THUMB_PX", "Shown", "file_bytes", "human_size", "is_sha256", "shown", "thumbnail"]
