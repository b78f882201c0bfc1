"""Evaluating a rulebook's guards and scripts at run time.

The validator has already parsed every expression and refused anything
outside the allowlist (engine.expressions); here the same texts are compiled
once each (lazily: compiling is the costly part) in an overlay of the same
Jinja2 sandbox. A name without a value does not render as empty or count as
false: it raises `NeedInput`, so the runner asks for exactly the input the
expression reached — `returning and surname` asks for the surname only when
the visitor is returning.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined
from jinja2.exceptions import UndefinedError

from engine.expressions import environment

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.environment import TemplateExpression
    from jinja2.sandbox import SandboxedEnvironment


class NeedInput(UndefinedError):
    """An expression reached a name that has no value yet."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ExpressionFailed(Exception):
    """An expression could not be evaluated (say, comparing text with a number)."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class _Asking(StrictUndefined):
    """StrictUndefined that names the missing value instead of describing it."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = None,
        name: str | None = None,
        exc: type[Exception] = NeedInput,
    ) -> None:
        super().__init__(hint, obj, name, NeedInput)

    @property
    def _undefined_message(self) -> str:
        return self._undefined_name or ""


def _blank_none(value: Any) -> Any:
    """An optional input left empty prints as nothing, not as "None"."""
    return "" if value is None else value


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    return environment().overlay(undefined=_Asking, finalize=_blank_none)


@lru_cache(maxsize=65536)
def _guard(source: str) -> TemplateExpression:
    # undefined_to_none=False: `returning and surname` must hand back the
    # undefined surname (which then asks) rather than a silent None.
    return _env().compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=65536)
def _template(source: str) -> Template:
    return _env().from_string(source)


def builtins(now: datetime) -> dict[str, Any]:
    """The names every expression may use besides inputs."""
    return {
        "now": now.strftime("%H:%M"),
        "today": now.date().isoformat(),
        "weekday": now.isoweekday(),
        "hour": now.hour,
    }


def truth(source: str, scope: Mapping[str, Any]) -> bool:
    """A guard's value as a real bool."""
    try:
        return bool(_guard(source)(**scope))
    except NeedInput:
        raise
    except Exception as exc:  # the sandbox, a type mismatch: a rulebook problem, not a crash
        raise ExpressionFailed(source, f"{type(exc).__name__}: {exc}") from exc


def render(source: str, scope: Mapping[str, Any]) -> str:
    """A script line or item text with its inputs filled in."""
    if "{" not in source:  # most lines are plain text: nothing to compile
        return source.strip()
    try:
        return _template(source).render(**scope).strip()
    except NeedInput:
        raise
    except Exception as exc:
        raise ExpressionFailed(source, f"{type(exc).__name__}: {exc}") from exc
