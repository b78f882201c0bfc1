"""Laying text out to a width: East Asian widths (wcwidth), names kept whole,
no line starting with closing punctuation, nothing over the limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from wcwidth import wcswidth, wcwidth

from engine.runtime.layout import KNOWN, shorten, width, wrap
from engine.screen import visible


def test_widths_are_the_terminals() -> None:
    assert width("样板房") == 6
    assert width("e\u0301") == 1  # a combining accent takes no column
    assert width("\x1b[2J") == width("␛[2J") == 4  # what is shown: the stand-in


def test_the_widths_known_without_wcwidth_are_wcwidths() -> None:
    for first, last, columns in KNOWN:
        for code in range(first, last + 1):
            assert wcwidth(chr(code)) == columns, hex(code)


_KNOWN_CHARS = st.sampled_from(
    [chr(code) for first, last, _ in KNOWN for code in (first, first + 1, last - 1, last)]
) | st.characters(codec="utf-8")


@given(st.text(_KNOWN_CHARS, max_size=30))
def test_a_width_is_wcwidths_whatever_the_text(text: str) -> None:
    shown = visible(text)
    expected = wcswidth(shown)
    if expected >= 0:
        assert width(text) == expected


def test_a_name_is_not_broken_in_the_middle() -> None:
    text = "样板房服务流程 · 第 2 步 (至少还有 5 步) · 指引客户就座穿鞋套 · 样板房客服人员"
    keep = ("样板房服务流程", "指引客户就座穿鞋套", "样板房客服人员")
    for limit in range(30, 70):
        lines = wrap(text, limit=limit, keep=keep)
        assert all(width(line) <= limit for line in lines)
        for name in keep:
            assert any(name in line for line in lines), (limit, lines)


def test_no_line_ends_with_a_separator() -> None:
    text = "火情处理 · 第 1 步 (至少还有 3 步) · 报警并自救 · 现场工作人员"
    for limit in range(20, 70):
        lines = wrap(text, limit=limit, keep=("现场工作人员",))
        assert all(not line.rstrip().endswith(("·", "›")) for line in lines), (limit, lines)
    assert wrap(text, limit=60, keep=("现场工作人员",))[-1] == "· 现场工作人员"


def test_closing_punctuation_stays_with_its_word() -> None:
    for limit in range(10, 30):
        for line in wrap("「您好，欢迎光临！请问您是第一次来吗？」", limit=limit):
            assert line[0] not in "，。！？」", (limit, line)


def test_curly_quotes_stay_with_what_they_quote() -> None:
    """Standard phrases are often quoted with “ ”: a line never ends with the
    opening quote nor starts with the closing one."""
    text = "都应主动、热情地向客户问候:“您好!”或“欢迎光临(项目名称)”"
    for limit in range(12, 60):
        for line in wrap(text, "    ‼ ", limit=limit):
            assert not line.endswith(("“", "‘")) and not line.lstrip().startswith(("”", "’"))


@given(st.text(min_size=1, max_size=200), st.integers(40, 120))
def test_nothing_goes_past_the_limit(text: str, limit: int) -> None:
    lines = wrap(text, "  ", limit=limit, keep=(text[:5],))
    assert all(width(line) <= limit for line in lines), lines


@given(
    st.text(st.sampled_from("a 样样板房房，。「」👍\u200d\u0301\x1b\t"), max_size=60)
    | st.text(max_size=60),
    st.sampled_from(["", "  ", "    [1] "]),
    st.integers(4, 80),
)
def test_a_line_that_fits_is_laid_out_as_the_long_way_would(
    text: str, indent: str, limit: int
) -> None:
    """The short cut for lines that surely fit gives what breaking the line
    into tokens gives (a second, empty paragraph forces the general way)."""
    text = text.replace("\n", " ")
    if text.endswith("\r"):  # with the added "\n" it would be a CRLF line end, not a ␍
        text += " "
    assert wrap(text, indent, limit=limit) == wrap(text + "\n", indent, limit=limit)[:-1]


@given(st.text(max_size=50), st.integers(1, 30))
def test_shorten_fits(text: str, columns: int) -> None:
    assert width(shorten(text, max(columns, 2))) <= max(columns, 2)


def test_where_staff_are_is_told_truly() -> None:
    """The header counts the steps this run has been through and the fewest
    left before it can end, not the step's place in the file."""
    from engine.runtime.pinning import pin
    from engine.runtime.views import steps_left
    from tests.runtime_support import FIXTURE

    visit = pin(str(FIXTURE)).rulebook.procedures["visit"]
    assert steps_left(visit, "farewell") == 0
    assert steps_left(visit, "ride") == 1
    assert steps_left(visit, "during_visit") == 3  # register, ride, farewell: the shortest way
    assert steps_left(visit, "greet") == 5


def test_help_wraps_each_description_under_itself() -> None:
    import io

    from engine.runtime.terminal import Printer
    from engine.runtime.texts import text

    out = io.StringIO()
    Printer(out, columns=40).help(text("help", "zh"))
    lines = out.getvalue().splitlines()
    assert all(width(line) <= 40 for line in lines)
    first = next(i for i, line in enumerate(lines) if line.startswith("    !"))
    start = len(lines[first]) - len(lines[first][5:].lstrip())  # where "紧急情况" begins
    follow = lines[first + 1]
    assert len(follow) - len(follow.lstrip()) == start, lines[first : first + 2]
