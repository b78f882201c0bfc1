"""Fewer runs of Python's cyclic garbage collector while sop makes many
small objects that live until it is done with them.

Validating a rulebook makes marks, positions and models; a call list makes
a typed row, an item and a line for each of thousands of deadlines. None of
them forms a reference cycle, yet at the collector's default thresholds it
re-scans them (and everything imported before them) every 700 allocations:
a tenth of a cold `sop validate`, and of a company's `sop due`.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_open = 0  # how many blocks are open, in any thread (they nest)
_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Within the block, what already exists is out of the collector's view
    (`gc.freeze`) and the young generation may grow a hundred times larger
    before a collection; both are put back when the last open block ends."""
    global _open, _saved
    with _lock:
        if not _open:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(100_000, 50, 1000)
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if not _open:
                # What the block made joins the oldest generation unscanned, as
                # what was frozen does: put back at the young generation's
                # threshold, thousands of young objects are a collection due
                # on the next allocation, for nothing.
                gc.freeze()
                gc.set_threshold(*_saved)
                gc.unfreeze()
