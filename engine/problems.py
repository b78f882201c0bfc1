"""Problems: what every stage reports, with a position and a rule id.

A stage yields `Problem`s without a severity; the rule's declared level
decides it (engine.checks), so a check cannot promote or demote itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


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


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Said:
    """A message argument said differently in each language (a place, a
    type name): the message picks the one for the language it is said in."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class Problem:
    """One finding. `args` fill the message template of `rule` (declared in the
    rule's module, engine/checks/); `variant` picks another template of the
    same rule."""

    rule: str
    pos: Pos
    args: dict[str, Any] = field(default_factory=dict)
    variant: str = ""
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.pos.file, self.pos.line, self.pos.col, self.rule)


def with_severity(problem: Problem, severity: Severity) -> Problem:
    if severity is problem.severity:
        return problem
    return Problem(problem.rule, problem.pos, problem.args, problem.variant, severity)
