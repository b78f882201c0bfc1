"""No internal error (exit 3) from anything a user can type: the arguments
and options of run, resume, runs, show, due, milestone and list are
generated from each command's grammar — good values, near misses, nonsense,
huge numbers, dates out of range, paths that are folders, files or missing —
and every answer is a message with an exit code of 0, 1, 2 or 130."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.runtime_support import FIXTURE, sop_in_process

WORDS = st.one_of(
    st.sampled_from(
        [
            "1",
            "0",
            "-1",
            "99999999999999999999999",
            "visit",
            "journey",
            "signed",
            "签约日",
            "host",
            "样板房客服",
            "呼叫中新",
            "2026-11-01",
            "2026-13-40",
            "9999-12-31",
            "明天",
            "",
            " ",
            "=",
            "--",
            "-",
            "/",
            "/dev/null",
            ".",
            "x" * 300,
            "\x1b[2J",
        ]
    ),
    st.text(max_size=8).filter(lambda s: "\x00" not in s),
)
PATHS = ["rulebook", "missing", "folder", "file", "journal"]
RUN = st.one_of(
    st.integers(-5, 5).map(str),
    st.sampled_from(["99999999999999999999999", "9223372036854775808", "1e3", "一", "#1"]),
    WORDS,
)
DATE = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-13-40", "2026-02-30", "9999-12-31", "0001-01-01", "明天", "20261101"]),
    WORDS,
)
NUMBER = st.one_of(st.integers(-10, 10**25).map(str), WORDS)
NAME_VALUE = st.one_of(
    st.tuples(st.sampled_from(["surname", "returning", "signed", "签约日", "x", ""]), WORDS).map(
        "=".join
    ),
    WORDS,
)
PATH = st.one_of(st.sampled_from(PATHS), WORDS)
Options = dict[str, st.SearchStrategy[str] | None]  # None: a flag

# What each command takes: its positional slots, then its options.
GRAMMAR: dict[str, tuple[list[st.SearchStrategy[str]], Options]] = {
    "run": (
        [st.sampled_from(["visit", "journey", "fire", "vist", "", "visit/../x"]) | WORDS],
        {
            "--rulebook": PATH,
            "--set": NAME_VALUE,
            "--milestone": NAME_VALUE,
            "--operator": WORDS,
            "--site": WORDS,
            "--answers": PATH,
            "--color": None,
            "--no-color": None,
            "--lang": st.sampled_from(["zh", "en", "fr"]),
        },
    ),
    "resume": (
        [RUN],
        {"--rulebook": PATH, "--operator": WORDS, "--answers": PATH, "--lang": WORDS},
    ),
    "runs": (
        [],
        {
            "--status": st.sampled_from(["open", "paused", "finished", "all", "x"]),
            "--procedure": WORDS,
            "--site": WORDS,
            "--since": DATE,
            "--until": DATE,
            "--limit": NUMBER,
            "--format": st.sampled_from(["text", "json", "csv"]),
        },
    ),
    "show": ([RUN], {"--events": None, "--no-events": None, "--format": WORDS, "--lang": WORDS}),
    "due": (
        [],
        {
            "--at": DATE,
            "--days": NUMBER,
            "--site": WORDS,
            "--role": WORDS,
            "--overdue": None,
            "--format": st.sampled_from(["text", "json", "csv", "x"]),
            "--lang": WORDS,
        },
    ),
    "milestone": ([RUN, NAME_VALUE, DATE], {"--operator": WORDS, "--lang": WORDS}),
    "list": ([PATH], {"--format": st.sampled_from(["text", "json", "x"]), "--lang": WORDS}),
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(GRAMMAR)))
    slots, options = GRAMMAR[command]
    args = [command]
    for slot in slots[: draw(st.integers(0, len(slots)))]:
        args.append(draw(slot))
    if draw(st.integers(0, 9)) == 0:
        args.append(draw(WORDS))  # one too many
    for option in draw(st.lists(st.sampled_from(sorted(options)), max_size=4)):
        args.append(option)
        value = options[option]
        if value is not None:
            args.append(draw(value))
    return args


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal with a paused run and a journey waiting for a date."""
    folder = tmp_path_factory.mktemp("fuzz")
    journal = str(folder / "journal.db")
    rulebook = str(FIXTURE)
    sop_in_process("run", "visit", "--rulebook", rulebook, "--journal", journal, stdin="是\n")
    sop_in_process("run", "journey", "--rulebook", rulebook, "--journal", journal, stdin="y\n")
    (folder / "folder").mkdir()
    (folder / "file").write_text("procedure: [\n", encoding="utf-8")
    return folder


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command_lines())
def test_no_internal_error_from_any_command_line(
    place: Path, tmp_path_factory: pytest.TempPathFactory, argv: list[str]
) -> None:
    work = tmp_path_factory.mktemp("argv")
    shutil.copy(place / "journal.db", work / "journal.db")
    where = {
        "rulebook": str(FIXTURE),
        "missing": str(work / "missing" / "x.yaml"),
        "folder": str(place / "folder"),
        "file": str(place / "file"),
        "journal": str(work / "journal.db"),
    }
    argv = [where.get(a, a) for a in argv]
    if argv[0] == "list":
        # `sop list .` or `sop list /` reads every YAML file below: the whole
        # checkout or disk, minutes per example; a folder of its own instead
        argv = [str(place / "folder") if a in (".", "/") else a for a in argv]
    else:
        argv += ["--journal", str(work / "journal.db")]
    if argv[0] in ("run", "due") and "--rulebook" not in argv:
        # the fixture's procedures (due: no scheduled duties, which the
        # bundled rulebook would list for up to ten years at every example)
        argv += ["--rulebook", str(FIXTURE)]
    code, out = sop_in_process(*argv, stdin="")
    assert code in (0, 1, 2, 130), (argv, out)
    assert "内部错误" not in out and "Traceback" not in out, (argv, out)
