"""Where something is in a source file. Apart from engine.problems, so that
what only needs a position (the calendar types `sop due` reads from its
cache, engine.timetable) is loaded without the problems' types."""

# Without `from __future__ import annotations`: a typed tuple's annotations
# written as strings are each compiled when its class is defined, and
# `sop due` defines this module's on every call.

from typing import NamedTuple


class Pos(NamedTuple):
    """A place in a file: 1-based line and column, end exclusive. A tuple,
    not a dataclass: the builder makes one for every node of every file."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"
