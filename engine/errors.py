"""The one exception base of the engine, with the exit code each kind maps to."""

from __future__ import annotations

from engine.i18n import Message, check_params, message

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class SopError(Exception):
    """Base of every error the engine raises on purpose; carries an exit code
    and a message fit to show a person: a catalogue entry (engine/i18n.py)
    and its placeholders, said in the process's language when shown.

    A plain string is still accepted from code not yet moved to the
    catalogue; it is shown as written, whatever the language."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: Message | str, /, **params: object) -> None:
        if isinstance(message, Message):
            check_params(message, params)
        elif params:
            raise TypeError("placeholders are given only with a catalogue message")
        self.entry = message
        self.params = params
        super().__init__(message.id if isinstance(message, Message) else message)

    @property
    def message(self) -> str:
        """The text in the language chosen for this process."""
        if isinstance(self.entry, Message):
            return self.entry.say(**self.params)
        return self.entry

    def __str__(self) -> str:
        return self.message


class UsageError(SopError):
    """The command line asked for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class RulebookError(SopError):
    """The rulebook has problems; validate it for the list."""

    exit_code = EXIT_PROBLEMS


class JournalError(SopError):
    """The journal cannot be opened, read or written."""

    exit_code = EXIT_PROBLEMS


class JournalConflict(JournalError):
    """Someone else wrote to the same run since this process last read it."""


class RunError(SopError):
    """A run cannot be started or resumed as asked (unknown run, finished run...)."""

    exit_code = EXIT_PROBLEMS


class ScenarioError(SopError):
    """A scenario file does not fit the procedure it drives."""

    exit_code = EXIT_PROBLEMS


# Messages several commands raise.
RUN_NOT_FOUND = message(
    "run.not-found",
    "日志中没有运行 {run}。用 sop runs 查看所有运行",
    "there is no run {run} in the journal. list the runs with: sop runs",
)
JOURNAL_MISSING = message(
    "journal.missing",
    "日志文件不存在: {path}。还没有运行过流程, 或请用 --journal 指定",
    "no journal at {path}: no procedure has been run yet, or give the file with --journal",
)
