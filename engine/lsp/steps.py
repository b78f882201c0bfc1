"""What the language server reads of a step's way out, in one place (the
model's shape of a step's exit is read here only)."""

from __future__ import annotations

from engine.model import Call, End, Step


def calls(step: Step) -> tuple[Call, ...]:
    """The procedures a step calls."""
    return step.calls


def ends(step: Step) -> bool:
    """Whether a run ends at this step."""
    return isinstance(step.exit, End)
