"""The Jinja2 environment of our own output templates (engine/templates/*.j2).

These templates are ours and trusted, unlike rulebook texts, so this is a
plain Environment; StrictUndefined makes a typo in a template fail loudly in
the golden tests instead of printing nothing. HTML, SVG and XML templates
are autoescaped, so rulebook text can never inject markup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_ESCAPED_NAMES = (".html.j2", ".svg.j2", ".xml.j2")


def md(text: Any) -> str:
    """Escape what Markdown would read as markup; keep line breaks out of cells."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def css(text: Any) -> Any:
    """A CSS string's content: quotes, backslashes and `<` (never `</style>`) escaped."""
    from markupsafe import Markup

    out = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(out.replace("\n", " "))


@lru_cache(maxsize=1)
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=lambda name: name is not None and name.endswith(_ESCAPED_NAMES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["css"] = css
    return env


def render(name: str, **context: Any) -> str:
    text: str = environment().get_template(name).render(**context)
    return text
