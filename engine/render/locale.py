"""Traditional-character output for sites that use them (OpenCC).

The finished output is converted as a whole — rulebook texts, the templates'
own headings and --set answers alike — so no Chinese text can slip through
unconverted. Character conversion only (s2tw / s2hk, not s2twp): standard
phrases (标准用语) stay the same words, only written in traditional
characters; swapping vocabulary (出租车 → 計程車) would change the scripts.
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
    return locale in _CONFIGS


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    try:
        import opencc
    except ImportError as exc:  # a broken install; say which package is missing
        raise UsageError(NO_OPENCC, detail=str(exc)) from exc
    return opencc.OpenCC(config)


def convert(text: str, locale: str) -> str:
    config = _CONFIGS.get(locale)
    if config is None:
        return text
    result: str = _converter(config).convert(text)
    return result
