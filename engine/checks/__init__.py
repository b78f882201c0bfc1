"""Semantic checks: one rule per module, listed explicitly in REGISTRY.

Each module has `ID`, `DESCRIPTION` and `check(ctx) -> Iterator[Problem]`.
Checks report what they find; the engine (engine.problems.severity_of) sets
the severity and applies per-procedure `lint.disable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType

from engine.checks import (
    call_cycle,
    call_refs,
    critical_order,
    dead_end,
    editorial_text,
    emergency_trigger,
    expression_forbidden,
    expression_syntax,
    field_refs,
    form_refs,
    id_matches_file,
    input_default,
    input_refs,
    milestone_refs,
    one_way_out,
    otherwise_last,
    revision_version,
    role_listed,
    role_refs,
    step_refs,
    too_many_items,
    undeclared_name,
    unique_ids,
    unreachable_step,
    unused_form,
    unused_input,
    unused_role,
    with_value,
)
from engine.checks.context import Context
from engine.problems import Problem

REGISTRY: tuple[ModuleType, ...] = (
    # references
    id_matches_file,
    unique_ids,
    step_refs,
    call_refs,
    role_refs,
    role_listed,
    form_refs,
    field_refs,
    input_refs,
    milestone_refs,
    input_default,
    with_value,
    # structure
    one_way_out,
    otherwise_last,
    unreachable_step,
    dead_end,
    call_cycle,
    # expressions
    expression_syntax,
    expression_forbidden,
    undeclared_name,
    # human factors (warnings)
    too_many_items,
    emergency_trigger,
    critical_order,
    unused_input,
    unused_role,
    unused_form,
    revision_version,
    editorial_text,
)

__all__ = ["REGISTRY", "Context", "run_all"]


def run_all(ctx: Context) -> Iterator[Problem]:
    for module in REGISTRY:
        check: Callable[[Context], Iterator[Problem]] = module.check
        yield from check(ctx)
