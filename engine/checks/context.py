"""What a check sees: the rulebook, the procedures to check, the file texts.

A validation checks one procedure at a time (`check(ctx)`, ctx.procedures
holding it) and then drops its model, keeping only its Outline: what the
rulebook-wide checks (`check_rulebook(ctx)`, over ctx.outlines) compare
across procedures. So what a validation holds grows with what it compares,
not with the size of the files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from engine.expressions import Analysis, analyse
from engine.model import BUILTIN_NAMES, Call, Expr, Input, Procedure, Rulebook
from engine.problems import Pos

T = TypeVar("T")


@dataclass(frozen=True)
class Outline:
    """What rulebook-wide checks compare of one procedure."""

    id: str
    path: str
    pos: Pos
    inputs: Mapping[str, Input]
    calls: tuple[Call, ...]  # in step order
    roles: frozenset[str]  # listed and acting
    forms: frozenset[str]  # recorded
    uses: frozenset[str]  # names its guards and texts read, asked, subject
    lint_disable: frozenset[str]
    outcomes: tuple[str, ...] = ()  # how a run of it can end (Procedure.outcomes)
    runnable: bool = True  # False: a code of conduct (rules only), never run


@dataclass(frozen=True)
class Context:
    rulebook: Rulebook
    procedures: tuple[Procedure, ...]  # the built procedures to check, file order
    procedure_ids: frozenset[str]  # every procedure that exists, even if it failed to build
    texts: Mapping[str, str]  # file path -> text, to place carets inside expressions
    whole_rulebook: bool  # rulebook-wide checks (unused forms...) only make sense then
    # The files whose problems are reported (None: all); the others were
    # loaded only because these need them.
    focus: frozenset[str] | None = None
    # Per file: the paths the schema stage pruned to check the rest.
    pruned: Mapping[str, tuple[tuple[str | int, ...], ...]] = field(default_factory=dict)
    # Every procedure built, file order (for check_rulebook).
    outlines: tuple[Outline, ...] = ()

    def outline(self, proc: Procedure) -> Outline:
        uses = {name for _, a in self.exprs(proc) for name in a.names}
        uses |= {r.name for s in proc.steps.values() for r in s.ask}
        uses |= {r.name for r in proc.subject}
        roles = {r.name for r in proc.roles}
        for step in proc.steps.values():
            roles |= {r.name for r in step.roles}
            roles |= {r.name for i in (*step.do, *step.say) for r in i.roles}
            roles |= {level.tell.name for level in step.escalate or ()}
        roles |= {level.tell.name for level in proc.escalate}
        roles |= {r.name for rule in proc.standing for r in rule.roles}
        return Outline(
            id=proc.id,
            path=proc.path,
            pos=proc.pos,
            inputs=proc.inputs,
            calls=tuple(c for s in proc.steps.values() for c in s.calls),
            roles=frozenset(roles),
            forms=frozenset(r.form.name for s in proc.steps.values() for r in s.record),
            uses=frozenset(uses),
            lint_disable=proc.lint_disable,
            outcomes=tuple(proc.outcomes()),
            runnable=proc.runnable,
        )

    @cached_property
    def _by_id(self) -> dict[str, Outline]:
        out: dict[str, Outline] = {}
        for o in self.outlines:
            out.setdefault(o.id, o)
        return out

    def callee(self, name: str) -> Outline | None:
        """The procedure a call names (the first of that id)."""
        return self._by_id.get(name)

    def names_for(self, proc: Procedure) -> frozenset[str]:
        return (
            frozenset(self.rulebook.inputs)
            | frozenset(proc.inputs)
            | BUILTIN_NAMES
            | self.rulebook.field_names
        )

    @cached_property
    def _analysed(self) -> dict[int, list[tuple[Expr, Analysis]]]:
        return {}

    @cached_property
    def _memo(self) -> dict[tuple[str, int], Any]:
        return {}

    def memo(self, what: str, proc: Procedure, compute: Callable[[], T]) -> T:
        """`compute()` once per procedure for all the checks that need it
        (the step graph, the guards' types...)."""
        key = (what, id(proc))
        if key not in self._memo:
            self._memo[key] = compute()
        result: T = self._memo[key]
        return result

    def exprs(self, proc: Procedure) -> Iterator[tuple[Expr, Analysis]]:
        """Each guard and text of `proc` with its analysis, computed once for
        all the checks that need them."""
        done = self._analysed.get(id(proc))
        if done is None:
            done = [(e, analyse(e.source, e.kind)) for e in proc.exprs()]
            self._analysed[id(proc)] = done
        return iter(done)

    def locate_name(self, expr: Expr, name: str) -> Pos | None:
        """Where a name is used in an expression (as a whole word, not in a
        string), or None when the file's text does not show it plainly."""
        import re

        text = self.texts.get(expr.pos.file)
        if text is None:
            return None
        word = re.compile(r"(?<![\w.'\"])" + re.escape(name) + r"(?![\w'\"])")
        lines = text.split("\n")
        first = expr.pos.line + (1 if expr.style in ("|", ">") else 0)
        last = max(expr.pos.end_line, first)
        for ln in range(first, min(last, len(lines)) + 1):
            start = expr.pos.col - 1 if ln == expr.pos.line else 0
            m = word.search(lines[ln - 1], start)
            if m:
                return Pos(expr.pos.file, ln, m.start() + 1, ln, m.end() + 1)
        return None

    def locate(self, expr: Expr, line: int = 1, needle: str | None = None) -> Pos:
        """The position of `needle` (or of line `line`) inside an expression,
        found in the file's own text so quoting and block scalars need no
        arithmetic."""
        pos = expr.pos
        text = self.texts.get(pos.file)
        if text is None:
            return pos
        lines = text.split("\n")
        block = expr.style in ("|", ">")
        first = pos.line + (1 if block else 0) + (line - 1)
        candidates = range(first, min(first + 3, len(lines) + 1)) if needle else [first]
        for ln in candidates:
            if not 1 <= ln <= len(lines):
                continue
            src = lines[ln - 1]
            start = pos.col - 1 if ln == pos.line else 0
            if needle:
                idx = src.find(needle, start)
                if idx >= 0:
                    return Pos(pos.file, ln, idx + 1, ln, idx + 1 + len(needle))
            elif ln != pos.line:
                indent = len(src) - len(src.lstrip(" "))
                return Pos(pos.file, ln, indent + 1, ln, len(src) + 1)
        return pos
