"""Problems: what every stage reports, with a position and a rule id.

A stage yields `Problem`s without a severity; the rule's declared level
decides it (engine.checks), so a check cannot promote or demote itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

from engine.positions import Pos as Pos  # where every problem points; its own module


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Fix(NamedTuple):
    """A fix a message offers: write `text` in place of what is at `pos`
    (line:col up to end_line:end_col, in the file `pos` names)."""

    pos: Pos
    text: str


def did_you_mean(pos: Pos, suggestion: str | None) -> Fix | None:
    """The fix a "did you mean" offers: the suggestion in place of the name at `pos`."""
    return Fix(pos, suggestion) if suggestion else None


def apply_fix(text: str, fix: Fix) -> str:
    """`text` (a file's) with `fix` applied."""
    lines = text.split("\n")
    pos = fix.pos
    end_line = pos.end_line or pos.line
    end_col = pos.end_col or pos.col

    def offset(line: int, col: int) -> int:
        return sum(len(x) + 1 for x in lines[: line - 1]) + col - 1

    return text[: offset(pos.line, pos.col)] + fix.text + text[offset(end_line, end_col) :]


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
    fix: Fix | None = None  # the fix the message offers, when it offers one

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.pos.file, self.pos.line, self.pos.col, self.rule)


def with_severity(problem: Problem, severity: Severity) -> Problem:
    if severity is problem.severity:
        return problem
    return replace(problem, severity=severity)
