"""Procedures do not call each other in a cycle (the stack would never empty)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.model import Ref
from engine.problems import Problem

ID = "call-cycle"
DESCRIPTION = "流程之间不能循环调用 / no call cycle between procedures"


def check(ctx: Context) -> Iterator[Problem]:
    procs = dict(ctx.rulebook.procedures)
    for p in ctx.procedures:
        procs.setdefault(p.id, p)
    calls: dict[str, list[Ref]] = {
        pid: [s.call.procedure for s in p.steps.values() if s.call] for pid, p in procs.items()
    }
    checked = {p.id for p in ctx.procedures}
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished
    stack: list[tuple[str, Ref | None]] = []

    def visit(pid: str, via: Ref | None) -> Iterator[Problem]:
        state[pid] = 1
        stack.append((pid, via))
        for ref in calls.get(pid, []):
            callee = ref.name
            if state.get(callee) == 1:
                ids = [p for p, _ in stack]
                cycle = ids[ids.index(callee):]
                key = frozenset(cycle)
                if key not in reported and checked & key:
                    reported.add(key)
                    yield Problem(ID, ref.pos, {"cycle": " → ".join([*cycle, callee])})
            elif callee in calls and state.get(callee) is None:
                yield from visit(callee, ref)
        stack.pop()
        state[pid] = 2

    for pid in sorted(calls):
        if state.get(pid) is None:
            yield from visit(pid, None)
