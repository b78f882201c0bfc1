"""Simplified → traditional Chinese characters (OpenCC), for sites that use them.

One conversion for the whole program: the renderers print a zh-TW/zh-HK
rulebook's output with it (render/locale.py), and `procedure_names.py` finds a
procedure by its title as those cards print it. Character conversion only
(s2tw / s2hk, not s2twp): standard phrases (标准用语) stay the same words,
only written in traditional characters; swapping vocabulary (出租车 → 計程車)
would change the scripts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.errors import UsageError
from engine.i18n import message

_CONFIGS = {"zh-TW": "s2tw", "zh-HK": "s2hk"}


NO_OPENCC = message(
    "render.no-opencc",
    "繁体输出需要 opencc 包: {detail}",
    "traditional output needs the opencc package: {detail}",
)


def is_traditional(locale: str) -> bool:
    """Whether `locale`'s text is written in traditional characters."""
    return locale in _CONFIGS


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    try:
        import opencc
    except ImportError as exc:  # a broken install; say which package is missing
        raise UsageError(NO_OPENCC, detail=str(exc)) from exc
    return opencc.OpenCC(config)


def convert(text: str, locale: str) -> str:
    """`text` written as `locale` writes it: traditional characters for
    zh-TW/zh-HK, unchanged for any other locale."""
    config = _CONFIGS.get(locale)
    if config is None:
        return text
    result: str = _converter(config).convert(text)
    return result
