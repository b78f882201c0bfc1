"""engine.collector: the collector's thresholds and frozen objects are put
back when the last open block ends, nested or in several threads."""

from __future__ import annotations

import gc
import threading

from engine.collector import fewer_collections


def test_thresholds_come_back_after_nested_blocks() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        inside = gc.get_threshold()
        assert inside[0] > before[0]
        assert gc.get_freeze_count() > 0
        with fewer_collections():
            assert gc.get_threshold() == inside
        assert gc.get_threshold() == inside  # the outer block is still open
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_put_back_when_the_block_raises() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_blocks_in_several_threads() -> None:
    before = gc.get_threshold()
    inner = threading.Event()
    leave = threading.Event()
    seen: list[tuple[int, ...]] = []

    def worker() -> None:
        with fewer_collections():
            inner.set()
            leave.wait(10)

    t = threading.Thread(target=worker)
    with fewer_collections():
        t.start()
        inner.wait(10)
    # This thread's block ended first: the worker's is still open.
    seen.append(gc.get_threshold())
    leave.set()
    t.join(10)
    assert seen[0] != before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_what_the_block_made_is_not_collected_on_leaving() -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    made: list[tuple[int, ...]] = []
    gc.callbacks.append(seen)
    try:
        with fewer_collections():
            made.extend((i, i) for i in range(20_000))  # well past the young threshold
        made.append((1, 2))  # an allocation after the block: no collection due
    finally:
        gc.callbacks.remove(seen)
    assert collections == []
