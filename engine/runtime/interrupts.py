"""Signals that end a walk-through, and the moments they must wait for.

Ctrl-C (SIGINT), a closed terminal (SIGHUP) and a polite kill (SIGTERM) all
pause the run: the runner journals the pause and the process exits. They
arrive as `Interrupted` (a KeyboardInterrupt that knows its signal), raised
by the handlers engine/cli/signals.py installs. A few moments must not be
cut in two — a journal write and the state it leads to, creating a run and
holding it, the pause itself — so a signal that lands in a `deferred()`
section is raised as soon as the section ends. The first signal is the one
acted on; any that follow it (a closed terminal sends SIGHUP, then often
SIGTERM) change nothing.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

How = Literal["interrupt", "hangup", "terminated"]

# The signals that pause a run, on this platform (Windows has only SIGINT).
PAUSING: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_NAMES: tuple[tuple[str, How], ...] = (
    ("SIGINT", "interrupt"),
    ("SIGTERM", "terminated"),
    ("SIGHUP", "hangup"),
)
_HOW: dict[int, How] = {
    int(getattr(signal, name)): how for name, how in _NAMES if hasattr(signal, name)
}


class Interrupted(KeyboardInterrupt):
    """A pausing signal, as an exception."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def signalled(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt behind `exc`, if any. Two signals landing together
    while `input()` waits make CPython call the second handler with the
    first one's exception still set, and `input()` then raises SystemError
    with that interrupt as its cause."""
    if isinstance(exc, KeyboardInterrupt):
        return exc
    if isinstance(exc, SystemError) and isinstance(exc.__cause__, KeyboardInterrupt):
        return exc.__cause__
    return None


def how(exc: BaseException) -> How:
    """How a run paused by `exc` came to pause (Ctrl-C when it does not say)."""
    return _HOW.get(getattr(exc, "signum", 0), "interrupt")


def exit_status(how: str) -> int | None:
    """The exit status of a process a signal paused (128 + its number)."""
    for signum, name in _HOW.items():
        if name == how:
            return 128 + signum
    return None


class _State:
    pending: int | None = None  # a signal that arrived and has not been acted on
    raised: bool = False  # ... and was raised as `Interrupted`
    acting: bool = False  # the run is being paused for it
    depth: int = 0  # `deferred()` sections entered


_state = _State()


def reset() -> None:
    """Forget any signal (a new walk-through begins in this process)."""
    global _state
    _state = _State()


def arrived(signum: int) -> None:
    """A pausing signal arrived (called by the handler): raise it now, or at
    the end of the `deferred()` section under way. One is enough: any that
    follow while it is on its way or acted on are ignored."""
    if _state.acting or _state.raised:
        return
    if _state.pending is None:
        _state.pending = signum
    if _state.depth == 0:
        _raise()


def _raise() -> None:
    assert _state.pending is not None
    _state.raised = True
    raise Interrupted(_state.pending)


HANGUP = int(getattr(signal, "SIGHUP", signal.SIGINT))


def hung_up() -> None:
    """The terminal is gone (its reads end, its writes fail): a hangup, as
    if SIGHUP had arrived. It often has not yet — a closed tmux window or
    ssh session hangs up the shell, which passes SIGHUP on to the run a
    moment after the run's read has already ended. Raised now, or at the
    end of the `deferred()` section under way; nothing when a signal is
    already on its way or being acted on (the caller then carries on: what
    it wanted to write has nowhere to go)."""
    arrived(HANGUP)


def seen() -> bool:
    """Whether a pausing signal has arrived since `reset()`."""
    return _state.pending is not None


def check() -> None:
    """At a safe point (before waiting for a key): a signal that arrived and
    was never acted on — its exception lost in code that swallows them, as
    a finaliser does — is raised again."""
    if _state.pending is not None and not _state.acting and _state.depth == 0:
        _raise()


def act() -> None:
    """The runner is pausing for the signal; later ones change nothing."""
    _state.acting = True


def _held() -> bool:
    return _state.pending is not None and not (_state.raised or _state.acting)


@contextmanager
def deferred() -> Iterator[None]:
    """A section no signal may cut in two: one that arrives meanwhile is
    raised as soon as the section ends."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0 and _held():
            _raise()
