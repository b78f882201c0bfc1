"""Designers' shorthand, as the manual's readers cite things.

Designers write sources and notes in shorthand: `000 §3.9.2A` for a section of
a source document, `day1_call` or `lobby:property_callback` for a step,
`opening_score` for an input. Staff and auditors reading the controlled
manual know the documents by name and the steps by number and title, so the
manual prints every designer text through `Citer.cite`:

- a reference key declared in rulebook.yaml `references:` becomes 《title》,
  and `§3.9.2A` becomes `3.9.2 A` (sections as the documents number them);
- a step id becomes 第N步「title」 (with 《procedure》 first when it is another
  procedure's step), a procedure id 《title》, an input its question's noun in
  quotes, a milestone, form, role or field its name;
- a key of the rulebook language (`do`, `within`, `status unverified`) becomes
  the term the manual prints for it (要做的事, 时限, 待核实).

Web addresses are never printed here: a reference's URL appears only in the
manual's references appendix (`Citer.used`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from engine.i18n import messages
from engine.model import Procedure, Reference, Rulebook
from engine.render.exprs import Wording
from engine.render.words import ZH, Words

_SECTION = re.compile(
    r"§\s*([0-9一二三四五六七八九十]+(?:\.[0-9]+)*(?:\)(?=[A-Za-z0-9]))?)"
    r"(?:\s*([A-Z](?:\s*[–-]\s*[A-Z])?)(?![A-Za-z]))?"
)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")
_ID = re.compile(r"(?<![\w./-])([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)(?::([a-z][a-z0-9_]*))?(?![\w/-])")


# Words of the rulebook language that designers use in notes, in the terms
# the manual itself prints (docs/language.md names each key the same way).
LANGUAGE_WORDS = messages(
    "cite.term",
    {
        "status unverified": ("待核实", "to be verified"),
        "sop simulate": ("流程模拟检查", "the simulation check"),
        "unverified": ("待核实", "to be verified"),
        "do": ("要做的事", "what to do"),
        "say": ("要说的话", "what to say"),
        "hint": ("提示", "hint"),
        "note": ("说明", "note"),
        "notes": ("编制说明", "design notes"),
        "every": ("定期提醒", "reminder"),
        "within": ("时限", "deadline"),
        "due": ("到期日", "due date"),
        "at": ("时刻", "time"),
        "stage": ("阶段", "stage"),
        "milestone": ("里程碑", "milestone"),
        "subject": ("对象", "subject"),
        "record": ("记录", "record"),
        "choices": ("选项", "choices"),
        "when": ("条件", "condition"),
        "never_say": ("禁用语", "words never to say"),
    },
)
CITED = messages(
    "cite",
    {
        "step": ("第{n}步「{title}」", "step {n} 「{title}」"),
        "rule": ("守则“{text}”", "rule “{text}”"),
    },
)
_LANGUAGE = re.compile(
    "|".join(
        rf"(?<![\w-]){re.escape(k)}(?![\w-])" for k in sorted(LANGUAGE_WORDS, key=len, reverse=True)
    )
)


def _section(m: re.Match[str]) -> str:
    number, item = m.group(1), m.group(2)
    return number + (f" {item.replace(' ', '')}" if item else "")


class Citer:
    """Rewrites designer text for the manual's readers; remembers which
    references were cited, in order, for the appendix."""

    def __init__(self, rulebook: Rulebook, w: Words = ZH) -> None:
        self.rulebook = rulebook
        self.w = w
        self.references = rulebook.references
        keys = sorted(self.references, key=len, reverse=True)
        self._keys = (
            re.compile("|".join(rf"(?<![\w-]){re.escape(k)}(?![\w-])" for k in keys))
            if keys
            else None
        )
        self._cited: dict[str, Reference] = {}
        fields: dict[str, str] = {}
        for form in rulebook.forms.values():
            for fid, fld in form.fields.items():
                fields.setdefault(fid, fld.label)
        self._fields = fields

    @property
    def used(self) -> tuple[Reference, ...]:
        """The documents cited so far, in the order of their first citation
        (two keys naming one document, like a file and its only piece, once)."""
        seen: dict[str, Reference] = {}
        for ref in self._cited.values():
            seen.setdefault(ref.title, ref)
        return tuple(seen.values())

    def cite(self, text: str, proc: Procedure | None = None) -> str:
        out = text
        if self._keys is not None:
            out = self._keys.sub(self._reference, out)
        out = _SECTION.sub(_section, out)
        inputs = self.rulebook.inputs_for(proc) if proc is not None else dict(self.rulebook.inputs)
        out = _PLACEHOLDER.sub(
            lambda m: (
                f"〔{Wording(inputs).noun(m.group(1))}〕" if m.group(1) in inputs else m.group(0)
            ),
            out,
        )
        out = _ID.sub(lambda m: self._name(m, proc), out)
        return _LANGUAGE.sub(lambda m: self.w.say(LANGUAGE_WORDS[m.group(0)]), out)

    def cite_all(self, texts: Iterable[str], proc: Procedure | None = None) -> tuple[str, ...]:
        return tuple(self.cite(t, proc) for t in texts)

    def _reference(self, m: re.Match[str]) -> str:
        ref = self.references[m.group(0)]
        self._cited.setdefault(ref.key, ref)
        return f"《{ref.title}》"

    def _name(self, m: re.Match[str], proc: Procedure | None) -> str:
        word, step = m.group(1), m.group(2)
        rb = self.rulebook
        if step is not None:
            other = rb.procedures.get(word)
            if other is not None and step in other.steps:
                return f"《{other.title}》{self._step(other, step)}"
            return m.group(0)
        if proc is not None and word in proc.steps:
            return self._step(proc, word)
        if word in rb.procedures:
            return f"《{rb.procedures[word].title}》"
        if proc is not None and word in proc.milestones:
            return proc.milestones[word].title
        inputs = rb.inputs_for(proc) if proc is not None else dict(rb.inputs)
        if word in inputs:
            return f"“{Wording(inputs).noun(word)}”"
        if word in rb.forms:
            return f"《{rb.forms[word].title}》"
        if word in rb.roles:
            return rb.roles[word].name
        if word in rb.queues:
            return f"“{rb.queues[word].title}”"
        rule = next(
            (r for r in (*(proc.rules if proc is not None else ()), *rb.rules) if r.id == word),
            None,
        )
        if rule is not None:
            return self.w.say(CITED["rule"], text=rule.text)
        if word in self._fields:
            return f"“{self._fields[word]}”"
        return word

    def _step(self, proc: Procedure, sid: str) -> str:
        number = list(proc.steps).index(sid) + 1
        return self.w.say(CITED["step"], n=number, title=proc.steps[sid].title)
