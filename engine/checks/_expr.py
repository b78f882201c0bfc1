"""What each kind of expression is called in messages, and fixes to a whole one."""

import json

from engine.model import Expr
from engine.problems import Fix, Said


def what(expr: Expr) -> Said:
    if expr.kind == "guard":
        return Said("条件", "the guard")
    return Said("文字模板", "the text template")


def whole(expr: Expr, text: str) -> Fix | None:
    """A fix that writes `text` as the whole expression: double-quoted (valid
    YAML wherever the old scalar stood, in a flow mapping too); none for a
    block scalar, whose extent the mark does not give exactly."""
    if expr.style in ("|", ">"):
        return None
    return Fix(expr.pos, json.dumps(text, ensure_ascii=False))
