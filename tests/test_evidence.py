"""Evidence (photos and signatures): the language key, the store beside the
journal, the runner asking for it, and `sop journal verify` covering it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.validate import load_rulebook
from tests.conftest import CASES


def test_evidence_is_read_from_steps_and_items() -> None:
    book = load_rulebook(CASES / "ok")
    proc = book.procedure("features")
    step = proc.steps["party_check"]
    ev = step.evidence
    assert ev is not None and (ev.photos, ev.signature, ev.signer) == (2, True, "客户")
    greet = proc.steps["greet"]
    assert greet.evidence is None
    ev = greet.do[2].evidence
    assert ev is not None and (ev.photos, ev.signature, ev.signer) == (1, False, None)
    assert ev.pos.line > 0


# ---- the store beside the journal

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def _drawn() -> bytes:
    """A signature as the phone's pad sends it: strokes on a transparent PNG."""
    import io

    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (240, 90), (0, 0, 0, 0))
    strokes = [(10, 60), (60, 20), (110, 70), (170, 15), (230, 55)]
    ImageDraw.Draw(im).line(strokes, fill=(20, 30, 60, 255), width=4)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


SIGN = _drawn()


def test_pictures_are_known_by_their_first_bytes_not_their_name() -> None:
    from engine.journal.evidence import media_type

    assert media_type(PNG) == "image/png"
    assert media_type(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "image/jpeg"
    assert media_type(b"RIFF\x10\0\0\0WEBPVP8 ") == "image/webp"
    assert media_type(b"GIF89a" + b"\0" * 20) is None
    assert media_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert media_type(b"RIFF\x10\0\0\0WAVEfmt ") is None


def test_the_store_keeps_each_picture_once_under_its_sha256(tmp_path: Path) -> None:
    import hashlib

    from engine.journal.evidence import EvidenceStore

    store = EvidenceStore(tmp_path / "ev")
    a = store.put(PNG, "a.png")
    b = store.put(PNG, "other-name.jpg")
    sha = hashlib.sha256(PNG).hexdigest()
    assert a == b and (a.sha256, a.media_type, a.size) == (sha, "image/png", len(PNG))
    files = [p for p in (tmp_path / "ev").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [sha]  # never the upload's name
    assert store.check(sha) == "ok"
    store.path(sha).write_bytes(PNG + b"x")
    assert store.check(sha) == "altered"
    store.path(sha).unlink()
    assert store.check(sha) == "missing"


def test_the_store_refuses_what_is_not_a_picture_or_too_big(tmp_path: Path) -> None:
    import pytest

    from engine.journal.evidence import MAX_BYTES, EvidenceRefused, EvidenceStore

    store = EvidenceStore(tmp_path / "ev")
    with pytest.raises(EvidenceRefused, match="不是 JPEG、PNG 或 WebP"):
        store.put(b"%PDF-1.7 not a picture", "x.jpg")
    store.put(PNG + b"\0" * (MAX_BYTES - len(PNG)), "max.png")  # exactly 10 MB is taken
    with pytest.raises(EvidenceRefused, match="超过 10 MB"):
        store.put(PNG + b"\0" * (MAX_BYTES + 1 - len(PNG)), "big.png")
    assert len([p for p in (tmp_path / "ev").rglob("*") if p.is_file()]) == 1


def test_the_folder_is_beside_the_journal(tmp_path: Path) -> None:
    from engine.journal.evidence import evidence_folder

    assert evidence_folder(str(tmp_path / "journal.sqlite3")) == tmp_path / "journal.evidence"
    assert evidence_folder(str(tmp_path / "j.sqlite3"), str(tmp_path / "d")) == tmp_path / "d"
    assert evidence_folder(":memory:") is None
    assert evidence_folder("postgresql://u@h/db") is None


# ---- the runner asks, a scenario answers, verify covers it


def _visit(folder: Path, photos: list[str], signer: str | None = "王先生") -> Path:
    """A scenario of the features procedure: greet's third item asks one
    photo, party_check (more than 3 visitors) two photos and 客户's signature."""
    import yaml

    proof: dict[str, object] = {"photo": photos}
    if signer is not None:
        proof["signature"] = signer
        proof["signature_file"] = "sign.png"
    data = {
        "procedure": "features",
        "now": "2026-11-23T10:00:00+00:00",
        "set": {"party": 5},
        "inputs": {"returning": True, "surname": "王", "weather": "晴"},
        "steps": {
            "greet": {"evidence": [{"photo": ["a.png"]}]},
            "party_check": {"evidence": [proof]},
            "during_visit": {"choice": "客户参观结束"},
            "record_visit": {
                "record": {
                    "visitor_log.customer_name": "王",
                    "visitor_log.phone": "13800000000",
                    "visitor_log.party": 5,
                    "call_log.score": 1,
                    "call_log.called_on": "2026-11-23",
                    "call_log.at_time": "10:00",
                    "call_log.amount": 1,
                }
            },
        },
    }
    path = folder / "visit.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (folder / "a.png").write_bytes(PNG)
    (folder / "sign.png").write_bytes(SIGN)
    (folder / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"jpeg body")
    (folder / "fake.png").write_bytes(b"GIF89a not really")
    return path


def _attached(journal: Path) -> list[dict[str, object]]:
    import sqlite3

    db = sqlite3.connect(journal)
    rows = db.execute("SELECT data FROM events WHERE kind = 'evidence.attached' ORDER BY seq")
    import json

    return [json.loads(d) for (d,) in rows]


def test_a_scenario_gives_the_evidence_and_verify_covers_it(tmp_path: Path) -> None:
    import hashlib

    from tests.runtime_support import sop_in_process

    journal = tmp_path / "j.sqlite3"
    base = ("--rulebook", str(CASES / "ok"), "--journal", str(journal))
    scenario = _visit(tmp_path, ["a.png", "b.jpg"])
    code, out = sop_in_process("run", "features", *base, "--answers", str(scenario))
    assert code == 0, out
    got = _attached(journal)
    png, jpg = hashlib.sha256(PNG).hexdigest(), hashlib.sha256((tmp_path / "b.jpg").read_bytes())
    assert [(e["step"], e["item"], e["evidence"], e.get("sha256")) for e in got] == [
        ("greet", 2, "photo", png),
        ("party_check", None, "photo", png),
        ("party_check", None, "photo", jpg.hexdigest()),
        ("party_check", None, "signature", hashlib.sha256(SIGN).hexdigest()),
    ]
    assert got[-1]["signer"] == "王先生" and got[2]["media_type"] == "image/jpeg"
    folder = tmp_path / "j.evidence"
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == sorted(
        {png, jpg.hexdigest(), hashlib.sha256(SIGN).hexdigest()}
    )  # the same picture twice is kept once
    code, out = sop_in_process("show", "1", "--journal", str(journal))
    assert code == 0 and f"照片: {png[:12]} image/png {len(PNG)}B" in out, out
    assert "签名: 王先生" in out
    code, out = sop_in_process("journal", "verify", "--journal", str(journal))
    assert code == 0, out
    (folder / png[:2] / png).write_bytes(PNG + b"changed")
    (folder / jpg.hexdigest()[:2] / jpg.hexdigest()).unlink()
    code, out = sop_in_process("journal", "verify", "--journal", str(journal))
    assert code == 1
    assert f"凭证文件被改动过 (内容与记下的 sha256 不符): {png[:12]}" in out, out
    assert f"凭证文件不见了: {jpg.hexdigest()[:12]}" in out


def test_a_scenario_with_too_few_photos_or_not_a_picture_fails(tmp_path: Path) -> None:
    from tests.runtime_support import sop_in_process

    base = ("--rulebook", str(CASES / "ok"), "--journal", str(tmp_path / "j.sqlite3"))
    for photos, said in ((["a.png"], "photo: 1 < 2"), (["a.png", "fake.png"], "JPEG")):
        scenario = _visit(tmp_path, photos)
        code, out = sop_in_process("run", "features", *base, "--answers", str(scenario))
        assert code != 0 and said in out, out
    code, out = sop_in_process(
        "run", "features", *base, "--answers", str(_visit(tmp_path, ["a.png", "a.png"], None))
    )
    assert code != 0 and "signature" in out, out


def test_evidence_goes_to_the_folder_given(tmp_path: Path) -> None:
    from tests.runtime_support import sop_in_process

    journal, other = tmp_path / "j.sqlite3", tmp_path / "elsewhere"
    base = ("--rulebook", str(CASES / "ok"), "--journal", str(journal))
    scenario = _visit(tmp_path, ["a.png", "a.png"])
    code, out = sop_in_process(
        "run", "features", *base, "--answers", str(scenario), "--evidence", str(other)
    )
    assert code == 0, out
    assert not (tmp_path / "j.evidence").exists() and any(other.rglob("*"))
    code, out = sop_in_process("journal", "verify", "--journal", str(journal))
    assert code == 1 and "凭证文件不见了" in out
    code, out = sop_in_process(
        "journal", "verify", "--journal", str(journal), "--evidence", str(other)
    )
    assert code == 0, out


def test_the_terminal_asks_for_photo_paths_and_refuses_what_is_not_a_picture(
    tmp_path: Path,
) -> None:
    """As staff would, at a 60-column terminal: the item done, a photo's path
    asked, a file that is not a picture and one that is not there refused."""
    import os

    import pytest

    from engine.journal import Journal
    from tests.conftest import sop_command

    pexpect = pytest.importorskip("pexpect")
    _visit(tmp_path, [])  # writes a.png and fake.png
    env = {**os.environ, "LANG": "C.UTF-8", "SOP_CACHE_DIR": str(tmp_path / "cache")}
    env["SOP_JOURNAL"], env["TERM"] = str(tmp_path / "j.db"), "xterm"
    cmd = sop_command()
    args = [*cmd[1:], "run", "features", "--rulebook", str(CASES / "ok"), "--no-color"]
    t = pexpect.spawn(
        cmd[0], args, env=env, cwd=str(tmp_path), encoding="utf-8", timeout=20,
        dimensions=(40, 60),
    )  # fmt: skip
    for answer in ("晴", "y", "王", "y", "y"):
        t.expect("›")
        t.sendline(answer)
    t.expect("照片 1/1 的文件路径 ›")
    assert "「请置业顾问陪同」要留下凭证: 1 张照片" in (t.before or "")
    t.sendline("fake.png")
    t.expect("照片 1/1 的文件路径 ›")
    assert "fake.png 不是 JPEG、PNG 或 WebP 图片" in (t.before or "")
    t.sendline("nothere.png")
    t.expect("照片 1/1 的文件路径 ›")
    assert "读不到文件 nothere.png: 文件不存在" in (t.before or "")
    assert "No such file" not in (t.before or "")  # the OS's English text is not shown
    t.sendline(".")
    t.expect("照片 1/1 的文件路径 ›")
    assert "读不到文件 .: 这是一个文件夹, 不是文件" in (t.before or "")
    t.sendline("a.png")
    t.expect("选择")
    t.sendline("p")
    t.expect(pexpect.EOF)
    with Journal(str(tmp_path / "j.db")) as j:
        got = [e.data for e in j.events(1) if e.kind == "evidence.attached"]
    assert [(e["step"], e["item"], e["evidence"], e["media_type"]) for e in got] == [
        ("greet", 2, "photo", "image/png")
    ]
    kept = [p.name for p in (tmp_path / "j.evidence").rglob("*") if p.is_file()]
    assert kept == [got[0]["sha256"]]


def test_the_web_page_takes_photos_by_upload(tmp_path: Path) -> None:
    """The phone page: a file input that opens the camera, posted as
    multipart; a file that is not a picture is refused and asked again."""
    import pytest

    pytest.importorskip("starlette")
    pytest.importorskip("multipart")
    from starlette.testclient import TestClient

    from engine.journal import Journal
    from engine.serve.app import Settings, create_app
    from engine.serve.people import add_user
    from tests.web_support import answer_of, ask_form, forms

    users, journal = tmp_path / "users.json", tmp_path / "j.db"
    add_user(str(users), "李娜", "pw-lina", ("xx项目销售案场",), ("host",), "staff")
    app = create_app(Settings(journal=str(journal), rulebook=str(CASES / "ok"), users=str(users)))
    client = TestClient(app)
    login = forms(client.get("/signin").text)[-1]
    client.post("/signin", data={**login.fields, "name": "李娜", "password": "pw-lina"})
    start = next(f for f in forms(client.get("/").text) if f.fields.get("procedure") == "features")
    where = client.post("/start", data=start.fields, follow_redirects=False).headers["location"]
    for _ in range(12):
        page = client.get(where).text
        form = ask_form(page)
        assert form is not None, page
        key = form.fields.get("key", "")
        if key == "evidence":
            break
        client.post(where, data=answer_of(form))
    else:
        raise AssertionError("no evidence asked")
    assert 'enctype="multipart/form-data"' in page
    assert '<input type="file" id="photo" name="photo" accept="image/*" capture' in page
    r = client.post(where, data=form.fields, files={"photo": ("x.png", b"GIF89a...", "image/png")})
    assert "#1 不是 JPEG、PNG 或 WebP 图片" in r.text, r.text
    r = client.post(where, data=form.fields, files={"photo": ("IMG_0001.png", PNG, "image/png")})
    assert r.status_code == 200
    assert ask_form(client.get(where).text).fields.get("key") != "evidence"  # type: ignore[union-attr]
    with Journal(str(journal)) as j:
        got = [e.data for e in j.events(1) if e.kind == "evidence.attached"]
    assert [(e["step"], e["item"], e["media_type"], e["size"]) for e in got] == [
        ("greet", 2, "image/png", len(PNG))
    ]
    kept = [p.name for p in (tmp_path / "j.evidence").rglob("*") if p.is_file()]
    assert kept == [got[0]["sha256"]]  # never IMG_0001.png


def test_the_report_lists_the_evidence_and_shows_the_pictures(tmp_path: Path) -> None:
    """`sop report` in every format: each file with its sha256 (short), size
    and state; HTML and PDF with thumbnails; a missing or altered file is
    marked, not drawn, and nothing crashes."""
    import hashlib
    import io
    import json

    from pypdf import PdfReader

    from tests.runtime_support import sop_in_process

    journal = tmp_path / "j.sqlite3"
    base = ("--journal", str(journal))
    scenario = _visit(tmp_path, ["a.png", "b.jpg"])
    code, out = sop_in_process("run", "features", "--rulebook", str(CASES / "ok"), *base,
                               "--answers", str(scenario))  # fmt: skip
    assert code == 0, out
    sign = hashlib.sha256(SIGN).hexdigest()
    code, out = sop_in_process("report", "1", *base)
    assert code == 0 and "▣ 签名 王先生 · 客户较多" in out and sign[:12] in out, out
    code, out = sop_in_process("report", "1", *base, "--format", "md", "--lang", "en")
    assert f"| signature 王先生 | 客户较多 | — | {sign[:12]} | {len(SIGN)}B | intact |" in out, out
    code, out = sop_in_process("report", "1", *base, "--format", "json")
    proofs = json.loads(out)["evidence"]
    assert [(p["evidence"], p["step"], p["item"], p["file"]) for p in proofs] == [
        ("photo", "迎宾服务", "请置业顾问陪同", "ok"),
        ("photo", "客户较多", None, "ok"),
        ("photo", "客户较多", None, "ok"),
        ("signature", "客户较多", None, "ok"),
    ]
    code, out = sop_in_process("report", "1", *base, "--format", "html")
    # b.jpg starts as a JPEG but is none: listed, no picture drawn of it
    assert code == 0 and out.count('<img src="data:image/jpeg;base64,') == 3, out[-2000:]
    pdf = tmp_path / "r.pdf"
    code, out = sop_in_process("report", "1", *base, "--format", "pdf", "-o", str(pdf))
    assert code == 0, out
    page = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0]
    # the same picture twice is one image in the PDF: a.png and the signature
    assert len(page.images) == 2 and sign[:12] in page.extract_text()
    # The signature's file altered, the photo's removed: marked, not drawn.
    folder = tmp_path / "j.evidence"
    (folder / sign[:2] / sign).write_bytes(SIGN + b"x")
    png = hashlib.sha256(PNG).hexdigest()
    (folder / png[:2] / png).unlink()
    code, out = sop_in_process("report", "1", *base)
    flat = "".join(out.split())  # the lines are wrapped at the terminal's width
    assert "⚠文件被改动" in flat and flat.count("⚠文件不在") == 2, out
    code, out = sop_in_process("report", "1", *base, "--format", "html")
    assert "<img " not in out and out.count('class="bad"') == 3
    code, out = sop_in_process("report", "1", *base, "--format", "pdf", "-o", str(pdf))
    assert code == 0 and len(PdfReader(str(pdf)).pages[0].images) == 0


def test_the_html_report_escapes_what_people_typed(tmp_path: Path) -> None:
    from engine.journal import Journal
    from engine.render.runs import render_report_html
    from engine.runtime.record import read_record
    from tests.runtime_support import sop_in_process

    journal = tmp_path / "j.sqlite3"
    scenario = _visit(tmp_path, ["a.png", "b.jpg"], signer="<script>x</script>")
    code, out = sop_in_process("run", "features", "--rulebook", str(CASES / "ok"),
                               "--journal", str(journal), "--answers", str(scenario))  # fmt: skip
    assert code == 0, out
    with Journal(str(journal)) as j:
        record = read_record(j, 1)
    assert record is not None
    html = render_report_html(record, "zh", None)
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "未核对" in html  # no folder given: the files are not checked, not shown
    import io

    from pypdf import PdfReader

    from engine.render.run_pdf import render_report_pdf

    pdf = render_report_pdf(record, "zh", tmp_path / "j.evidence")  # ReportLab markup escaped
    assert "<script>x</script>" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


# ---- sop serve: the drawn signature, the run's page with the pictures

EVIDENCE_BOOK = Path(__file__).parent / "fixtures" / "rulebook_evidence"


def _phone(tmp_path: Path) -> tuple[Any, Path, Any]:
    """A signed-in person at the patrol's evidence question (item done)."""
    from starlette.testclient import TestClient

    from engine.serve.app import Settings, create_app
    from engine.serve.people import add_user
    from tests.web_support import ask_form, forms

    users, journal = tmp_path / "users.json", tmp_path / "j.db"
    add_user(str(users), "李娜", "pw-lina", ("翠湖",), ("host",), "staff")
    add_user(str(users), "王强", "pw-wang", ("江湾",), ("host",), "staff")
    app = create_app(Settings(journal=str(journal), rulebook=str(EVIDENCE_BOOK), users=str(users)))
    client = TestClient(app)
    login = forms(client.get("/signin").text)[-1]
    client.post("/signin", data={**login.fields, "name": "李娜", "password": "pw-lina"})
    start = next(f for f in forms(client.get("/").text) if f.fields.get("procedure") == "patrol")
    client.post("/start", data=start.fields)
    item = ask_form(client.get("/runs/1").text)
    assert item is not None and item.fields["key"].startswith("item")
    client.post("/runs/1", data={**item.fields, "status": "done"})
    form = ask_form(client.get("/runs/1").text)
    assert form is not None and form.fields["key"] == "evidence"
    return client, journal, form


def test_the_phone_page_offers_a_pad_and_a_paper_signature(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("starlette")
    client, _, _ = _phone(tmp_path)
    page = client.get("/runs/1").text
    assert '<div id="sigpad" class="sigpad" hidden>' in page and "<canvas" in page
    assert '<input type="file" id="signature" name="signature" accept="image/png" hidden>' in page
    assert '<noscript><p class="notice">手写签名需要浏览器开启 JavaScript' in page
    assert '<input type="file" id="signature_photo" name="signature_photo"' in page
    assert '<script src="/static/signature.js" defer></script>' in page
    js = client.get("/static/signature.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "DataTransfer" in js.text and "http" not in js.text  # nothing from elsewhere
    assert client.get("/static/..%2Fapp.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404


def test_a_signature_that_is_no_png_too_big_or_missing_is_refused(tmp_path: Path) -> None:
    import hashlib

    import pytest

    pytest.importorskip("starlette")
    from engine.journal import Journal
    from engine.journal.evidence import MAX_SIGNATURE
    from tests.web_support import ask_form

    client, journal, form = _phone(tmp_path)
    fields = {**form.fields, "signer": "王先生"}
    photo = {"photo": ("p.png", PNG, "image/png")}
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 100
    tries = [
        ({}, "请签名"),  # no signature at all
        ({"signature": ("s.png", jpeg, "image/png")}, "手写签名必须是 PNG 图片"),
        ({"signature": ("s.png", b"<svg onload=alert(1)>", "image/png")}, "必须是 PNG"),
        ({"signature": ("s.png", SIGN[:8] + b"\0" * MAX_SIGNATURE, "image/png")}, "超过"),
        ({"signature_photo": ("p.gif", b"GIF89a", "image/gif")}, "不是 JPEG、PNG 或 WebP"),
    ]
    for extra, said in tries:
        r = client.post("/runs/1", data=fields, files={**photo, **extra})
        assert r.status_code == 200 and said in r.text, (said, r.text[-1500:])
        again = ask_form(r.text)
        assert again is not None and again.fields["key"] == "evidence"
    with Journal(str(journal)) as j:
        assert not [e for e in j.events(1) if e.kind == "evidence.attached"]
    # A name that climbs out of the folder is never used: the file is kept
    # under its sha256 inside the evidence folder, and nowhere else.
    sneaky = {"signature": ("../../../../sneaky.png", SIGN, "image/png")}
    r = client.post("/runs/1", data=fields, files={**photo, **sneaky})
    assert r.status_code == 200
    with Journal(str(journal)) as j:
        got = [e.data for e in j.events(1) if e.kind == "evidence.attached"]
    sign = hashlib.sha256(SIGN).hexdigest()
    assert [(e["evidence"], e["signer"], e["sha256"]) for e in got] == [
        ("photo", None, hashlib.sha256(PNG).hexdigest()),
        ("signature", "王先生", sign),
    ]
    assert not list(tmp_path.parent.rglob("sneaky.png"))
    assert (tmp_path / "j.evidence" / sign[:2] / sign).read_bytes() == SIGN


def test_the_run_page_and_record_show_the_pictures(tmp_path: Path) -> None:
    import hashlib

    import pytest

    pytest.importorskip("starlette")
    from tests.web_support import forms

    client, _, form = _phone(tmp_path)
    files = {
        "photo": ("p.png", SIGN, "image/png"),
        "signature_photo": ("x.jpg", JPEG, "image/jpeg"),
    }
    client.post("/runs/1", data={**form.fields, "signer": "<b>王</b>"}, files=files)
    sign, paper = hashlib.sha256(SIGN).hexdigest(), hashlib.sha256(JPEG).hexdigest()
    for url in ("/runs/1", "/runs/1/record"):
        page = client.get(url).text
        assert f'<img src="/runs/1/evidence/{sign}"' in page, page
        assert f'<img src="/runs/1/evidence/{paper}"' in page
        assert "&lt;b&gt;王&lt;/b&gt;" in page and "<b>王</b>" not in page
    thumb = client.get(f"/runs/1/evidence/{paper}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content.startswith(b"\xff\xd8") and len(thumb.content) < len(JPEG)
    assert "sandbox" in thumb.headers["content-security-policy"]
    full = client.get(f"/runs/1/evidence/{sign}?size=full")
    assert full.content == SIGN and full.headers["content-type"] == "image/png"
    # Only a sha256 the run names, and only the run's own people.
    assert client.get("/runs/1/evidence/" + "0" * 64).status_code == 404
    assert client.get("/runs/1/evidence/..%2F..%2Fusers.json").status_code == 404
    assert client.get("/runs/1/evidence/../../users.json").status_code == 404
    (tmp_path / "j.evidence" / paper[:2] / paper).write_bytes(JPEG + b"x")
    page = client.get("/runs/1/record").text
    assert f'<img src="/runs/1/evidence/{paper}"' not in page and "文件被改动" in page
    assert client.get(f"/runs/1/evidence/{paper}").status_code == 404
    client.post("/signout", data=forms(client.get("/").text)[0].fields)
    login = forms(client.get("/signin").text)[-1]
    client.post("/signin", data={**login.fields, "name": "王强", "password": "pw-wang"})
    assert client.get(f"/runs/1/evidence/{sign}").status_code == 404  # another site's run


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (900, 600), (120, 160, 200)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


def test_the_terminal_asks_for_the_signers_name_and_the_signatures_picture(
    tmp_path: Path,
) -> None:
    """At a 60-column terminal: the photo's path, the signer's name, then the
    path of the signature's picture (a scan or photo of the signed paper);
    a file that is not a picture is refused and asked again."""
    import hashlib
    import os

    import pytest

    from engine.journal import Journal
    from tests.conftest import sop_command

    pexpect = pytest.importorskip("pexpect")
    (tmp_path / "a.png").write_bytes(PNG)
    (tmp_path / "sign.png").write_bytes(SIGN)
    (tmp_path / "fake.png").write_bytes(b"GIF89a not really")
    env = {**os.environ, "LANG": "C.UTF-8", "SOP_CACHE_DIR": str(tmp_path / "cache")}
    env["SOP_JOURNAL"], env["TERM"] = str(tmp_path / "j.db"), "xterm"
    cmd = sop_command()
    args = [*cmd[1:], "run", "patrol", "--rulebook", str(EVIDENCE_BOOK), "--no-color"]
    t = pexpect.spawn(
        cmd[0], args, env=env, cwd=str(tmp_path), encoding="utf-8", timeout=20,
        dimensions=(40, 60),
    )  # fmt: skip
    t.expect("›")
    t.sendline("y")
    t.expect("照片 1/1 的文件路径 ›")
    t.sendline("a.png")
    t.expect("签名人姓名 \\(客户\\) ›")
    t.sendline("王先生")
    t.expect("签名图片的文件路径.*›")
    t.sendline("fake.png")
    t.expect("签名图片的文件路径.*›")
    assert "fake.png 不是 JPEG、PNG 或 WebP 图片" in (t.before or "")
    t.sendline("sign.png")
    t.expect(pexpect.EOF)
    with Journal(str(tmp_path / "j.db")) as j:
        got = [e.data for e in j.events(1) if e.kind == "evidence.attached"]
    assert [(e["evidence"], e["signer"], e["sha256"]) for e in got] == [
        ("photo", None, hashlib.sha256(PNG).hexdigest()),
        ("signature", "王先生", hashlib.sha256(SIGN).hexdigest()),
    ]
