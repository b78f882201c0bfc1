"""Schema: JSON Schema validation of loaded data, as positioned Problems.

Clean files take the fast path (jsonschema-rs, compiled once); only a file
that fails is re-validated with the pure-Python `jsonschema` for detailed
errors, which are turned into plain messages here: unknown keys with "did
you mean", values that YAML read as numbers with "quote it", patterns
explained by the kind of value they describe (`x-kind` in the schema).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from engine import resources
from engine.messages import listing, suggest
from engine.problems import Fix, Problem, Said, did_you_mean
from engine.source import Document

# What a part of the file is called, by the last key of its path.
_WHERE = {
    "steps": ("步骤", "a step"),
    "inputs": ("输入项", "an input"),
    "document": ("文件控制 (document) ", "document"),
    "revisions": ("修订记录", "a revision"),
    "next": ("分支", "a branch"),
    "choices": ("选项", "a choice"),
    "do": ("do 项", "a do item"),
    "say": ("say 项", "a say line"),
    "roles": ("岗位", "a role"),
    "forms": ("表单", "a form"),
    "fields": ("字段", "a field"),
    "organisation": ("organisation ", "organisation"),
    "due": ("due ", "due"),
    "lint": ("lint ", "lint"),
    "milestones": ("里程碑", "a milestone"),
    "rules": ("守则", "a standing rule"),
    "never_say": ("禁用语", "words never to say"),
    "entries": ("条目", "an entry"),
    "record": ("record 中的表单", "a form under record"),
}
# Keys written in Chinese, and the key meant: a designer who writes
# `{文字: …}` for a do item meant `text`. Offered only where the key is allowed.
_ZH_KEYS = {
    "文字": "text",
    "内容": "text",
    "文本": "text",
    "条件": "when",
    "提示": "hint",
    "说明": "notes",
    "备注": "notes",
    "岗位": "role",
    "角色": "role",
    "关键": "critical",
    "标题": "title",
    "名称": "name",
    "经办人": "person",
    "凭证": "evidence",
    "字段": "fields",
    "表单": "record",
    "记录": "record",
}
_TYPE_NAMES = {
    "string": ("文字", "text"),
    "integer": ("整数", "an integer"),
    "number": ("数字", "a number"),
    "boolean": ("true/false", "true/false"),
    "array": ("列表", "a list"),
    "object": ("键值表", "a mapping"),
    "null": ("空值", "empty"),
}
_BOOL_WORDS = frozenset(
    {
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "True",
        "False",
        "TRUE",
        "FALSE",
        "Yes",
        "No",
        "是",
        "否",
        "对",
        "错",
    }
)


@lru_cache(maxsize=4)
def load_schema(name: str) -> dict[str, Any]:
    with resources.schema_path(name).open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@lru_cache(maxsize=4)
def _fast_validator(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema(name))


@lru_cache(maxsize=4)
def _slow_validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def known_keys() -> frozenset[str]:
    """Every key name the schemas define (for the loader's colon hints)."""
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                keys.update(props)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for name in ("sop", "rulebook"):
        walk(load_schema(name))
    return frozenset(keys)


def is_valid(data: Any, name: str) -> bool:
    return bool(_fast_validator(name).is_valid(data))


def validate_with_paths(doc: Document, name: str) -> tuple[list[Problem], list[tuple[Any, ...]]]:
    """Problems, and the paths of the nodes at fault (to prune them so the
    rest of the file can still be checked)."""
    if is_valid(doc.data, name):
        return [], []
    problems: list[Problem] = []
    paths: list[tuple[Any, ...]] = []
    seen: set[tuple[Any, ...]] = set()
    for error in _slow_validator(name).iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            paths.extend((*path, k) for k in error.instance if k not in allowed)
        else:
            paths.append(path)
        for p in _translate(error, doc, name):
            key = (
                p.rule,
                p.pos.line,
                p.pos.col,
                p.variant,
                tuple(sorted(map(str, p.args.items()))),
            )
            if key not in seen:
                seen.add(key)
                problems.append(p)
    return problems, paths


def prune(data: Any, paths: list[tuple[Any, ...]]) -> Any:
    """A copy of `data` without the nodes at `paths` (deepest first, so list
    indexes stay valid)."""
    import copy

    pruned = copy.deepcopy(data)
    for path in sorted(set(paths), key=lambda p: (len(p), [str(x) for x in p]), reverse=True):
        if not path:
            return None
        parent = pruned
        try:
            for part in path[:-1]:
                parent = parent[part]
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
                del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
    return pruned


def _where(path: tuple[Any, ...]) -> tuple[str, str]:
    for part in reversed(path):
        if isinstance(part, str) and part in _WHERE:
            return _WHERE[part]
    if not path:
        return ("顶层", "the top level")
    if len(path) >= 2 and path[-2] in _WHERE:
        return _WHERE[str(path[-2])]
    return ("此处", "this mapping")


def _key_of(path: tuple[Any, ...]) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return ""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(空 / empty)"
    if isinstance(value, dict | list):
        return "{…}" if isinstance(value, dict) else "[…]"
    return str(value)


def _type_names(types: list[str]) -> Said:
    return Said(
        " 或 ".join(_TYPE_NAMES.get(t, (t, t))[0] for t in types) or "?",
        " or ".join(_TYPE_NAMES.get(t, (t, t))[1] for t in types) or "?",
    )


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _translate(error: Any, doc: Document, name: str) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    key = _key_of(path)
    where_zh, where_en = _where(path)

    if validator is None and isinstance(doc.data, dict) and not path:
        # A key a kind forbids (`properties: {steps: false}`): a rule table
        # has entries, not steps; a procedure has steps, not entries.
        table = doc.data.get("kind") == "table"
        forbidden = {"start", "steps"} if table else {"entries"}
        offered = set(load_schema(name)["properties"]) - forbidden
        for k, v in doc.data.items():
            if k in forbidden and v is instance:
                yield Problem(
                    "unknown-key",
                    doc.pos((k,), key=True),
                    {
                        "key": k,
                        "where": Said("规则表 (kind: table) ", "a rule table (kind: table)")
                        if table
                        else Said("流程 (kind 不是 table) ", "a procedure (not kind: table)"),
                        "expected": listing(offered, 30),
                        "suggestion": "entries" if table and k == "steps" else None,
                    },
                )
        return
    if validator in ("anyOf", "oneOf") and error.context:
        if _is_due(schema, name):
            yield Problem("invalid-value", doc.pos(path), {"key": key}, "due")
            return
        yield from _best_branch(error, doc, name)
        return
    if validator == "additionalProperties":
        props = schema.get("properties", {})
        allowed = set(props)
        # A deprecated key is still read, but never offered as the fix.
        offered = {k for k, v in props.items() if not v.get("deprecated")}
        for extra in sorted(set(instance) - allowed):
            meant = _ZH_KEYS.get(extra)
            if meant not in offered:
                meant = suggest(extra, offered)
            yield Problem(
                "unknown-key",
                doc.pos((*path, extra), key=True),
                {
                    "key": extra,
                    "where": Said(where_zh, where_en),
                    "expected": listing(offered, 30),
                    "suggestion": meant,
                },
                fix=did_you_mean(doc.pos((*path, extra), key=True), meant),
            )
        return
    if validator == "required":
        present = set(instance) if isinstance(instance, dict) else set()
        missing = [k for k in error.validator_value if k not in present]
        for k in missing:
            variant = k if k in ("priority", "options") and len(path) <= 3 else ""
            yield Problem(
                "required-key",
                doc.pos(path, key=True),
                {"key": k, "where": Said(where_zh, where_en)},
                variant,
            )
        return
    if validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        actual = _kind_of(instance)
        written = _source_text(doc, path)
        args: dict[str, Any] = {
            "key": key,
            "value": _show(instance),
            "expected": _type_names(expected),
            "actual": Said(*_TYPE_NAMES[actual]),
        }
        variant = ""
        fix = None
        if "string" in expected and actual in ("integer", "number", "boolean", "null"):
            text = _fitting(name, schema, written or _show(instance).strip('"'))
            if text is not None:
                variant = "quote" if text == written else "quote-as"
                args["text"] = text
                args["value"] = written or args["value"]
                fix = Fix(doc.pos(path), _quoted(text))
        elif expected == ["boolean"] and isinstance(instance, str) and instance in _BOOL_WORDS:
            variant = "bool-word"
            args["text"] = "true" if instance.lower() in _TRUE_WORDS else "false"
            fix = Fix(doc.pos(path), args["text"])
        yield Problem("wrong-type", doc.pos(path), args, variant, fix=fix)
        return
    if validator in ("enum", "const"):
        options = error.validator_value if validator == "enum" else [error.validator_value]
        text_options = [str(o) for o in options]
        yield Problem(
            "invalid-value",
            doc.pos(path),
            {
                "key": key,
                "value": _show(instance),
                "expected": ", ".join(text_options),
                "suggestion": suggest(str(instance), text_options),
            },
            "enum",
            fix=did_you_mean(doc.pos(path), suggest(str(instance), text_options)),
        )
        return
    if validator == "pattern" and "propertyNames" in error.absolute_schema_path:
        # A bad key (a step or input id): point at the key itself.
        yield Problem(
            "invalid-value",
            doc.pos((*path, instance), key=True),
            {"key": key, "value": _show(instance)},
            "kebab-id" if schema.get("x-kind") == "kebab-id" else "snake-id",
        )
        return
    if validator == "pattern":
        kind = schema.get("x-kind", "")
        variant = (
            kind if kind in ("duration", "clock", "date", "version", "snake-id", "kebab-id") else ""
        )
        pattern_args: dict[str, Any] = {"key": key, "value": _show(instance)}
        text = _fitting(name, schema, instance) if isinstance(instance, str) else None
        fix = None
        if text is not None and text != instance and kind in ("clock", "date", "version"):
            fullwidth = any("\uff10" <= c <= "\uff1a" for c in instance)
            variant = "clock-fullwidth" if kind == "clock" and fullwidth else f"{kind}-as"
            pattern_args["text"] = text
            fix = Fix(doc.pos(path), _quoted(text))
        yield Problem("invalid-value", doc.pos(path), pattern_args, variant, fix=fix)
        return
    if validator in ("minLength", "minItems", "minProperties"):
        yield Problem("invalid-value", doc.pos(path), {"key": key}, "empty")
        return
    if validator == "uniqueItems":
        yield Problem("invalid-value", doc.pos(path), {"key": key}, "unique")
        return
    if validator in ("minimum", "maximum"):
        bounds = f"{schema.get('minimum', '')}–{schema.get('maximum', '')}"
        yield Problem(
            "invalid-value",
            doc.pos(path),
            {"key": key, "value": _show(instance), "expected": bounds},
            "range",
        )
        return
    if validator in ("maxProperties",) and key == "due":
        yield Problem("invalid-value", doc.pos(path), {"key": key}, "due")
        return
    yield Problem("invalid-value", doc.pos(path), {"key": key, "value": _show(instance)})


def _is_due(schema: Any, name: str) -> bool:
    """Whether a schema is a `due:` (one date, or the earliest/latest of
    several): its branches are told apart by keys, so its message says which
    keys it takes. Other mappings (a do item, a record) are reported by the
    branch that fits the value."""
    defs = load_schema(name).get("$defs", {})
    return any(schema == defs.get(d) for d in ("due", "dueOne"))


def _best_branch(error: Any, doc: Document, name: str) -> Iterator[Problem]:
    """For anyOf/oneOf: report the errors of the branch that fits the value's
    type; if none fits, a type error listing what would have."""
    actual = _kind_of(error.instance)
    by_branch: dict[int, list[Any]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in by_branch.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
        and not any(s.validator == "const" and not s.relative_path for s in subs)
    ]
    if fitting:
        found = [p for sub in min(fitting, key=len) for p in _translate(sub, doc, name)]
        # `{txt: …}` for `{text: …}`: the unknown key's "did you mean" says it; the
        # missing key is not reported a second time.
        meant = {p.args.get("suggestion") for p in found if p.rule == "unknown-key"}
        yield from (p for p in found if not (p.rule == "required-key" and p.args["key"] in meant))
        return
    expected: list[str] = []
    for subs in by_branch.values():
        for s in subs:
            if s.validator == "type":
                v = s.validator_value
                expected.extend(v if isinstance(v, list) else [v])
    path = tuple(error.absolute_path)
    key = _key_of(path)
    names = [t for t in dict.fromkeys(expected)]
    args: dict[str, Any] = {
        "key": key,
        "value": _show(error.instance),
        "expected": _type_names(names),
        "actual": Said(*_TYPE_NAMES[actual]),
    }
    variant = ""
    fix = None
    written = _source_text(doc, path)
    if written:
        args["value"] = written
    if "string" in names and actual in ("integer", "number", "boolean"):
        text = _fitting(name, error.schema, written or str(error.instance))
        if text is not None:
            variant = "quote" if text == written else "quote-as"
            args["text"] = text
            fix = Fix(doc.pos(path), _quoted(text))
    yield Problem("wrong-type", doc.pos(path), args, variant, fix=fix)


def _source_text(doc: Document, path: tuple[Any, ...]) -> str | None:
    """The scalar exactly as written in the file (e.g. `1.0`, not 1.0 the float)."""
    mark = doc.marks.get(path)
    if not mark or mark[0] != mark[2]:
        return None
    lines = doc.text.split("\n")
    if mark[0] - 1 >= len(lines):
        return None
    return lines[mark[0] - 1][mark[1] - 1 : mark[3] - 1] or None


# What a designer may have meant by a value that does not fit: full-width
# digits, "8.30" or "8点30" for a clock, "2026/11/22" for a date, 1 for "1.0".
_TO_ASCII = str.maketrans("０１２３４５６７８９：．／－", "0123456789:./-")
_CLOCK_LIKE = re.compile(r"(\d{1,2})\s*[:.点时]\s*(\d{2})\s*分?|(\d{2})(\d{2})")
_DATE_LIKE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})"
)
_TRUE_WORDS = frozenset({"yes", "on", "y", "true", "是", "对"})


def _candidates(written: str, kind: str) -> list[str]:
    """What `written` may have meant, the canonical form of a clock or date first."""
    text = written.translate(_TO_ASCII).strip()
    out = []
    clock = _CLOCK_LIKE.fullmatch(text) if kind == "clock" else None
    if clock:
        hour, minute = (clock.group(1), clock.group(2)) if clock.group(1) else clock.group(3, 4)
        out.append(f"{int(hour):02d}:{minute}")
    date = _DATE_LIKE.fullmatch(text) if kind == "date" else None
    if date:
        y, m, d = date.group(1, 2, 3) if date.group(1) else date.group(4, 5, 6)
        out.append(f"{y}-{int(m):02d}-{int(d):02d}")
    out += [written, text]
    if kind == "version" and re.fullmatch(r"[0-9]+", text):
        out.append(text + ".0")
    if kind == "outcome" and text.lower() in _TRUE_WORDS:
        # `end: true` means "this step ends the run": the usual outcome, not "true".
        out.insert(0, "completed")
    return out


def _fitting(name: str, schema: Any, written: str) -> str | None:
    """The first text a value could have meant that the schema accepts at
    its place: what the message offers as the fix (None: nothing fits)."""
    if not isinstance(schema, dict):
        return None
    validator = _slow_validator(name).evolve(schema=schema)
    for text in dict.fromkeys(_candidates(written, str(schema.get("x-kind", "")))):
        if text and validator.is_valid(text):
            return text
    return None


def _quoted(text: str) -> str:
    """A text as a double-quoted YAML scalar."""
    return json.dumps(text, ensure_ascii=False)
