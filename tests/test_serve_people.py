"""`sop serve` with sign-in: people and sites, sessions, CSRF and Origin,
the sign-in rate limit, and the operator in the journal."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("argon2")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from engine.journal import Journal
from engine.serve.app import COOKIE, Settings, create_app
from engine.serve.people import add_user, load_users
from tests.runtime_support import FIXTURE
from tests.web_support import answer_of, ask_form, forms


@pytest.fixture
def app_paths(tmp_path: Path) -> tuple[Path, Path]:
    users = tmp_path / "users.json"
    add_user(str(users), "李娜", "pw-lina", ("翠湖",), ("host",), "staff")
    add_user(str(users), "王强", "pw-wang", ("江湾",), (), "staff")
    add_user(str(users), "张经理", "pw-zhang", ("翠湖", "江湾"), (), "area_manager")
    return tmp_path / "j.db", users


def client_for(paths: tuple[Path, Path]) -> TestClient:
    journal, users = paths
    app = create_app(Settings(journal=str(journal), rulebook=str(FIXTURE), users=str(users)))
    return TestClient(app)


def sign_in(client: TestClient, name: str, password: str) -> int:
    page = client.get("/signin").text
    form = forms(page)[-1]
    r = client.post(
        "/signin", data={**form.fields, "name": name, "password": password}, follow_redirects=False
    )
    return r.status_code


def start(client: TestClient, procedure: str) -> str:
    page = client.get("/").text
    form = next(f for f in forms(page) if f.fields.get("procedure") == procedure)
    r = client.post("/start", data=form.fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def test_pages_need_a_signed_in_person(app_paths: tuple[Path, Path]) -> None:
    client = client_for(app_paths)
    for path in ("/", "/runs/1", "/runs/1/emergency"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert sign_in(client, "李娜", "wrong") == 401
    assert sign_in(client, "nobody", "pw-lina") == 401
    assert sign_in(client, "李娜", "pw-lina") == 303
    assert "李娜" in client.get("/").text


def test_the_operator_is_the_signed_in_person(app_paths: tuple[Path, Path]) -> None:
    client = client_for(app_paths)
    sign_in(client, "李娜", "pw-lina")
    url = start(client, "visit")
    page = client.get(url).text
    form = ask_form(page)
    assert form is not None
    client.post(form.action, data={**answer_of(form), "operator": "冒名"})
    with Journal(str(app_paths[0]), write=False) as j:
        events = j.events(1)
        row = j.run(1)
    assert {e.actor for e in events} == {"李娜"}
    assert row is not None and row.site == "翠湖" and row.operator == "李娜"


def test_another_sites_run_is_not_visible_or_writable(app_paths: tuple[Path, Path]) -> None:
    lina = client_for(app_paths)
    sign_in(lina, "李娜", "pw-lina")
    url = start(lina, "visit")
    page = lina.get(url).text
    form = ask_form(page)
    assert form is not None
    wang = client_for(app_paths)
    sign_in(wang, "王强", "pw-wang")
    assert "#1 " not in wang.get("/").text
    assert wang.get(url).status_code == 404
    assert wang.get(f"{url}/emergency").status_code == 404
    assert wang.get(f"{url}/record").status_code == 404
    assert wang.get(f"{url}/correct").status_code == 404
    home = forms(wang.get("/").text)
    token = home[0].fields["csrf"]
    r = wang.post(url, data={**answer_of(form), "csrf": token})
    assert r.status_code == 404
    r = wang.post(f"{url}/resume", data={"csrf": token})
    assert r.status_code == 404
    with Journal(str(app_paths[0]), write=False) as j:
        assert {e.actor for e in j.events(1)} == {"李娜"}
    # The area manager sees both sites' runs.
    boss = client_for(app_paths)
    sign_in(boss, "张经理", "pw-zhang")
    assert "#1 " in boss.get("/").text
    assert boss.get(url).status_code == 200


def test_staff_see_the_procedures_of_their_roles(app_paths: tuple[Path, Path]) -> None:
    lina = client_for(app_paths)
    sign_in(lina, "李娜", "pw-lina")
    wang = client_for(app_paths)
    sign_in(wang, "王强", "pw-wang")
    mine = {f.fields["procedure"] for f in forms(lina.get("/").text) if "procedure" in f.fields}
    every = {f.fields["procedure"] for f in forms(wang.get("/").text) if "procedure" in f.fields}
    assert "visit" in mine and mine < every


def test_forged_forms_are_refused(app_paths: tuple[Path, Path]) -> None:
    client = client_for(app_paths)
    sign_in(client, "李娜", "pw-lina")
    url = start(client, "visit")
    page = client.get(url).text
    form = ask_form(page)
    assert form is not None
    data = answer_of(form)
    assert client.post(url, data={**data, "csrf": "x"}).status_code == 403
    r = client.post(url, data=data, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    with Journal(str(app_paths[0]), write=False) as j:
        assert len(j.events(1)) == 2  # started, entered: nothing answered


def test_a_session_planted_before_sign_in_is_not_the_one_after(
    app_paths: tuple[Path, Path],
) -> None:
    client = client_for(app_paths)
    client.get("/signin")
    before = client.cookies.get(COOKIE)
    sign_in(client, "李娜", "pw-lina")
    after = client.cookies.get(COOKIE)
    assert before and after and before != after
    # The cookie from before signing in does not sign anyone in.
    other = client_for(app_paths)
    other.cookies.set(COOKIE, before)
    assert other.get("/", follow_redirects=False).status_code == 303
    # Signing out ends the session even for a copy of its cookie.
    stolen = TestClient(client.app)  # another browser, the same server
    stolen.cookies.set(COOKIE, after)
    assert stolen.get("/", follow_redirects=False).status_code == 200
    out = next(f for f in forms(client.get("/").text) if f.action == "/signout")
    client.post("/signout", data=out.fields)
    assert stolen.get("/", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited(app_paths: tuple[Path, Path]) -> None:
    client = client_for(app_paths)
    codes = [sign_in(client, "李娜", f"guess{i}") for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert sign_in(client, "李娜", "pw-lina") == 429  # even the right one, for a while


def test_users_add_command(tmp_path: Path) -> None:
    from tests.runtime_support import sop_in_process

    users = tmp_path / "u.json"
    code, out = sop_in_process(
        "serve", "users", "add", "赵敏", "--site", "翠湖", "--role", "receptionist",
        "--users", str(users), stdin="secret-1\nsecret-1\n",
    )  # fmt: skip
    assert code == 0, out
    person = load_users(str(users))["赵敏"]
    assert person.sites == ("翠湖",) and person.roles == ("receptionist",)
    assert person.password.startswith("$argon2id$") and "secret-1" not in users.read_text()
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    code, out = sop_in_process(
        "serve", "users", "add", "钱", "--site", "a", "--site", "b", "--users", str(users),
        stdin="x\nx\n",
    )  # fmt: skip
    assert code == 2 and "area_manager" in out


def test_the_managers_view(app_paths: tuple[Path, Path]) -> None:
    lina = client_for(app_paths)
    sign_in(lina, "李娜", "pw-lina")
    start(lina, "visit")
    wang = client_for(app_paths)
    sign_in(wang, "王强", "pw-wang")
    start(wang, "night")
    assert lina.get("/manage").status_code == 404  # staff have no manager's view
    boss = client_for(app_paths)
    sign_in(boss, "张经理", "pw-zhang")
    page = boss.get("/manage").text
    assert 'href="/runs/1/record"' in page and 'href="/runs/2/record"' in page
    page = boss.get("/manage", params={"site": "江湾"}).text
    assert 'href="/runs/1/record"' not in page and 'href="/runs/2/record"' in page
    page = boss.get("/manage", params={"status": "finished"}).text
    assert 'href="/runs/1/record"' not in page
    hostile = {"site": "<script>", "status": "x", "procedure": "'\"", "since": "2026-13-99"}
    r = boss.get("/manage", params=hostile)
    assert r.status_code == 200 and "<script>" not in r.text
    assert 'href="/runs/1/record"' in r.text  # a filter that is not one is no filter


def test_the_managers_export_is_formula_safe(app_paths: tuple[Path, Path]) -> None:
    import csv
    import io

    lina = client_for(app_paths)
    sign_in(lina, "李娜", "pw-lina")
    url = start(lina, "visit")
    page = lina.get(url).text
    form = ask_form(page)
    assert form is not None and form.fields["key"] == "input:returning"
    lina.post(form.action, data={**answer_of(form)})
    add_user(str(app_paths[1]), "=1+1", "pw-x", ("翠湖",), (), "staff")
    sly = client_for(app_paths)
    sign_in(sly, "=1+1", "pw-x")
    start(sly, "visit")
    boss = client_for(app_paths)
    sign_in(boss, "张经理", "pw-zhang")
    page = boss.get("/manage").text
    assert "翠湖" in page and "(0%)" in page  # two runs at 翠湖, none finished
    r = boss.get("/manage.csv", params={"site": "翠湖"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "运行" and rows[2][0] == "1" and rows[2][4] == "翠湖"
    assert rows[1][5] == "'=1+1"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")) or cell.startswith("'")
    assert lina.get("/manage.csv").status_code == 404
