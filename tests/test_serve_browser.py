"""`sop serve` in a phone-sized headless Chromium (360×740): a person signs
in, walks a procedure by tapping, raises an emergency mid-step and comes
back, and the server killed with SIGKILL right after a tap loses nothing it
acknowledged. Screenshots are written to $SOP_WEB_SHOTS (or the test's
folder) to be looked at.

Chromium and ChromeDriver come from Debian (`chromium`, `chromium-driver`;
.ci/run installs them); without them these tests skip, and fail under CI."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.journal import Journal
from engine.runtime.events import EventKind
from tests.conftest import sop_command
from tests.runtime_support import FIXTURE

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WIDTH, HEIGHT = 360, 740


def _need_browser() -> None:
    why = None
    try:
        import selenium  # noqa: F401
        import starlette  # noqa: F401
    except ImportError:
        why = "selenium or the web extra is not installed"
    if why is None and not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        why = (
            "Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver)"
        )
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{why}: CI needs them (.ci/run installs them)")
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`sop serve` in a process of its own, started (and killed) by the test."""

    def __init__(self, tmp: Path, rulebook: Path = FIXTURE) -> None:
        self.tmp = tmp
        self.rulebook = rulebook
        self.port = _free_port()
        self.journal = tmp / "j.db"
        self.users = tmp / "users.json"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "SOP_CACHE_DIR": str(self.tmp / "cache"), "SOP_LANG": ""}
        self.proc = subprocess.Popen(
            [
                *sop_command(), "serve", "--port", str(self.port), "--journal", str(self.journal),
                "--rulebook", str(self.rulebook), "--users", str(self.users),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    said = self.proc.stderr.read() if self.proc.stderr else b""
                    raise AssertionError(said.decode(errors="replace")) from None
                time.sleep(0.1)
        raise AssertionError("sop serve did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    from engine.serve.people import add_user

    srv = Server(tmp_path)
    add_user(str(srv.users), "李娜", "pw-lina", ("翠湖",), ("host",), "staff")
    srv.start()
    try:
        yield srv
    finally:
        srv.kill()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    driver = _chromium(tmp_path / "chromium")
    try:
        yield driver
    finally:
        driver.quit()


def _chromium(profile: Path, pad: bool = True) -> Any:
    """Debian's Chromium, headless, as a 360×740 phone; without `pad`, the
    signature pad's script is never fetched (as a browser that runs none)."""
    _need_browser()
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium asks nothing of the network
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "mobileEmulation",
        {"deviceMetrics": {"width": WIDTH, "height": HEIGHT, "pixelRatio": 1.0}},
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    if not pad:
        # JavaScript itself stays on: WebDriver needs it to drive the page.
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/static/signature.js"]})
    return driver


class Person:
    """Taps through pages as staff do, and keeps screenshots."""

    def __init__(self, driver: Any, server: Server, shots: Path) -> None:
        self.d = driver
        self.server = server
        self.shots = shots
        shots.mkdir(parents=True, exist_ok=True)

    def by(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.d.find_elements(By.CSS_SELECTOR, css))

    def tap(self, element: Any) -> None:
        """Tap, and wait for the next page to have loaded."""
        from selenium.common.exceptions import WebDriverException

        self.d.execute_script("window.__before = true")
        element.click()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.d.execute_script(
                    "return window.__before === undefined && document.readyState === 'complete'"
                ):
                    return
            except WebDriverException:
                pass  # between two pages
            time.sleep(0.05)
        raise AssertionError("the next page did not load")

    def shot(self, name: str) -> None:
        self.d.save_screenshot(str(self.shots / f"{name}.png"))
        # Nothing is wider than the phone: no sideways scrolling.
        width = self.d.execute_script("return document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{name}: the page is {width} px wide"

    def key(self) -> str:
        found = self.by("form.ask input[name=key]")
        return str(found[0].get_attribute("value")) if found else ""

    def sign_in(self) -> None:
        self.d.get(self.server.url + "/")
        assert self.d.current_url.endswith("/signin")
        self.shot("01-signin")
        self.by("#name")[0].send_keys("李娜")
        self.by("#password")[0].send_keys("pw-lina")
        self.tap(self.by("form.ask button")[0])

    def start(self, procedure: str) -> None:
        form = [
            f
            for f in self.by("form[action='/start']")
            if f.find_element("css selector", "input[name=procedure]").get_attribute("value")
            == procedure
        ]
        self.tap(form[0].find_element("css selector", "button"))

    def answer(self, choices: list[str]) -> str:
        """Answer the question on the page; its key."""
        key = self.key()
        kind, _, name = key.partition(":")
        if kind == "item":
            self.tap(self.by("form.ask button[value=done]")[0])
        elif kind == "choice":
            buttons = self.by("form.ask button[name=option]")
            want = choices.pop(0) if choices else ""
            chosen = next((b for b in buttons if want and b.text.startswith(want)), buttons[0])
            self.tap(chosen)
        elif kind in ("input", "field"):
            boxes = self.by("form.ask #value")
            if boxes:
                numeric = boxes[0].get_attribute("inputmode") == "decimal"
                value = "2" if numeric else {"phone": "13800000000"}.get(name.split(".")[-1], "王")
                boxes[0].clear()
                boxes[0].send_keys(value)
                self.tap(self.by("form.ask button[type=submit]")[0])
            else:
                buttons = self.by("form.ask button[name=value], form.ask button[name=choice]")
                no = [b for b in buttons if b.get_attribute("value") == "否"]
                self.tap(no[0] if no and name != "returning" else buttons[0])
        else:
            raise AssertionError(f"cannot answer {key!r}")
        return key


def _kinds(journal: Path, run: int) -> list[str]:
    with Journal(str(journal), write=False) as j:
        return [e.kind for e in j.events(run)]


def _shots(tmp_path: Path) -> Path:
    given = os.environ.get("SOP_WEB_SHOTS")
    return Path(given) if given else tmp_path / "shots"


def test_walk_with_an_emergency_on_a_phone(server: Server, browser: Any, tmp_path: Path) -> None:
    me = Person(browser, server, _shots(tmp_path))
    me.sign_in()
    me.shot("02-home")
    me.start("visit")
    me.shot("03-first-question")
    choices = ["客户需要续杯", "客户参观结束"]
    shown: set[str] = set()
    interrupted = False
    for _ in range(80):
        key = me.key()
        if not key:
            break
        kind = key.partition(":")[0]
        if kind not in shown:
            shown.add(kind)
            me.shot(f"04-{kind}")
        if kind == "item" and not interrupted:
            # An emergency mid-step: the button on every page, then fire.
            interrupted = True
            me.tap(me.by("a.em")[0])
            me.shot("05-emergency-list")
            me.tap(me.by("form.ask button[value=fire]")[0])
            me.shot("06-emergency-step")
            for _ in range(40):
                if _kinds(server.journal, 2)[-1] == EventKind.RUN_FINISHED:
                    break
                me.answer([])
            me.shot("07-back-from-emergency")
            assert me.key() == key  # the same question it was interrupted at
            continue
        me.answer(choices)
    else:
        raise AssertionError("the run did not end")
    me.shot("08-finished")
    assert interrupted
    assert _kinds(server.journal, 1)[-1] == EventKind.RUN_FINISHED
    with Journal(str(server.journal), write=False) as j:
        assert {e.actor for e in j.events(1)} == {"李娜"}


def test_a_server_killed_after_a_tap_loses_nothing_acknowledged(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    me = Person(browser, server, _shots(tmp_path) / "kill")
    me.sign_in()
    me.start("visit")
    for _ in range(3):
        me.answer([])
    acknowledged = _kinds(server.journal, 1)
    asked = me.key()
    # The next tap, and the server killed as it arrives.
    button = me.by("form.ask button")[0]
    browser.execute_script("arguments[0].click()", button)
    server.kill()
    after_kill = _kinds(server.journal, 1)
    assert after_kill[: len(acknowledged)] == acknowledged
    server.start()
    browser.get(f"{server.url}/runs/1")  # the session outlives the restart
    me.shot("09-after-restart")
    now = me.key()
    recorded = _kinds(server.journal, 1)
    # Either the tap was recorded (the run asks the next question) or it
    # was not (the same question again); never a half-written answer.
    assert (now == asked) == (len(recorded) == len(acknowledged)), (asked, now)
    while me.key():
        me.answer(["客户参观结束"])
    assert _kinds(server.journal, 1)[-1] == EventKind.RUN_FINISHED
    check = subprocess.run(
        [*sop_command(), "journal", "verify", "--journal", str(server.journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_sign_on_the_pad_and_attach_a_photo(tmp_path: Path, browser: Any) -> None:
    """The patrol's evidence page: a photo from the phone, the customer's
    name, a signature drawn with a finger on the pad; the run's page then
    shows both pictures (thumbnails served by the server)."""
    import io

    from PIL import Image, ImageDraw
    from selenium.webdriver.common.action_chains import ActionChains

    from engine.serve.people import add_user

    srv = Server(tmp_path, FIXTURE.parent / "rulebook_evidence")
    add_user(str(srv.users), "李娜", "pw-lina", ("翠湖",), ("host",), "staff")
    photo = tmp_path / "IMG_0001.jpg"
    picture = Image.new("RGB", (1200, 900), (200, 215, 230))
    ImageDraw.Draw(picture).rectangle([300, 250, 900, 650], fill=(60, 120, 60))
    buf = io.BytesIO()
    picture.save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())
    srv.start()
    try:
        me = Person(browser, srv, _shots(tmp_path) / "evidence")
        me.sign_in()
        me.start("patrol")
        me.tap(me.by("form.ask button[value=done]")[0])
        assert me.key() == "evidence"
        pad = me.by("#sigpad canvas")
        assert pad and pad[0].is_displayed()  # JavaScript on: the pad is shown
        me.shot("10-evidence-asked")
        me.by("#photo")[0].send_keys(str(photo))
        me.by("#signer")[0].send_keys("王先生")
        box = pad[0].size
        strokes = ActionChains(browser)
        strokes.move_to_element_with_offset(pad[0], -box["width"] // 3, box["height"] // 6)
        strokes.click_and_hold()
        for dx, dy in ((20, -30), (25, 40), (30, -45), (25, 35), (30, -20)):
            strokes.move_by_offset(dx, dy)
        strokes.release().perform()
        deadline = time.monotonic() + 10
        while not browser.execute_script(
            "return document.getElementById('signature').files.length"
        ):
            assert time.monotonic() < deadline, "the drawing never reached the form"
            time.sleep(0.05)
        me.shot("11-signed")
        me.tap(me.by("form.ask button[type=submit]")[-1])
        assert not me.key(), "the run should have ended"
        images = me.by("ul.evidence img")
        assert len(images) == 2
        _loaded(browser, images)
        me.shot("12-run-with-evidence")
        text = me.by("ul.evidence")[0].text
        assert "签名 王先生" in text and "照片" in text and "李娜" in text
        browser.get(srv.url + "/runs/1/record")
        assert len(me.by("ul.evidence img")) == 2
        _loaded(browser, me.by("ul.evidence img"))
        me.shot("13-record-with-evidence")
    finally:
        srv.kill()
    with Journal(str(srv.journal), write=False) as j:
        got = [e.data for e in j.events(1) if e.kind == EventKind.EVIDENCE_ATTACHED]
    assert [(e["evidence"], e["media_type"]) for e in got] == [
        ("photo", "image/jpeg"),
        ("signature", "image/png"),
    ]
    drawn = Image.open(io.BytesIO((tmp_path / "j.evidence" / got[1]["sha256"][:2] /
                                   got[1]["sha256"]).read_bytes()))  # fmt: skip
    assert drawn.getbbox() is not None  # strokes, not an empty canvas


def test_without_the_pad_a_photo_of_a_paper_signature(tmp_path: Path) -> None:
    """The pad's script not run (JavaScript off, an old browser): no pad, and
    the page takes a photo of the signature on paper instead. (The <noscript>
    sentence is checked in the page's markup, tests/test_evidence.py: WebDriver
    cannot drive a page with JavaScript off.)"""
    from engine.serve.people import add_user

    srv = Server(tmp_path, FIXTURE.parent / "rulebook_evidence")
    add_user(str(srv.users), "李娜", "pw-lina", ("翠湖",), ("host",), "staff")
    paper = tmp_path / "paper.jpg"
    paper.write_bytes(_picture((240, 240, 235), (20, 20, 80)))
    srv.start()
    browser = _chromium(tmp_path / "chromium-nopad", pad=False)
    try:
        me = Person(browser, srv, _shots(tmp_path) / "evidence")
        me.sign_in()
        me.start("patrol")
        me.tap(me.by("form.ask button[value=done]")[0])
        assert me.key() == "evidence"
        assert not me.by("#sigpad")[0].is_displayed()
        me.shot("14-no-pad")
        me.by("#photo")[0].send_keys(str(paper))
        me.by("#signer")[0].send_keys("王先生")
        me.by("#signature_photo")[0].send_keys(str(paper))
        me.tap(me.by("form.ask button[type=submit]")[-1])
        assert not me.key(), "the run should have ended"
        _loaded(browser, me.by("ul.evidence img"))
        me.shot("15-no-pad-done")
        assert len(me.by("ul.evidence img")) == 2
    finally:
        browser.quit()
        srv.kill()


def _picture(ground: tuple[int, int, int], ink: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1200, 900), ground)
    ImageDraw.Draw(im).line([(200, 600), (450, 300), (700, 650), (1000, 320)], fill=ink, width=12)
    out = io.BytesIO()
    im.save(out, "JPEG")
    return out.getvalue()


def _loaded(browser: Any, images: list[Any]) -> None:
    """Every picture fetched and decoded (a thumbnail the server made)."""
    deadline = time.monotonic() + 10
    script = "return arguments[0].complete && arguments[0].naturalWidth"
    while not all(browser.execute_script(script, i) for i in images):
        assert time.monotonic() < deadline, "a picture did not load"
        time.sleep(0.05)
