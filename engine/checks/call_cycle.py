"""Procedures do not call each other in a cycle (the stack would never empty)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context, Outline
from engine.checks.rule import ERROR, Rule
from engine.model import Ref
from engine.problems import Problem

ID = "call-cycle"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("流程之间不能循环调用", "no call cycle between procedures"),
    messages={
        "": (
            "流程之间循环调用: {cycle}。请打断这个循环",
            "procedures call each other in a cycle: {cycle}. break the cycle",
        ),
    },
)


def _report(cycle: list[str], procs: dict[str, Outline], checked: set[str]) -> Iterator[Problem]:
    """One problem at each call of the cycle, each naming the cycle from its
    own procedure, so every file involved shows it."""
    for i, pid in enumerate(cycle):
        callee = cycle[(i + 1) % len(cycle)]
        if pid not in checked:
            continue
        rotated = [*cycle[i:], *cycle[:i], pid]
        for call in procs[pid].calls:
            if call.procedure.name == callee:
                yield Problem(ID, call.procedure.pos, {"cycle": " → ".join(rotated)})
                break


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    procs: dict[str, Outline] = {}
    for p in ctx.outlines:
        procs.setdefault(p.id, p)
    calls: dict[str, list[Ref]] = {pid: [c.procedure for c in p.calls] for pid, p in procs.items()}
    checked = set(procs)
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
                cycle = ids[ids.index(callee) :]
                key = frozenset(cycle)
                if key not in reported and checked & key:
                    reported.add(key)
                    yield from _report(cycle, procs, checked)
            elif callee in calls and state.get(callee) is None:
                yield from visit(callee, ref)
        stack.pop()
        state[pid] = 2

    for pid in sorted(calls):
        if state.get(pid) is None:
            yield from visit(pid, None)
