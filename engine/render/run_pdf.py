"""`sop report RUN --format pdf`: the run's report on A4 pages, with its
photos and drawn signatures as thumbnails (ReportLab, the manual's fonts and
styles). Every text is ReportLab-escaped (engine.render.escape.reportlab);
a missing or altered evidence file is marked in the list, never drawn."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engine.render.escape import reportlab as esc
from engine.render.evidence import THUMB_PX, Shown, shown
from engine.render.pdf import RULE, SOFT, register_fonts, styles
from engine.render.runs import Fmt, report_pictures
from engine.runtime.record import RunRecord
from engine.runtime.texts import labels

THUMB_MM = 45  # a thumbnail's longer side on the page


def _state(s: Shown, L: dict[str, str]) -> str:
    return L["evidence_" + ("name_only" if s.state == "name-only" else s.state)]


def render_report_pdf(record: RunRecord, lang: str = "zh", folder: Path | None = None) -> bytes:
    """The report as PDF bytes."""
    L = labels(lang)
    f = Fmt(lang)
    run = record.run
    ev = shown(record.evidence, folder)
    thumbs = report_pictures(ev, folder)
    incident = run.kind == "emergency"
    title = f"{L['incident_title'] if incident else run.title} · {L['run']} #{run.id}"

    facts: list[tuple[str, str]] = [
        (L["operator"], ", ".join(record.operators) or run.operator or "—"),
        (L["site"], run.site or "—"),
        (L["started"], f.when(run.started_at)),
        (L["status"], f.status(run.status) + (f" ({record.outcome})" if record.outcome else "")),
    ]
    if incident:
        facts.insert(0, (L["incident"], run.title))
        facts.append((L["ended"], f.when(record.finished_at)))
    texts: list[str] = [title, *(a + b for a, b in facts)]
    for fill in record.forms:
        texts += [fill.title, fill.step_title or ""]
        texts += [label + value for _, label, value in fill.fields]
    texts += [e.text + e.detail + (e.step_title or "") for e in record.deviations]
    texts += [e.text for e in record.notes]
    texts += [s.where + (s.proof.signer or "") + (s.proof.actor or "") for s in ev]
    texts += list(L.values())
    fonts, _ = register_fonts("".join(texts), "zh-CN")
    st = styles(fonts)

    def para(text: str, style: str = "body") -> Paragraph:
        return Paragraph(esc(text), st[style])

    def table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
        t = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=0)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (0, -1), SOFT),
                ]
            )
        )
        return t

    width = A4[0] - 36 * mm
    story: list[Any] = [para(title, "h1")]
    story.append(
        table(
            [[para(a, "cell-head"), para(b, "cell")] for a, b in facts], [32 * mm, width - 32 * mm]
        )
    )
    story.append(para(L["forms"], "h2"))
    for fill in record.forms:
        story.append(para(f"《{fill.title}》", "h3"))
        story.append(
            para(f.when(fill.at) + (f" · {fill.step_title}" if fill.step_title else ""), "muted")
        )
        rows = [[para(label, "cell-head"), para(value, "cell")] for _, label, value in fill.fields]
        if rows:
            story.append(table(rows, [45 * mm, width - 45 * mm]))
    if not record.forms:
        story.append(para(L["no_forms"]))
    story.append(para(L["deviations"], "h2"))
    for e in record.deviations:
        why = f" — {L[e.final]}" if e.final in ("skipped", "not_done") else ""
        why += f": {e.final_reason}" if e.final_reason else ""
        story.append(para(f"• {e.step_title or ''}: {e.text}{why}", "li"))
    if not record.deviations:
        story.append(para(L["no_deviations"]))
    if record.notes:
        story.append(para(L["notes"], "h2"))
        for e in record.notes:
            story.append(para(f"• {f.time(e.at)} {e.text}", "li"))
    story.append(para(L["evidence"], "h2"))
    listed: list[list[Any]] = []
    for s, thumb in zip(ev, thumbs, strict=True):
        picture: Any = ""
        if thumb is not None:
            img = Image(io.BytesIO(thumb))
            scale = THUMB_MM * mm / max(img.imageWidth, img.imageHeight, 1)
            scale = min(scale, THUMB_MM * mm / THUMB_PX * 2)
            img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
            picture = img
        kind = L["evidence_" + s.proof.evidence] + (f" {s.proof.signer}" if s.proof.signer else "")
        lines: list[Any] = [
            para(f"{kind} · {s.where}", "cell-head"),
            para(f"{f.when(s.proof.at)} · {s.proof.actor or '—'}", "cell"),
        ]
        if s.sha:
            lines.append(para(f"sha256 {s.sha} · {s.size}", "cell"))
        lines.append(para(_state(s, L), "cell"))
        listed.append([picture, lines])
    if listed:
        t = Table(listed, colWidths=[THUMB_MM * mm + 4 * mm, width - THUMB_MM * mm - 4 * mm])
        t.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story.append(t)
    else:
        story.append(para(L["no_evidence"]))
    story.append(Spacer(1, 4 * mm))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="sop",
    )
    doc.build(story)
    return out.getvalue()


__all__ = ["render_report_pdf"]
