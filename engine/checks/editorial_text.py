"""Text that staff read carries no editorial reasoning.

What staff read at the post (a step's title and hint, every `do` and `say`
text and its hint, choice and branch labels, the questions inputs ask, the
procedure's purpose, scope and trigger; in rulebook.yaml role names and
duties, form titles and field labels) is for doing the work. Where a rule
comes from and why it was decided so (the source's section numbers, web
addresses, the research inventory, step or field ids) belongs to the
designers' `notes:` and to docs/sources.md, which the manual prints in its
编制说明 and references. One warning per text, at the first such mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from engine.checks.context import Context
from engine.model import Procedure
from engine.problems import Pos, Problem

ID = "editorial-text"
DESCRIPTION = (
    "给员工看的文字不写出处、章节号、网址、调研清单或编号 / "
    "staff-facing text cites no sources, section marks, URLs, inventory or ids"
)

# Each kind of editorial mark, in the order they are looked for.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"https?://\S+|www\.[\w.-]+\S*", re.IGNORECASE)),
    ("inventory", re.compile(r"调研清单|domain-inventory|inventory", re.IGNORECASE)),
    ("section", re.compile(r"§\s*[\w.#]*")),
    (
        "source",
        re.compile(
            r"原文|出处|360docs|qiqiwenku|\b00\d\s*(?:篇|piece|策略|环节|§)|\bpiece\s+\d+",
            re.IGNORECASE,
        ),
    ),
)
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_SNAKE = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
_WORD = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*(?![\w-])")


@dataclass(frozen=True)
class _Text:
    field: str  # which key, as the designer wrote it (e.g. "steps.fire.hint")
    text: str
    near: Pos  # where the text (or the thing that holds it) is


def find(text: str, ids: frozenset[str]) -> tuple[str, str] | None:
    """The first editorial mark in `text`: (kind, what was found), or None.
    Template parts (`{{ name }}`, `{% if %}`) are code, not words, and are
    left out; an id is a lowercase word naming a step, procedure, input,
    role, form or field, or any snake_case word."""
    words = _TEMPLATE.sub(" ", text)
    for kind, pattern in _PATTERNS:
        m = pattern.search(words)
        if m:
            return kind, m.group(0).rstrip("。,，;；)）")
    m = _SNAKE.search(words)
    if m:
        return "id", m.group(0)
    for m in _WORD.finditer(words):
        if m.group(0) in ids:
            return "id", m.group(0)
    return None


def _procedure_texts(proc: Procedure) -> Iterator[_Text]:
    for key in ("purpose", "scope", "trigger"):
        value = getattr(proc, key)
        if value:
            yield _Text(key, value, proc.pos)
    for name, spec in proc.inputs.items():
        if spec.ask:
            yield _Text(f"inputs.{name}.ask", spec.ask, spec.pos)
        for option in spec.options:
            yield _Text(f"inputs.{name}.options", option, spec.pos)
    for mid, milestone in proc.milestones.items():
        yield _Text(f"milestones.{mid}.title", milestone.title, milestone.pos)
    for sid, step in proc.steps.items():
        where = f"steps.{sid}"
        yield _Text(f"{where}.title", step.title, step.pos)
        if step.hint:
            yield _Text(f"{where}.hint", step.hint, step.pos)
        for key, items in (("do", step.do), ("say", step.say)):
            for i, item in enumerate(items):
                yield _Text(f"{where}.{key}[{i}]", item.text.source, item.text.pos)
                if item.hint:
                    yield _Text(f"{where}.{key}[{i}].hint", item.hint, item.text.pos)
        for branch in step.next:
            if branch.label:
                yield _Text(f"{where}.next.label", branch.label, branch.to.pos)
        for choice in step.choices:
            yield _Text(f"{where}.choices.label", choice.label, choice.to.pos)


def _rulebook_texts(ctx: Context) -> Iterator[_Text]:
    rb = ctx.rulebook
    for rid, role in rb.roles.items():
        yield _Text(f"roles.{rid}.name", role.name, role.pos)
        for duty in role.duties:
            yield _Text(f"roles.{rid}.duties", duty, role.pos)
    for fid, form in rb.forms.items():
        yield _Text(f"forms.{fid}.title", form.title, form.pos)
        for field_id, fld in form.fields.items():
            yield _Text(f"forms.{fid}.fields.{field_id}.label", fld.label, fld.pos)
    for name, spec in rb.inputs.items():
        if spec.ask:
            yield _Text(f"inputs.{name}.ask", spec.ask, spec.pos)


def _ids(ctx: Context) -> frozenset[str]:
    rb = ctx.rulebook
    names: set[str] = set(ctx.procedure_ids) | set(rb.roles) | set(rb.forms) | set(rb.inputs)
    for form in rb.forms.values():
        names.update(form.fields)
    for proc in ctx.procedures:
        names.update(proc.steps)
        names.update(proc.inputs)
        names.update(proc.milestones)
    return frozenset(names)


def _where(ctx: Context, t: _Text, found: str) -> Pos:
    """The found mark in the file: the text's own line is found first (from
    where its key or holder stands), then the mark from there on."""
    near = t.near
    text = ctx.texts.get(near.file)
    if text is None:
        return near
    lines = text.split("\n")
    last = min(near.line + 60, len(lines))
    head = t.text.split("\n", 1)[0][:12]
    begin = next(
        (ln for ln in range(near.line, last + 1) if head and head in lines[ln - 1]), near.line
    )
    for ln in range(begin, last + 1):
        src = lines[ln - 1]
        idx = src.find(found)
        if idx >= 0:
            return Pos(near.file, ln, idx + 1, ln, idx + 1 + len(found))
    return near


def _report(ctx: Context, texts: Iterable[_Text], ids: frozenset[str]) -> Iterator[Problem]:
    for t in texts:
        hit = find(t.text, ids)
        if hit is None:
            continue
        kind, found = hit
        yield Problem(ID, _where(ctx, t, found), {"field": t.field, "found": found}, kind)


def check(ctx: Context) -> Iterator[Problem]:
    ids = _ids(ctx)
    for proc in ctx.procedures:
        yield from _report(ctx, _procedure_texts(proc), ids)
    if ctx.whole_rulebook:
        yield from _report(ctx, _rulebook_texts(ctx), ids)
