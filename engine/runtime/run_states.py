"""Runs' replayed states kept between a server's requests.

Every web request takes its run up from the journal (nothing lives only in
the server, which is what makes a killed server lose nothing), and replaying
a run's events on every request cost most of an answer's work. A `RunCache`
keeps each run's state as the journal replays it, under the sequence number
of the run's last event: a request whose run has not moved since (its
summary's `last_seq` is the one kept) starts from a copy instead of
replaying, and what the runner then writes is applied to the kept state
exactly as a replay would apply it (the events as stored: their data read
back from its JSON text), so the kept state is always the replay of the run
up to its number. A run that moved any other way (another process, `sop
notify`) has another number and is replayed; and were a kept state ever
wrong, the runner's write would still expect the number it was kept under,
which the journal refuses once the run has moved on.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence

from engine.errors import JournalError
from engine.journal import Event
from engine.journal.events import canonical
from engine.runtime.events import NOTICE_KINDS, read
from engine.runtime.state import RunState


class RunCache:
    """Replayed run states by run id, each under its last sequence number;
    the least recently used go first past `size`. Shared by threads."""

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._states: OrderedDict[int, RunState] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, run: int, last_seq: int) -> RunState | None:
        """A copy of the run's state if it was kept at `last_seq`."""
        with self._lock:
            state = self._states.get(run)
            if state is None or state.last_seq != last_seq:
                self.misses += 1
                return None
            self.hits += 1
            self._states.move_to_end(run)
            return state.copy()

    def put(self, state: RunState) -> None:
        """Keep a run's state as replayed from the journal (a copy)."""
        with self._lock:
            self._states[state.run_id] = state.copy()
            self._states.move_to_end(state.run_id)
            while len(self._states) > self.size:
                self._states.popitem(last=False)

    def advance(self, run: int, since: int, events: Sequence[Event]) -> None:
        """The run's events written after `since`, applied to its kept state
        if that is the state at `since` (else it is dropped: replayed next time)."""
        with self._lock:
            state = self._states.pop(run, None)
            if state is None or state.last_seq != since:
                return
            try:
                for e in events:
                    stored = json.loads(canonical(e.data))  # as a replay reads it back
                    state.apply(read(_with_data(e, stored)), e.at)
                    state.last_seq = e.seq
                    if e.kind not in NOTICE_KINDS:
                        state.moved = e.seq
            except (KeyError, TypeError, ValueError, IndexError, AttributeError, JournalError):
                return  # dropped: the replay on the next request says what is wrong
            self._states[run] = state


def _with_data(e: Event, data: dict[str, object]) -> Event:
    return Event(e.seq, e.run, e.at, e.kind, e.actor, data, e.prev, e.hash)
