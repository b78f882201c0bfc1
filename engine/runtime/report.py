"""`sop show` and `sop report` text, from the run record and our templates.

Templates live in engine/templates/run_*.j2 and render through the project's
template environment (engine.render.templating); this module only chooses
the template and supplies the helpers that format times and columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.runtime.layout import pad, width, wrap
from engine.runtime.record import FormFill, RunRecord, status_text
from engine.runtime.texts import labels


@dataclass(frozen=True)
class Fmt:
    """Helpers the templates call: times, statuses, width-aware columns."""

    lang: str

    def when(self, at: str | None) -> str:
        if not at:
            return "—"
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M:%S")

    def time(self, at: str) -> str:
        return datetime.fromisoformat(at).strftime("%H:%M:%S")

    def day(self, at: str) -> str:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d")

    def status(self, status: str) -> str:
        return status_text(status, self.lang)

    def pad(self, text: Any, columns: int) -> str:
        return pad(str(text), columns)

    def width(self, text: Any) -> int:
        return width(str(text))

    def wrap(self, text: Any, indent: str, hang: str | None = None) -> str:
        return "\n".join(wrap(str(text), indent, hang))

    def labels_width(self, fill: FormFill) -> int:
        return max((width(label) for _, label, _ in fill.fields), default=0)


def _render(name: str, **context: Any) -> str:
    from engine.render.templating import render

    return render(name, **context)


def render_show(record: RunRecord, lang: str = "zh") -> str:
    return _render("run_show.txt.j2", r=record, f=Fmt(lang), L=labels(lang))


def render_report(record: RunRecord, fmt: str = "text", lang: str = "zh") -> str:
    """The forms a run filled in; for an emergency, the incident report."""
    ext = "md" if fmt == "md" else "txt"
    kind = "incident" if record.run.kind == "emergency" else "report"
    return _render(f"run_{kind}.{ext}.j2", r=record, f=Fmt(lang), L=labels(lang))


def render_form_table(
    title: str, fills: Sequence[tuple[RunRecord, FormFill]], fmt: str = "text", lang: str = "zh"
) -> str:
    """One form's rows across runs: 《样板间客户接待记录表》 as a table."""
    columns: dict[str, str] = {}
    for _, fill in fills:
        for fid, label, _ in fill.fields:
            columns.setdefault(fid, label)
    rows = [(rec, fill, dict((fid, value) for fid, _, value in fill.fields)) for rec, fill in fills]
    ext = "md" if fmt == "md" else "txt"
    return _render(
        f"run_form.{ext}.j2", title=title, columns=columns, rows=rows, f=Fmt(lang), L=labels(lang)
    )
