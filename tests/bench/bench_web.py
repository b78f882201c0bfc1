"""Benchmark: `sop serve` answering many staff at once (a script that prints
figures, not a test).

    python tests/bench/bench_web.py [--staff 50] [--seconds 20] [--think 0] [--journal FILE]

Starts `sop serve` (one uvicorn process, the test rulebook, a journal in a
temporary folder unless given), signs in `--staff` people (each at one of
ten sites), and has each, on a thread of its own with its own keep-alive
connection, walk visits one form at a time as a phone does: GET the page,
POST the answer (the server commits it to the journal, then answers 303),
and so on, waiting `--think` seconds before each answer (0: as fast as the
server answers, a saturation test; a person reading a page and tapping takes
a few seconds); a finished visit is followed by a new one. Reported: answers per
second over everyone, and the latency of an answer's POST (commit
included) and of the page that follows — median, 95th and 99th percentile —,
the server's CPU time per answer (a figure that moves less than wall time
when others share the machine) and the load average.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.web_support import answer_of, ask_form, forms  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "rulebook_runtime"
CHOICES = ["客户参观结束"]


class Staff:
    def __init__(self, port: int, name: str, password: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.name, self.password = name, password

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data) if data is not None else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection: a phone reconnects.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.conn.host, self.conn.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
        text = r.read().decode()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("sop_session="):
                self.cookie = v.split(";")[0]
        return r.status, r.getheader("location") or "", text

    def sign_in(self) -> None:
        _, _, page = self.request("GET", "/signin")
        csrf = forms(page)[-1].fields["csrf"]
        status, _, _ = self.request(
            "POST", "/signin", {"csrf": csrf, "name": self.name, "password": self.password}
        )
        assert status == 303, status

    def start(self) -> str:
        _, _, page = self.request("GET", "/")
        form = next(f for f in forms(page) if f.fields.get("procedure") == "visit")
        status, location, _ = self.request("POST", "/start", form.fields)
        assert status == 303, status
        return location


def staff_loop(
    staff: Staff,
    stop: threading.Event,
    posts: list[float],
    pages: list[float],
    errors: list[str],
    think: float,
) -> None:
    try:
        url = staff.start()
        t0 = time.perf_counter()
        _, _, page = staff.request("GET", url)
        while not stop.is_set():
            form = ask_form(page)
            if form is None:
                url = staff.start()
                _, _, page = staff.request("GET", url)
                continue
            data = {k: str(v) for k, v in answer_of(form, list(CHOICES)).items()}
            if think:
                time.sleep(think)
            t0 = time.perf_counter()
            status, location, _ = staff.request("POST", form.action, data)
            t1 = time.perf_counter()
            if status != 303:
                errors.append(f"POST {status}")
                break
            _, _, page = staff.request("GET", location)
            t2 = time.perf_counter()
            if 'class="notice bad"' in page:
                errors.append("refused: " + re.sub(r"\s+", " ", page)[:200])
                break
            posts.append(t1 - t0)
            pages.append(t2 - t1)
    except Exception as exc:  # a benchmark reports, it does not stop at one staff's failure
        errors.append(f"{type(exc).__name__}: {exc}")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000 if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--staff", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--think", type=float, default=0.0)
    ap.add_argument("--journal", default=None)
    args = ap.parse_args()

    from engine.serve.people import add_user

    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    users = tmp / "users.json"
    for i in range(args.staff):
        add_user(str(users), f"员工{i}", "pw", (f"{i % 10 + 1}号案场",), (), "staff")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    journal = args.journal or str(tmp / "j.db")
    exe = Path(sys.executable).parent / "sop"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "engine"]
    server = subprocess.Popen(
        [*cmd, "serve", "--port", str(port), "--journal", journal, "--rulebook", str(FIXTURE),
         "--users", str(users)],
        env={**os.environ, "SOP_CACHE_DIR": str(tmp / "cache")},
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        stop = threading.Event()
        posts: list[float] = []
        pages: list[float] = []
        errors: list[str] = []
        everyone = [Staff(port, f"员工{i}", "pw") for i in range(args.staff)]
        for staff in everyone:  # one after another: a password check is made to be slow
            staff.sign_in()
        threads = [
            threading.Thread(
                target=staff_loop, args=(staff, stop, posts, pages, errors, args.think), daemon=True
            )
            for staff in everyone
        ]
        for t in threads:
            t.start()
        time.sleep(min(10.0, args.seconds / 4))  # everyone signed in and walking
        n0, t0, c0 = len(posts), time.perf_counter(), _cpu_seconds(server.pid)
        time.sleep(args.seconds)
        n1, t1, c1 = len(posts), time.perf_counter(), _cpu_seconds(server.pid)
        measured = posts[n0:n1]
        following = pages[n0:n1]
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"staff: {args.staff}, think {args.think} s, measured for {t1 - t0:.1f} s")
    print(f"answers per second: {(n1 - n0) / (t1 - t0):.1f}")
    if n1 > n0:  # CPU time moves less than wall time on a shared machine
        print(
            f"server CPU per answer and its next page: {(c1 - c0) / (n1 - n0) * 1000:.1f} ms "
            f"({(c1 - c0) / (t1 - t0) * 100:.0f}% of a core)"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"answer POST (commit included) ms: median {statistics.median(measured) * 1000:.1f}, "
        f"p95 {_pct(measured, 0.95):.1f}, p99 {_pct(measured, 0.99):.1f}, "
        f"worst {max(measured) * 1000:.1f}"
        if measured
        else "no answers measured"
    )
    if following:
        print(
            f"next page GET ms: median {statistics.median(following) * 1000:.1f}, "
            f"p95 {_pct(following, 0.95):.1f}"
        )
    if errors:
        print(f"errors ({len(errors)}): {errors[:3]}")


if __name__ == "__main__":
    main()
