"""Signals that end a walk-through: they pause it like Ctrl-C does."""

from __future__ import annotations

import signal
from types import FrameType


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def pause_on_hangup() -> None:
    """A closed terminal (SIGHUP) or a polite kill (SIGTERM) pauses the run
    and journals it, instead of leaving it to look as if still in progress."""
    for name in ("SIGHUP", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, _interrupt)
