"""Problems: what every stage reports, with a position and a rule id.

A stage yields `Problem`s without a severity; `severity_of` decides it, so a
check cannot promote or demote itself (the engine, not the check, sets it).
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


@dataclass(frozen=True)
class Problem:
    """One finding. `args` fill the message template of `rule` (see messages.py);
    `variant` picks another template of the same rule."""

    rule: str
    pos: Pos
    args: dict[str, Any] = field(default_factory=dict)
    variant: str = ""
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.pos.file, self.pos.line, self.pos.col, self.rule)


# Human-factors lints are advice: they warn and may be silenced per procedure.
WARNING_RULES = frozenset(
    {
        "too-many-items",
        "emergency-trigger",
        "critical-order",
        "unused-input",
        "unused-role",
        "unused-form",
        "revision-version",
        "comment-after-text",
        "comma-in-list",
        "editorial-text",
    }
)


def severity_of(rule: str) -> Severity:
    return Severity.WARNING if rule in WARNING_RULES else Severity.ERROR


def with_severity(problem: Problem) -> Problem:
    sev = severity_of(problem.rule)
    if sev is problem.severity:
        return problem
    return Problem(problem.rule, problem.pos, problem.args, problem.variant, sev)
