"""What every rule declares, in the one module named after it (like
yamllint's rules/): its id, level, description, messages and the keys it
depends on. Declaring registers its messages in the program's one catalogue
(engine/i18n.py) as `check.<id>` and `check.<id>.<variant>`; dropping the
module into engine/checks/ is all it takes to add a rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.i18n import Message, message
from engine.problems import Pos, Problem, Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING

# Where a rule's problems are found: reading bytes, loading YAML, the JSON
# Schema, or a check over the built rulebook (a module with `check(ctx)`).
Stage = Literal["read", "load", "schema", "check"]

# Placeholders every message may use without the problem giving them: the
# file (its position's) and the did-you-mean hint (from a `suggestion` arg).
AUTOMATIC = frozenset({"file", "hint"})


@dataclass(frozen=True)
class Rule:
    """A rule's declaration.

    `messages` maps a variant ("" is the default) to its (zh, en) template;
    both name the same placeholders (an argument said differently in each
    language is a `Said`). `keys` are the places of a procedure file the rule
    reads, as dotted paths with `*` for any name ("start", "steps.*.next"):
    where the schema stage had to prune one of them (or what holds it) to
    check the rest of a file, the rule's findings in that file are dropped,
    since they would be artefacts of the pruning."""

    id: str
    level: Severity
    description: tuple[str, str]
    messages: Mapping[str, tuple[str, str]]
    keys: tuple[str, ...] = ()
    stage: Stage = "check"
    entries: Mapping[str, Message] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError(f"rule {self.id!r} declares no message")
        entries = {
            variant: message(f"check.{self.id}" + (f".{variant}" if variant else ""), zh, en)
            for variant, (zh, en) in self.messages.items()
        }
        object.__setattr__(self, "entries", entries)

    def entry(self, variant: str) -> Message:
        found = self.entries.get(variant)
        if found is None:
            raise KeyError(f"rule {self.id!r} has no message variant {variant!r}")
        return found

    def fields(self, variant: str) -> frozenset[str]:
        """The arguments a problem of this variant must give."""
        return self.entry(variant).fields - AUTOMATIC

    def problem(self, pos: Pos, variant: str = "", **args: Any) -> Problem:
        """A problem of this rule, its arguments checked against the message."""
        problem = Problem(self.id, pos, args, variant, self.level)
        check_args(self, problem)
        return problem

    def untrusted_by(self, pruned: tuple[str | int, ...]) -> bool:
        """Whether removing the node at `pruned` takes away what this rule reads."""
        return any(_overlaps(pruned, key.split(".")) for key in self.keys)


def _overlaps(path: tuple[str | int, ...], key: list[str]) -> bool:
    """`path` is `key` (with `*` for any part), inside it, or holds it."""
    return all(k == "*" or str(p) == k for p, k in zip(path, key, strict=False))


def check_args(rule: Rule, problem: Problem) -> None:
    """A problem gives every placeholder its message names: a misspelt one
    (in the template or in the check) fails here, not by printing nothing."""
    missing = rule.fields(problem.variant) - frozenset(problem.args)
    if missing:
        raise KeyError(
            f"{problem.rule}/{problem.variant or '-'}: the message names {sorted(missing)}, "
            f"which the problem does not give (it gives {sorted(problem.args)})"
        )


def iter_variants(rule: Rule) -> Iterator[tuple[str, Message]]:
    yield from rule.entries.items()
