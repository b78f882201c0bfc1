"""The strict YAML dialect and the hostile-input rules of engine.source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.source import MAX_FILE_BYTES, decode, load_file, load_text
from tests.conftest import Runner


def data(text: str):  # type: ignore[no-untyped-def]
    loaded = load_text(text, "t.yaml")
    assert loaded.document is not None, loaded.problems
    return loaded.document.data


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("8:30", "8:30"),
        ("19:00", "19:00"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("0101", "0101"),
        ("2026-11-22", "2026-11-22"),
        ("True", "True"),
        ("0x1F", "0x1F"),
        ("1e3", "1e3"),
        (".inf", ".inf"),
        ("true", True),
        ("false", False),
        ("12", 12),
        ("-3", -3),
        ("1.5", 1.5),
        ("null", None),
        ("'8:30'", "8:30"),
    ],
)
def test_only_true_false_are_booleans_and_times_stay_text(written: str, read: object) -> None:
    assert data(f"v: {written}\n") == {"v": read}


def test_every_node_keeps_line_and_column() -> None:
    doc = load_text("a:\n  b: [x, 中文]\n  c: {d: 1}\n", "t.yaml").document
    assert doc is not None
    assert doc.pos(("a", "b", 1)).line == 2 and doc.pos(("a", "b", 1)).col == 10
    assert doc.pos(("a", "c", "d"), key=True).col == 7


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a: 1\na: 2\n", "duplicate-key"),
        ("a: &x 1\nb: *x\n", "yaml-anchor"),
        ("a: *x\n", "yaml-alias"),
        ("a: !!python/object:os.system x\n", "yaml-tag"),
        ("a: 1\n---\nb: 2\n", "multi-document"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", "too-deep"),
        ("a: '" + "x" * 10_001 + "'\n", "scalar-too-long"),
        ("a: x\u200by\n", "stray-character"),
        ("a: x\x07\n", "stray-character"),
        ("\n# nothing\n", "empty-file"),
        ("a:\n\tb: 1\n", "indentation"),
        ("title：入口\n", "fullwidth-colon"),
        ("title:入口\n", "colon-space"),
        ("a: [1, 2\n", "yaml-syntax"),
        ("? [a]\n: 1\n", "yaml-key"),
    ],
)
def test_hostile_or_mistaken_text_is_refused_with_a_rule(text: str, rule: str) -> None:
    loaded = load_text(text, "t.yaml", frozenset({"title"}))
    assert rule in {p.rule for p in loaded.problems}
    assert all(p.pos.line >= 1 and p.pos.col >= 1 for p in loaded.problems)


def test_billion_laughs_is_refused_without_expanding() -> None:
    text = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"
    assert {p.rule for p in load_text(text, "t.yaml").problems} == {"yaml-anchor"}


def test_encodings() -> None:
    text = "title: 入口处服务流程\n"
    assert decode(text.encode("utf-8"), "f") == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "f") == text
    assert decode(text.encode("utf-16"), "f") == text
    gbk = decode(("a: 1\n" + text).encode("gbk"), "f")
    assert not isinstance(gbk, str) and gbk.variant == "gbk" and gbk.pos.line == 2
    assert not isinstance(decode(b"\x00\x01\x02", "f"), str)


def test_file_rules(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES + 1))
    assert load_file(str(big)).problems[0].rule == "file-too-large"
    assert load_file(str(tmp_path)).problems[0].variant == "directory"
    assert load_file(str(tmp_path / "none.yaml")).problems[0].variant == "missing"
    loop = tmp_path / "loop.yaml"
    os.symlink(loop, loop)
    assert load_file(str(loop)).problems[0].variant == "loop"
    if os.path.exists("/dev/null"):
        assert load_file("/dev/null").problems[0].variant == "special"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    text = decode(raw, "f")
    if isinstance(text, str):
        loaded = load_text(text, "f", frozenset({"title", "id"}))
        assert loaded.document is not None or loaded.problems


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab: -[]{}'\"&*!|>#\n\t\u3000：,?%@`1\x01")), max_size=120
    )
)
def test_arbitrary_yamlish_text_never_crashes(text: str) -> None:
    loaded = load_text(text, "f", frozenset({"a", "b"}))
    assert loaded.document is not None or loaded.problems


def test_missing_rulebook_and_missing_path_through_the_cli(tmp_path: Path, sop: Runner) -> None:
    (tmp_path / "lonely.yaml").write_text("id: lonely\n", encoding="utf-8")
    result = sop("validate", "--no-cache", "lonely.yaml", "nowhere.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "[missing-rulebook]" in result.stdout
    assert "nowhere.yaml:1:1: error:" in result.stdout and "[not-a-file]" in result.stdout


# Characters a rulebook may not hold, however written: the C0/C1 controls
# YAML accepts escaped, and the invisible and text-direction ones.
STRAYS = [
    "\x00",
    "\r",
    "\x07",
    "\x08",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u00ad",
    "\u200b",
    "\u200e",
    "\u2028",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\U000e0041",
]
_SHORT = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
}


def _escapes(ch: str) -> list[str]:
    code = ord(ch)
    forms = [f"\\U{code:08X}", f"\\U{code:08x}"]
    if code <= 0xFFFF:
        forms += [f"\\u{code:04x}", f"\\u{code:04X}"]
    if code <= 0xFF:
        forms.append(f"\\x{code:02x}")
    if ch in _SHORT:
        forms.append(_SHORT[ch])
    return forms


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(STRAYS).flatmap(
        lambda ch: st.tuples(st.just(ch), st.sampled_from(_escapes(ch)))
    ),
    st.sampled_from(["key", "value", "item", "flow", "folded"]),
    st.text(alphabet="ab中文 ", max_size=6),
)
def test_escaped_stray_characters_are_named_where_written(
    stray: tuple[str, str], where: str, around: str
) -> None:
    ch, escape = stray
    quoted = f'"{around}{escape}{around}"'
    text = {
        "key": f"a: 1\n{quoted}: 2\n",
        "value": f"a: 1\nb: {quoted}\n",
        "item": f"a: 1\nb:\n  - x\n  - {quoted}\n",
        "flow": f"a: 1\nb: {{c: [x, {quoted}]}}\n",
        "folded": f'a: 1\nb: "first\n  {around}{escape}{around}"\n',
    }[where]
    loaded = load_text(text, "t.yaml")
    found = [p for p in loaded.problems if p.rule == "stray-character"]
    assert len(found) == 1, loaded.problems
    problem = found[0]
    assert problem.variant == "escaped"
    assert problem.args["code"] == f"U+{ord(ch):04X}"
    assert problem.args["name"] and problem.args["name"] != "CONTROL CHARACTER"
    line = text.split("\n")[problem.pos.line - 1]
    assert line[problem.pos.col - 1 :].startswith(escape)
    assert problem.args["escape"] == escape
    # Read without it, so it makes no second problem (an unknown key, a step).
    assert loaded.document is not None
    assert ch not in repr(loaded.document.data)


def test_an_escaped_backslash_is_not_an_escape() -> None:
    loaded = load_text('a: "C:\\\\e\\\\x07"\n', "t.yaml")
    assert loaded.problems == [] and loaded.document is not None
    assert loaded.document.data == {"a": "C:\\e\\x07"}


def test_an_invisible_character_in_a_key_is_named_and_the_key_read_without_it() -> None:
    loaded = load_text("ti\u200btle: 入口\n", "t.yaml")
    assert [(p.rule, p.args["name"], p.pos.col) for p in loaded.problems] == [
        ("stray-character", "ZERO WIDTH SPACE", 3)
    ]
    assert loaded.document is not None and loaded.document.data == {"title": "入口"}


def test_messages_show_invisible_characters_in_quoted_values() -> None:
    from engine.messages import render
    from engine.problems import Pos, Problem

    args = {"name": "a\u202eb\x1b\n", "known": "x", "where": ""}
    problem = Problem("unknown-step", Pos("f", 1, 1), args)
    text = render(problem)
    assert "<U+202E>" in text and "<U+001B>" in text and "\\n" in text
    assert "\u202e" not in text and "\x1b" not in text


def test_every_stray_character_is_one_python_does_not_print() -> None:
    """scan_text skips its character class on a text Python prints whole
    (line breaks and tabs aside): right only while no stray character prints."""
    import sys

    from engine import source

    strays = [chr(c) for c in range(sys.maxunicode + 1) if source._STRAY.match(chr(c))]
    assert strays and not [ch for ch in strays if ch.isprintable()]
    assert not source._may_hold_strays("站在门口\n\t- text: 您好\r\n")
    assert all(source._may_hold_strays(f"站在{ch}门口\n") for ch in strays)
