"""A hostile corpus for the renderers: rulebooks whose every text field is
drawn from markup, quotes, escapes, control and bidi characters, CJK, emoji
and the syntax of Markdown, Mermaid and DOT, next to a benign twin of the
same shape (the same steps, ways out, inputs and forms, plain words for every
text), so an output's structure can be compared with what the template wrote.

The rulebook is built straight from data (engine.build), past `sop validate`,
which rejects control and bidi characters in a file: texts reach the
renderers from people and journals too (--set, run answers, pinned rulebooks),
so every renderer must hold whatever the text is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from engine.build import build_procedure, build_rulebook_head
from engine.model import Rulebook
from engine.source import Document as Source

# Whole attacks, and the pieces of every syntax a renderer writes.
ATTACKS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "</style><script>x</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "<!--",
    "-->",
    "]]>",
    "&lt;b&gt;",
    "&#60;i&#62;",
    "&amp;",
    "[link](javascript:alert(1))",
    "![img](http://x/y.png)",
    "<http://evil.example>",
    "www.evil.example",
    "a@b.example",
    "https://evil.example/x",
    "```",
    "~~~",
    "~~del~~",
    "**bold**",
    "_em_",
    "`code`",
    "$x$",
    "| a | b |",
    "|---|",
    "# heading",
    "> quote",
    "- item",
    "+ item",
    "1. item",
    "2) item",
    "    indented",
    "===",
    "---",
    "***",
    "[ ] task",
    "[^1]",
    "\\",
    "\\N\\G\\l",
    '"];',
    "end",
    "%%",
    "%%{init: {'securityLevel': 'loose'}}%%",
    'click s_s0 href "javascript:alert(1)"',
    "\n  s_s0 --> s_s1",
    '"]\n  click begin call alert()\n  x["',
    "-->|x|",
    ";",
    "#quot;",
    "#35;",
    "// comment",
    "/* c */",
    '" -> "x',
    "}; digraph x {",
    "{page}",
    "{total}",
    "{{ surname }}",
    "{% if x %}",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
)
CHARACTERS = tuple(
    "<>&\"'`\\/|*_[]()#!~$%;:=+-@.{}\n\r\t"
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b"
    "\u2028\u2029\u202a\u202b\u202d\u202e\u2066\u2067\u2069\u200e\u200f\u061c\u200b\ufeff"
    "\ufffe\uffff\ud800\udfff"
    "中文案场客户样板房「」《》，。：；（）　"
    "😀👍🏽🇨🇳"
)
_PIECE = st.one_of(
    st.sampled_from(ATTACKS),
    st.sampled_from(CHARACTERS),
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "C")),
)
_BREAKS = " \t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _has_words(text: str) -> bool:
    """Not blank however a format trims it (so hostile and benign texts are
    both present or both absent)."""
    return bool(text.strip(_BREAKS).strip())


hostile_texts = st.lists(_PIECE, min_size=1, max_size=5).map("".join).filter(_has_words)


@dataclass(frozen=True)
class Shape:
    """What a generated rulebook is made of, apart from its words."""

    steps: int
    exits: tuple[str, ...]  # per step but the last: next | branches | choices
    critical: tuple[bool, ...]
    notes: bool
    revisions: int
    log_form: bool  # a short form printed as a log sheet, else one per page


shapes = st.builds(
    Shape,
    steps=st.integers(2, 4),
    exits=st.lists(st.sampled_from(["next", "branches", "choices"]), min_size=3, max_size=3).map(
        tuple
    ),
    critical=st.lists(st.booleans(), min_size=4, max_size=4).map(tuple),
    notes=st.booleans(),
    revisions=st.integers(0, 2),
    log_form=st.booleans(),
)

# Enough texts for any shape; a template field (say/do, filled from answers)
# cannot hold Jinja syntax, which `sop validate` rejects there.
TEXTS = 130


def benign(n: int = TEXTS) -> list[str]:
    return [f"文字{i}" for i in range(n)]


def _template_safe(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")


def build(shape: Shape, texts: list[str]) -> Rulebook:
    words: Iterator[str] = iter(texts)

    def t() -> str:
        return next(words)

    def tmpl() -> str:
        return _template_safe(t())

    log_fields = {
        "when": {"label": t(), "type": "datetime"},
        "who": {"label": t(), "type": "text"},
        "kind": {"label": t(), "type": "choice", "options": [f"{t()}·1", f"{t()}·2"]},
    }
    if not shape.log_form:
        log_fields["story"] = {"label": t(), "type": "longtext", "required": False}
    head = {
        "title": t(),
        "version": t(),
        "organisation": {"name": t(), "site": t(), "client": t()},
        "document": {
            "number": t(),
            "status": t(),
            "effective": t(),
            "author": t(),
            "reviewer": t(),
            "approver": t(),
            "revisions": [
                {"version": t(), "date": t(), "change": t(), "author": t()}
                for _ in range(shape.revisions)
            ],
        },
        "roles": {
            "host": {"name": t(), "duties": [t(), t()], "source": t()},
            "guard": {"name": t(), "duties": [t()]},
        },
        "forms": {
            "log": {"title": t(), "source": t(), "fields": log_fields},
            # A second form, filled at the first step only when its condition
            # holds: its title, labels and condition reach the script and the
            # flowchart's boxes.
            "slip": {
                "title": t(),
                "fields": {
                    "what": {"label": t(), "type": "text"},
                    "seen": {"label": t(), "type": "bool"},
                },
            },
        },
        "inputs": {"project": {"type": "text", "ask": t(), "default": t()}},
        "queues": {"rotation": {"title": t(), "role": "host", "keeper": "guard"}},
    }
    # A holiday named by the designer: its name reaches every schedule line.
    holiday = t()
    head["site"] = {
        "hours": {"open": "08:30", "close": "19:00"},
        "holidays": {holiday: ["2026-12-04"]},
    }
    steps: dict[str, Any] = {}
    for i in range(shape.steps):
        step: dict[str, Any] = {
            "title": t(),
            "role": "host" if i % 2 == 0 else "guard",
            "note": t(),
            "source": t(),
            "do": [
                {"text": tmpl(), "critical": shape.critical[i], "note": t()},
                {"text": tmpl(), "when": "returning", "role": ["guard", "host"]},
                {"text": tmpl(), "person": _template_safe(t()) + "{{ surname }}"},
            ],
            # a queue turn naming its person, and who does the step by name
            "turn": {"queue": "rotation", "take": "named", "name": tmpl(), "counts": i % 2 == 0},
            "person": "another" if i % 2 else _template_safe(t()),
            "say": [
                {"text": _template_safe(t()) + "{{ surname }}", "when": "not returning"},
                {"text": tmpl(), "when": "returning"},
            ],
        }
        if i == 0:
            step["record"] = {"slip": {"fields": ["what", "seen"], "when": "returning"}}
        if i == shape.steps - 1:
            step["end"] = "completed"
            step.setdefault("record", {})["log"] = "all"
        else:
            shape_of_exit = shape.exits[i]
            if shape_of_exit == "next" or i + 2 >= shape.steps:
                step["next"] = f"s{i + 1}"
            elif shape_of_exit == "branches":
                step["next"] = [
                    {"to": f"s{i + 2}", "when": "returning", "label": t()},
                    {"to": f"s{i + 1}", "label": t()},
                ]
            else:
                step["choices"] = [
                    {"label": t(), "to": f"s{i + 1}", "set": {"surname": tmpl()}},
                    {"label": t(), "to": f"s{i + 2}", "when": "not returning"},
                ]
        steps[f"s{i}"] = step
    proc = {
        "id": "gen",
        "title": t(),
        "kind": "service",
        "version": t(),
        "source": [t(), t()],
        "purpose": t(),
        "scope": t(),
        "trigger": t(),
        "roles": ["host", "guard"],
        "inputs": {
            "returning": {"type": "bool", "ask": t()},
            "surname": {"type": "text", "ask": t(), "required": False},
            "party": {"type": "choice", "ask": t(), "options": [f"{t()}·1", f"{t()}·2"]},
        },
        "outcomes": {"completed": t()},
        "start": "s0",
        "steps": steps,
        "schedule": [{"on": holiday}, {"every": "1h", "from": "opening", "to": "closing"}],
        "document": {"number": t(), "status": t(), "author": t(), "revisions": []},
        "notes": [t(), t()] if shape.notes else [],
    }
    proc["document"]["revisions"] = [
        {"version": t(), "date": t(), "change": t(), "author": t()} for _ in range(shape.revisions)
    ]
    rulebook = build_rulebook_head(Source("rulebook.yaml", "", head))
    procedure = build_procedure(Source("gen.yaml", "", proc))
    return dataclasses.replace(rulebook, procedures={procedure.id: procedure})


def answers(rulebook: Rulebook, surname: str) -> dict[str, Any]:
    """--set answers for the generated procedure: a hostile name, a choice."""
    party = rulebook.procedures["gen"].inputs["party"].options[0]
    return {"surname": surname, "party": party, "returning": False}


@dataclass(frozen=True)
class Twins:
    hostile: Rulebook
    benign: Rulebook
    surname: str


@st.composite
def twins(draw: Callable[..., Any]) -> Twins:
    shape = draw(shapes)
    texts = draw(st.lists(hostile_texts, min_size=TEXTS, max_size=TEXTS))
    return Twins(build(shape, texts), build(shape, benign()), draw(hostile_texts))
