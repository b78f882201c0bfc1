"""What an expression of one frame sees, and what happens when it needs more.

Guards and scripts see the built-in names, the inputs' defaults and the
frame's answers. A name without a value raises `Need` (with the frame it
belongs to) so the runner asks for it; an expression that fails at run time
is reported through `warn` and counts as false, or shows as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import expressions
from engine.errors import RunError
from engine.i18n import message
from engine.model import Expr, Input
from engine.runtime.recorder import Active
from engine.runtime.values import Spec

UNDECLARED = message(
    "run.undeclared",
    '规则手册用到了未声明的名称 "{name}" (规则手册问题)。请暂停并联系流程负责人',
    'the rulebook uses a name it never declares, "{name}" (a rulebook problem). '
    "pause and tell the procedure owner",
)


class Need(Exception):
    """An expression of frame `depth` needs input `name`."""

    def __init__(self, name: str, depth: int) -> None:
        super().__init__(name)
        self.name = name
        self.depth = depth


@dataclass
class Scope:
    clock: Callable[[], datetime]
    warn: Callable[[Active, Expr, str], None]

    def inputs(self, active: Active, depth: int) -> dict[str, Input]:
        return active.pinned.rulebook.inputs_for(active.state.frames[depth].procedure)

    def names(self, active: Active, depth: int) -> dict[str, Any]:
        scope = expressions.builtins(self.clock())
        # `form.field`: the latest value recorded in the run, None until then.
        scope.update(dict.fromkeys(active.pinned.rulebook.field_names))
        scope.update(active.state.recorded)
        scope.update(
            {n: i.default for n, i in self.inputs(active, depth).items() if i.default is not None}
        )
        scope.update(active.state.frames[depth].values)
        return scope

    def unknown(self, active: Active, depth: int, name: str) -> bool:
        inp = self.inputs(active, depth).get(name)
        known = name in active.state.frames[depth].values
        return not known and not (inp is not None and inp.default is not None)

    def spec(self, active: Active, depth: int, name: str) -> Spec:
        inp = self.inputs(active, depth).get(name)
        if inp is None:
            raise RunError(UNDECLARED, name=name)
        return Spec.of_input(inp)

    def judge(
        self, active: Active, depth: int, expr: Expr, extra: Mapping[str, Any] | None = None
    ) -> bool:
        """A guard's truth now; `extra` are names only this moment has (the
        called procedure's `outcome`, for the caller's `next`)."""
        names = self.names(active, depth)
        if extra:
            names.update(extra)
        try:
            return expressions.truth(expr.source, names)
        except expressions.NeedInput as need:
            raise Need(need.name, depth) from None
        except expressions.ExpressionFailed as exc:
            self.warn(active, expr, exc.detail)
            return False

    def render(
        self, active: Active, depth: int, expr: Expr, extra: Mapping[str, Any] | None = None
    ) -> str:
        names = self.names(active, depth)
        if extra:
            names.update(extra)
        try:
            return expressions.render(expr.source, names)
        except expressions.NeedInput as need:
            raise Need(need.name, depth) from None
        except expressions.ExpressionFailed as exc:
            self.warn(active, expr, exc.detail)
            return expr.source
