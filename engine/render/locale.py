"""Traditional-character output for sites that use them.

The finished output is converted as a whole — rulebook texts, the templates'
own headings and --set answers alike — so no Chinese text can slip through
unconverted. The conversion itself (OpenCC, characters only) is
engine/chinese.py's, shared with the procedure resolver, which finds a
procedure by its title as these cards print it.
"""

from __future__ import annotations

from engine.chinese import convert, is_traditional

__all__ = ["convert", "is_traditional"]
