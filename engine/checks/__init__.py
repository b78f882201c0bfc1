"""The rules of `sop validate`: one module per rule, named after its id.

Each module declares `RULE` (engine.checks.rule.Rule: id, level,
description, messages, the keys it depends on); a module whose rule checks
the built rulebook also has `check(ctx) -> Iterator[Problem]`, one that lints
a single loaded file `check_document(doc) -> list[Problem]`; the others'
problems are found while reading, loading YAML or checking the schema. Rules are
found by discovery: a new module here is a new rule, with nothing else to
keep in sync. Checks report what they find; the engine sets each problem's
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

__all__ = ["Check", "checks", "document_checks", "registry", "rule_of", "run_all"]

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
    """The rules that check a built rulebook, with their check functions."""
    out: list[tuple[Rule, Check]] = []
    for module in _modules():
        check = getattr(module, "check", None)
        if module.RULE.stage == "check":
            if check is None:
                raise ImportError(f"rule {module.RULE.id!r} is a check but has no check(ctx)")
            out.append((module.RULE, check))
    return tuple(out)


@lru_cache(maxsize=1)
def document_checks() -> tuple[Callable[[Document], list[Problem]], ...]:
    """Lints over one loaded file (a module with `check_document(doc)`)."""
    return tuple(m.check_document for m in _modules() if hasattr(m, "check_document"))


def run_all(ctx: Context) -> Iterator[Problem]:
    for _, check in checks():
        yield from check(ctx)
