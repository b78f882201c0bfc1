"""The language server's answers without an editor: the cursor's context,
every reference kind in the index, completion in each place, hover,
rename (and its refusals), and the outline, over the bundled rulebook."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path

import pytest

from engine.lsp import features
from engine.lsp.context import ITEM, where
from engine.lsp.rename import Refused, rename
from engine.lsp.symbols import Index, Target
from engine.lsp.workspace import Folder
from engine.model import Ref, Schedule
from engine.problems import apply_fix
from engine.validate import validate_texts
from tests.conftest import ROOT

SOPS = os.path.realpath(ROOT / "sops")


@pytest.fixture(scope="module")
def folder() -> Folder:
    f = Folder(SOPS)
    assert all(not found for found in f.validate().problems.values())
    return f


def path(name: str) -> str:
    return os.path.join(SOPS, name)


def text(name: str) -> str:
    return Path(path(name)).read_text(encoding="utf-8")


def at(name: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """0-based line and column of `needle` (+ offset) in a bundled file."""
    src = text(name)
    i = src.index(needle) + offset
    return src.count("\n", 0, i), i - (src.rfind("\n", 0, i) + 1)


@pytest.mark.parametrize(
    ("lines", "path_", "key"),
    [
        ("start: gr", ("start",), False),
        ("roles: [a, b", ("roles", ITEM), False),
        ("steps:\n  greet:\n    ro", ("steps", "greet"), True),
        ("steps:\n  greet:\n    role: sh", ("steps", "greet", "role"), False),
        ("steps:\n  s:\n    next:\n      - {to: a, wh", ("steps", "s", "next", ITEM), True),
        (
            "steps:\n  s:\n    next:\n      - {to: a, when: re",
            ("steps", "s", "next", ITEM, "when"),
            False,
        ),
        ("steps:\n  s:\n    record: {log: [na", ("steps", "s", "record", "log", ITEM), False),
        (
            "steps:\n  s:\n    do:\n      - text: x\n        role: g",
            ("steps", "s", "do", ITEM, "role"),
            False,
        ),
        ("steps:\n  s:\n    ask:\n      - na", ("steps", "s", "ask", ITEM), True),
    ],
)
def test_the_cursor_context(lines: str, path_: tuple[str, ...], key: bool) -> None:
    last = lines.split("\n")
    w = where(lines, len(last) - 1, len(last[-1]))
    assert (w.path, w.key) == (path_, key)


def test_a_template_is_seen_as_one() -> None:
    w = where("    say:\n      - 您好,{{ sur", 1, len("      - 您好,{{ sur"))
    assert w.template and w.prefix == "sur"


def test_every_reference_kind_is_indexed(folder: Folder) -> None:
    index = folder.index()
    sales, show = path("sales-visit.yaml"), path("show-flat.yaml")

    def target(name: str, needle: str, offset: int) -> Target:
        line, col = at(name, needle, offset)
        occ = index.at(path(name), line + 1, col + 1)
        assert occ is not None, needle
        return occ.target

    assert target("show-flat.yaml", "start: greet", 7) == Target("step", show, "greet")
    assert target("show-flat.yaml", "next: shoe_covers", 7) == Target("step", show, "shoe_covers")
    assert target("show-flat.yaml", "{to: accompanied_tour", 5).kind == "step"
    assert target("sales-visit.yaml", "call: shuttle", 7) == Target("procedure", "", "shuttle")
    assert target("show-flat.yaml", "role: showflat_host", 7) == Target("role", "", "showflat_host")
    assert target("show-flat.yaml", "visitor_log: [", 1) == Target("form", "", "visitor_log")
    assert target("show-flat.yaml", "visit_date,", 1) == Target(
        "field", "visitor_log", "visit_date"
    )
    assert target("show-flat.yaml", "when: has_garden", 7) == Target("input", show, "has_garden")
    assert target("show-flat.yaml", "{{ project }}", 4) == Target("input", "", "project")
    # a `with` key is the callee's input; its value reads the caller's
    key = target("sales-visit.yaml", 'self_driving: "{{', 0)
    assert key == Target("input", path("entrance.yaml"), "self_driving")
    assert index.declarations(key)[0].pos.file == path("entrance.yaml")
    value = target("sales-visit.yaml", '{{ self_driving }}"', 3)
    assert value == Target("input", sales, "self_driving")
    # milestones (a journey): the declaration, `milestone:` and `due:`
    journey = "vanke-6plus2.yaml"
    ms = target(journey, "milestone: ", 11)
    assert ms.kind == "milestone" and index.declarations(ms)
    assert any(o.pos.file == path(journey) for o in index.occurrences(ms, False))
    # subject
    assert target(journey, "subject: ", 10).kind == "input"


def test_strings_filters_and_text_are_not_names(folder: Folder) -> None:
    index = folder.index()
    show = path("show-flat.yaml")
    names = {o.target.name for o in index.by_file[show] if o.target.kind == "input"}
    assert "phrase_set" in names
    for occ in index.by_file[show]:
        if occ.target.kind == "input" and not occ.declaration:
            line = text("show-flat.yaml").split("\n")[occ.pos.line - 1]
            assert line[occ.pos.col - 1 : occ.pos.end_col - 1] == occ.target.name


def test_completion_in_each_place(folder: Folder) -> None:
    rb = folder.rulebook()

    def labels(name: str, src: str, line: int, col: int) -> set[str]:
        got = features.complete(
            path(name), src, line, col, folder.procedure(path(name)), rb, folder.procedures(), "zh"
        )
        return {c.label for c in got.candidates}

    src = text("show-flat.yaml")
    line, col = at("show-flat.yaml", "role: showflat_host", 6)
    typed = src.split("\n")
    typed[line] = typed[line][:col]
    assert "image_guard" in labels("show-flat.yaml", "\n".join(typed), line, col)
    line, col = at("show-flat.yaml", "when: has_garden", 6)
    got = labels("show-flat.yaml", src, line, col)
    assert {"has_garden", "project", "hour"} <= got
    line, col = at("show-flat.yaml", "visit_date,", 0)
    assert {"visit_date", "customer_name"} <= labels("show-flat.yaml", src, line, col)
    # keys of a step, from the schema, with descriptions (on a new line)
    line, _ = at("show-flat.yaml", "    title: 迎宾服务")
    typed = src.split("\n")
    typed.insert(line, "    ")
    keys = features.complete(
        path("show-flat.yaml"),
        "\n".join(typed),
        line,
        4,
        folder.procedure(path("show-flat.yaml")),
        rb,
        folder.procedures(),
        "en",
    )
    by = {c.label: c for c in keys.candidates}
    assert {"title", "role", "next", "choices", "hint"} <= set(by)
    assert by["role"].documentation == (
        "the role that performs this step; a list: any one of them, e.g. [cleaner, guard]"
    )
    assert by["role"].insert == "role: "
    # over a key already written, with its colon: the name alone
    over = features.complete(
        path("show-flat.yaml"),
        src,
        line,
        4,
        folder.procedure(path("show-flat.yaml")),
        rb,
        folder.procedures(),
        "en",
    )
    assert {c.label: c.insert for c in over.candidates}["role"] == ""
    # values the schema fixes
    line, col = at("show-flat.yaml", "kind: service", 6)
    assert {"service", "emergency", "journey"} <= labels("show-flat.yaml", src, line, col)
    # `call:` offers the other procedures
    line, col = at("sales-visit.yaml", "call: shuttle", 6)
    assert {"shuttle", "lobby"} <= labels("sales-visit.yaml", text("sales-visit.yaml"), line, col)


def test_hover_says_what_a_name_is(folder: Folder) -> None:
    index = folder.index()
    line, col = at("show-flat.yaml", "role: showflat_host", 8)
    got = features.hover(path("show-flat.yaml"), text("show-flat.yaml"), line, col, index, "zh")
    assert got is not None and "岗位" in got[0]
    name = folder.rulebook()
    assert name is not None and name.roles["showflat_host"].name in got[0]
    line, col = at("show-flat.yaml", "when: has_garden", 8)
    got = features.hover(path("show-flat.yaml"), text("show-flat.yaml"), line, col, index, "en")
    assert got is not None and "样板房是否有私家花园" in got[0] and "type: bool" in got[0]


def rename_at(index: Index, name: str, needle: str, offset: int, new: str) -> dict[str, str]:
    line, col = at(name, needle, offset)
    occ = index.at(path(name), line + 1, col + 1)
    assert occ is not None
    edits = rename(occ, new, index, "x")
    texts = {n: text(n) for n in os.listdir(SOPS) if n.endswith(".yaml")}
    from engine.problems import Fix

    for e in sorted(edits, key=lambda e: (e.pos.file, -e.pos.line, -e.pos.col)):
        n = os.path.basename(e.pos.file)
        texts[n] = apply_fix(texts[n], Fix(e.pos, e.text))
    return texts


@pytest.mark.parametrize(
    ("name", "needle", "offset", "new"),
    [
        ("show-flat.yaml", "next: shoe_covers", 7, "put_on_covers"),  # a step
        ("show-flat.yaml", "when: has_garden", 7, "garden"),  # an input, used in guards
        ("show-flat.yaml", "{{ project }}", 4, "project_name"),  # the rulebook's input
        ("show-flat.yaml", "visitor_log: [", 1, "visit_log"),  # a form
        ("show-flat.yaml", "visit_date,", 1, "visited_on"),  # a field
        ("vanke-6plus2.yaml", "milestone: ", 11, "milestone_x"),  # a milestone
    ],
)
def test_a_rename_leaves_the_rulebook_valid(
    folder: Folder, name: str, needle: str, offset: int, new: str
) -> None:
    renamed = rename_at(folder.index(), name, needle, offset, new)
    assert validate_texts(renamed).problems == []
    assert any(new in t for t in renamed.values())


def test_a_rename_that_would_break_the_rulebook_is_refused(folder: Folder) -> None:
    index = folder.index()
    cases = [
        ("show-flat.yaml", "next: shoe_covers", 7, "greet", "taken"),
        ("show-flat.yaml", "next: shoe_covers", 7, "Shoe-Covers", "pattern"),
        ("show-flat.yaml", "role: showflat_host", 7, "cleaner", "taken"),
        ("show-flat.yaml", "when: has_garden", 7, "project", "taken"),  # would hide the rulebook's
        ("sales-visit.yaml", "call: shuttle", 7, "bus", "kind"),
    ]
    for name, needle, offset, new, why in cases:
        line, col = at(name, needle, offset)
        occ = index.at(path(name), line + 1, col + 1)
        assert occ is not None
        with pytest.raises(Refused) as refused:
            rename(occ, new, index, "岗位")
        assert refused.value.key == why, (needle, new)
        assert refused.value.say("zh") and refused.value.say("en")


def test_the_outline_lists_steps_with_their_titles(folder: Folder) -> None:
    show = path("show-flat.yaml")
    nodes = features.outline(
        show, text("show-flat.yaml"), folder.procedure(show), folder.rulebook()
    )
    assert [n.name for n in nodes] == ["show-flat"]
    steps = [c for c in nodes[0].children if c.kind == "step"]
    assert steps[0].name == "greet" and steps[0].detail == "迎宾服务"
    assert all(a.end_line < b.pos.line for a, b in pairwise(nodes[0].children))
    rb = path("rulebook.yaml")
    top = features.outline(rb, text("rulebook.yaml"), None, folder.rulebook())
    kinds = {n.kind for n in top}
    book = folder.rulebook()
    assert book is not None
    holidays = book.site.holidays if book.site else {}
    present = {"queue": book.queues, "holiday": holidays, "rule": book.rules}
    assert kinds == {"role", "form", "input"} | {k for k, there in present.items() if there}
    assert any(n.children for n in top if n.kind == "form")


@pytest.mark.parametrize(
    ("line", "kind", "style", "found"),
    [
        ("    when: a == 'a b' and b | length > 1", "guard", "", ["a", "b"]),
        ("    when: \"a == 'a' or c\"", "guard", '"', ["a", "c"]),
        ("      - 您好 a,{{ a }}先生{% if b %}b{% endif %}", "template", "", ["a", "b"]),
        ("    when: f.x < 4 and x or f . y", "guard", "", ["f.x", "x", "f . y"]),
        ("      - 评分{{ f.x }}分, {{ x | default(f.y) }}", "template", "", ["f.x", "x", "f.y"]),
    ],
)
def test_names_in_expressions(line: str, kind: str, style: str, found: list[str]) -> None:
    from engine.lsp.symbols import _Lines, names_in
    from engine.model import Expr
    from engine.problems import Pos

    start = line.index(": ") + 2 if kind == "guard" else line.index("- ") + 2
    source = line[start:].strip(style) if style else line[start:]
    expr = Expr(
        source,
        "guard" if kind == "guard" else "template",
        Pos("f", 1, start + 1, 1, len(line) + 1),
        style,
    )
    got = list(names_in(expr, _Lines({"f": line})))
    assert [line[p.col - 1 : p.end_col - 1] for _, p in got] == found
    assert [n for n, _ in got] == [n.replace(" ", "") for n in found]


@pytest.mark.parametrize(
    ("guard", "found"),
    [
        ("outcome == 'a' or x == 'b'", ["a"]),
        ("'b' != outcome and outcome in ['c', \"d\"]", ["b", "c", "d"]),
        ("x == 'a'", []),
        ("outcome == 'a\\'b'", []),  # written with an escape: not the value's text
    ],
)
def test_outcomes_compared_in_a_guard(guard: str, found: list[str]) -> None:
    from engine.lsp.symbols import _Lines, outcomes_in
    from engine.model import Expr
    from engine.problems import Pos

    line = f"      - {{to: a, when: {guard}}}"
    start = line.index("when: ") + 6
    expr = Expr(guard, "guard", Pos("f", 1, start + 1, 1, start + 1 + len(guard)), "")
    got = list(outcomes_in(expr, _Lines({"f": line})))
    assert [n for n, _ in got] == found
    for name, pos in got:
        assert line[pos.col - 1 : pos.end_col - 1] == name


def _refs_of(obj: object, holidays: frozenset[str]) -> Iterator[Ref]:
    """Every `Ref` a model object holds (a schedule's: the holidays it names;
    its other values are days and times, not names)."""
    if isinstance(obj, Ref):
        yield obj
    elif isinstance(obj, Schedule):
        yield from (r for _, r in obj.refs() if r.name in holidays)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name != "procedures":  # a rulebook's: each is walked as a procedure
                yield from _refs_of(getattr(obj, f.name), holidays)
    elif isinstance(obj, tuple | list):
        for x in obj:
            yield from _refs_of(x, holidays)
    elif isinstance(obj, Mapping):
        for x in obj.values():
            yield from _refs_of(x, holidays)


@pytest.mark.parametrize(
    "root",
    [
        "sops",
        "tests/cases/ok",
        "tests/fixtures/lsp_book",
        "tests/fixtures/rotation",
        "tests/fixtures/schedule",
        "tests/fixtures/rulebook_flow",
        "tests/fixtures/rulebook_runtime",
    ],
)
def test_every_name_the_model_resolves_is_in_the_index(root: str) -> None:
    """Each `Ref` of the built model (whatever construct holds it: one added
    later is caught here) is an occurrence in the index where the file writes
    it; `form.field` as its form and its field."""
    from engine.lsp.symbols import _Lines

    f = Folder(os.path.realpath(ROOT / root))
    validation = f.validate()
    index, lines = f.index(), _Lines(validation.texts)
    book = f.rulebook()
    assert book is not None
    holidays = frozenset(book.site.holidays if book.site else ())
    missing = []
    for obj in (book, *f.procedures().values()):
        for ref in _refs_of(obj, holidays):
            exact = lines.exact(ref.pos, ref.name)
            if exact is None:
                continue  # written elsewhere than the name (a table's unwritten first step)
            form, dot, fld = ref.name.partition(".")
            wanted = [(exact.col, form)] + ([(exact.end_col - len(fld), fld)] if dot else [])
            for col, name in wanted:
                occ = index.at(exact.file, exact.line, col)
                if occ is None or occ.target.name != name:
                    missing.append(f"{os.path.basename(exact.file)}:{exact.line}:{col} {name}")
    assert missing == []


def test_completion_in_a_rule_tables_entries() -> None:
    """An entry is written as a step is: its record:, role:, call: and the
    steps: of a standing rule (the entries) complete as a step's do."""
    book = os.path.realpath(ROOT / "tests/fixtures/lsp_book")
    f = Folder(book)
    f.validate()
    name = os.path.join(book, "situations.yaml")
    src = Path(name).read_text(encoding="utf-8")

    def labels(old: str, typed: str) -> set[str]:
        text = src.replace(old, typed.replace("|", ""), 1)
        i = src.index(old) + typed.index("|")
        line, col = text.count("\n", 0, i), i - (text.rfind("\n", 0, i) + 1)
        got = features.complete(
            name, text, line, col, f.procedure(name), f.rulebook(), f.procedures(), "zh"
        )
        return {c.label for c in got.candidates}

    assert {"question_log", "visit_feedback"} <= labels("record: {question_log", "record: {q|")
    assert {"host", "manager"} <= labels("    role: manager", "    role: m|")
    assert "question-log" in labels("call: question-log", "call: q|")
    assert labels("steps: [smoking, injured]", "steps: [smoking, |]") == {"smoking", "injured"}
    # a conditional record's fields: the form's fields, one level down
    conditional = "record: {question_log: {fields: [q|], when: true}}"
    assert {"question", "asked_at"} <= labels("record: {question_log: [question]}", conditional)


def test_renaming_any_name_of_the_fixture_leaves_it_valid() -> None:
    """Every renamable name declared in tests/fixtures/lsp_book (every kind:
    steps, entries, roles, forms, fields, inputs, milestones, outcomes,
    queues, holidays, standing rules), renamed to a fresh name, leaves the
    rulebook valid, with the old name gone from every place the index held."""
    from engine.lsp.symbols import RENAMABLE
    from engine.problems import Fix

    book = os.path.realpath(ROOT / "tests/fixtures/lsp_book")
    f = Folder(book)
    f.validate()
    index = f.index()
    texts = {n: Path(book, n).read_text(encoding="utf-8") for n in os.listdir(book)}
    targets = [t for t in index.by_target if t.kind in RENAMABLE and index.declarations(t)]
    assert {t.kind for t in targets} == set(RENAMABLE)
    for target in targets:
        new = target.name + ("日" if target.kind == "holiday" else "_x")
        edits = rename(index.declarations(target)[0], new, index, "x")
        renamed = dict(texts)
        for e in sorted(edits, key=lambda e: (e.pos.file, -e.pos.line, -e.pos.col)):
            n = os.path.basename(e.pos.file)
            renamed[n] = apply_fix(renamed[n], Fix(e.pos, e.text))
        assert validate_texts(renamed).problems == [], target
        assert len(edits) == len(index.occurrences(target)), target
