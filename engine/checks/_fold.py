"""Folding a shared rulebook's unused entries into one warning."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.checks.context import Context

# Checking a folder that holds only some procedures with a copy of the shared
# rulebook.yaml: the rulebook's entries unused there are one warning, not one
# per entry (a few stay listed one by one, each where it is written).
FOLD_OVER = 3


def folded(unused: Sequence[Any], declared: Mapping[str, Any], ctx: Context) -> dict[str, object]:
    names = [e.id for e in unused]
    shown = ", ".join(names[:12]) + (f", … (+{len(names) - 12})" if len(names) > 12 else "")
    return {
        "count": len(unused),
        "total": len(declared),
        "procedures": len(ctx.outlines),
        "names": shown,
    }
