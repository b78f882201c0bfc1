"""What each kind of expression is called in messages."""

from engine.model import Expr


def what(expr: Expr) -> tuple[str, str]:
    if expr.kind == "guard":
        return "条件", "the guard"
    return "文字模板", "the text template"
