"""`ask` names inputs of the procedure; `with` names inputs of the callee."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.messages import listing, suggest
from engine.problems import Problem

ID = "unknown-input"
DESCRIPTION = "ask 和 with 用到的输入项必须已声明 / ask and with name declared inputs"


def check(ctx: Context) -> Iterator[Problem]:
    rb = ctx.rulebook
    for proc in ctx.procedures:
        own = rb.inputs_for(proc)
        for step in proc.steps.values():
            for ref in step.ask:
                if ref.name not in own:
                    yield Problem(
                        ID,
                        ref.pos,
                        {
                            "name": ref.name,
                            "owner": "本流程",
                            "owner_en": "this procedure",
                            "known": listing(own),
                            "suggestion": suggest(ref.name, own),
                        },
                    )
            if step.call and step.call.procedure.name in rb.procedures:
                callee = rb.procedures[step.call.procedure.name]
                theirs = rb.inputs_for(callee)
                for key, _ in step.call.args:
                    if key.name not in theirs:
                        yield Problem(
                            ID,
                            key.pos,
                            {
                                "name": key.name,
                                "owner": f'流程 "{callee.id}" ',
                                "owner_en": f'procedure "{callee.id}"',
                                "known": listing(theirs),
                                "suggestion": suggest(key.name, theirs),
                            },
                        )
