"""Rename a step, role, form, field, input, milestone, outcome, queue or
holiday across the rulebook: its declaration and every reference the index
holds, in every file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.lsp.symbols import RENAMABLE, Index, Occurrence, Target
from engine.lsp.texts import REFUSED
from engine.model import BUILTIN_NAMES, OUTCOME
from engine.problems import Pos
from engine.timetable import WEEKDAYS

SNAKE = re.compile(r"[a-z][a-z0-9_]*\Z")  # every renamable id (schemas/: snake-id)
# A holiday is named in the staff's words (春节): letters and digits, and
# never what `on:` reads as a day (a weekday, last, a day of the month).
HOLIDAY = re.compile(r"\w+\Z")
NOT_HOLIDAYS = frozenset({*WEEKDAYS, "last", "true", "false", "null", "yes", "no", "on", "off"})


def _holiday_name(new: str) -> bool:
    return bool(HOLIDAY.match(new)) and not new.isdigit() and new.lower() not in NOT_HOLIDAYS


class Refused(Exception):
    """A rename that would not leave the rulebook valid; the message says why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def say(self, lang: str) -> str:
        return REFUSED[self.key].say("en" if lang == "en" else "zh", **self.params)


@dataclass(frozen=True, slots=True)
class Edit:
    pos: Pos
    text: str


def check(occ: Occurrence, index: Index) -> Target:
    """The target a rename at `occ` would rename, or Refused."""
    t = occ.target
    if t.kind not in RENAMABLE:
        raise Refused("kind")
    if t.kind == "input" and (t.name in BUILTIN_NAMES or t.name == OUTCOME):
        raise Refused("builtin", name=t.name)
    if not index.declarations(t):
        raise Refused("undeclared", name=t.name)
    return t


def rename(occ: Occurrence, new: str, index: Index, kind_word: str) -> list[Edit]:
    """The edits that rename what `occ` names to `new`, in every file.
    `kind_word` names the kind in the message's language."""
    import os

    target = check(occ, index)
    if target.kind == "holiday":
        if not _holiday_name(new):
            raise Refused("holiday", name=new)
    elif not SNAKE.match(new):
        raise Refused("pattern", name=new)
    if new == target.name:
        return []
    clashes = [Target(target.kind, target.scope, new)]
    if target.kind == "input":
        # a procedure's own input hides the rulebook's: a new name must be
        # free both where it is declared and in every procedure that sees it
        clashes.append(Target("input", "", new))
        if target.scope == "":
            clashes += [Target("input", path, new) for path in index.procedures]
        if new in BUILTIN_NAMES or new == OUTCOME:
            raise Refused("builtin", name=new)
    for other in clashes:
        taken = index.declarations(other)
        if taken:
            at = taken[0].pos
            raise Refused(
                "taken", name=new, kind=kind_word, file=os.path.basename(at.file), line=at.line
            )
    return [Edit(o.pos, new) for o in index.occurrences(target)]
