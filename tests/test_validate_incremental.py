"""The language server's incremental path parses and builds a changed file
again only where it changed (engine.source.Pieces, engine.build.Built): edit
after random edit, the document it puts together is the one a whole parse
gives (data, marks and their order), and validating through the memo says
exactly what a fresh validation of the same texts says, with the same
models."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.problems import Problem
from engine.source import LoadFailed, Pieces, parse
from engine.validate import Memo, validate_texts
from tests.conftest import CASES

ROOT = Path(__file__).resolve().parent.parent
SOPS = ROOT / "sops"


def _procedures() -> list[Path]:
    found = [p for p in sorted(SOPS.glob("*.yaml")) if p.name != "rulebook.yaml"]
    for kind in ("ok", "err"):
        for p in sorted((CASES / kind).glob("*.yaml")):
            if p.name == "rulebook.yaml" or not p.is_file():
                continue
            try:
                text = p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            if "\nsteps:\n" in text and len(text) < 40_000:
                found.append(p)
    return found


FILES = _procedures()
# What a person types, and what breaks YAML or the cutting into pieces.
CHARS = st.sampled_from(
    ["x", "a", "1", " ", "  ", ":", "：", "-", "#", "[", "]", "{", '"', "好", "\t", "\n", "\u200b"]
)


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[str, float, float, str]]:
    ops = st.sampled_from(["insert", "delete", "drop-line", "copy-line", "indent", "dedent"])
    return draw(
        st.lists(
            st.tuples(
                ops, st.floats(0, 1), st.floats(0, 1), st.lists(CHARS, max_size=3).map("".join)
            ),
            min_size=1,
            max_size=6,
        )
    )


def apply(text: str, op: str, where: float, col: float, typed: str) -> str:
    lines = text.split("\n")
    n = min(int(where * len(lines)), len(lines) - 1)
    line = lines[n]
    at = min(int(col * (len(line) + 1)), len(line))
    match op:
        case "insert":
            lines[n] = line[:at] + typed + line[at:]
        case "delete":
            lines[n] = line[:at] + line[at + 1 + len(typed) :]
        case "drop-line":
            del lines[n]
        case "copy-line":
            lines.insert(n, line)
        case "indent":
            lines[n] = "  " + line
        case _:
            lines[n] = line[2:] if line.startswith("  ") else line
    return "\n".join(lines)


def whole(text: str, name: str) -> object:
    try:
        doc = parse(text, name)
    except LoadFailed:
        return None
    return (doc.data, list(doc.marks.items()), list(doc.key_marks.items()), doc.quoted_strays)


def by_pieces(pieces: Pieces, text: str) -> object:
    doc = pieces.parse(text)
    if doc is None:
        return "whole"
    return (doc.data, list(doc.marks.items()), list(doc.key_marks.items()), doc.quoted_strays)


def validated(files: dict[str, str], memo: Memo | None) -> tuple[object, ...]:
    result = validate_texts(files, "book", memo)
    models = result.rulebooks[0].procedures if result.rulebooks else None
    return tuple(result.problems), models


def rulebook_for(path: Path) -> str:
    return (path.parent / "rulebook.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_file_by_pieces_is_the_file_parsed_whole(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pieces = Pieces(path.name)
    got = by_pieces(pieces, text)
    assert got == "whole" or got == whole(text, path.name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES), edits())
def test_edits_parse_by_pieces_as_whole(
    path: Path, steps: list[tuple[str, float, float, str]]
) -> None:
    text = path.read_text(encoding="utf-8")
    pieces = Pieces(path.name)
    by_pieces(pieces, text)
    for op, where, col, typed in steps:
        text = apply(text, op, where, col, typed)
        got = by_pieces(pieces, text)
        if got != "whole":
            assert got == whole(text, path.name), (op, where, col, typed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES), edits())
def test_edits_validate_through_the_memo_as_afresh(
    path: Path, steps: list[tuple[str, float, float, str]]
) -> None:
    files = {"rulebook.yaml": rulebook_for(path), path.name: path.read_text(encoding="utf-8")}
    memo = Memo()
    assert validated(files, memo) == validated(files, None)
    for op, where, col, typed in steps:
        files = {**files, path.name: apply(files[path.name], op, where, col, typed)}
        assert validated(files, memo) == validated(files, None), (op, where, col, typed)


def test_a_step_edited_in_a_big_file_is_the_only_one_parsed_and_built_again() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from bench_lsp import CALLEE, FORMS, RULEBOOK, second_edition

    text = second_edition("big", 200)
    files = {"rulebook.yaml": RULEBOOK + FORMS, "callee.yaml": CALLEE}
    memo = Memo()
    assert validated({**files, "big.yaml": text}, memo)[0] == ()
    pieces, built = memo.pieces["book/big.yaml"]
    before = dict(pieces.steps)
    steps_before = {sid: got[2] for sid, got in built.steps.items()}
    edited = text.replace(
        "    title: 第17步 为客户提供服务\n", "    title: 第17步 为客户提供服务好\n"
    )
    assert edited != text
    for version in (edited, edited + "\n"):  # a step's title; a line at the end
        mine, fresh = (
            validated({**files, "big.yaml": version}, memo),
            validated({**files, "big.yaml": version}, None),
        )
        assert mine == fresh
    again = [d for chunk, d in pieces.steps.items() if before.get(chunk) is not d]
    assert len(again) == 2  # s17, and the last step (a line added at its end)
    rebuilt = [sid for sid, got in built.steps.items() if steps_before.get(sid) is not got[2]]
    assert sorted(rebuilt) == sorted({"s17", list(built.steps)[-1]})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["：", ":", " ", "\t", "\n", "-", "/", "a", "id", "x1", "好", "\u3000"])
    )
)
def test_the_key_colon_scan_tries_only_lines_with_a_colon(parts: list[str]) -> None:
    from engine.source import _KEY_COLON, _key_colons

    text = "".join(parts)
    expected = [(m.start(), m.end(), m.groups()) for m in _KEY_COLON.finditer(text)]
    assert [(m.start(), m.end(), m.groups()) for m in _key_colons(text)] == expected


# The editor's side: a folder with an open buffer edited again and again
# (engine.lsp.workspace.Folder, whose memo keeps the pieces) says what a full
# `sop validate` of the same files on disk says.
BOOKS = [ROOT / "tests" / "fixtures" / "lsp_book", SOPS]


@pytest.mark.parametrize("book", BOOKS, ids=lambda p: p.name)
@pytest.mark.parametrize("seed", range(3))
def test_an_edited_buffer_is_diagnosed_as_a_full_validation(
    book: Path, seed: int, tmp_path: Path
) -> None:
    import os
    import random
    import shutil

    from engine.lsp.workspace import Folder
    from engine.validate import validate_paths

    edited, disk = tmp_path / "edited", tmp_path / "disk"
    shutil.copytree(book, edited)
    shutil.copytree(book, disk)
    rng = random.Random(seed)
    names = sorted(p.name for p in edited.glob("*.yaml") if p.name != "rulebook.yaml")
    name = rng.choice(names)
    folder = Folder(os.path.realpath(edited))
    target = os.path.join(folder.root, name)
    text = (edited / name).read_text(encoding="utf-8")
    folder.edit(target, text, 1)
    folder.validate()
    for version in range(2, 10):
        op = rng.choice(["insert", "delete", "drop-line", "copy-line", "indent", "dedent"])
        typed = rng.choice(["x", "好", ":", "\n", "  ", "#"])
        text = apply(text, op, rng.random(), rng.random(), typed)
        folder.edit(target, text, version)
        mine = [p for found in folder.validate().problems.values() for p in found]
        (disk / name).write_text(text, encoding="utf-8")
        full = validate_paths([str(disk)]).problems

        def seen(problems: list[Problem], root: str) -> list[str]:
            return sorted(repr(p).replace(root, "<book>") for p in problems)

        assert seen(mine, folder.root) == seen(full, str(disk)), (op, typed)
