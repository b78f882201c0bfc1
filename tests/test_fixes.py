"""Every fix the validator offers must itself validate.

A message that says "write X" carries that edit as a Fix. Applying it must
remove the problem without causing another where it was applied: over every
golden case, and over designers' mistakes generated in the bundled rulebook
(where applying the offered fixes gives back a rulebook with no error)."""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.problems import Problem, Severity, apply_fix
from engine.validate import validate_paths
from tests.conftest import CASES, ROOT

ERR = CASES / "err"


def _cases() -> list[str]:
    return [
        p.name
        for p in sorted(ERR.iterdir())
        if (p.suffix == ".yaml" and p.name != "rulebook.yaml") or p.is_dir()
    ]


def _errors_at(problems: list[Problem], file: str, line: int) -> set[str]:
    return {
        p.rule
        for p in problems
        if p.severity is Severity.ERROR
        and Path(p.pos.file).name == Path(file).name
        and p.pos.line == line
    }


@pytest.fixture(scope="module")
def err_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("err") / "err"
    shutil.copytree(ERR, folder)
    return folder


@pytest.mark.parametrize("name", _cases())
def test_each_offered_fix_in_the_golden_cases_validates(err_copy: Path, name: str) -> None:
    target = err_copy / name
    before = validate_paths([str(target)]).problems
    for problem in (p for p in before if p.fix is not None):
        assert problem.fix is not None
        path = Path(problem.pos.file)
        original = path.read_bytes()
        try:
            text = original.decode("utf-8")
            path.write_text(apply_fix(text, problem.fix), encoding="utf-8")
            after = validate_paths([str(target)]).problems
        finally:
            path.write_bytes(original)
        line = problem.fix.pos.line
        still = _errors_at(after, str(path), line)
        was = _errors_at(before, str(path), line) - {problem.rule}
        assert problem.rule not in still, (problem, after)
        assert still <= was, f"{problem.rule} fix {problem.fix.text!r} causes {still - was}"


def test_the_golden_cases_offer_fixes() -> None:
    offered = {
        p.rule
        for name in _cases()
        for p in validate_paths([str(ERR / name)]).problems
        if p.fix is not None
    }
    expected = {"unknown-step", "wrong-type", "invalid-value", "fullwidth-colon", "colon-space"}
    assert expected <= offered, offered


# ---------------------------------------------------------------- generated mistakes


PROCEDURES = ["show-flat.yaml", "lobby.yaml", "opening-to-signing-care.yaml", "fire.yaml"]


def _typo(data: st.DataObject, word: str) -> str:
    i = data.draw(st.integers(0, len(word) - 1))
    kind = data.draw(st.sampled_from(["drop", "swap", "double"]))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


def _mistake(data: st.DataObject, text: str) -> tuple[str, str] | None:
    """One designer's mistake in a procedure's text: (mistake, new text)."""
    lines = text.split("\n")
    kind = data.draw(
        st.sampled_from(
            [
                "next-typo",
                "role-typo",
                "clock",
                "fullwidth-colon",
                "colon-space",
                "guard",
                "option",
                "yes-no",
            ]
        )
    )
    if kind in ("next-typo", "role-typo"):
        key = "next" if kind == "next-typo" else "role"
        found = [i for i, ln in enumerate(lines) if re.fullmatch(rf"    {key}: [a-z_]+", ln)]
        if not found:
            return None
        i = data.draw(st.sampled_from(found))
        word = lines[i].split(": ")[1]
        known = {m for m in re.findall(r"^  ([a-z_]+):$", text, re.M)} if key == "next" else None
        typo = _typo(data, word)
        if typo == word or (known is not None and typo in known):
            return None
        if known is not None and difflib.get_close_matches(typo, known, 1, 0.6) != [word]:
            return None  # the suggestion would be another step: not this mistake's fix
        lines[i] = f"    {key}: {typo}"
    elif kind == "clock":
        found = [i for i, ln in enumerate(lines) if re.fullmatch(r'    at: "\d\d:\d\d"', ln)]
        if not found:
            return None
        i = data.draw(st.sampled_from(found))
        hh, mm = lines[i].split('"')[1].split(":")
        written = data.draw(
            st.sampled_from([f"{int(hh)}.{mm}", f'"{int(hh)}点{mm}"', f'"{hh}：{mm}"', f"{hh}{mm}"])
        )
        lines[i] = f"    at: {written}"
    elif kind == "option":
        found = [
            i for i, ln in enumerate(lines) if re.fullmatch(r"\s+when: [a-z_]+ == '[^']+'", ln)
        ]
        if not found:
            return None
        i = data.draw(st.sampled_from(found))
        option = lines[i].split("'")[1]
        options = set(re.findall(r"'([^']+)'", text)) | {option}
        typo = _typo(data, option)
        if typo in options or difflib.get_close_matches(typo, options, 1, 0.6) != [option]:
            return None
        lines[i] = lines[i].replace(f"'{option}'", f"'{typo}'")
    elif kind == "yes-no":
        found = [i for i, ln in enumerate(lines) if re.fullmatch(r"\s+when: (not )?[a-z_]+", ln)]
        if not found:
            return None
        i = data.draw(st.sampled_from(found))
        head, guard = lines[i].split("when: ")
        word = data.draw(st.sampled_from(["是", "否", "yes", "no"]))
        name = guard.removeprefix("not ")
        if not re.search(rf"^  {name}: {{type: bool", text, re.M):
            return None
        lines[i] = head + "when: " + json.dumps(f"{name} == '{word}'", ensure_ascii=False)
    elif kind == "guard":
        found = [
            i for i, ln in enumerate(lines) if re.fullmatch(r"\s+when: [a-z_]+ (==|and) .*", ln)
        ]
        if not found:
            return None
        i = data.draw(st.sampled_from(found))
        head, guard = lines[i].split("when: ", 1)
        way = data.draw(st.sampled_from(["equals", "quotes", "ampersands", "braces"]))
        if way == "equals":
            guard = guard.replace("==", "=", 1)
        elif way == "quotes":
            guard = re.sub(r"'([^']*)'", r"“\1”", guard)
        elif way == "ampersands":
            guard = guard.replace(" and ", " && ", 1)
        else:
            guard = "{{ " + guard + " }}"
        if guard == lines[i].split("when: ", 1)[1]:
            return None
        lines[i] = head + "when: " + json.dumps(guard, ensure_ascii=False)
    else:
        found = [i for i, ln in enumerate(lines) if re.fullmatch(r"    title: \S.*", ln)]
        i = data.draw(st.sampled_from(found))
        colon = "：" if kind == "fullwidth-colon" else ":"
        lines[i] = lines[i].replace("title: ", "title" + colon, 1)
    return kind, "\n".join(lines)


def _fix_until_clean(target: Path) -> list[Problem]:
    for _ in range(5):
        problems = validate_paths([str(target)]).problems
        fixes = [p for p in problems if p.fix is not None and p.severity is Severity.ERROR]
        if not fixes:
            return problems
        problem = fixes[0]
        assert problem.fix is not None
        path = Path(problem.pos.file)
        path.write_text(apply_fix(path.read_text(encoding="utf-8"), problem.fix), "utf-8")
    return validate_paths([str(target)]).problems


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("book") / "sops"
    shutil.copytree(ROOT / "sops", folder)
    return folder


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(PROCEDURES), st.data())
def test_fixing_a_designers_mistake_as_offered_gives_a_clean_file(
    book: Path, name: str, data: st.DataObject
) -> None:
    path = book / name
    original = (ROOT / "sops" / name).read_text(encoding="utf-8")
    made = _mistake(data, original)
    assume(made is not None)
    assert made is not None
    kind, text = made
    path.write_text(text, encoding="utf-8")
    try:
        first = validate_paths([str(path)]).problems
        errors = [p for p in first if p.severity is Severity.ERROR]
        assert errors, kind
        assert any(p.fix is not None for p in errors), (kind, errors)
        after = _fix_until_clean(path)
        left: list[Any] = [p for p in after if p.severity is Severity.ERROR]
        assert not left, (kind, left)
        assert path.read_text(encoding="utf-8") != text
    finally:
        path.write_text(original, encoding="utf-8")
