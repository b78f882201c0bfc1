"""The JSON Schemas and the builder read the same keys: a key added to one
and not the other fails here, not in a designer's editor."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine import build
from engine.checks import registry
from engine.checks._retired import RETIRED
from engine.checks.rule import WARNING
from engine.resources import schema_path


def schema(name: str) -> dict[str, Any]:
    with schema_path(name).open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


SOP = schema("sop")
RB = schema("rulebook")


def props(node: dict[str, Any]) -> set[str]:
    return set(node["properties"])


@pytest.mark.parametrize(
    ("in_schema", "in_builder"),
    [
        (props(SOP), build.PROCEDURE_KEYS),
        (props(SOP["$defs"]["step"]), build.STEP_KEYS),
        (props(SOP["$defs"]["item"]["anyOf"][1]), build.ITEM_KEYS),
        (props(SOP["$defs"]["branch"]), build.BRANCH_KEYS),
        (props(SOP["$defs"]["choice"]), build.CHOICE_KEYS),
        (props(SOP["$defs"]["input"]), build.INPUT_KEYS),
        (props(SOP["$defs"]["dueOne"]), build.DUE_KEYS),
        (
            props(SOP["$defs"]["due"]["anyOf"][1]) | props(SOP["$defs"]["due"]["anyOf"][2]),
            build.DUE_PICK_KEYS,
        ),
        (
            props(SOP["$defs"]["step"]["properties"]["milestone"]["anyOf"][1]),
            build.MILESTONE_REF_KEYS,
        ),
        (props(SOP["$defs"]["document"]), build.DOCUMENT_KEYS),
        (props(SOP["$defs"]["revision"]), build.REVISION_KEYS),
        (props(SOP["$defs"]["milestone"]), build.MILESTONE_KEYS),
        (props(SOP["$defs"]["evidence"]), build.EVIDENCE_KEYS),
        (props(SOP["$defs"]["turn"]), build.TURN_KEYS),
        (props(RB["properties"]["queues"]["additionalProperties"]), build.QUEUE_KEYS),
        (props(SOP["$defs"]["schedule"]), build.SCHEDULE_KEYS),
        (props(SOP["$defs"]["escalation"]), build.ESCALATION_KEYS),
        (props(SOP["$defs"]["rule"]), build.RULE_KEYS),
        (props(SOP["$defs"]["neverSay"]["anyOf"][1]), build.NEVER_SAY_KEYS),
        (props(SOP["$defs"]["entry"]), build.ENTRY_KEYS),
        (props(RB["$defs"]["rule"]), build.RULEBOOK_RULE_KEYS),
        (props(RB["$defs"]["neverSay"]["anyOf"][1]), build.RULEBOOK_NEVER_SAY_KEYS),
        (props(RB), build.RULEBOOK_KEYS),
        (props(RB["properties"]["site"]), build.SITE_KEYS),
        (props(RB["properties"]["site"]["properties"]["hours"]), build.HOURS_KEYS),
        (
            props(
                RB["properties"]["site"]["properties"]["holidays"]["additionalProperties"]["anyOf"][
                    1
                ]
            ),
            build.HOLIDAY_KEYS,
        ),
        (props(RB["properties"]["organisation"]), build.ORGANISATION_KEYS),
        (props(RB["properties"]["references"]["additionalProperties"]), build.REFERENCE_KEYS),
        (props(RB["properties"]["roles"]["additionalProperties"]), build.ROLE_KEYS),
        (props(RB["properties"]["forms"]["additionalProperties"]), build.FORM_KEYS),
        (
            props(
                RB["properties"]["forms"]["additionalProperties"]["properties"]["fields"][
                    "additionalProperties"
                ]
            ),
            build.FIELD_KEYS,
        ),
    ],
)
def test_schema_and_builder_agree(in_schema: set[str], in_builder: frozenset[str]) -> None:
    assert in_schema == set(in_builder)


def test_lint_disable_lists_exactly_the_warning_rules() -> None:
    live, *retired = SOP["properties"]["lint"]["properties"]["disable"]["items"]["anyOf"]
    assert set(live["enum"]) == {r.id for r in registry().values() if r.level is WARNING}
    # A retired id is still accepted (first-edition files validate unchanged),
    # marked deprecated with the reason, so an editor strikes it through.
    assert {r["const"] for r in retired} == set(RETIRED)
    assert all(r["deprecated"] and r["description"] for r in retired)


def _walk(node: Any, where: str = "") -> list[str]:
    missing = []
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                missing.append(f"{where}/{key}")
        for key, sub in node.items():
            if key != "if":  # conditions restate keys; they are not keys of their own
                missing += _walk(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            missing += _walk(sub, f"{where}/{i}")
    return missing


def test_every_key_has_a_description_for_editor_hover() -> None:
    assert _walk(SOP) == [] and _walk(RB) == []
    for sch in (SOP, RB):
        for name, d in sch["$defs"].items():
            assert "description" in d, name


def test_schemas_are_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SOP)
    Draft202012Validator.check_schema(RB)
