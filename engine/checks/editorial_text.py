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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import assert_never

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.model import Call, Choices, End, Next, Parallel, Procedure
from engine.problems import Pos, Problem

ID = "editorial-text"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=(
        "给员工看的文字不写出处、章节号、网址、调研清单或编号",
        "staff-facing text cites no sources, section marks, URLs, inventory or ids",
    ),
    messages={
        "url": (
            '给员工看的文字 {field} 中有网址 "{found}"。网址是编辑依据, 请移到 notes (设计说明) 或 docs/sources.md, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} carries a URL "{found}". web addresses are editorial: move them to notes (design notes) or docs/sources.md and leave staff a short hint',
        ),
        "inventory": (
            '给员工看的文字 {field} 中引用了调研清单 "{found}"。请移到 notes (设计说明) 或 docs/sources.md, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} cites the research inventory "{found}". move it to notes (design notes) or docs/sources.md and leave staff a short hint',
        ),
        "section": (
            '给员工看的文字 {field} 中有章节号 "{found}"。出处是编辑依据, 请移到 notes (设计说明) 或 source, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} carries a section mark "{found}". sources are editorial: move it to notes (design notes) or source and leave staff a short hint',
        ),
        "source": (
            '给员工看的文字 {field} 中谈到原文出处 "{found}"。对原文的取舍请写在 notes (设计说明) 和 docs/sources.md, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} discusses the source ("{found}"). reasoning about the source goes to notes (design notes) and docs/sources.md; leave staff a short hint',
        ),
        "id": (
            '给员工看的文字 {field} 中有编号 "{found}"。员工看不懂编号, 请写步骤或栏目的中文名称, 或把这句移到 notes (设计说明)',
            'staff-facing text {field} carries the id "{found}". staff do not read ids: name the step or field in words, or move the sentence to notes (design notes)',
        ),
    },
    keys=(
        "purpose",
        "scope",
        "trigger",
        "inputs",
        "milestones",
        "steps.*.title",
        "steps.*.hint",
        "steps.*.do",
        "steps.*.say",
        "steps.*.next",
        "steps.*.choices",
    ),
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
# What every pattern above and below needs at least one of: most staff texts
# have none and are passed over with one search (the language server checks
# a file on every edit).
_MAYBE = re.compile(r"[A-Za-z§]|调研清单|原文|出处|00\d")
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
    hit, words = _scan(text)
    if hit is not None:
        return hit
    for word in words:
        if word in ids:
            return "id", word
    return None


@lru_cache(maxsize=16384)
def _scan(text: str) -> tuple[tuple[str, str] | None, tuple[str, ...]]:
    """What `find` sees in `text` whatever the ids: the first mark found
    without them, else the words that may be ids (in order). The same
    texts are read edit after edit."""
    if _MAYBE.search(text) is None:
        return None, ()
    words = _TEMPLATE.sub(" ", text)
    for kind, pattern in _PATTERNS:
        m = pattern.search(words)
        if m:
            return (kind, m.group(0).rstrip("。,，;；)）")), ()
    m = _SNAKE.search(words)
    if m:
        return ("id", m.group(0)), ()
    return None, tuple(m.group(0) for m in _WORD.finditer(words))


def _procedure_texts(proc: Procedure, marked: Callable[[str], bool]) -> Iterator[_Text]:
    """The texts of `proc` that `marked` holds (tested before the text's
    field is named: thousands of texts are read, few are reported)."""
    for key in ("purpose", "scope", "trigger"):
        value = getattr(proc, key)
        if value and marked(value):
            yield _Text(key, value, proc.pos)
    for name, spec in proc.inputs.items():
        if spec.ask and marked(spec.ask):
            yield _Text(f"inputs.{name}.ask", spec.ask, spec.pos)
        for option in spec.options:
            if marked(option):
                yield _Text(f"inputs.{name}.options", option, spec.pos)
    for mid, milestone in proc.milestones.items():
        if marked(milestone.title):
            yield _Text(f"milestones.{mid}.title", milestone.title, milestone.pos)
    for sid, step in proc.steps.items():
        if marked(step.title):
            yield _Text(f"steps.{sid}.title", step.title, step.pos)
        if step.hint and marked(step.hint):
            yield _Text(f"steps.{sid}.hint", step.hint, step.pos)
        for key, items in (("do", step.do), ("say", step.say)):
            for i, item in enumerate(items):
                if marked(item.text.source):
                    yield _Text(f"steps.{sid}.{key}[{i}]", item.text.source, item.text.pos)
                if item.hint and marked(item.hint):
                    yield _Text(f"steps.{sid}.{key}[{i}].hint", item.hint, item.text.pos)
        for way in step.ways:
            match way:
                case Next(branches) | Call(next=Next(branches)) | Parallel(next=Next(branches)):
                    for branch in branches:
                        if branch.label and marked(branch.label):
                            yield _Text(f"steps.{sid}.next.label", branch.label, branch.to.pos)
                case Choices(choices):
                    for choice in choices:
                        if marked(choice.label):
                            yield _Text(f"steps.{sid}.choices.label", choice.label, choice.to.pos)
                case End():
                    pass
                case _:
                    assert_never(way)


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
        yield RULE.problem(_where(ctx, t, found), kind, field=t.field, found=found)


def check(ctx: Context) -> Iterator[Problem]:
    ids = _ids(ctx)

    def marked(text: str) -> bool:
        return find(text, ids) is not None

    for proc in ctx.procedures:
        yield from _report(ctx, _procedure_texts(proc, marked), ids)
    if ctx.whole_rulebook:
        yield from _report(ctx, _rulebook_texts(ctx), ids)
