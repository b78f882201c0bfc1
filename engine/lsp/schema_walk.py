"""The JSON Schema at a path of a rulebook file: the keys allowed there
(with their descriptions) and the fixed values a key takes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engine.lsp.context import ITEM


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    description: str
    deprecated: bool = False
    required: bool = False


def _resolve(root: dict[str, Any], node: Any, seen: int = 0) -> Iterator[dict[str, Any]]:
    """The alternatives a node stands for ($ref followed, anyOf/oneOf/allOf opened)."""
    if not isinstance(node, dict) or seen > 16:
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        yield from _resolve(root, target, seen + 1)
    yield node
    for combo in ("anyOf", "oneOf", "allOf"):
        for alt in node.get(combo, ()):
            yield from _resolve(root, alt, seen + 1)


def _children(root: dict[str, Any], node: dict[str, Any], elem: str) -> Iterator[Any]:
    for alt in _resolve(root, node):
        if elem == ITEM:
            if "items" in alt:
                yield alt["items"]
            continue
        props = alt.get("properties", {})
        if elem in props:
            yield props[elem]
            continue
        extra = alt.get("additionalProperties")
        if isinstance(extra, dict):
            yield extra
        yield from alt.get("patternProperties", {}).values()


def at(root: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The schema nodes that may describe the value at `path`."""
    nodes: list[Any] = [root]
    for elem in path:
        nodes = [c for n in nodes for c in _children(root, n, elem)]
        if not nodes:
            return []
    return [n for n in nodes if isinstance(n, dict)]


def keys(root: dict[str, Any], path: tuple[str, ...]) -> list[Key]:
    """The keys a mapping at `path` may hold, in the schema's order."""
    found: dict[str, Key] = {}
    for node in at(root, path):
        for alt in _resolve(root, node):
            required = set(alt.get("required", ()))
            for name, sub in alt.get("properties", {}).items():
                if name not in found:
                    found[name] = Key(
                        name,
                        description(root, sub),
                        bool(sub.get("deprecated")),
                        name in required,
                    )
    return list(found.values())


def description(root: dict[str, Any], node: Any) -> str:
    """The node's own description (what the key means here), else the one
    of what it refers to."""
    if isinstance(node, dict) and isinstance(node.get("description"), str):
        return str(node["description"])
    for alt in _resolve(root, node):
        text = alt.get("description")
        if isinstance(text, str):
            return text
    return ""


def values(root: dict[str, Any], path: tuple[str, ...]) -> list[tuple[str, str]]:
    """The fixed values (enum, const) the value at `path` may take, with descriptions."""
    found: dict[str, str] = {}
    for node in at(root, path):
        for alt in _resolve(root, node):
            for v in alt.get("enum", ()):
                if isinstance(v, str):
                    found.setdefault(v, "")
            const = alt.get("const")
            if isinstance(const, str):
                found.setdefault(const, str(alt.get("description", "")))
    return list(found.items())


def said(text: str, lang: str) -> str:
    """A bilingual schema description, "中文 (English)", in one language."""
    text = text.strip()
    if not text.endswith(")"):
        return text
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                if i == 0 or text[i - 1] != " ":
                    return text
                zh, en = text[: i - 1].strip(), text[i + 1 : -1].strip()
                return en if lang == "en" else zh
    return text
