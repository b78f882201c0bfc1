"""The one exception base of the engine, with the exit code each kind maps to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class SopError(Exception):
    """Base of every error the engine raises on purpose; carries an exit code
    and a message already fit to show a person."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
