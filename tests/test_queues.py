"""Queues (the sales rotation): the fold over a queue's events, the keeper's
changes through `sop queue`, and the stream kept in the journal on both stores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import RunError, UsageError
from engine.journal import Journal, RunFilter
from engine.model import Queue
from engine.problems import Pos
from engine.runtime import queues as q
from engine.runtime.events import (
    EventDamaged,
    QueueAway,
    QueueBack,
    QueueCredited,
    QueueEvent,
    QueueJoined,
    QueueOrdered,
    QueueTurn,
    decode_queue,
)
from engine.runtime.queues import NotQueueable, QueueState
from tests.conftest import CASES

OK = CASES / "ok"
AT = "2026-12-02T10:00:00.000+08:00"
ROTATION = Queue("sales_rotation", "销售接待轮序", Pos("rulebook.yaml", 1, 1))


def folded(*events: QueueEvent, at: str = AT) -> QueueState:
    s = QueueState()
    for seq, e in enumerate(events, 1):
        s.apply(e, at, seq)
    return s


def take(s: QueueState, run: int = 1, counts: bool = True) -> str:
    person, owed = q.choose(s, ROTATION, "销售经理", "next", None)
    s.apply(
        QueueTurn(person=person, take="next", counts=counts, run=run, step="receive", owed=owed),
        AT,
        max(s.turns, default=0) + 100,
    )
    return person


def test_counted_turns_go_round_the_order() -> None:
    s = folded(QueueJoined(people=("李娜", "王强", "赵敏")))
    assert [take(s) for _ in range(6)] == ["李娜", "王强", "赵敏"] * 2
    assert s.today("2026-12-02") == {"李娜": 2, "王强": 2, "赵敏": 2}


def test_an_uncounted_turn_changes_nothing_and_last_is_the_latest_receiver() -> None:
    s = folded(QueueJoined(people=("李娜", "王强", "赵敏")))
    take(s)  # 李娜 receives and goes to the back
    assert s.last() == "李娜"  # 同行市调: the last in the order, not counted (rule 4)
    s.apply(QueueTurn(person="李娜", take="last", counts=False, run=2, step="researcher"), AT, 50)
    assert s.order == ["王强", "赵敏", "李娜"]
    assert s.today("2026-12-02") == {"李娜": 1}


def test_away_keeps_the_place_and_receives_the_first_visitor_on_return() -> None:
    # rule 7: 因公外出而轮空归来后, 补给当时来访的第一批客户, 以后仍按原顺序
    s = folded(QueueJoined(people=("李娜", "王强", "赵敏")), QueueAway(person="李娜"))
    assert [take(s) for _ in range(3)] == ["王强", "赵敏", "王强"]
    s.apply(QueueBack(person="李娜"), AT, 90)
    assert [take(s) for _ in range(3)] == ["李娜", "赵敏", "王强"]


def test_a_credit_takes_back_the_count_and_owes_a_turn_served_first() -> None:
    # rule 6: 不计接待次数, 补接待客户一次
    s = folded(QueueJoined(people=("李娜", "王强", "赵敏")))
    assert take(s, run=7) == "李娜"
    undo = s.counted_turn("李娜", 7)
    assert undo is not None
    s.apply(QueueCredited(person="李娜", run=7, step="researcher", undoes=undo), AT, 200)
    assert s.today("2026-12-02") == {}
    assert s.next() == ("李娜", True)
    assert take(s, run=8) == "李娜"
    assert s.owed == []
    assert take(s, run=9) == "王强"


def test_events_the_queue_could_not_have_had_are_refused() -> None:
    with pytest.raises(NotQueueable):
        folded(QueueJoined(people=("李娜",)), QueueJoined(people=("李娜",)))
    with pytest.raises(NotQueueable):
        folded(QueueJoined(people=("李娜",)), QueueBack(person="李娜"))
    with pytest.raises(NotQueueable):
        folded(QueueJoined(people=("李娜", "王强")), QueueOrdered(order=("李娜",)))
    with pytest.raises(NotQueueable):
        folded(
            QueueJoined(people=("李娜",)),
            QueueTurn(person="李娜", take="next", counts=True, run=1, step="s", owed=True),
        )
    with pytest.raises(NotQueueable):
        folded(
            QueueJoined(people=("李娜",)),
            QueueCredited(person="李娜", run=1, step="s", undoes=1),
        )
    with pytest.raises(EventDamaged):
        decode_queue("queue.turn", {"person": "李娜", "take": "first", "counts": True, "run": 1})


def test_nobody_present_or_nobody_at_all_is_said() -> None:
    with pytest.raises(RunError) as empty:
        q.choose(QueueState(), ROTATION, "销售经理", "next", None)
    assert "join" in empty.value.message
    s = folded(QueueJoined(people=("李娜",)), QueueAway(person="李娜"))
    with pytest.raises(RunError) as away:
        q.choose(s, ROTATION, "销售经理", "next", None)
    assert "back" in away.value.message


def test_the_keepers_mistakes_are_refused_with_what_to_do() -> None:
    s = folded(QueueJoined(people=("李娜", "王强")))
    with pytest.raises(UsageError, match="李娜"):
        q.keeper_change("销售接待轮序", "join", ["李娜"])(s)
    with pytest.raises(UsageError, match="李娜"):  # did you mean
        q.keeper_change("销售接待轮序", "leave", ["李那"])(s)
    with pytest.raises(UsageError, match="王强"):
        q.keeper_change("销售接待轮序", "order", ["李娜", "李娜"])(s)
    with pytest.raises(UsageError):
        q.keeper_change("销售接待轮序", "away", [" "])(s)


# ---- a property: whatever happens, the fold keeps its promises

NAMES = ["李娜", "王强", "赵敏", "陈静"]
ops = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave", "away", "back", "order", "next", "last", "credit"]),
        st.sampled_from(NAMES),
        st.permutations(NAMES),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_the_fold_keeps_its_promises(script: list[tuple[str, str, list[str]]]) -> None:
    s = QueueState()
    counted = Counter[str]()
    seq = 0
    for op, who, perm in script:
        seq += 1
        events: list[QueueEvent] = []
        try:
            if op in ("join", "leave", "away", "back"):
                events = list(q.keeper_change("t", op, [who])(s))  # type: ignore[arg-type]
            elif op == "order":
                events = list(q.keeper_change("t", "order", [p for p in perm if p in s.order])(s))
            elif op in ("next", "last"):
                person, owed = q.choose(s, ROTATION, "k", op, None)  # type: ignore[arg-type]
                assert person in s.order and person not in s.away
                if owed:
                    assert person in s.owed
                events = [
                    QueueTurn(
                        person=person, take=op, counts=op == "next", run=seq, step="s", owed=owed
                    )
                ]  # type: ignore[arg-type]
                if op == "next":
                    counted[person] += 1
            else:
                undo = s.counted_turn(who, seq - 1)
                events = (
                    [QueueCredited(person=who, run=seq - 1, step="s", undoes=undo)]
                    if who in s.order
                    else []
                )
                if undo is not None:
                    counted[who] -= 1
        except (UsageError, RunError):
            continue
        for e in events:
            s.apply(e, AT, seq)
        assert len(set(s.order)) == len(s.order)
        assert s.away <= set(s.order)
        assert all(p in s.order for p in s.owed)
        assert s.today(AT[:10]) == {p: n for p, n in counted.items() if n}


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(1, 5))
def test_with_nobody_away_or_owed_each_gets_the_same_number_of_turns(n: int, rounds: int) -> None:
    s = folded(QueueJoined(people=tuple(f"p{i}" for i in range(n))))
    got = Counter(take(s) for _ in range(n * rounds))
    assert set(got.values()) == {rounds}


# ---- the stream in the journal


def clock_from(start: datetime) -> Callable[[], datetime]:
    moments = iter(start + timedelta(seconds=i) for i in range(10_000))
    return lambda: next(moments)


def test_the_stream_is_one_run_per_queue_and_site_hidden_from_runs(store: str) -> None:
    from engine.runtime.pinning import pin

    pinned = pin(str(OK))
    queue = pinned.rulebook.queues["sales_rotation"]
    clock = clock_from(datetime(2026, 12, 2, 9, tzinfo=timezone(timedelta(hours=8))))
    snap = (pinned.sha, pinned.files)
    with Journal(store) as j:
        q.write(
            j,
            pinned.rulebook,
            snap,
            queue,
            "A",
            "张经理",
            clock,
            q.keeper_change(queue.title, "join", ["李娜", "王强"]),
        )
        q.write(
            j,
            pinned.rulebook,
            snap,
            queue,
            "B",
            "刘经理",
            clock,
            q.keeper_change(queue.title, "join", ["赵敏"]),
        )
        q.write(
            j,
            pinned.rulebook,
            snap,
            queue,
            "A",
            "张经理",
            clock,
            q.keeper_change(queue.title, "away", ["李娜"]),
        )
        assert q.read(j, queue.id, "A").order == ["李娜", "王强"]
        assert q.read(j, queue.id, "A").away == {"李娜"}
        assert q.read(j, queue.id, "B").order == ["赵敏"]
        assert j.runs() == []  # `sop runs` lists no queue
        streams = j.runs(RunFilter(kind="queue"))
        assert len(streams) == 2
        events = j.events(q.stream_of(j, queue.id, "A").id)  # type: ignore[union-attr]
        assert [e.actor for e in events] == ["张经理"] * 3
    from engine.runtime.audit import verify_journal

    assert verify_journal(store).ok


def test_a_queue_cannot_be_begun_twice(store: str) -> None:
    """Two keepers adding the first members at once: one stream, both joins kept."""
    from engine.errors import JournalConflict
    from engine.journal import Draft, NewRun, RunUpdate, Write

    with Journal(store) as j:
        new = NewRun("sales_rotation", "t", "queue", AT, "0" * 64, "0" * 64, {"rulebook.yaml": ""})

        def build(run: int) -> list[Write]:
            return [Write(run, [Draft("queue.opened", AT, {})], RunUpdate("active"))]

        j.start_run(new, build, alone=True)
        with pytest.raises(JournalConflict):
            j.start_run(new, build, alone=True)
        other = NewRun("sales_rotation", "t", "queue", AT, "0" * 64, "0" * 64, {}, site="B")
        j.start_run(other, build, alone=True)  # another site keeps its own


def test_sop_queue_as_the_keeper_uses_it(tmp_path: Path) -> None:
    from tests.runtime_support import sop_in_process

    journal = str(tmp_path / "j.sqlite3")
    base = ("--rulebook", str(OK), "--journal", journal)
    code, out = sop_in_process(
        "queue", "sales_rotation", "join", "李娜", "王强", *base, "--operator", "张经理"
    )
    assert code == 0, out
    assert "下一位: 李娜" in out
    code, out = sop_in_process("queue", "sales_rotation", "away", "李娜", *base)
    assert code == 0 and "下一位: 王强" in out and "外出" in out
    code, out = sop_in_process("queue", "sales_rotation", "leave", "李那", *base)
    assert code == 2 and "成员: 李娜, 王强" in out
    code, out = sop_in_process("queue", "sales_rotaton", *base, "--lang", "en")
    assert code == 2 and 'did you mean "sales_rotation"' in out
    code, out = sop_in_process("queue", "sales_rotation", *base, "--format", "json")
    assert code == 0 and '"away": [\n    "李娜"\n  ]' in out
    code, out = sop_in_process("journal", "verify", "--journal", journal)
    assert code == 0, out


# ---- at the same moment: two receptions never get the same person


def _runner_book(tmp_path: Path) -> Path:
    """A rulebook whose one procedure takes the next turn and ends."""
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "rulebook.yaml").write_text(
        "title: 轮序\norganisation: {name: xx物业公司, site: 一号案场}\n"
        "roles:\n  consultant: {name: 销售人员}\n  manager: {name: 销售经理}\n"
        "queues:\n  sales_rotation: {title: 销售接待轮序, role: consultant, keeper: manager}\n",
        encoding="utf-8",
    )
    (folder / "reception.yaml").write_text(
        "id: reception\ntitle: 来访接待\nkind: service\nversion: '1.0'\n"
        "roles: [consultant]\ninputs:\n  receiver: {type: text, ask: 接待人}\n"
        "start: receive\nsteps:\n  receive:\n    title: 按轮序接待\n    role: consultant\n"
        "    turn: {queue: sales_rotation, as: receiver}\n"
        "    say: ['您好,我是{{ receiver }}']\n    end: completed\n",
        encoding="utf-8",
    )
    return folder


def test_turns_taken_at_the_same_moment_go_to_different_people(store: str) -> None:
    """Threads that all read the queue before any of them writes: each gets
    someone else (the ones refused read again), and nobody twice."""
    import threading

    from engine.runtime.pinning import pin

    pinned = pin(str(OK))
    queue = pinned.rulebook.queues["sales_rotation"]
    snap = (pinned.sha, pinned.files)
    people = [f"顾问{i}" for i in range(6)]
    moment = datetime(2026, 12, 2, 9, tzinfo=timezone(timedelta(hours=8)))

    def clock() -> datetime:  # shared by the threads: no state
        return moment

    with Journal(store) as j:
        q.write(
            j,
            pinned.rulebook,
            snap,
            queue,
            None,
            "经理",
            clock,
            q.keeper_change(queue.title, "join", people),
        )
    barrier = threading.Barrier(len(people), timeout=20)
    read = q.read
    first: set[int] = set()
    got: list[str] = []
    errors: list[BaseException] = []

    def slow_read(journal: Journal, queue_id: str, site: str | None) -> QueueState:
        state = read(journal, queue_id, site)
        me = threading.get_ident()
        if me not in first:  # everyone has read the same state before anyone writes
            first.add(me)
            barrier.wait()
        return state

    def reception(n: int) -> None:
        def change(s: QueueState) -> list[QueueEvent]:
            person, owed = q.choose(s, queue, "经理", "next", None)
            return [
                QueueTurn(
                    person=person, take="next", counts=True, run=100 + n, step="receive", owed=owed
                )
            ]

        try:
            with Journal(store) as j:
                _, written = q.write(
                    j, pinned.rulebook, snap, queue, None, f"前台{n}", clock, change
                )
            got.extend(e.data["person"] for e in written)
        except BaseException as exc:  # reported below
            errors.append(exc)

    q.read = slow_read  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=reception, args=(n,)) for n in range(len(people))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        q.read = read  # type: ignore[assignment]
    assert not errors, errors
    assert sorted(got) == sorted(people)  # six at once: six different people
    with Journal(store, write=False) as j:
        assert q.read(j, queue.id, None).today("2026-12-02") == dict.fromkeys(people, 1)
    from engine.runtime.audit import verify_journal

    assert verify_journal(store).ok


def test_receptions_run_at_once_as_staff_would_never_share_a_consultant(
    tmp_path: Path, store: str
) -> None:
    """`sop run` in several processes at once on one journal (a file, or a
    database), each taking the next turn: all different, the journal verifies."""
    import subprocess
    import sys

    book = _runner_book(tmp_path)
    people = ["李娜", "王强", "赵敏", "陈静", "刘洋"]
    env_j = ("--journal", store)
    from tests.runtime_support import sop_in_process

    code, out = sop_in_process(
        "queue", "sales_rotation", "join", *people, "--rulebook", str(book), *env_j
    )
    assert code == 0, out
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "engine",
                "run",
                "reception",
                "--rulebook",
                str(book),
                *env_j,
                "--operator",
                f"前台{i}",
                "--no-color",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(len(people))
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    said = [
        line for out, _ in outs for line in out.splitlines() if "由 " in line and "接待" in line
    ]
    taken = sorted(line.split("由 ")[1].split(" 接待")[0] for line in said)
    assert taken == sorted(people), said
    code, out = sop_in_process(
        "queue", "sales_rotation", "--rulebook", str(book), *env_j, "--format", "json"
    )
    assert code == 0 and '"next": "李娜"' in out  # everyone received once: round again
    code, out = sop_in_process("journal", "verify", *env_j)
    assert code == 0, out


def test_staff_name_who_did_it_at_the_prompt(tmp_path: Path) -> None:
    """person: another refuses the operator; person: all wants two names at least;
    the names are in the run's record."""
    from tests.runtime_support import sop_in_process

    journal = str(tmp_path / "j.sqlite3")
    base = ("--rulebook", str(OK), "--journal", journal)
    sop_in_process("queue", "sales_rotation", "join", "李娜", "赵敏", *base)
    answers = "\n".join(["y", "y", "王强", "赵敏", "y", "李娜", "", "王强", ""]) + "\n"
    code, out = sop_in_process(
        "run", "who", *base, "--operator", "王强", "--set", "contacted=false", stdin=answers
    )
    assert code == 0, out
    assert "轮序「销售接待轮序」: 由 李娜 接待" in out
    assert "不能是当前操作人 王强" in out
    assert "至少要两人签名" in out
    code, shown = sop_in_process("show", "2", "--journal", journal)
    assert "⇄ 销售接待轮序: 李娜" in shown
    assert "✍ 经办人: 赵敏" in shown and "✍ 经办人: 李娜、王强" in shown


def test_simulate_takes_every_turn_and_names_everyone() -> None:
    from engine.runtime.pinning import pin
    from engine.runtime.simulate import simulate, summary_text

    pinned = pin(str(OK))
    sim = simulate(pinned, "who")
    assert sim.ok, summary_text(sim, pinned)
    assert sim.turns_taken == sim.turns_wanted == {"own_consultant", "by_order"}
    assert sim.signs_taken == sim.signs_wanted


# ---- printed: every renderer says who and which turn


def test_renderers_say_the_turn_and_who_did_it() -> None:
    from engine.render.checklist import render_checklist
    from engine.render.graph import render_graph
    from engine.render.script import render_script
    from engine.runtime.pinning import pin

    book = pin(str(OK)).rulebook
    checklist = render_checklist(book, "who")
    assert "◇ 轮序《销售接待轮序》: 由轮到的下一位接待, 计接待一次" in checklist
    assert "(经办人: 另一人 (不是本人) 确认并签名)" in checklist
    assert "◇ 经办人: 全体成员逐一签名 (至少两人)" in checklist
    assert "第5步 班后全体签名 · 置业顾问 / 现场主管" in checklist
    md = render_script(book, "who", fmt="md")
    assert "- ◇ 轮序《销售接待轮序》: 由〔原接待销售人员姓名〕接待" in md
    html = render_checklist(book, "who", fmt="html")
    assert "<b>◇</b> 经办人: 〔接待的销售人员〕" in html
    assert "⇄ 销售接待轮序: 下一位" in render_graph(book, "who", "mermaid")
    # either post's card carries the step
    for post in ("consultant", "supervisor"):
        assert "班后全体签名" in render_checklist(book, None, role=post)


# ---- the stream as auditors meet it


def test_a_queue_stream_is_no_run_and_its_history_is_shown(tmp_path: Path) -> None:
    from tests.runtime_support import sop_in_process

    journal = str(tmp_path / "j.sqlite3")
    base = ("--rulebook", str(OK), "--journal", journal)
    sop_in_process("queue", "sales_rotation", "join", "李娜", "王强", *base, "--operator", "张经理")
    sop_in_process("queue", "sales_rotation", "away", "王强", *base, "--operator", "张经理")
    code, out = sop_in_process(
        "run", "who", *base, "--operator", "前台小王", "--answers", str(_visit(tmp_path))
    )
    assert code == 0, out
    code, out = sop_in_process("queue", "sales_rotation", "--history", *base)
    assert code == 0, out
    assert "张经理    加入: 李娜, 王强" in out and "外出: 王强" in out
    assert "前台小王  李娜 接待 (运行 #2)" in out
    for command in (("show", "1"), ("report", "1"), ("resume", "1")):
        code, out = sop_in_process(*command, "--journal", journal)
        assert code == 1 and "sop queue sales_rotation --history" in out, out
        assert "损坏" not in out


def _visit(folder: Path) -> Path:
    path = folder / "visit.yaml"
    path.write_text(
        "procedure: who\ninputs: {contacted: false}\n"
        "steps:\n  register: {people: [王强]}\n  debrief: {people: [[李娜, 王强]]}\n",
        encoding="utf-8",
    )
    return path


def test_verify_names_a_turn_the_queue_could_not_have_given(tmp_path: Path) -> None:
    """A stream edited by hand and its chain computed again: the fold refuses it."""
    import sqlite3

    from engine.journal.events import chain_hash
    from engine.runtime.audit import verify_journal
    from tests.runtime_support import sop_in_process

    journal = tmp_path / "j.sqlite3"
    base = ("--rulebook", str(OK), "--journal", str(journal))
    sop_in_process("queue", "sales_rotation", "join", "李娜", "王强", *base)
    code, out = sop_in_process("run", "who", *base, "--answers", str(_visit(tmp_path)))
    assert code == 0, out
    assert verify_journal(str(journal)).ok
    db = sqlite3.connect(journal)
    guards = [s for (s,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    prev = "0" * 64
    rows = db.execute("SELECT seq, run, at, kind, actor, data FROM events ORDER BY seq")
    for seq, run, at, kind, actor, data in rows.fetchall():
        if kind == "queue.turn":  # says the turn served a make-up turn nobody was owed
            data = data.replace('"owed":false', '"owed":true')
            if '"owed"' not in data:
                data = data[:-1] + ',"owed":true}'
        digest = chain_hash(prev, seq, run, at, kind, actor, data)
        db.execute(
            "UPDATE events SET data = ?, prev = ?, hash = ? WHERE seq = ?",
            (data, prev, digest, seq),
        )
        prev = digest
    for sql in guards:
        db.execute(sql)
    db.commit()
    db.close()
    report = verify_journal(str(journal))
    assert not report.ok
    code, out = sop_in_process("journal", "verify", "--journal", str(journal))
    assert code == 1 and "queue.turn" in out and "owed no turn" in out, out


# ---- a day at the rotation desk (001 篇5), as staff and the sales manager live it

ROTATION_BOOK = Path(__file__).parent / "fixtures" / "rotation"


def test_a_day_of_the_sales_rotation(tmp_path: Path) -> None:
    import json

    from tests.runtime_support import sop_in_process

    journal = str(tmp_path / "j.sqlite3")
    base = ("--rulebook", str(ROTATION_BOOK), "--journal", journal)

    def keeper(*args: str) -> None:
        code, out = sop_in_process("queue", "sales_rotation", *args, *base, "--operator", "张经理")
        assert code == 0, out

    def visit(n: int, scenario: str) -> str:
        path = tmp_path / f"visit{n}.yaml"
        path.write_text("procedure: reception-order\noperator: 前台\n" + scenario, encoding="utf-8")
        code, out = sop_in_process("run", "reception-order", *base, "--answers", str(path))
        assert code == 0, out
        return out

    def queue() -> dict[str, object]:
        code, out = sop_in_process("queue", "sales_rotation", *base, "--format", "json")
        assert code == 0, out
        data: dict[str, object] = json.loads(out)
        return data

    def new_customer(signed: str) -> str:
        return (
            "inputs: {visitor: 客户, contacted: false, units: 1}\n"
            "steps:\n  register: {record: {customer_name: 王先生, consultant: "
            + signed
            + "}, choice: 接待完毕}\n"
        )

    keeper("join", "李娜", "王强", "赵敏", "陈静")
    assert "由 李娜 接待" in visit(
        1, new_customer("李娜")
    )  # rule 1 2): a new customer, by the order
    assert queue()["order"] == ["王强", "赵敏", "陈静", "李娜"]
    # rule 4: a declared researcher goes to the last in the order, not counted
    out = visit(2, "inputs: {visitor: 同行市调 (说明来意)}\n")
    assert "由 李娜 接待" in out
    assert queue()["today"]["counts"] == {"李娜": 1}  # type: ignore[index]
    keeper("away", "王强")  # rule 7: out on company business
    assert "由 赵敏 接待" in visit(3, new_customer("赵敏"))
    # rule 1 1): the consultant the customer contacted receives, and it counts (rule 9)
    own = (
        "inputs: {visitor: 客户, contacted: true, original_consultant: 陈静,"
        " consultant_present: true, units: 3}\n"
        "steps:\n  register: {record: {customer_name: 李女士, consultant: 陈静},"
        " choice: 接待完毕}\n"
    )
    out = visit(4, own)
    assert "由 陈静 接待" in out and "立即向销售经理汇报" in out  # rule 10: three units or more
    assert queue()["order"] == ["王强", "李娜", "赵敏", "陈静"]
    keeper("back", "王强")
    assert queue()["next"] == "王强"  # back: the first visitor is his
    # rule 6: found to be a researcher, confirmed to the manager together: a make-up turn
    found = (
        "inputs: {visitor: 客户, contacted: false}\n"
        "steps:\n  register: {record: {customer_name: 某先生, consultant: 王强},"
        " choice: 发现是市调或与本项目无关的人员}\n"
        "  confirm_purpose: {people: [[王强, 张经理]]}\n"
    )
    out = visit(5, found)
    assert "王强 本次不计接待, 补接待一次" in out
    state = queue()
    assert state["next"] == "王强" and state["next_owed"] and state["owed"] == ["王强"]
    assert "王强" not in state["today"]["counts"]  # type: ignore[operator]
    assert "由 王强 接待 (补接待)" in visit(6, new_customer("王强"))
    state = queue()
    assert state["owed"] == [] and state["today"]["counts"] == {  # type: ignore[index]
        "李娜": 1,
        "赵敏": 1,
        "陈静": 1,
        "王强": 1,
    }
    # rule 8: a registered customer whose consultant is away: the last helps, not counted
    helped = (
        "inputs: {visitor: 客户, contacted: true, original_consultant: 李娜,"
        " consultant_present: false, registered: true}\n"
    )
    last = queue()["order"][-1]  # type: ignore[index]
    assert f"由 {last} 接待" in visit(7, helped)
    assert sum(queue()["today"]["counts"].values()) == 4  # type: ignore[union-attr]
    code, out = sop_in_process("journal", "verify", "--journal", journal)
    assert code == 0, out
    code, out = sop_in_process("queue", "sales_rotation", "--history", *base)
    assert "外出: 王强" in out and "归来: 王强" in out and "王强 本次不计接待" in out
