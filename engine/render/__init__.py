"""Rendering: the validated model → scripts, checklists, manuals, flowcharts.

Everything here reads `engine.model` objects (never YAML) and writes through
the Jinja2 templates in `engine/templates/`. Modules, one job each:

- `exprs`      guards and text templates as words people read, filled or not
- `values`     `--set name=value` answers, typed by the input they answer
- `view`       the shared view of a procedure (steps, items, exits, timing)
- `templating` the environment our own (trusted) templates run in
- `locale`     zh-CN → zh-TW/zh-HK conversion of finished output (OpenCC)
- `script`, `checklist`, `manual`, `graph`  one output each
- `runs`       run records from the journal: `sop show`, `sop report`, form tables
- `calls`      the call list (`sop due`) as text, CSV or JSON
- `layout`     a layered flowchart layout, shared by SVG and PDF
- `pdf`, `pdf_draw`, `fonts`  the PDF route (ReportLab + an embedded CJK subset)
"""

from __future__ import annotations

from typing import Literal

TextFormat = Literal["text", "md", "html"]
TEXT_FORMATS: tuple[TextFormat, ...] = ("text", "md", "html")
LOCALES = ("zh-CN", "zh-TW", "zh-HK")
