"""Nothing from data reaches a terminal raw (engine/screen.py): escape
sequences, bells, carriage returns, bidi overrides and other format
characters typed by staff, given with --set or a scenario, or stored in a
journal come out of every command as visible stand-ins, while our own
colours still work."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import screen
from tests.runtime_support import BUNDLED, FIXTURE
from tests.runtime_support import sop_in_process as sop

# Any control character but the newline, DEL, C1, format characters (bidi
# overrides and isolates, zero-width ones, the BOM, tags), separators.
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
OURS = re.compile(r"\x1b\[[0-9;]*m")


def raw_controls(text: str) -> list[str]:
    """What in `text` a terminal would act on or hide (a CRLF line end is a
    line end, as CSV writes it)."""
    return [
        ch
        for ch in OURS.sub("", text).replace("\r\n", "\n")
        if ch != "\n"
        and (RAW.match(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    ]


PAYLOADS = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;pwned\x07",  # retitle the window (OSC … BEL)
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",  # a hyperlink
    "\x1bP1$r\x1b\\",  # DCS
    "\x9b31m",  # C1 CSI
    "\x07",
    "over\rwrite",
    "\u202eevil\u202c",  # right-to-left override
    "\u2067iso\u2069",
    "zero\u200bwidth\ufeff",
    "\U000e0041\U000e007f",  # tags
    "\x1b[8mhidden\x1b[0m",
    "tab\there\x7f",
    "line\u2028sep",
]
DANGEROUS = "".join(sorted(set("".join(PAYLOADS))))


def hostile(*, newline: bool = True) -> st.SearchStrategy[str]:
    """Short text mixing the payloads, dangerous characters and ordinary text
    (no NUL or surrogates: neither can be passed in argv or written to YAML)."""
    ordinary = st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\x00" + ("" if newline else "\n\r")
    )
    piece = st.one_of(
        st.sampled_from(PAYLOADS),
        st.text(st.sampled_from(DANGEROUS.replace("\r", "") if not newline else DANGEROUS)),
        st.text(ordinary, max_size=6),
    )
    return st.lists(piece, min_size=1, max_size=4).map("".join).map(lambda s: "王" + s)


# ---- the boundary itself


def test_every_character_a_terminal_acts_on_is_made_visible() -> None:
    """Checked against this Python's Unicode database, code point by code
    point (the table may also know format characters of a newer Unicode,
    unassigned here)."""
    for code in range(0x110000):
        ch = chr(code)
        cat = unicodedata.category(ch)
        if cat == "Cn":
            continue
        should = ch != "\n" and cat in ("Cc", "Cf", "Cs", "Zl", "Zp")
        assert bool(screen.UNSAFE.match(ch)) == should, f"U+{code:04X} {cat}"
        # visible()'s shortcut: printable text holds nothing to make visible.
        assert not (should and ch.isprintable()), f"U+{code:04X} {cat}"


def test_the_visible_convention() -> None:
    assert screen.visible("a\x1b[2Jb") == "a␛[2Jb"
    assert screen.visible("\x07\r\t\x00\x7f") == "␇␍␉␀␡"
    assert screen.visible("\u202e\x9b\U000e0041") == "⟨U+202E⟩⟨U+009B⟩⟨U+E0041⟩"
    assert screen.visible("样板房\n客服") == "样板房\n客服"


@given(st.text())
def test_the_boundary_lets_nothing_through(text: str) -> None:
    shown = screen.for_terminal(text)
    assert not raw_controls(shown)
    assert "\x1b" not in shown
    assert screen.visible(shown) == shown  # idempotent


@given(
    st.text(
        st.characters(blacklist_categories=("Cc", "Cf", "Cn", "Cs", "Zl", "Zp")) | st.just("\n")
    )
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert screen.for_terminal(text) == text


@given(hostile())
def test_our_colours_work_and_data_cannot_forge_them(text: str) -> None:
    shown = screen.for_terminal(screen.style(text, "red", bold=True) + text)
    assert shown.startswith("\x1b[1;31m")
    assert shown.count("\x1b") == 2  # ours: on and off
    assert not raw_controls(shown)


def test_json_stays_the_same_data() -> None:
    data = {"name": "王\u202e\x1b]0;x\x07\x9b\U000e0041\ud800"}
    text = screen.json_text(data)
    assert not raw_controls(text) and "王" in text
    assert json.loads(text) == data


def test_a_cached_report_keeps_our_colours_only() -> None:
    cached = screen.for_terminal(screen.style("error", "red") + " 王\x1b]0;x\x07")
    assert screen.replay(cached) == cached
    assert screen.replay("\x1b]0;x\x07\x1b[31mred") == "␛]0;x␇\x1b[31mred"


# ---- every command, in process, as `sop` would run


def _scenario(folder: Path, data: dict[str, Any]) -> str:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def _hostile_journal(folder: Path, v: list[str]) -> tuple[str, list[tuple[int, str]]]:
    """A journal holding the values in `v` everywhere a person can put text
    (typed answers, notes, reasons, --set, --operator, --site), and what
    `sop` printed on the way."""
    journal = str(folder / "j.db")
    typed = [
        "是",  # returning
        "y",  # greet
        f"n {v[2]}",  # a note, then the question again
        "否",  # with_children
        "y",
        f"s {v[3]}",  # skipped, with a reason
        "是",  # sales_present
        "1",  # 客户参观结束
        v[4],  # customer_name
        "13800000000",
        "2",
        "是",
        *["p"] * 3,
    ]
    seen = [
        sop(
            "run",
            "visit",
            "--rulebook",
            str(FIXTURE),
            "--operator",
            v[0],
            "--site",
            v[1],
            "--set",
            f"surname={v[5]}",
            "--journal",
            journal,
            stdin="\n".join(typed) + "\n",
        ),
        sop("resume", "1", "--journal", journal, "--operator", v[6], stdin=f"n {v[7]}\np\n"),
    ]
    # A journey with a customer and a deadline, for `sop due`.
    callback = _scenario(
        folder,
        {
            "procedure": "property-question-callback",
            "steps": {
                "record_question": {
                    "record": {
                        "asked_at": "2026-11-22T10:00",
                        "customer_name": "王",
                        "phone": "13800000000",
                        "question": "物业费",
                        "received_by": "李",
                    }
                },
                "call_back": {"pause": True},
            },
        },
    )
    seen.append(
        sop(
            "run",
            "property-question-callback",
            "--rulebook",
            str(BUNDLED),
            "--answers",
            callback,
            "--set",
            f"customer={v[4]}",
            "--set",
            "phone=13800000000",
            "--journal",
            journal,
        )
    )
    # The same values in a scenario file: refused or carried, never shown raw.
    scenario = _scenario(
        folder, {"procedure": "visit", "operator": v[8], "inputs": {"surname": v[8]}}
    )
    seen.append(
        sop("run", "visit", "--rulebook", str(FIXTURE), "--answers", scenario, "--journal", journal)
    )
    return journal, seen


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(hostile(newline=False), min_size=9, max_size=9))
def test_no_command_shows_data_raw(tmp_path_factory: pytest.TempPathFactory, v: list[str]) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    journal, seen = _hostile_journal(folder, v)
    for code, text in seen[:3]:
        assert code == 0, text
    seen += [
        sop("show", "1", "--journal", journal),
        sop("show", "3", "--journal", journal),
        sop("show", "1", "--journal", journal, "--format", "json"),
        sop("report", "1", "--journal", journal),
        sop("report", "--form", "visitor_log", "--journal", journal),
        sop("runs", "--journal", journal),
        sop("runs", "--journal", journal, "--format", "json"),
        # Against the fixture rulebook: the journal's deadlines without ten
        # years of the bundled rulebook's scheduled duties (17,000 lines).
        sop("due", "--journal", journal, "--days", "3660", "-R", str(FIXTURE)),
        sop("due", "--journal", journal, "--format", "csv", "-R", str(FIXTURE)),
        sop("milestone", "3", v[0], "2026-11-01", "--journal", journal),
        sop("show", v[1], "--journal", journal),  # an error quoting it
        sop("run", v[2], "--rulebook", str(FIXTURE), "--journal", journal),
        sop("run", "visit", "--rulebook", str(FIXTURE), "--set", v[3], "--journal", journal),
    ]
    for code, text in seen:
        assert not raw_controls(text), (code, text)
    assert all("13800000000" in text for _, text in seen[-6:-4]), seen[-6:-4]  # due lists it
    # The data went in whole: JSON gives it back exactly.
    runs = json.loads(sop("runs", "--journal", journal, "--format", "json")[1])
    assert any(v[4].strip() in (r["subject"] or "") for r in runs), runs


def test_the_journal_really_holds_the_payloads(tmp_path: Path) -> None:
    """The property above is about the screen, not about data lost on the way."""
    payload = "\x1b]0;pwned\x07\u202eevil"
    journal, _ = _hostile_journal(tmp_path, [payload] * 9)
    code, text = sop("show", "1", "--journal", journal, "--format", "json")
    assert code == 0
    assert payload in text.encode().decode("unicode_escape", "ignore") or payload in json.dumps(
        json.loads(text), ensure_ascii=False
    )
    code, text = sop("show", "1", "--journal", journal)
    assert "␛]0;pwned␇⟨U+202E⟩evil" in text


def test_colour_on_a_pipe_is_ours_only(tmp_path: Path) -> None:
    payload = "\x1b[8m王\x1b]0;x\x07"
    code, text = sop(
        "run",
        "visit",
        "--rulebook",
        str(FIXTURE),
        "--color",
        "--journal",
        str(tmp_path / "j"),
        "--set",
        f"surname={payload}",
        "--set",
        "returning=true",
        stdin="",
    )
    assert code == 0, text
    assert "\x1b[" in text and not raw_controls(text)
    assert "␛[8m王␛]0;x␇" in text


def test_validate_quotes_the_source_line_visibly(tmp_path: Path) -> None:
    """A rulebook line holding a raw control or bidi character is quoted with
    its stand-ins (the loader may reject it; either way it is not replayed)."""
    book = tmp_path / "book"
    book.mkdir()
    for f in FIXTURE.iterdir():
        (book / f.name).write_bytes(f.read_bytes())
    visit = book / "visit.yaml"
    text = visit.read_text(encoding="utf-8")
    visit.write_text(
        text.replace("title: 迎宾服务", "title: 迎宾\u202e服务\x1b]0;x\x07 [").replace(
            "next: shoe_covers", "next: shoe_cover\u200bs"
        ),
        encoding="utf-8",
    )
    for color in ("--color", "--no-color"):
        code, out = sop("validate", str(book), color, "--no-cache")
        assert code == 1, out
        assert not raw_controls(out), out
        assert "visit.yaml:" in out


def test_the_prompt_readline_writes_is_made_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, input() hands the prompt to readline, past sys.stdout."""
    from engine.runtime.prompts import InputQuestion
    from engine.runtime.terminal import Printer, TerminalDriver
    from engine.runtime.values import Spec

    prompts: list[str] = []
    monkeypatch.setattr("builtins.input", lambda p: prompts.append(p) or "王")
    driver = TerminalDriver(Printer(io.StringIO()), io.StringIO(), tty=True)
    spec = Spec(name="x", label="客户\x1b]0;x\x07\u202e姓名", type="text")
    driver.ask(InputQuestion(spec), [], datetime.now())
    assert prompts and not raw_controls(prompts[0])
    assert "客户␛]0;x␇⟨U+202E⟩姓名" in prompts[0]


def test_a_crlf_line_end_passes_and_a_lone_carriage_return_does_not() -> None:
    assert screen.visible("a,b\r\nc,d\r\n") == "a,b\r\nc,d\r\n"
    assert screen.visible("over\rwrite\r") == "over␍write␍"
