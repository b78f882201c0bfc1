"""Render a terminal capture (`tmux capture-pane -e -p`) to a PNG, for
screenshots in the docs taken without a display.

    tmux capture-pane -t SESSION -e -p > shot.ansi
    python tools/ansi_png.py shot.ansi docs/editors/neovim.png

Colours follow SGR (16 colours, the 256-colour palette, 24-bit), bold and
reverse video; wide (CJK) characters take two cells. ASCII is drawn in
DejaVu Sans Mono from the system when present, Chinese in Noto Sans SC
from the justmytype-intl-cjk wheel the project already depends on.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CELL_W, CELL_H, SIZE = 10, 21, 16
BG, FG = (30, 30, 30), (212, 212, 212)
BASE16 = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]  # fmt: skip
SGR = re.compile(r"\x1b\[([0-9;]*)m")
MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
MONO_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")


def palette(n: int) -> tuple[int, int, int]:
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + 10 * (n - 232)
    return v, v, v


def cjk_font() -> Path:
    import justmytype_intl_cjk

    base = Path(justmytype_intl_cjk.__file__).parent
    return next(base.rglob("NotoSansSC*.ttf"))


class Style:
    def __init__(self) -> None:
        self.fg: tuple[int, int, int] | None = None
        self.bg: tuple[int, int, int] | None = None
        self.bold = False
        self.reverse = False

    def apply(self, params: str) -> None:
        codes = [int(c) if c else 0 for c in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.__init__()  # type: ignore[misc]
            elif c == 1:
                self.bold = True
            elif c == 22:
                self.bold = False
            elif c == 7:
                self.reverse = True
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = palette(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = (codes[i + 2], codes[i + 3], codes[i + 4])
                    i += 4
                else:
                    break
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        fg, bg = self.fg or FG, self.bg or BG
        return (bg, fg) if self.reverse else (fg, bg)


def render(text: str, out: Path, cols: int) -> None:
    lines = text.rstrip("\n").split("\n")
    img = Image.new("RGB", (cols * CELL_W + 16, len(lines) * CELL_H + 16), BG)
    draw = ImageDraw.Draw(img)
    mono = ImageFont.truetype(str(MONO), SIZE) if MONO.exists() else None
    mono_bold = ImageFont.truetype(str(MONO_BOLD), SIZE) if MONO_BOLD.exists() else mono
    cjk = ImageFont.truetype(str(cjk_font()), SIZE)
    style = Style()
    for row, line in enumerate(lines):
        col = 0
        pos = 0
        y = 8 + row * CELL_H
        while pos < len(line):
            m = SGR.match(line, pos)
            if m:
                style.apply(m.group(1))
                pos = m.end()
                continue
            ch = line[pos]
            pos += 1
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            width = 2 if wide else 1
            fg, bg = style.colours()
            x = 8 + col * CELL_W
            draw.rectangle([x, y, x + width * CELL_W - 1, y + CELL_H - 1], fill=bg)
            if not ch.isspace():
                font = cjk if (wide or mono is None or ord(ch) > 0x2FFF) else mono
                if style.bold and font is mono and mono_bold is not None:
                    font = mono_bold
                draw.text((x, y + (1 if font is not cjk else -1)), ch, font=font, fill=fg)
            col += width
    img.save(out)


def main() -> None:
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    render(src.read_text(encoding="utf-8"), dst, cols)


if __name__ == "__main__":
    main()
