"""The CJK font embedded in PDFs: Noto Sans SC/TC from PyPI, cut to size.

The font ships in the `justmytype-intl-cjk` wheel (SIL OFL 1.1) as variable
TrueType files (weights 100–900, 18 MB for SC). ReportLab embeds only static
TrueType, so for each document we keep just the characters it uses
(fontTools subset, ~1 s) and pin the weight axis at Regular and Bold
(fontTools instancer, ~1 s each); the result (~0.3 MB) is cached under
SOP_CACHE_DIR (or ~/.cache/sop) by character set, so re-rendering an
unchanged manual costs nothing here. Nothing is downloaded and no system
font is needed: Chinese shows the same on a machine without Chinese fonts.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SopError
from engine.i18n import message

PACKAGE = "justmytype_intl_cjk"
FILES = {
    "sc": "fonts/ofl/notosanssc/NotoSansSC[wght].ttf",
    "tc": "fonts/ofl/notosanstc/NotoSansTC[wght].ttf",
}
REGULAR, BOLD = 400, 700
# Always keep these, so labels the templates add later still have glyphs.
_BASE = "".join(chr(c) for c in range(0x20, 0x7F)) + "□★◎▤■→↑·、，。：；（）《》「」〔〕…—–第页共"


NO_FONT = message(
    "render.no-font",
    "找不到中文字体 (justmytype-intl-cjk 包未安装)。请重新安装: pip install .",
    "the Chinese font (package justmytype-intl-cjk) is missing; reinstall: pip install .",
)


@dataclass(frozen=True)
class FontPair:
    regular: bytes
    bold: bytes
    name: str  # "NotoSansSC" or "NotoSansTC"
    missing: str = ""  # characters of the text the font has no glyph for


def font_file(script: str) -> Path:
    from importlib.resources import files

    try:
        path = Path(str(files(PACKAGE) / FILES[script]))
    except ModuleNotFoundError:
        path = Path("/nonexistent")
    if not path.is_file():
        raise SopError(NO_FONT)
    return path


def _cache_dir() -> Path:
    base = os.environ.get("SOP_CACHE_DIR")
    if base:
        return Path(base) / "fonts"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) / "sop" if xdg else Path.home() / ".cache" / "sop") / "fonts"


def fonts_for(text: str, script: str = "sc") -> FontPair:
    """Regular and Bold static TrueType subsets covering every character of `text`."""
    import fontTools

    source = font_file(script)
    chars = "".join(sorted(set(text) | set(_BASE)))
    key = hashlib.sha256(
        f"{source.name}|{source.stat().st_size}|{fontTools.version}|{chars}".encode()
    ).hexdigest()[:32]
    folder = _cache_dir()
    cached = [folder / f"{key}-{w}.ttf" for w in (REGULAR, BOLD)]
    name = "NotoSansSC" if script == "sc" else "NotoSansTC"
    try:
        regular, bold = cached[0].read_bytes(), cached[1].read_bytes()
    except OSError:
        regular, bold = _cut(source, chars)
        for path, data in zip(cached, (regular, bold), strict=True):
            _store(path, data)
    return FontPair(regular, bold, name, _missing(regular, chars))


def _missing(font: bytes, chars: str) -> str:
    """Printable characters the (subset) font cannot draw: they would print as boxes."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(font), lazy=True).getBestCmap()
    return "".join(c for c in chars if c.isprintable() and not c.isspace() and ord(c) not in cmap)


def _cut(source: Path, chars: str) -> tuple[bytes, bytes]:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(source), lazy=True)
    options = subset.Options()
    options.hinting = False  # hints only matter on screens at small sizes
    options.name_IDs = ["*"]  # keep the licence and copyright names (OFL)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = []
    for weight in (REGULAR, BOLD):
        static = instancer.instantiateVariableFont(
            font, {"wght": weight}, inplace=False, updateFontNames=True
        )
        buffer = io.BytesIO()
        static.save(buffer)
        out.append(buffer.getvalue())
    return out[0], out[1]


def _store(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        pass
