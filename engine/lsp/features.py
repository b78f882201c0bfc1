"""What the server answers, as plain data: completion candidates, hover
texts and the outline, computed from a folder's models, the index and the
JSON Schemas. engine.lsp.server turns them into LSP messages."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine.lsp import schema_walk, steps
from engine.lsp.context import ITEM, Where, key_at, where
from engine.lsp.symbols import Index, Occurrence, Target
from engine.lsp.texts import TEXT
from engine.model import (
    BUILTIN_NAMES,
    DONE_STEP,
    FIND_STEP,
    OUTCOME,
    Procedure,
    Rule,
    Rulebook,
)
from engine.paths import RULEBOOK_FILE
from engine.problems import Pos
from engine.render.escape import md
from engine.timetable import SITE_TIMES, WEEKDAYS

CandidateKind = Literal[
    "step",
    "role",
    "form",
    "field",
    "input",
    "milestone",
    "procedure",
    "outcome",
    "queue",
    "holiday",
    "key",
    "value",
    "builtin",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    label: str
    kind: CandidateKind
    detail: str = ""
    documentation: str = ""  # Markdown
    insert: str = ""  # what to insert (default: the label)
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Completion:
    candidates: list[Candidate]
    col: int  # 0-based column where the word being replaced starts
    end: int  # 0-based column where it ends


@dataclass
class Outline:
    """A document symbol: a procedure, a step, an input…"""

    name: str
    kind: str  # Target kind, "rulebook" or "group"
    detail: str
    pos: Pos  # the name
    end_line: int  # the last line it spans
    children: list[Outline] = field(default_factory=list)


def schema_for(path: str) -> dict[str, Any]:
    from engine.schema import load_schema

    return load_schema("rulebook" if os.path.basename(path) == RULEBOOK_FILE else "sop")


def say(key: str, lang: str, **params: object) -> str:
    return TEXT[key].say("en" if lang == "en" else "zh", **params)


# ---------------------------------------------------------------- completion


def complete(
    path: str,
    text: str,
    line: int,
    col: int,
    proc: Procedure | None,
    rulebook: Rulebook | None,
    procedures: Mapping[str, Procedure],
    lang: str,
) -> Completion:
    """Candidates at 0-based `line`:`col` of the file `path` (whose last
    built model is `proc`; `procedures`: every one built, by file)."""
    w = where(text, line, col)
    lines = text.split("\n")
    src = lines[line] if line < len(lines) else ""
    end = col
    while end < len(src) and (src[end].isalnum() or src[end] in "_-"):
        end += 1
    head = src[: w.col]
    dotted = _DOTTED.search(head)
    if dotted is not None and (w.template or _reads_fields(w.path)):
        # `form.` typed in a guard, a template or `milestone: {from:`: its fields
        fields = list(_fields_of(rulebook, dotted.group(1), w.path, lang))
        return Completion(fields, w.col, end)
    if _reads_fields(w.path) and w.path[-1:] != ("when",):  # `from:` takes form.field
        return Completion(list(_form_fields(rulebook, lang, dated=True)), w.col, end)
    if w.path[-1:] == ("when",) and _OUTCOME_LITERAL.search(head):
        callee = _callee(proc, w.path[1], procedures) if len(w.path) > 1 else None
        return Completion(list(_outcomes(callee, lang)), w.col, end)
    found = list(_candidates(w, path, proc, rulebook, procedures, lang))
    if src[end:].startswith(":"):  # a key whose colon is written: the name alone
        found = [replace(c, insert="") if c.insert.endswith(": ") else c for c in found]
    return Completion(found, w.col, end)


_DOTTED = re.compile(r"([A-Za-z_]\w*)\.\Z")
# `outcome == '`, `outcome != "`, `outcome in ['a', '`: an outcome is being written
_OUTCOME_LITERAL = re.compile(r"\boutcome\s*(?:[=!]=|(?:not\s+)?in\s*[\[(][^\])]*)\s*['\"]\Z")


def _reads_fields(p: tuple[str, ...]) -> bool:
    """Whether the value at `p` may read `form.field`: a guard, or where a
    milestone's date comes from."""
    return p[-1:] == ("when",) or p[-2:] == ("milestone", "from")


def _fields_of(rb: Rulebook | None, fid: str, p: tuple[str, ...], lang: str) -> Iterator[Candidate]:
    form = rb.forms.get(fid) if rb is not None else None
    if form is None:
        return
    dated = p[-2:] == ("milestone", "from")
    for name, fld in form.fields.items():
        if not dated or fld.type in ("date", "datetime"):
            doc = say("field.of", lang, form=md(form.title), type=fld.type)
            yield Candidate(name, "field", fld.label, doc)


def _form_fields(rb: Rulebook | None, lang: str, dated: bool = False) -> Iterator[Candidate]:
    """`form.field` for every field (a milestone's `from`: date and datetime only)."""
    if rb is None:
        return
    for fid, form in rb.forms.items():
        for name, fld in form.fields.items():
            if not dated or fld.type in ("date", "datetime"):
                doc = say("field.of", lang, form=md(form.title), type=fld.type)
                yield Candidate(f"{fid}.{name}", "field", f"{form.title} · {fld.label}", doc)


def _outcomes(proc: Procedure | None, lang: str) -> Iterator[Candidate]:
    if proc is not None:
        for name, title in proc.outcomes().items():
            yield Candidate(name, "outcome", title, hover_outcome(proc, name, lang))


def _candidates(
    w: Where,
    path: str,
    proc: Procedure | None,
    rb: Rulebook | None,
    procedures: Mapping[str, Procedure],
    lang: str,
) -> Iterator[Candidate]:
    p = w.path
    is_rulebook = os.path.basename(path) == RULEBOOK_FILE
    if w.template or (not w.key and p[-1:] == ("when",)):
        yield from _inputs(proc, rb, lang, builtins=True)
        if p[-1:] == ("when",) and _callee(proc, p[1], procedures) is not None:
            yield Candidate(OUTCOME, "builtin", say("kind.outcome", lang))
        yield from _form_fields(rb, lang)
        return
    if w.key and not is_rulebook and p[-1:] == ("set",):  # `set: {name: value}`
        for c in _inputs(proc, rb, lang):
            yield Candidate(c.label, c.kind, c.detail, c.documentation, insert=f"{c.label}: ")
        return
    names_posts = p[-1:] in (("role",), ("keeper",)) or p[-2:] == ("role", ITEM)
    if is_rulebook and not w.key and names_posts and p[0] in ("queues", "rules", "never_say"):
        yield from _roles(rb, lang)  # a queue's posts, the posts a standing rule binds
        return
    if w.key:
        if not is_rulebook and len(p) == 3 and p[0] == "steps" and p[2] == "with":
            callee = _callee(proc, p[1], procedures)
            yield from _inputs(callee, rb, lang)
            return
        if not is_rulebook and len(p) == 3 and p[0] in ("steps", "entries") and p[2] == "record":
            yield from _forms(rb, lang)
            return
        root = schema_for(path)
        for key in schema_walk.keys(root, p):
            yield Candidate(
                key.name,
                "key",
                detail=schema_walk.said(key.description, lang),
                documentation=schema_walk.said(key.description, lang),
                insert=f"{key.name}: ",
                deprecated=key.deprecated,
            )
        if schema_walk.keys(root, p):
            return
    offered: set[str] = set()
    if not is_rulebook:
        for c in _references(p, proc, rb, procedures, lang):
            offered.add(c.label)
            yield c
    root = schema_for(path)
    for value, doc in schema_walk.values(root, p):
        if value not in offered:
            yield Candidate(value, "value", documentation=schema_walk.said(doc, lang))


def _references(
    p: tuple[str, ...],
    proc: Procedure | None,
    rb: Rulebook | None,
    procedures: Mapping[str, Procedure],
    lang: str,
) -> Iterator[Candidate]:
    in_step = len(p) >= 3 and p[0] in ("steps", "entries")
    rest = p[2:] if in_step else ()
    standing = [x for x in p if x != ITEM]
    if standing[-1:] == ["steps"] and ("rules" in standing or "never_say" in standing):
        # the steps (a table's entries) a standing rule or word never to say is shown at
        if proc is not None:
            for sid, st in proc.steps.items():
                if sid not in (FIND_STEP, DONE_STEP):
                    yield Candidate(sid, "step", st.title, hover_step(proc, sid, rb, lang))
        return
    step_refs = (
        ("next",),
        ("next", ITEM, "to"),
        ("choices", ITEM, "to"),
        ("parallel", "branches", ITEM, "to"),
        ("parallel", "at"),
    )
    if p == ("start",) or rest in step_refs:
        if proc is not None:
            for sid, step in proc.steps.items():
                yield Candidate(sid, "step", step.title, hover_step(proc, sid, rb, lang))
        return
    if p == ("roles", ITEM) or p[-1:] in (("role",), ("tell",)) or p[-2:] == ("role", ITEM):
        yield from _roles(rb, lang)
        return
    if rest == ("turn", "queue") and rb is not None:
        for qid, queue in rb.queues.items():
            yield Candidate(qid, "queue", queue.title, hover_queue(rb, qid, lang))
        return
    if rest in (("end",), ("end", "outcome")) and proc is not None:
        for name, decl in proc.declared_outcomes.items():
            yield Candidate(name, "outcome", decl.title, hover_outcome(proc, name, lang))
        return
    if p[:1] == ("schedule",) and [x for x in p[1:] if x != ITEM] in (["on"], ["by"]):
        site = rb.site if rb is not None else None
        for name in site.holidays if site is not None else {}:
            yield Candidate(
                name,
                "holiday",
                ", ".join(site.holidays[name].dates) if site else "",
                hover_holiday(rb, name, lang),
            )
        for day in WEEKDAYS:
            yield Candidate(day, "value", say("weekday", lang))
        yield Candidate("last", "value", say("last-day", lang))
        return
    if p[:1] == ("schedule",) and [x for x in p[1:] if x != ITEM] in (["at"], ["from"], ["to"]):
        hours = rb.site.hours if rb is not None and rb.site is not None else None
        for which in SITE_TIMES:
            time = (hours.open if which == "opening" else hours.close) if hours else ""
            yield Candidate(which, "value", time, say("site." + which, lang))
        return
    if rest == ("call",):
        for other in procedures.values():
            if proc is None or other.id != proc.id:
                yield Candidate(other.id, "procedure", other.title, hover_procedure(other, lang))
        return
    if p in (("subject",), ("subject", ITEM)) or rest == ("ask", ITEM):
        yield from _inputs(proc, rb, lang)
        return
    fields_of = len(rest) == 3 and rest[0] == "record" and rest[2] == ITEM
    # `record: {form: {fields: [...], when: …}}`: the same fields, one level down
    fields_of |= len(rest) == 4 and rest[0] == "record" and rest[2:] == ("fields", ITEM)
    if fields_of and rb is not None:
        form = rb.forms.get(rest[1])
        if form is not None:
            for fid, fld in form.fields.items():
                doc = say("field.of", lang, form=md(form.title), type=fld.type)
                yield Candidate(fid, "field", fld.label, doc)
        return
    if proc is not None and rest in (("milestone",), ("due", "after"), ("due", "before")):
        for name, m in proc.milestones.items():
            yield Candidate(name, "milestone", m.title)


def _callee(
    proc: Procedure | None, sid: str, procedures: Mapping[str, Procedure]
) -> Procedure | None:
    step = proc.steps.get(sid) if proc is not None else None
    called = {c.procedure.name for c in steps.calls(step)} if step is not None else set()
    return next((p for p in procedures.values() if p.id in called), None)


def _roles(rb: Rulebook | None, lang: str) -> Iterator[Candidate]:
    if rb is not None:
        for rid, role in rb.roles.items():
            yield Candidate(rid, "role", role.name, hover_role(rb, rid, lang))


def _forms(rb: Rulebook | None, lang: str) -> Iterator[Candidate]:
    if rb is not None:
        for fid, form in rb.forms.items():
            yield Candidate(fid, "form", form.title, hover_form(rb, fid, lang), insert=f"{fid}: ")


def _inputs(
    proc: Procedure | None, rb: Rulebook | None, lang: str, builtins: bool = False
) -> Iterator[Candidate]:
    seen: dict[str, Candidate] = {}
    for scope in (proc.inputs if proc else {}, rb.inputs if rb else {}):
        for name, inp in scope.items():
            if name not in seen:
                seen[name] = Candidate(
                    name, "input", inp.ask or inp.type, hover_input(name, proc, rb, lang)
                )
    yield from seen.values()
    if builtins:
        for name in sorted(BUILTIN_NAMES):
            yield Candidate(name, "builtin", say("builtin", lang))


# ---------------------------------------------------------------- hover


def hover(
    path: str, text: str, line: int, col: int, index: Index, lang: str
) -> tuple[str, Pos] | None:
    """Markdown for what is under the cursor (0-based), with its range."""
    occ = index.at(path, line + 1, col + 1)
    if occ is not None:
        doc = describe(occ, index, lang)
        return (doc, occ.pos) if doc else None
    site_time = _site_time(path, text, line, col, index.rulebook, lang)
    if site_time is not None:
        return site_time
    called = _outcome_read(path, text, line, col, index, lang)
    if called is not None:
        return called
    found = key_at(text, line, col)
    if found is None:
        return None
    keypath, (start, end) = found
    root = schema_for(path)
    nodes = schema_walk.at(root, keypath)
    if not nodes:
        return None
    doc = schema_walk.said(schema_walk.description(root, nodes[0]), lang)
    if not doc:
        return None
    return f"`{keypath[-1]}`: {md(doc)}", Pos(path, line + 1, start + 1, line + 1, end + 1)


def site_time_at(text: str, line: int, col: int) -> tuple[str, int, int] | None:
    """`opening` / `closing` under the cursor in a schedule (0-based): the
    word and its columns."""
    lines = text.split("\n")
    src = lines[line] if line < len(lines) else ""
    for m in re.finditer(r"\b(opening|closing)\b", src):
        if m.start() <= col <= m.end():
            w = where(text, line, m.start())
            if w.path[:1] != ("schedule",) or w.key:
                return None
            return m.group(1), m.start(), m.end()
    return None


def hours_of(rb: Rulebook | None) -> Pos | None:
    """Where the site's opening hours are written (what opening/closing mean)."""
    hours = rb.site.hours if rb is not None and rb.site is not None else None
    return hours.pos if hours is not None else None


def _site_time(
    path: str, text: str, line: int, col: int, rb: Rulebook | None, lang: str
) -> tuple[str, Pos] | None:
    """`opening` / `closing` in a schedule: the site's hours they stand for."""
    found = site_time_at(text, line, col)
    if found is None:
        return None
    word, start, end = found
    hours = rb.site.hours if rb is not None and rb.site is not None else None
    which = say("site." + word, lang)
    if hours is None:
        doc = f"`{word}`: {say('site.time', lang, which=which, time='?')}"
    else:
        time = hours.open if word == "opening" else hours.close
        doc = say("site.time", lang, which=which, time=time) + "\n\n"
        doc += say("site.hours", lang, open=hours.open, close=hours.close)
    return doc, Pos(path, line + 1, start + 1, line + 1, end + 1)


def _outcome_read(
    path: str, text: str, line: int, col: int, index: Index, lang: str
) -> tuple[str, Pos] | None:
    """`outcome` in the guard of a step that calls a procedure: how that
    procedure can end."""
    lines = text.split("\n")
    src = lines[line] if line < len(lines) else ""
    for m in re.finditer(r"\boutcome\b", src):
        if not m.start() <= col <= m.end():
            continue
        w = where(text, line, m.start())
        proc = index.procedures.get(path)
        if w.path[-1:] != ("when",) or len(w.path) < 2 or proc is None:
            return None
        callee = _callee(proc, w.path[1], index.procedures)
        if callee is None:
            return None
        known = ", ".join(f"{md(t)} (`{n}`)" for n, t in callee.outcomes().items())
        doc = f"`{OUTCOME}` · " + say("outcome.read", lang, procedure=md(callee.title))
        doc += "\n\n" + say("outcome.known", lang, outcomes=known)
        return doc, Pos(path, line + 1, m.start() + 1, line + 1, m.end() + 1)
    return None


def describe(occ: Occurrence, index: Index, lang: str) -> str:
    t = occ.target
    rb = index.rulebook
    if t.kind == "step":
        proc = index.procedures.get(t.scope)
        return hover_step(proc, t.name, rb, lang) if proc else ""
    if t.kind == "role":
        return hover_role(rb, t.name, lang)
    if t.kind == "form":
        return hover_form(rb, t.name, lang)
    if t.kind == "field":
        form = rb.forms.get(t.scope) if rb else None
        fld = form.fields.get(t.name) if form else None
        if form is None or fld is None:
            return _undeclared(t, lang)
        head = f"**{md(fld.label)}** · {say('kind.field', lang)} `{t.name}`"
        return head + "\n\n" + say("field.of", lang, form=md(form.title), type=fld.type)
    if t.kind == "input":
        proc = index.procedures.get(t.scope)
        return hover_input(t.name, proc, rb, lang)
    if t.kind == "milestone":
        proc = index.procedures.get(t.scope)
        ms = proc.milestones.get(t.name) if proc else None
        if ms is None:
            return _undeclared(t, lang)
        return f"**{md(ms.title)}** · {say('kind.milestone', lang)} `{t.name}`"
    if t.kind == "outcome":
        proc = index.procedures.get(t.scope)
        return hover_outcome(proc, t.name, lang) if proc else _undeclared(t, lang)
    if t.kind == "queue":
        return hover_queue(rb, t.name, lang, index)
    if t.kind == "holiday":
        return hover_holiday(rb, t.name, lang)
    if t.kind == "rule":
        return hover_rule(index, t, lang)
    other = index.procedure_by_id(t.name)  # a procedure
    return hover_procedure(other, lang) if other else _undeclared(t, lang)


def _undeclared(t: Target, lang: str) -> str:
    return f"{say('kind.' + t.kind, lang)} `{t.name}`: {say('undeclared', lang)}"


def hover_step(proc: Procedure, sid: str, rb: Rulebook | None, lang: str) -> str:
    step = proc.steps.get(sid)
    if step is None:
        return _undeclared(Target("step", proc.path, sid), lang)
    lines = [f"**{md(step.title)}** · {say('kind.step', lang)} `{sid}`"]
    entry = proc.entry(sid) if proc.is_table else None
    if entry is not None:
        lines[0] = f"**{md(entry.title)}** · `{sid}`"
        lines.append(say("entry", lang, number=entry.number, title=md(entry.title)))
    if step.role is not None:
        role = rb.roles.get(step.role.name) if rb else None
        name = f"{md(role.name)} (`{step.role.name}`)" if role else f"`{step.role.name}`"
        lines.append(say("step.role", lang, role=name))
    else:
        lines.append(say("step.no-role", lang))
    for call in steps.calls(step):
        lines.append(say("step.call", lang, callee=f"`{call.procedure.name}`"))
    exits = [t.name for t in step.targets]
    if exits:
        shown = ", ".join(
            f"{md(proc.steps[n].title)} (`{n}`)" if n in proc.steps else f"`{n}`"
            for n in dict.fromkeys(exits)
        )
        lines.append(say("step.exits", lang, exits=shown))
    if steps.ends(step):
        lines.append(say("step.end", lang, outcome=md(step.outcome)))
    return "\n\n".join(lines)


def hover_role(rb: Rulebook | None, rid: str, lang: str) -> str:
    role = rb.roles.get(rid) if rb else None
    if role is None:
        return _undeclared(Target("role", "", rid), lang)
    out = f"**{md(role.name)}** · {say('kind.role', lang)} `{rid}`"
    if role.duties:
        out += (
            "\n\n" + say("role.duties", lang) + "\n" + "\n".join(f"- {md(d)}" for d in role.duties)
        )
    return out


def hover_form(rb: Rulebook | None, fid: str, lang: str) -> str:
    form = rb.forms.get(fid) if rb else None
    if form is None:
        return _undeclared(Target("form", "", fid), lang)
    fields = ", ".join(f"{md(f.label)} (`{k}`)" for k, f in form.fields.items())
    return f"**{md(form.title)}** · {say('kind.form', lang)} `{fid}`\n\n" + say(
        "form.fields", lang, fields=fields
    )


def hover_input(name: str, proc: Procedure | None, rb: Rulebook | None, lang: str) -> str:
    if name in BUILTIN_NAMES:
        return f"`{name}`: {say('builtin', lang)}"
    inp = proc.inputs.get(name) if proc else None
    where_ = proc.path if inp is not None and proc is not None else ""
    if inp is None and rb is not None:
        inp, where_ = rb.inputs.get(name), rb.path
    if inp is None:
        return _undeclared(Target("input", "", name), lang)
    lines = [f"**{md(inp.ask or name)}** · {say('kind.input', lang)} `{name}`"]
    lines.append(say("input.type", lang, type=inp.type))
    if inp.options:
        lines.append(say("input.options", lang, options=", ".join(md(o) for o in inp.options)))
    if inp.default is not None:
        lines.append(say("input.default", lang, default=md(inp.default)))
    lines.append(say("input.where", lang, file=md(os.path.basename(where_))))
    return "\n\n".join(lines)


def hover_outcome(proc: Procedure, name: str, lang: str) -> str:
    title = proc.outcomes().get(name)
    if title is None:
        return _undeclared(Target("outcome", proc.path, name), lang)
    head = f"**{md(title)}** · {say('kind.outcome', lang)} `{name}`"
    return head + "\n\n" + say("outcome.of", lang, procedure=f"{md(proc.title)} (`{proc.id}`)")


def hover_queue(rb: Rulebook | None, qid: str, lang: str, index: Index | None = None) -> str:
    queue = rb.queues.get(qid) if rb else None
    if rb is None or queue is None:
        return _undeclared(Target("queue", "", qid), lang)
    lines = [f"**{md(queue.title)}** · {say('kind.queue', lang)} `{qid}`"]
    for key, ref in (("queue.role", queue.role), ("queue.keeper", queue.keeper)):
        if ref is not None:
            role = rb.roles.get(ref.name)
            lines.append(
                say(key, lang, role=f"{md(role.name)} (`{ref.name}`)" if role else f"`{ref.name}`")
            )
    if index is not None:
        turns = [
            f"{md(index.procedures[o.pos.file].id)}"
            for o in index.occurrences(Target("queue", "", qid), declaration=False)
            if o.pos.file in index.procedures
        ]
        if turns:
            lines.append(say("queue.turns", lang, steps=", ".join(dict.fromkeys(turns))))
    return "\n\n".join(lines)


def _rule_of(index: Index, t: Target) -> Rule | None:
    proc = index.procedures.get(t.scope)
    rules = proc.rules if proc is not None else index.rulebook.rules if index.rulebook else ()
    return next((r for r in rules if r.id == t.name), None)


def hover_rule(index: Index, t: Target, lang: str) -> str:
    rule = _rule_of(index, t)
    if rule is None:
        return _undeclared(t, lang)
    rb, proc = index.rulebook, index.procedures.get(t.scope)
    lines = [f"**{md(rule.text)}** · {say('kind.rule', lang)} `{rule.id}`"]
    if rule.roles:
        names = []
        for ref in rule.roles:
            role = rb.roles.get(ref.name) if rb else None
            names.append(f"{md(role.name)} (`{ref.name}`)" if role else f"`{ref.name}`")
        lines.append(say("rule.roles", lang, roles=", ".join(names)))
    if proc is None:
        lines.append(say("rule.rulebook", lang))
    elif rule.steps:
        shown = ", ".join(
            f"{md(proc.steps[r.name].title)} (`{r.name}`)"
            if r.name in proc.steps
            else f"`{r.name}`"
            for r in rule.steps
        )
        lines.append(say("rule.steps", lang, steps=shown))
    else:
        lines.append(say("rule.everywhere", lang))
    if rule.hint:
        lines.append(md(rule.hint))
    return "\n\n".join(lines)


def hover_holiday(rb: Rulebook | None, name: str, lang: str) -> str:
    site = rb.site if rb else None
    holiday = site.holidays.get(name) if site else None
    if holiday is None:
        return _undeclared(Target("holiday", "", name), lang)
    lines = [f"**{md(name)}** · {say('kind.holiday', lang)}"]
    lines.append(say("holiday.dates", lang, dates=", ".join(holiday.dates)))
    lines.append(say("holiday.closed" if holiday.closed else "holiday.open", lang))
    return "\n\n".join(lines)


def hover_procedure(proc: Procedure, lang: str) -> str:
    out = f"**{md(proc.title)}** · {say('kind.procedure', lang)} `{proc.id}`\n\n"
    out += say("procedure.kind", lang, kind=proc.kind)
    if proc.purpose:
        out += "\n\n" + md(proc.purpose)
    return out


# ---------------------------------------------------------------- outline


def outline(path: str, text: str, proc: Procedure | None, rb: Rulebook | None) -> list[Outline]:
    """The document's symbols: a procedure's inputs, milestones, outcomes
    and steps (with their titles); rulebook.yaml's roles, forms (with
    fields), inputs, queues and holidays."""
    last = text.count("\n") + 1
    if os.path.basename(path) == RULEBOOK_FILE:
        if rb is None or rb.path != path:
            return []
        out: list[Outline] = []
        out += _spans([Outline(rid, "role", r.name, r.pos, 0) for rid, r in rb.roles.items()], last)
        forms = []
        for fid, form in rb.forms.items():
            node = Outline(fid, "form", form.title, form.pos, 0)
            node.children = _spans(
                [Outline(k, "field", f.label, f.pos, 0) for k, f in form.fields.items()], last
            )
            forms.append(node)
        out += _spans(forms, last)
        out += _spans(
            [Outline(n, "input", i.ask or i.type, i.pos, 0) for n, i in rb.inputs.items()], last
        )
        out += [Outline(q, "queue", queue.title, queue.pos, 0) for q, queue in rb.queues.items()]
        out += [Outline(r.id, "rule", r.text, r.pos, 0) for r in rb.rules]
        if rb.site is not None:
            out += [
                Outline(n, "holiday", ", ".join(h.dates), h.pos, 0)
                for n, h in rb.site.holidays.items()
            ]
        return _spans(out, last)
    if proc is None or proc.path != path:
        return []
    items = [Outline(n, "input", i.ask or i.type, i.pos, 0) for n, i in proc.inputs.items()]
    items += [Outline(n, "milestone", m.title, m.pos, 0) for n, m in proc.milestones.items()]
    items += [Outline(n, "outcome", o.title, o.pos, 0) for n, o in proc.declared_outcomes.items()]
    items += [Outline(r.id, "rule", r.text, r.pos, 0) for r in proc.rules]
    if proc.is_table:
        items += [Outline(e.id, "step", f"{e.number}. {e.title}", e.pos, 0) for e in proc.entries]
    else:
        items += [Outline(sid, "step", s.title, s.pos, 0) for sid, s in proc.steps.items()]
    root = Outline(proc.id, "procedure", proc.title, proc.pos, last)
    root.children = _spans(items, last)
    return [root]


def _spans(nodes: list[Outline], last: int) -> list[Outline]:
    """Each node spans to the line before the next one (the last: to `last`,
    or its own last child's end)."""
    ordered = sorted(nodes, key=lambda n: (n.pos.line, n.pos.col))
    for i, node in enumerate(ordered):
        nxt = ordered[i + 1].pos.line - 1 if i + 1 < len(ordered) else last
        node.end_line = max(node.pos.line, nxt)
    return ordered


# ---------------------------------------------------------------- names in words


def title_of(target: Target, index: Index) -> str | None:
    """What staff call the thing a name denotes: a step's or form's title, a
    role's name, a field's label, a milestone's title, a procedure's title."""
    rb = index.rulebook
    if target.kind == "step":
        proc = index.procedures.get(target.scope)
        step = proc.steps.get(target.name) if proc else None
        return step.title if step else None
    if target.kind == "role":
        role = rb.roles.get(target.name) if rb else None
        return role.name if role else None
    if target.kind == "form":
        form = rb.forms.get(target.name) if rb else None
        return form.title if form else None
    if target.kind == "field":
        form = rb.forms.get(target.scope) if rb else None
        fld = form.fields.get(target.name) if form else None
        return fld.label if fld else None
    if target.kind == "milestone":
        proc = index.procedures.get(target.scope)
        ms = proc.milestones.get(target.name) if proc else None
        return ms.title if ms else None
    if target.kind == "procedure":
        other = index.procedure_by_id(target.name)
        return other.title if other else None
    if target.kind == "outcome":
        proc = index.procedures.get(target.scope)
        return proc.outcomes().get(target.name) if proc else None
    if target.kind == "queue":
        queue = rb.queues.get(target.name) if rb else None
        return queue.title if queue else None
    if target.kind == "rule":
        rule = _rule_of(index, target)
        return rule.text if rule else None
    return None  # an input's question is a sentence; a holiday is named in words


def hints(path: str, first_line: int, last_line: int, index: Index) -> list[tuple[Pos, str]]:
    """The title to show after each reference on lines `first_line`..`last_line`
    (1-based): ids are English, what they name is Chinese."""
    out: list[tuple[Pos, str]] = []
    for occ in index.by_file.get(path, []):
        if occ.declaration or not first_line <= occ.pos.line <= last_line:
            continue
        title = title_of(occ.target, index)
        if title:
            out.append((occ.pos, title))
    return out


def search(query: str, index: Index) -> list[tuple[Occurrence, str]]:
    """Declarations whose id or title holds `query` (any case), steps first."""
    q = query.strip().lower()
    order = {
        "step": 0,
        "procedure": 1,
        "role": 2,
        "form": 3,
        "field": 4,
        "milestone": 5,
        "outcome": 6,
        "queue": 7,
        "holiday": 8,
        "rule": 9,
        "input": 10,
    }
    found: list[tuple[Occurrence, str]] = []
    for target, occs in index.by_target.items():
        decl = next((o for o in occs if o.declaration), None)
        if decl is None:
            continue
        title = title_of(target, index) or ""
        if not q or q in target.name.lower() or q in title.lower():
            found.append((decl, title))
    found.sort(key=lambda f: (order.get(f[0].target.kind, 9), f[0].pos.file, f[0].pos.line))
    return found
