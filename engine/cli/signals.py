"""Signals that end a walk-through: Ctrl-C, a closed terminal (SIGHUP) and a
polite kill (SIGTERM) pause the run, journal it and exit, at once.

"At once" needs care. Python runs a signal's handler between two steps of
Python code; a signal that lands just before the process blocks waiting for
a key (while the prompt is being written, say) would otherwise wait for
that key. So a small watcher thread hears every signal through
`signal.set_wakeup_fd` and, until the handler has run, knocks on the main
thread (`pthread_kill`), which interrupts the wait.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
from types import FrameType, TracebackType
from typing import Any

from engine.runtime import interrupts
from engine.runtime.interrupts import PAUSING

_KNOCK_S = 0.05  # how often the watcher knocks until the handler has run


class Interrupts:
    """While active, the pausing signals are handed to the runtime
    (`interrupts.arrived`), which raises the first as `Interrupted`."""

    def __init__(self) -> None:
        # Set by the handler; a plain attribute, since a handler must take no
        # lock (it may run inside code that holds it).
        self._ran = False
        self._before: dict[int, Any] = {}
        self._wakeup_before = -1
        self._pipe: tuple[int, int] | None = None
        self._watcher: threading.Thread | None = None

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self._ran = True
        interrupts.arrived(signum)

    def handled(self) -> bool:
        """Whether the handler has run since a signal arrived."""
        return self._ran

    def __enter__(self) -> Interrupts:
        interrupts.reset()
        for sig in PAUSING:
            self._before[sig] = signal.signal(sig, self._handler)
        main = threading.current_thread() is threading.main_thread()
        if hasattr(signal, "pthread_kill") and main:
            r, w = os.pipe()
            os.set_blocking(w, False)
            self._pipe = (r, w)
            self._wakeup_before = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
            self._watcher = threading.Thread(
                target=self._watch, args=(r, threading.main_thread().ident), daemon=True
            )
            self._watcher.start()
        return self

    def _watch(self, r: int, main: int | None) -> None:
        # The signals go to the main thread, never to this one.
        signal.pthread_sigmask(signal.SIG_BLOCK, PAUSING)
        wanted = {int(s) for s in PAUSING}
        while True:
            try:
                select.select([r], [], [])
                data = os.read(r, 64)
            except OSError:
                return
            if not data:
                return  # the pipe was closed: done
            for signum in data:
                if signum not in wanted or main is None:
                    continue
                while not self.handled():
                    time.sleep(_KNOCK_S)
                    if self.handled():
                        break
                    try:
                        signal.pthread_kill(main, signum)
                    except (OSError, ValueError):
                        return

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        interrupts.act()  # from now on a signal is not ours to raise
        self._ran = True  # and the watcher stops knocking
        if self._pipe is not None:
            signal.set_wakeup_fd(self._wakeup_before)
            r, w = self._pipe
            os.close(w)  # the watcher reads end-of-file and stops
            if self._watcher is not None:
                self._watcher.join(1)
            with contextlib.suppress(OSError):
                os.close(r)
        for sig, handler in self._before.items():
            signal.signal(sig, handler)
