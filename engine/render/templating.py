"""The Jinja2 environments of our own output templates (engine/templates/*.j2).

These templates are ours and trusted, unlike the texts they print, so data is
escaped for the language a template writes, chosen by its extension, on every
`{{ }}` (one environment per language, so a shared macro such as
`_exits.j2` is compiled for, and escapes for, the template importing it):

  .html.j2 .svg.j2 .xml.j2   HTML/XML autoescaping (markupsafe)
  .md.j2                     Markdown (escape.md)
  .mmd.j2                    quoted Mermaid labels (escape.mermaid)
  .dot.j2                    quoted DOT strings (escape.dot)
  .txt.j2                    plain text

A value the template vouches for, such as a macro's output or a label built
by our own code from escaped parts, is marked with `|safe` (or returned as
`Markup`) and written as it is. Every output then passes through
`escape.visible`, since no template writes control or bidi characters itself.
StrictUndefined makes a typo in a template fail loudly in the golden tests
instead of printing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from engine.render import escape

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
Language = Literal["markup", "md", "mermaid", "dot", "text"]
_BY_EXTENSION: dict[str, Language] = {
    ".html.j2": "markup",
    ".svg.j2": "markup",
    ".xml.j2": "markup",
    ".md.j2": "md",
    ".mmd.j2": "mermaid",
    ".dot.j2": "dot",
    ".txt.j2": "text",
}
_ESCAPERS: dict[Language, Callable[[str], str]] = {
    "md": escape.md,
    "mermaid": escape.mermaid,
    "dot": escape.dot,
}


def language_of(name: str) -> Language:
    for ext, lang in _BY_EXTENSION.items():
        if name.endswith(ext):
            return lang
    raise ValueError(f"template {name!r}: no output language for its extension")


def css(text: Any) -> Markup:
    """A CSS string's content (inside "…" in a <style> element)."""
    return Markup(escape.css_string(text))


def _finalize(escaper: Callable[[str], str]) -> Callable[[Any], Any]:
    def finalize(value: Any) -> Any:
        if hasattr(value, "__html__"):  # vouched for by the template (|safe, Markup)
            return str(value.__html__())
        return escaper(str(value))

    return finalize


@cache
def environment(lang: Language) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    escaper = _ESCAPERS.get(lang)
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=lang == "markup",
        finalize=_finalize(escaper) if escaper is not None else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css"] = css
    env.filters["md_url"] = lambda url: Markup(escape.md_url(url))
    env.filters["web_url"] = escape.web_url
    return env


def render(name: str, **context: Any) -> str:
    text: str = environment(language_of(name)).get_template(name).render(**context)
    return escape.visible(text)
