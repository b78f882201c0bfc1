"""What leaves the program for a terminal, made safe in one place.

Text from a rulebook, from a person (typed answers, `--set`, scenario files)
and from a journal can hold anything: an escape sequence that clears the
screen or retitles the window (`"\\e[2J"`, OSC), a bell, a carriage return
that overwrites a line, a right-to-left override that shows a name
backwards. None of it may reach a terminal as it is. `for_terminal` is the
boundary: every character a terminal would act on instead of show is
replaced by a visible stand-in, one convention everywhere:

- C0 controls and DEL as their Unicode control pictures: ESC `␛`, BEL `␇`,
  CR `␍`, TAB `␉`, NUL `␀`, DEL `␡` (only the newline is kept);
- everything else a terminal may act on or hide — C1 controls, format
  characters (bidi overrides and isolates, zero-width characters, the BOM,
  tags), line and paragraph separators, lone surrogates — as `⟨U+202E⟩`.

`install()` puts the boundary on `sys.stdout` and `sys.stderr` for the
whole process (the `sop` entry point does it first thing), so no command
can forget it. Our own colours are the one exception: `style()` marks a
span with a marker unique to this process, which data cannot contain, and
only those markers become SGR colour codes at the boundary.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable
from typing import IO, Any, TextIO, cast

# Format characters (Unicode category Cf) as of Python's Unicode database;
# tests/test_screen.py checks that this table covers every one it knows.
FORMAT_CHARACTERS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
# A carriage return is unsafe unless it ends a line (CRLF, as CSV writes it).
UNSAFE = re.compile(
    "\r(?!\n)|[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
    + FORMAT_CHARACTERS
    + "]"
)


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"⟨U+{code:04X}⟩"


def visible(text: str) -> str:
    """`text` with every character a terminal would act on shown as a stand-in
    (see the module's docstring); idempotent, and a no-op on ordinary text."""
    if _ordinary(text):
        return text
    return UNSAFE.sub(lambda m: _stand_in(m.group()), text)


def _ordinary(text: str) -> bool:
    """Whether `text` holds nothing UNSAFE matches. `str.isprintable` refuses
    every such character (and more: the newline, spaces other than " "),
    and is one pass in C where the pattern is a slower one: it answers for
    the usual text, and the pattern for the rest (a call list is ~500,000
    characters)."""
    if text.isprintable() or ("\n" in text and text.replace("\n", " ").isprintable()):
        return True
    return not UNSAFE.search(text)


# ---- our colours

# A marker no data can contain: random for each process. `style()` wraps a
# span in it; the boundary turns it into an SGR sequence.
_MARK = "\ue000" + os.urandom(8).hex()
_MARKED = re.compile(re.escape(_MARK) + r"([0-9;]{1,16})\ue001")
_FG = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36}


def style(text: str, fg: str | None = None, bold: bool = False, dim: bool = False) -> str:
    """`text` in a colour, bold or dim once it reaches a terminal."""
    codes = [str(c) for c, on in ((1, bold), (2, dim)) if on]
    if fg is not None:
        codes.append(str(_FG[fg]))
    if not codes:
        return text
    return f"{_MARK}{';'.join(codes)}\ue001{text}{_MARK}0\ue001"


def for_terminal(text: str) -> str:
    """The boundary: our colour markers become SGR codes, and everything
    else a terminal would act on becomes visible."""
    if _MARK not in text:
        return visible(text)
    out: list[str] = []
    last = 0
    for m in _MARKED.finditer(text):
        out.append(visible(text[last : m.start()]))
        out.append(f"\x1b[{m.group(1)}m")
        last = m.end()
    out.append(visible(text[last:]))
    return "".join(out)


_SGR = re.compile(r"\x1b\[[0-9;]{1,16}m")


def replay(text: str) -> str:
    """Text that already went through `for_terminal` (a cached report): its
    SGR codes are kept, anything else is made visible again."""
    out: list[str] = []
    last = 0
    for m in _SGR.finditer(text):
        out.append(visible(text[last : m.start()]))
        out.append(m.group())
        last = m.end()
    out.append(visible(text[last:]))
    return "".join(out)


def plain(text: str) -> str:
    """`text` with our colour markers removed (for measuring or for a file)."""
    return _MARKED.sub("", text) if _MARK in text else text


# ---- JSON for tools


def _json_escape(m: re.Match[str]) -> str:
    data = m.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{data[i]:02x}{data[i + 1]:02x}" for i in range(0, len(data), 2))


def json_text(obj: Any, indent: int | None = 2) -> str:
    """JSON with the text readable (not \\u-escaped) except what a terminal
    would act on, which is \\u-escaped: the same data, safe on a screen."""
    import json  # here, not at the top: every command starts by importing this module

    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    # json.dumps escapes C0 itself; the rest can only occur inside strings,
    # where \\uXXXX is the same character.
    return UNSAFE.sub(_json_escape, text)


# ---- the process's streams


class SafeStream(io.TextIOBase):
    """A text stream whose every write goes through `for_terminal`."""

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.raw = raw

    def write(self, text: str, /) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.raw.write(for_terminal(text))
        return len(text)

    def writelines(self, lines: Iterable[str], /) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)

    def replay(self, text: str) -> None:
        """Write text that already went through the boundary once."""
        self.raw.write(replay(text))

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.raw, "errors", None)

    @property
    def buffer(self) -> IO[bytes]:
        """The bytes underneath, for output that is not text (a PDF)."""
        return self.raw.buffer

    def close(self) -> None:
        self.flush()  # the stream underneath belongs to whoever made it


def safe(stream: IO[str]) -> TextIO:
    """`stream` behind the boundary (once: a safe stream is returned as it is)."""
    if isinstance(stream, SafeStream):
        return cast(TextIO, stream)
    return cast(TextIO, SafeStream(cast(TextIO, stream)))


def install() -> tuple[TextIO, TextIO]:
    """Put the boundary on stdout and stderr; returns what they were.
    A character the terminal's encoding lacks is replaced, never an error."""
    before = sys.stdout, sys.stderr
    for stream in before:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors="replace")
    sys.stdout, sys.stderr = safe(sys.stdout), safe(sys.stderr)
    return before


def write_replay(stream: IO[str], text: str) -> None:
    """Write already-bounded text (see `replay`) to `stream`."""
    if isinstance(stream, SafeStream):
        stream.replay(text)
    else:
        stream.write(replay(text))
