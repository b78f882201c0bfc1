"""Whether a value can answer an input: shared by the `default` and `with` checks."""

from __future__ import annotations

from engine.model import Input

_BOOL_TEXT = frozenset({"true", "false", "True", "False"})


def fits(inp: Input, value: object) -> tuple[bool, str, str]:
    """(fits, hint zh, hint en) for a YAML value (a default) or the text a
    `with` literal arrives as; numbers must also lie within min/max."""
    if inp.type == "bool":
        ok = isinstance(value, bool) or value in _BOOL_TEXT
        return ok, " (请写 true 或 false)", " (write true or false)"
    if inp.type in ("int", "number"):
        number = _number(value, integer=inp.type == "int")
        if number is None:
            return False, "", ""
        low = inp.min if inp.min is not None else number
        high = inp.max if inp.max is not None else number
        return low <= number <= high, "", ""
    if inp.type == "choice":
        options = ", ".join(inp.options)
        return str(value) in inp.options, f" (可选: {options})", f" (options: {options})"
    return isinstance(value, str), " (请加引号)", " (quote it)"


def _number(value: object, integer: bool) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and not integer):
        return value
    if isinstance(value, str):
        try:
            return int(value) if integer else float(value)
        except ValueError:
            return None
    return None
