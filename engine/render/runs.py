"""`sop show` and `sop report` text, from the run record and our templates.

Templates live in engine/templates/run_*.j2 and render through the project's
template environment (engine.render.templating); this module only chooses
the template and supplies the helpers that format times and columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.runtime.layout import pad, width, wrap
from engine.runtime.record import FormFill, RunRecord, status_text
from engine.runtime.texts import DAYS_LATE, DAYS_LEFT, labels, lang_of
from engine.runtime.timeline import Timeline, Touch


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

    def touch(self, t: Touch) -> str:
        """A touchpoint's state in words: 完成 2026-04-09, 已超时 · 超 3 天 …"""
        L = labels(self.lang)
        due = ""
        if t.due is not None:
            due = t.due.isoformat() if not isinstance(t.due, datetime) else self.when(str(t.due))
        if t.state == "done":
            return f"{L['t_done']} {self.day(t.done_at)}" if t.done_at else L["t_done"]
        if t.state == "passed":
            return L["t_passed"]
        if t.due is None:
            if t.rule:
                waits = L["t_waits_for"].format(anchor=t.anchor)
                return f"{L['t_' + t.state]} · {t.rule} ({waits})"
            return L["t_" + t.state]
        days = t.days or 0
        when = f"{L['t_due_on']} {due} · {t.rule}"
        if t.state == "overdue":
            return f"{L['t_overdue']} {DAYS_LATE.say(-days, lang_of(self.lang))} · {when}"
        if t.state == "due" and days == 0:
            return f"{L['t_today']} · {t.rule}"
        if days > 0:
            return f"{L['t_' + t.state]} · {DAYS_LEFT.say(days, lang_of(self.lang))} · {when}"
        return f"{L['t_' + t.state]} · {when}"

    def widest(self, texts: Sequence[Any]) -> int:
        return max((width(str(t)) for t in texts), default=0)

    def labels_width(self, fill: FormFill) -> int:
        return max((width(label) for _, label, _ in fill.fields), default=0)


def _render(name: str, **context: Any) -> str:
    from engine.render.templating import render

    return render(name, **context)


def render_show(
    record: RunRecord, lang: str = "zh", timeline: Timeline | None = None, events: bool = True
) -> str:
    """A run's record; a journey's opens with its stages and touchpoints
    (`timeline`), and its event-by-event log is printed only with `events`."""
    return _render(
        "run_show.txt.j2", r=record, f=Fmt(lang), L=labels(lang), tl=timeline, events=events
    )


def render_report(
    record: RunRecord, fmt: str = "text", lang: str = "zh", folder: Path | None = None
) -> str:
    """The forms a run filled in; for an emergency, the incident report.
    Its evidence is listed with each file checked in `folder` (the
    evidence folder; None: not checked)."""
    from engine.render.evidence import shown

    ext = "md" if fmt == "md" else "txt"
    kind = "incident" if record.run.kind == "emergency" else "report"
    ev = shown(record.evidence, folder)
    return _render(f"run_{kind}.{ext}.j2", r=record, f=Fmt(lang), L=labels(lang), ev=ev)


def report_pictures(ev: Sequence[Any], folder: Path | None) -> list[bytes | None]:
    """Each proof's thumbnail (a JPEG), or None where no picture can be shown."""
    from engine.render.evidence import file_bytes, thumbnail

    out: list[bytes | None] = []
    for s in ev:
        data = file_bytes(folder, s.proof.sha256) if s.picture else None
        out.append(thumbnail(data) if data is not None else None)
    return out


def render_report_html(record: RunRecord, lang: str = "zh", folder: Path | None = None) -> str:
    """The report as one self-contained HTML page: the photos and drawn
    signatures shown as thumbnails inside it (data: URLs)."""
    import base64

    from engine.render.evidence import shown

    ev = shown(record.evidence, folder)
    pictures = [
        "data:image/jpeg;base64," + base64.b64encode(t).decode("ascii") if t else None
        for t in report_pictures(ev, folder)
    ]
    return _render(
        "run_report.html.j2",
        r=record,
        f=Fmt(lang),
        L=labels(lang),
        ev=ev,
        pictures=pictures,
        lang="en" if lang == "en" else "zh-CN",
        incident=record.run.kind == "emergency",
    )


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
