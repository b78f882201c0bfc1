"""Helpers for the tests of `sop serve`: the forms of a page, read as a
browser reads them, and a person who answers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # hidden and text inputs
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, label)
    classes: str = ""
    inputs: list[str] = field(default_factory=list)  # names of text inputs and textareas
    given: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (type, value shown)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), classes=a.get("class", "")))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") == "hidden":
                self.forms[-1].fields[a["name"]] = a.get("value", "")
            else:
                self.forms[-1].inputs.append(a["name"])
                self.forms[-1].given[a["name"]] = (a.get("type", "text"), a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.forms[-1].inputs.append(a["name"])
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", "")]
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            name, value = self._button
            self.forms[-1].buttons.append((name, value, "".join(self._text).strip()))
            self._button = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def ask_form(html: str) -> Form | None:
    """The form of the question the page asks."""
    for f in forms(html):
        if "ask" in f.classes.split():
            return f
    return None


def tool_form(html: str, action: str) -> Form:
    for f in forms(html):
        if f.fields.get("action") == action:
            return f
    raise AssertionError(f"no {action} form on the page")


INPUTS: dict[str, str] = {
    "returning": "是",
    "surname": "王",
    "with_children": "否",
    "sales_present": "否",
}
FIELDS: dict[str, str] = {
    "customer_name": "王先生",
    "phone": "13800000000",
    "party_size": "2",
    "satisfied": "是",
}


def answer_of(form: Form, choices: list[str] | None = None) -> dict[str, Any]:
    """What a person fills into the question's form: every item done, inputs
    and fields as above (else the first button, or a plain text), choices in
    the order given (else the first)."""
    data: dict[str, Any] = dict(form.fields)
    key = form.fields.get("key", "")
    kind, _, name = key.partition(":")
    name = name.rpartition(".")[2]
    if kind == "item":
        data["status"] = "done"
    elif kind == "choice":
        labels = [label for n, _, label in form.buttons if n == "option"]
        want = choices.pop(0) if choices else None
        index = next((i for i, lab in enumerate(labels) if want and lab.startswith(want)), 0)
        data["option"] = str(index)
    elif kind in ("input", "field"):
        given = INPUTS.get(name) if kind == "input" else FIELDS.get(name)
        if "value" in form.inputs:
            kind_of, shown = form.given.get("value", ("text", ""))
            typed = {"date": "2026-12-01", "time": "10:30", "tel": "13800000000"}.get(kind_of, "1")
            data["value"] = given or shown or typed
        elif any(n == "choice" for n, _, _ in form.buttons):
            data["choice"] = "0"
        else:
            values = [v for n, v, _ in form.buttons if n == "value"]
            data["value"] = given if given in values else values[0]
    elif kind == "wait":
        data["now"] = "yes"
    elif kind == "people":
        data["names"] = "李四" if name == "another" else "李四\n王五"
    else:
        raise AssertionError(f"cannot answer {key!r}")
    return data
