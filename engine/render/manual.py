"""The controlled SOP manual of a whole rulebook: what an auditor prints.

Cover, document control and table of contents; per procedure its document
control table, purpose, scope, trigger, posts and duties, flowchart, steps
(who, what to do, what to say, records, deadlines, where next), the blank
forms it fills, design notes and revision history; at the end a role index
and the list of forms. This module gathers those facts once; the HTML and
Markdown templates and the PDF (engine/render/pdf.py) lay them out.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from markupsafe import Markup

from engine.model import Document, Procedure, Reference, Revision, Rulebook
from engine.render.citations import Citer
from engine.render.graph import Graph, build_graph
from engine.render.layout import SCREEN, Layout, Metrics
from engine.render.view import (
    ProcView,
    RecordView,
    RoleView,
    StandingView,
    ViewBuilder,
)
from engine.render.words import ZH, Words, lang_of

ManualFormat = Literal["html", "pdf", "md"]
# Told how far the PDF's page layout has got: (pieces laid out, pieces in all).
Progress = Callable[[int, int], None]
MANUAL_FORMATS: tuple[ManualFormat, ...] = ("html", "pdf", "md")
# A log sheet (one row per visit) suits short forms; others print one per page.
LOG_MAX_FIELDS = 8


@dataclass(frozen=True)
class FormSheet:
    form: RecordView
    source: str
    log: bool  # columns and blank rows, rather than one record per sheet


@dataclass(frozen=True)
class ProcEntry:
    view: ProcView
    graph: Graph
    sheets: tuple[FormSheet, ...]
    number: str  # document number, or the id when the procedure has none
    header: str  # 受控文件 / 草稿 …: what the running header says

    @property
    def anchor(self) -> str:
        return f"proc-{self.view.id}"


@dataclass(frozen=True)
class RoleUse:
    proc: ProcEntry
    steps: tuple[str, ...]  # "第3步 迎宾服务"


@dataclass(frozen=True)
class RoleEntry:
    role: RoleView
    uses: tuple[RoleUse, ...]


@dataclass(frozen=True)
class FormUse:
    proc: ProcEntry
    steps: tuple[str, ...]


@dataclass(frozen=True)
class FormEntry:
    id: str
    title: str
    source: str
    fields: int
    uses: tuple[FormUse, ...]


@dataclass(frozen=True)
class Manual:
    rulebook: Rulebook
    document: Document
    number: str
    header: str
    date: str  # the print date: SOURCE_DATE_EPOCH when set (reproducible), else today
    procedures: tuple[ProcEntry, ...]
    roles: tuple[RoleEntry, ...]
    forms: tuple[FormEntry, ...]
    references: tuple[Reference, ...] = ()  # cited documents, for the appendix
    standing: tuple[StandingView, ...] = ()  # rulebook.yaml's rules, for every procedure
    w: Words = ZH  # the language of its own words (the rulebook's texts are as written)

    @property
    def title(self) -> str:
        return self.rulebook.title


def print_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


_MANUAL_ORDER = {
    "service": 0,
    "routine": 1,
    "situation": 2,
    "table": 2,
    "journey": 3,
    "emergency": 4,
}


def _sort_key(view: ProcView) -> tuple[int, bool, str, str]:
    """Service procedures first, then routines, situations and customer journeys,
    emergency plans last; by document number within each."""
    number = view.document.number
    return (_MANUAL_ORDER.get(view.kind, 9), not number, number or "", view.id)


def build_manual(rulebook: Rulebook, w: Words = ZH) -> Manual:
    """The manual's facts, its own words (headers, step labels, conditions,
    citations) in `w`'s language."""
    builder = ViewBuilder(rulebook, lang=w.lang)
    citer = Citer(rulebook, w)
    views = sorted(
        (_cited(citer, builder.procedure(p), p) for p in rulebook.procedures.values()),
        key=_sort_key,
    )
    entries = []
    for view in views:
        sheets = tuple(_sheet(builder, citer, rulebook, rec.form_id) for rec in view.forms)
        entries.append(
            ProcEntry(
                view,
                build_graph(view, w),
                sheets,
                view.document.number or view.id,
                w.header(view.document.status),
            )
        )
    forms = _forms(rulebook, entries, citer)
    return Manual(
        rulebook,
        _cited_document(citer, rulebook.document),
        rulebook.document.number or "",
        w.header(rulebook.document.status),
        print_date(),
        tuple(entries),
        _roles(rulebook, entries),
        forms,
        citer.used,
        tuple(_cited_rule(citer, s) for s in builder.book_standing()),
        w,
    )


def _cited_rule(citer: Citer, rule: StandingView, proc: Procedure | None = None) -> StandingView:
    return replace(
        rule,
        cite=citer.cite(rule.cite, proc) if rule.cite else "",
        notes=citer.cite_all(rule.notes, proc),
    )


def _cited_document(citer: Citer, doc: Document, proc: Procedure | None = None) -> Document:
    revisions = tuple(
        Revision(r.version, r.date, citer.cite(r.change, proc), r.author) for r in doc.revisions
    )
    return replace(doc, revisions=revisions)


def _cited(citer: Citer, view: ProcView, proc: Procedure) -> ProcView:
    """The view with every designer text (sources, notes, revisions) in the
    readers' terms: documents by name, steps by number and title."""
    steps = tuple(
        replace(
            s,
            notes=citer.cite_all(s.notes, proc),
            source=citer.cite(s.source, proc) if s.source else s.source,
            do=tuple(replace(line, notes=citer.cite_all(line.notes, proc)) for line in s.do),
            say=tuple(replace(line, notes=citer.cite_all(line.notes, proc)) for line in s.say),
        )
        for s in view.steps
    )
    entries = tuple(
        replace(
            e,
            cite=citer.cite(e.cite, proc) if e.cite else "",
            never_say=tuple(_cited_rule(citer, n, proc) for n in e.never_say),
        )
        for e in view.entries
    )
    return replace(
        view,
        standing=tuple(_cited_rule(citer, s, proc) for s in view.standing),
        entries=entries,
        source=citer.cite_all(view.source, proc),
        notes=citer.cite_all(view.notes, proc),
        steps=steps,
        document=_cited_document(citer, view.document, proc),
    )


def _sheet(builder: ViewBuilder, citer: Citer, rulebook: Rulebook, form_id: str) -> FormSheet:
    full = builder.form_view(form_id)
    form = rulebook.forms.get(form_id)
    long = any(f.type == "longtext" for f in full.fields)
    source = citer.cite(form.source) if form and form.source else ""
    return FormSheet(full, source, not long and len(full.fields) <= LOG_MAX_FIELDS)


def _step_names(entry: ProcEntry, wanted: set[str]) -> tuple[str, ...]:
    return tuple(f"{s.label} {s.title}" for s in entry.view.steps if s.id in wanted)


def _roles(rulebook: Rulebook, entries: list[ProcEntry]) -> tuple[RoleEntry, ...]:
    out = []
    for rid, role in rulebook.roles.items():
        uses = []
        for entry in entries:
            acting = {s.id for s in entry.view.steps if rid in s.role_ids}
            if acting:
                uses.append(RoleUse(entry, _step_names(entry, acting)))
        out.append(RoleEntry(RoleView(rid, role.name, role.duties), tuple(uses)))
    return tuple(out)


def _forms(rulebook: Rulebook, entries: list[ProcEntry], citer: Citer) -> tuple[FormEntry, ...]:
    out = []
    for fid, form in rulebook.forms.items():
        uses = []
        for entry in entries:
            filling = {s.id for s in entry.view.steps if any(r.form_id == fid for r in s.records)}
            if filling:
                uses.append(FormUse(entry, _step_names(entry, filling)))
        source = citer.cite(form.source) if form.source else ""
        out.append(FormEntry(fid, form.title, source, len(form.fields), tuple(uses)))
    return tuple(out)


def layouts(manual: Manual, locale: str = "zh-CN", metrics: Metrics = SCREEN) -> dict[str, Layout]:
    """Flowchart layouts, with their words already in `locale` (the PDF draws
    them directly, with print `metrics`; HTML and Markdown are converted as a
    whole instead)."""
    from engine.render.graph import graph_layout, localised

    return {
        entry.view.id: graph_layout(localised(entry.graph, locale), metrics)
        for entry in manual.procedures
    }


def render_manual(
    rulebook: Rulebook,
    fmt: ManualFormat = "html",
    locale: str = "zh-CN",
    warn: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The manual as bytes (UTF-8 text for html/md), its own words in this
    process's (context's) language; `warn` hears about anything that will
    not print right (characters the font lacks); `progress` hears how far
    the PDF's layout has got."""
    from engine.render.locale import convert

    w = Words(lang_of())
    manual = build_manual(rulebook, w)
    if fmt == "pdf":
        from engine.render.pdf import render_pdf

        return render_pdf(manual, locale, warn, progress)
    from engine.render.templating import render

    if fmt == "md":
        from engine.render.graph import mermaid_chart

        charts = {entry.view.id: mermaid_chart(entry.graph) for entry in manual.procedures}
        text = render("manual.md.j2", m=manual, charts=charts, w=w)
    else:
        from engine.render.svg import svg_fragment

        shapes = layouts(manual)
        charts = {
            entry.view.id: svg_fragment(entry.graph, shapes[entry.view.id])
            for entry in manual.procedures
        }
        text = render(
            "manual.html.j2",
            m=manual,
            charts=charts,
            lang=w.html_lang(locale),
            locale=locale,
            page_css=page_css(manual),
            w=w,
        )
    return convert(text, locale).encode("utf-8")


def page_css(manual: Manual) -> Markup:
    """The printed page's running header on the right, as a CSS `content`
    value: the document, its number and version, then 第 N 页 共 M 页 with
    the page counters where the catalogue's words put {n} and {total}."""
    from engine.render.escape import css_string

    w = manual.w
    version = manual.rulebook.version or ""
    head = f"{manual.header} · {manual.number} · {w('version', version=version)} · "
    parts = re.split(r"(\{n\}|\{total\})", w.manual("running-page", n="{n}", total="{total}"))
    counters = {"{n}": "counter(page)", "{total}": "counter(pages)"}
    out = [f'"{css_string(head + parts[0])}"']
    for part in parts[1:]:
        out.append(counters.get(part) or f'"{css_string(part)}"')
    return Markup(" ".join(p for p in out if p != '""'))
