"""No markup from a rulebook or a person reaches a `sop serve` page as
markup: a rulebook whose titles, texts, choices, roles and form labels are
attacks, and answers that are attacks, walked page by page; every page is
parsed as a browser parses it (html5lib) and must hold no element or
attribute the templates did not write."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette")
html5lib = pytest.importorskip("html5lib")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from engine.serve.app import Settings, create_app  # noqa: E402
from tests.runtime_support import FIXTURE  # noqa: E402
from tests.web_support import answer_of, ask_form, forms, tool_form  # noqa: E402

ATTACK = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
QUOTE = "\"'><svg onload=alert(3)>"
# (file, text in the fixture, hostile text in its place)
Q = json.dumps  # a YAML double-quoted string
PLACES = [
    ("visit.yaml", "title: 样板房服务流程", f"title: {Q('流程' + ATTACK)}"),
    ("visit.yaml", "title: 迎宾服务", f"title: {Q('迎宾' + SCRIPT)}"),
    ("visit.yaml", "站在样板房主入口处迎接客户", Q("站在入口" + QUOTE)),
    ("visit.yaml", "欢迎光临{{ project }}样板房", "欢迎光临{{ project }}样板房 {{ surname }}"),
    ("visit.yaml", "ask: 客户姓氏", f"ask: {Q('姓氏' + ATTACK)}"),
    ("visit.yaml", "label: 客户参观结束", f"label: {Q('客户参观结束' + SCRIPT)}"),
    ("visit.yaml", "这是样板房的客厅", Q("客厅" + QUOTE)),
    ("rulebook.yaml", "name: 样板房客服", f"name: {Q('客服' + ATTACK)}"),
    ("rulebook.yaml", "label: 人数", f"label: {Q('人数' + SCRIPT)}"),
]
ALLOWED = {
    "html", "head", "body", "meta", "title", "style", "header", "main", "a", "form", "input",
    "button", "label", "p", "h1", "h2", "div", "ol", "li", "b", "span", "br", "details",
    "summary", "textarea", "small", "table", "tr", "th", "td", "tbody", "ul", "select",
    "option",
}  # fmt: skip


@pytest.fixture
def hostile_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    for name, old, new in PLACES:
        path = book / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return book


def _clean(page: str) -> None:
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    for el in tree.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:
            continue
        assert tag in ALLOWED, f"<{tag}> reached the page"
        for attr in el.attrib:
            assert not attr.lower().startswith("on"), f"{attr} reached <{tag}>"
    assert "alert(" not in "".join(
        el.get("href", "") + el.get("src", "") for el in tree.iter() if isinstance(el.tag, str)
    )


def test_hostile_rulebook_and_answers_stay_text(hostile_book: Path, tmp_path: Path) -> None:
    app = create_app(Settings(journal=str(tmp_path / "j.db"), rulebook=str(hostile_book)))
    client = TestClient(app)
    home = client.get("/").text
    _clean(home)
    assert "流程&lt;img" in home
    form = next(f for f in forms(home) if f.fields.get("procedure") == "visit")
    page = client.post("/start", data=form.fields).text
    choices = [f"客户参观结束{SCRIPT}"]
    seen = 0
    for _ in range(80):
        _clean(page)
        q = ask_form(page)
        if q is None:
            break
        data = answer_of(q, choices)
        if q.fields["key"] == "input:surname":
            data["value"] = f"王{ATTACK}"
        if seen == 2:
            note = tool_form(page, "note")
            _clean(client.post(note.action, data={**note.fields, "note": QUOTE}).text)
        seen += 1
        page = client.post(q.action, data=data).text
    else:
        raise AssertionError("the run did not end")
    assert seen > 10
    _clean(client.get("/manage").text)
    for path in ("/manage?status=" + SCRIPT, "/runs/1?lang=" + QUOTE, "/runs/" + ATTACK):
        _clean(client.get(path).text)
