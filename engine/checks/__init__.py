"""The rules of `sop validate`: one module per rule, named after its id.

Each module declares `RULE` (engine.checks.rule.Rule: id, level,
description, messages, the keys it depends on). A rule that checks one
built procedure has `check(ctx) -> Iterator[Problem]`; one that compares
procedures across the rulebook `check_rulebook(ctx)`, over their outlines
(engine.checks.context); one that lints a single loaded file
`check_document(doc) -> list[Problem]`; the others' problems are found while
reading, loading YAML or checking the schema. Rules are found by discovery:
a new module here is a new rule, with nothing else to keep in sync. Checks report what they find; the engine sets each problem's
severity from its rule's level and applies per-procedure `lint.disable`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.checks.context import Context
    from engine.checks.rule import Rule
    from engine.problems import Problem
    from engine.source import Document

__all__ = [
    "Check",
    "checks",
    "document_checks",
    "registry",
    "rule_of",
    "rulebook_checks",
    "run_all",
    "run_rulebook",
]

Check = Callable[["Context"], Iterator["Problem"]]


@lru_cache(maxsize=1)
def _modules() -> tuple[ModuleType, ...]:
    from engine.checks.rule import Rule

    found: list[ModuleType] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared = getattr(module, "RULE", None)
        if not isinstance(declared, Rule):
            continue  # a helper module (context, rule)
        if info.name != declared.id.replace("-", "_"):
            raise ImportError(f"rule {declared.id!r} lives in {info.name}.py, not its own module")
        found.append(module)
    return tuple(found)


@lru_cache(maxsize=1)
def registry() -> Mapping[str, Rule]:
    """Every rule, by id."""
    return {m.RULE.id: m.RULE for m in _modules()}


def rule_of(rule_id: str) -> Rule:
    return registry()[rule_id]


@lru_cache(maxsize=1)
def checks() -> tuple[tuple[Rule, Check], ...]:
    """The rules that check one built procedure at a time: `check(ctx)`."""
    for module in _modules():
        has = hasattr(module, "check") or hasattr(module, "check_rulebook")
        if module.RULE.stage == "check" and not has:
            raise ImportError(f"rule {module.RULE.id!r} is a check but has no check function")
    return tuple((m.RULE, m.check) for m in _modules() if hasattr(m, "check"))


@lru_cache(maxsize=1)
def rulebook_checks() -> tuple[tuple[Rule, Check], ...]:
    """The rules that compare procedures across the rulebook, over their
    outlines: `check_rulebook(ctx)`."""
    return tuple((m.RULE, m.check_rulebook) for m in _modules() if hasattr(m, "check_rulebook"))


@lru_cache(maxsize=1)
def document_checks() -> tuple[Callable[[Document], list[Problem]], ...]:
    """Lints over one loaded file (a module with `check_document(doc)`)."""
    return tuple(m.check_document for m in _modules() if hasattr(m, "check_document"))


def run_all(ctx: Context) -> Iterator[Problem]:
    """The checks of the procedures in `ctx.procedures`."""
    for _, check in checks():
        yield from check(ctx)


def run_rulebook(ctx: Context) -> Iterator[Problem]:
    """The checks across the procedures outlined in `ctx.outlines`."""
    for _, check in rulebook_checks():
        yield from check(ctx)
