"""What each kind of expression is called in messages."""

from engine.model import Expr
from engine.problems import Said


def what(expr: Expr) -> Said:
    if expr.kind == "guard":
        return Said("条件", "the guard")
    return Said("文字模板", "the text template")
