"""The flowchart preview: a procedure's chart (the same SVG as `sop graph
--format svg` and the manual) in an HTML page that reloads itself, written
where the editor can open it. The language server rewrites it after each
validation, so the page follows the designer's typing; while the file does
not build, it shows the last chart that did, and says so."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Literal

from engine.lsp.texts import TEXT
from engine.model import Rulebook

REFRESH = 2  # seconds between the page's reloads


def preview_dir() -> str:
    from engine.cache import directory

    return os.path.join(directory(), "preview")


def page_path(source: str) -> str:
    """Where the preview of the procedure in the file `source` is written."""
    digest = hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    stem = os.path.splitext(os.path.basename(source))[0]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60]
    return os.path.join(preview_dir(), f"{safe}-{digest}.html")


def page(whole: Rulebook, pid: str, lang: str, stale: bool) -> str:
    """The preview page of procedure `pid` of `whole` (a rulebook with every
    procedure that builds)."""
    from engine.render.graph import graph_of
    from engine.render.locale import convert
    from engine.render.svg import svg_fragment
    from engine.render.templating import render

    said: Literal["zh", "en"] = "en" if lang == "en" else "zh"
    proc = whole.procedures[pid]
    text = render(
        "preview.html.j2",
        lang="en" if said == "en" else whole.locale,
        refresh=REFRESH,
        title=proc.title,
        pid=pid,
        said_updated=TEXT["preview.updated"].say(said, time=time.strftime("%H:%M:%S")),
        stale=TEXT["preview.stale"].say(said) if stale else "",
        chart=svg_fragment(graph_of(whole, pid, said)),
        font=_font(whole.locale),
    )
    return convert(text, whole.locale)


def _font(locale: str) -> str:
    """The installed Chinese font (the PDF's), as a file URL: the page is
    read from disk, so it shows Chinese where the system has no such font."""
    from engine.errors import SopError
    from engine.render.fonts import font_file

    try:
        return font_file("tc" if locale in ("zh-TW", "zh-HK") else "sc").as_uri()
    except SopError:
        return ""


def write(target: str, text: str) -> bool:
    """Write the page whole (a reader never sees half of it); False when it
    cannot be written."""
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError:
        return False
    return True
