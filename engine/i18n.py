"""The one message catalogue: everything the program says to a person, by id.

A message is declared once, where it is used, as a module-level constant:

    RUN_NOT_FOUND = message(
        "run.not-found",
        "日志中没有运行 {run}。用 sop runs 查看所有运行",
        "there is no run {run} in the journal. list the runs with: sop runs",
    )

and said with `RUN_NOT_FOUND.say(run=7)` (in the language chosen for this
process) or raised with `RunError(RUN_NOT_FOUND, run=7)`. Declaring registers
it: ids are unique across the program, the zh and en texts must name the same
placeholders, and saying a message with a missing or unknown placeholder is
an error (tests/test_i18n.py also checks every call site statically), so a
misspelt placeholder fails a test instead of printing nothing.

A count said with its unit is a `counted` message, one English text for a
count of one and one for any other ("1 day", "2 days"; Chinese says both
alike), said with `DAYS.say(n, k=…)`: no caller picks a plural itself.

The language is chosen once per process (`use`), from `--lang`, `SOP_LANG`
or the locale, and every message follows it; nothing else branches on it.
A server answering people in different languages at once says each
request's messages in its own (`speaking`), without touching the process's.
"""

from __future__ import annotations

import errno
import os
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_formatter = string.Formatter()


def placeholders(template: str) -> frozenset[str]:
    """The `{name}` fields of a template (`{{`/`}}` are literal braces)."""
    names: set[str] = set()
    for _, name, _, _ in _formatter.parse(template):
        if name is not None:
            if not name.isidentifier():
                raise ValueError(f"placeholder {{{name}}} in {template!r} is not a plain name")
            names.add(name)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of the catalogue: an id and its text in each language."""

    id: str
    zh: str
    en: str
    fields: frozenset[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        zh, en = placeholders(self.zh), placeholders(self.en)
        if zh != en:
            raise ValueError(
                f"message {self.id!r}: zh names {sorted(zh)} but en names {sorted(en)}"
            )
        object.__setattr__(self, "fields", zh)

    def template(self, lang: Lang | None = None) -> str:
        return self.en if (lang or current()) == "en" else self.zh

    def say(self, lang: Lang | None = None, /, **params: object) -> str:
        """The message in `lang` (default: this process's language)."""
        check_params(self, params)
        return self.template(lang).format_map(params)


_CATALOGUE: dict[str, Message] = {}


def message(id: str, zh: str, en: str) -> Message:
    """Declare (and register) a message; ids are unique program-wide."""
    msg = Message(id, zh, en)
    known = _CATALOGUE.get(id)
    if known is not None and known != msg:
        raise ValueError(f"message id {id!r} is declared twice with different texts")
    _CATALOGUE[id] = msg
    return msg


def messages(prefix: str, table: Mapping[str, tuple[str, str]]) -> dict[str, Message]:
    """Declare a table of messages sharing an id prefix (`prefix.key`)."""
    return {key: message(f"{prefix}.{key}", zh, en) for key, (zh, en) in table.items()}


@dataclass(frozen=True, slots=True)
class Counted:
    """A message about a count `{n}` of something (1 day, 2 days): English
    says a count of one with its own text, any other count with another;
    Chinese says both alike. Declared with `counted`, said with
    `DAYS.say(n, lang, **params)`; both texts are in the catalogue as
    `id.one` and `id.other`."""

    one: Message
    other: Message

    def pick(self, n: int) -> Message:
        return self.one if n == 1 else self.other

    def say(self, n: int, lang: Lang | None = None, /, **params: object) -> str:
        """The message for `n` in `lang` (default: this process's language)."""
        return self.pick(n).say(lang, n=n, **params)


def counted(id: str, zh: str, en_one: str, en_other: str) -> Counted:
    """Declare a counted message: its zh text, and its en texts for a count
    of one and for any other count; each names `{n}`, the count."""
    for en in (en_one, en_other):
        if "n" not in placeholders(en):
            raise ValueError(f"counted message {id!r}: {en!r} does not name the count {{n}}")
    return Counted(message(f"{id}.one", zh, en_one), message(f"{id}.other", zh, en_other))


def counted_messages(prefix: str, table: Mapping[str, tuple[str, str, str]]) -> dict[str, Counted]:
    """Declare a table of counted messages sharing an id prefix (`prefix.key`)."""
    return {key: counted(f"{prefix}.{key}", *texts) for key, texts in table.items()}


def catalogue() -> Mapping[str, Message]:
    """Every message declared by the modules imported so far, by id."""
    return _CATALOGUE


def check_params(msg: Message, params: Mapping[str, object]) -> None:
    given = frozenset(params)
    if given != msg.fields:
        missing, extra = sorted(msg.fields - given), sorted(given - msg.fields)
        raise KeyError(f"message {msg.id!r}: missing {missing}, unexpected {extra}")


# ---- the process's language

_current: list[Lang] = []
# A language for the current context only (a server's request), over the process's.
_context: ContextVar[Lang | None] = ContextVar("sop_lang", default=None)


def default_lang() -> Lang:
    """zh unless SOP_LANG or the locale asks for English."""
    for var in ("SOP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def use(lang: str) -> Lang:
    """Choose the language every message is said in from now on."""
    chosen: Lang = "en" if lang == "en" else "zh"
    _current[:] = [chosen]
    return chosen


@contextmanager
def speaking(lang: str) -> Iterator[Lang]:
    """Say messages in `lang` within this block, in this context (thread or
    task) only; the process's language and other contexts' stay as they are."""
    chosen: Lang = "en" if lang == "en" else "zh"
    token = _context.set(chosen)
    try:
        yield chosen
    finally:
        _context.reset(token)


def current() -> Lang:
    here = _context.get()
    if here is not None:
        return here
    if not _current:
        use(default_lang())
    return _current[0]


def iter_ids(prefix: str = "") -> Iterator[str]:
    return (i for i in sorted(_CATALOGUE) if i.startswith(prefix))


# Why a file could not be read, in the message's language: the OS's own text
# (strerror) is English whatever the language, so the common cases are said here.
OS_REASONS = messages(
    "os-reason",
    {
        "missing": ("文件不存在", "no such file"),
        "denied": ("没有权限读取这个文件", "permission denied"),
        "folder": ("这是一个文件夹, 不是文件", "it is a folder, not a file"),
    },
)
# Why a file could not be written (or a folder made), with what to do about it.
_WRITE_REASONS = {
    errno.ENOSPC: message(
        "output.reason.full",
        "磁盘已满。请腾出空间后重试",
        "the disk is full. free some space and try again",
    ),
    errno.EDQUOT: message(
        "output.reason.quota",
        "超出磁盘配额。请腾出空间后重试",
        "the disk quota is exceeded. free some space and try again",
    ),
    errno.EACCES: message(
        "output.reason.denied",
        "没有写入权限。请换一个文件夹, 或检查文件权限",
        "permission denied. choose another folder or check the file's permissions",
    ),
    errno.EPERM: message(
        "output.reason.not-permitted",
        "不允许写入。请换一个文件夹, 或检查文件权限",
        "not permitted. choose another folder or check the file's permissions",
    ),
    errno.EROFS: message(
        "output.reason.read-only",
        "文件系统是只读的。请写到别处",
        "the file system is read-only. write somewhere else",
    ),
    errno.ENOENT: message(
        "output.reason.no-such-path",
        "路径不存在或不能在此创建文件",
        "the path does not exist or no file can be created there",
    ),
    errno.ENAMETOOLONG: message(
        "output.reason.too-long", "文件名太长。请用短一些的名字", "the file name is too long"
    ),
    errno.EEXIST: message(
        "output.reason.exists",
        "那里已有同名的文件或设备。请换一个路径",
        "a file or device of that name is already there. choose another path",
    ),
    errno.ENOTDIR: message(
        "output.reason.not-a-folder",
        "路径中的一部分是文件, 不是文件夹",
        "a part of the path is a file, not a folder",
    ),
    errno.EISDIR: message(
        "output.reason.is-a-folder", "这是一个文件夹, 不是文件", "it is a folder, not a file"
    ),
}
_WRITE_OTHER = message(
    "output.reason.other",
    "{detail}。请检查路径、磁盘空间和权限",
    "{detail}. check the path, the free space and the permissions",
)


def os_reason(exc: OSError, lang: Lang | None = None, *, writing: bool = False) -> str:
    """The reason an OSError gives, said in `lang` (default: this process's)
    for the errors staff meet (not found, permission, a folder, a full or
    read-only disk); others as the OS says them. `writing`: the error came
    from writing a file or making a folder (said with what to do about it)."""

    if writing:
        known = _WRITE_REASONS.get(exc.errno or 0)
        return known.say(lang) if known else _WRITE_OTHER.say(lang, detail=exc.strerror or str(exc))
    key = {
        errno.ENOENT: "missing",
        errno.ENOTDIR: "missing",
        errno.EACCES: "denied",
        errno.EPERM: "denied",
        errno.EISDIR: "folder",
    }.get(exc.errno or 0)
    if key is not None:
        return OS_REASONS[key].say(lang)
    return exc.strerror or str(exc)
