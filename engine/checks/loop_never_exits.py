"""A loop can be left: some way out of it reads a value that can change
while the run goes round (an input asked again, a `set:`, a recorded
field, staff's choice, the time, a called procedure's outcome)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.checks.unreachable_step import flow
from engine.expressions import analyse
from engine.model import (
    BUILTIN_NAMES,
    OUTCOME,
    Call,
    Choices,
    End,
    Procedure,
    arms_of,
    branches_of,
)
from engine.problems import Problem

ID = "loop-never-exits"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "循环的出口条件必须读到循环中会改变的值",
        "a loop's way out reads a value that changes inside the loop",
    ),
    messages={
        "": (
            "循环 {steps} 永远出不去: 离开它的条件只读 {names}, 而循环中没有任何步骤会改变它们 "
            "(没有 ask、set、record, 也没有员工的选择), 第二次到达时它们还是原来的值。"
            "请在循环中的步骤 ask 它们, 或用 set 改变它们",
            "the loop {steps} never exits: its ways out read only {names}, and nothing inside "
            "the loop changes them (no ask, set or record of them, no choice by staff), so "
            "they are the same on every turn. ask them at a step of the loop, or change them "
            "with set",
        ),
    },
    keys=("steps", "inputs"),
)


def _components(edges: Mapping[str, tuple[str, ...]], nodes: list[str]) -> list[list[str]]:
    """Strongly connected components (Kosaraju, iterative), each in file order."""
    order: list[str] = []
    seen: set[str] = set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(edges.get(root, ())))]
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt in edges and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(edges.get(nxt, ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    back: dict[str, list[str]] = {n: [] for n in nodes}
    for n in nodes:
        for t in edges.get(n, ()):
            if t in back:
                back[t].append(n)
    rank = {n: i for i, n in enumerate(nodes)}
    out: list[list[str]] = []
    done: set[str] = set()
    for root in reversed(order):
        if root in done:
            continue
        group, todo = [], [root]
        done.add(root)
        while todo:
            n = todo.pop()
            group.append(n)
            for p in back[n]:
                if p not in done:
                    done.add(p)
                    todo.append(p)
        out.append(sorted(group, key=rank.__getitem__))
    return out


def _changed(ctx: Context, proc: Procedure, loop: set[str]) -> set[str]:
    """The names a turn of the loop can change."""
    names = set(BUILTIN_NAMES)  # time passes
    for sid in loop:
        step = proc.steps[sid]
        names |= {r.name for r in step.ask}
        names |= {a.target.name for a in step.set}
        for way in step.ways:
            names |= {a.target.name for arm in arms_of(way) for a in arm.set}
        for rec in step.record:
            form = ctx.rulebook.forms.get(rec.form.name)
            fields = list(form.fields) if form and rec.all_fields else [f.name for f in rec.fields]
            names |= {f"{rec.form.name}.{f}" for f in fields}
    return names


def _reads(ctx: Context, proc: Procedure, loop: set[str]) -> tuple[bool, set[str]] | None:
    """Whether the loop can be left whatever the values (a choice, an end, an
    unguarded way out), and else the names its ways out read; None when
    it has no way out at all (dead-end's to report)."""
    read: set[str] = set()
    exits = False
    for sid in loop:
        step = proc.steps[sid]
        way = step.exit
        if isinstance(way, End):
            return True, read
        if step.timeout is not None and step.timeout.name not in loop:
            return True, read  # time passes: the step times out of the loop
        if isinstance(way, Choices):
            if any(c.to.name not in loop for c in way.choices):
                return True, read
            continue
        branches = branches_of(way)
        guards: set[str] = set()
        for b in branches:
            if b.when is not None:
                guards |= set(analyse(b.when.source, "guard").names)
            if b.to.name not in loop:
                exits = True
                if not guards:
                    return True, read
                read |= guards
                if isinstance(way, Call) and OUTCOME in guards:
                    return True, read  # the callee may end differently each time
    return (False, read) if exits else None


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        edges = flow(ctx, proc).edges
        nodes = list(proc.steps)
        for group in _components(edges, nodes):
            loop = set(group)
            if len(group) == 1 and group[0] not in edges.get(group[0], ()):
                continue  # not a loop
            found = _reads(ctx, proc, loop)
            if found is None or found[0]:
                continue
            if found[1] & _changed(ctx, proc, loop):
                continue
            first = proc.steps[group[0]]
            yield Problem(
                ID,
                first.pos,
                {
                    "steps": " → ".join(f"「{proc.steps[s].title}」({s})" for s in group),
                    "names": ", ".join(sorted(found[1])),
                },
            )
