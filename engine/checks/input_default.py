"""An input's `default` fits its type (and its options)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.model import Input
from engine.problems import Problem

ID = "input-default"
DESCRIPTION = "输入项的默认值必须符合其类型 / an input's default fits its type"


def _fits(inp: Input) -> tuple[bool, str, str]:
    value = inp.default
    if inp.type == "bool":
        return isinstance(value, bool), " (请写 true 或 false)", " (write true or false)"
    if inp.type == "int":
        return isinstance(value, int) and not isinstance(value, bool), "", ""
    if inp.type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool), "", ""
    if inp.type == "choice":
        ok = str(value) in inp.options
        return ok, f" (可选: {', '.join(inp.options)})", f" (options: {', '.join(inp.options)})"
    return isinstance(value, str), " (请加引号)", " (quote it)"


def check(ctx: Context) -> Iterator[Problem]:
    scopes = [ctx.rulebook.inputs] if ctx.whole_rulebook else []
    scopes += [p.inputs for p in ctx.procedures]
    for inputs in scopes:
        for inp in inputs.values():
            if inp.default is None:
                continue
            ok, detail, detail_en = _fits(inp)
            if not ok:
                yield Problem(
                    ID,
                    inp.pos,
                    {
                        "name": inp.name,
                        "value": repr(inp.default),
                        "type": inp.type,
                        "detail": detail,
                        "detail_en": detail_en,
                    },
                )
