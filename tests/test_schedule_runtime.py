"""A scheduled procedure's runs: `sop run` attaches a run to the occurrence
whose window it is started in, `--for` picks one, and `run.started`
records it (tests/fixtures/schedule)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.runtime_support import sop_in_process, write_scenario

BOOK = str(ROOT / "tests" / "fixtures" / "schedule")


def patrol(now: str) -> dict[str, Any]:
    return {
        "procedure": "hourly-patrol",
        "operator": "李娜",
        "now": now,
        "steps": {"patrol": {"do": ["done", "done"]}},
    }


def started(journal: Path, run: int) -> dict[str, Any]:
    code, out = sop_in_process("show", str(run), "--journal", str(journal), "--format", "json")
    assert code == 0, out
    first = json.loads(out)["events"][0]
    assert first["kind"] == "run.started"
    data: dict[str, Any] = first["data"]
    return data


def run(journal: Path, scenario: Path, *more: str) -> tuple[int, str]:
    return sop_in_process(
        "run", "hourly-patrol", "--rulebook", BOOK, "--journal", str(journal),
        "--answers", str(scenario), *more,
    )  # fmt: skip


def test_a_run_attaches_to_the_window_it_is_started_in(tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite3"
    scenario = write_scenario(tmp_path, "s", patrol("2026-12-02T10:40:00+08:00"))
    code, out = run(journal, scenario)
    assert code == 0, out
    assert "本次安排: 2026-12-02 10:30 (每 1 小时 开门时至关门时)" in out
    assert started(journal, 1)["occurrence"] == "2026-12-02T10:30"
    # The 10:30 patrol has its run: a second one started now is for none.
    code, out = run(journal, scenario)
    assert code == 0, out
    assert "本次安排" not in out and "occurrence" not in started(journal, 2)


def test_before_opening_a_run_is_for_no_occurrence(tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite3"
    scenario = write_scenario(tmp_path, "s", patrol("2026-12-02T07:00:00+08:00"))
    code, out = run(journal, scenario)
    assert code == 0, out
    assert "occurrence" not in started(journal, 1)


def test_for_picks_an_occurrence_and_refuses_one_that_does_not_exist(tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite3"
    scenario = write_scenario(tmp_path, "s", patrol("2026-12-02T12:05:00+08:00"))
    code, out = run(journal, scenario, "--for", "2026-12-02T09:30")
    assert code == 0, out
    assert started(journal, 1)["occurrence"] == "2026-12-02T09:30"
    code, out = run(journal, scenario, "--for", "2026-12-02T09:00", "--lang", "en")
    assert code == 1
    assert '"每小时巡查" has no occurrence at 2026-12-02T09:00' in out
    assert "nearby:" in out and "2026-12-02T08:30" not in out.split("nearby:")[0]
    code, out = run(journal, scenario, "--for", "12/02")
    assert code == 2  # a usage error
    assert "--for" in out


def test_an_occurrence_the_schedule_does_not_have_is_refused_by_the_fold(tmp_path: Path) -> None:
    """A hand-edited `occurrence` (its chain computed again) is not replayed."""
    import dataclasses

    import pytest

    from engine.errors import JournalError
    from engine.journal import Journal
    from engine.runtime.state import replay
    from engine.validate import load_rulebook

    journal_path = tmp_path / "j.sqlite3"
    scenario = write_scenario(tmp_path, "s", patrol("2026-12-02T10:40:00+08:00"))
    assert run(journal_path, scenario)[0] == 0
    book = load_rulebook(BOOK)
    with Journal(str(journal_path), write=False) as journal:
        events = journal.events(1)
    started = replay(1, book, events).started
    assert started is not None and started.occurrence == "2026-12-02T10:30"
    first = events[0]
    for forged in ("2026-12-02T10:00", "2026-12-07T10:30", 7):  # off the hour; closed Monday
        data = {**first.data, "occurrence": forged}
        with pytest.raises(JournalError):
            replay(1, book, [dataclasses.replace(first, data=data), *events[1:]])


def journal_with_a_run(tmp_path: Path) -> Path:
    """A journal holding one unrelated run (`sop due` reads an existing journal)."""
    journal = tmp_path / "j.sqlite3"
    assert run(journal, write_scenario(tmp_path, "p", patrol("2026-11-03T10:40:00+08:00")))[0] == 0
    return journal


def due(journal: Path, *more: str) -> list[dict[str, Any]]:
    code, out = sop_in_process(
        "due", "--rulebook", BOOK, "--journal", str(journal), "--format", "json", *more
    )
    assert code == 0, out
    items: list[dict[str, Any]] = json.loads(out)
    return [i for i in items if i["kind"] == "schedule"]


def test_due_lists_occurrences_until_a_run_is_started_for_them(tmp_path: Path) -> None:
    journal = journal_with_a_run(tmp_path)
    before = due(journal, "--at", "2026-12-20", "--days", "6", "--role", "物业经理")
    # November's report and this year's were missed; December's is open until the 25th.
    missed = [("2026-09-30", "overdue", None), ("2026-11-25", "overdue", None)]
    assert [(i["date"], i["state"], i["run"]) for i in before] == [
        *missed,
        ("2026-12-25", "upcoming", None),
    ]
    assert before[-1]["role_title"] == "物业经理" and before[-1]["text"] == "每月 25 日前完成"
    report = write_scenario(
        tmp_path,
        "r",
        {"procedure": "monthly-report", "now": "2026-12-18T15:00:00+08:00",
         "steps": {"write": {"do": ["done", "done"]}}},
    )  # fmt: skip
    code, out = sop_in_process(
        "run", "monthly-report", "--rulebook", BOOK, "--journal", str(journal),
        "--answers", str(report),
    )  # fmt: skip
    assert code == 0, out
    after = due(journal, "--at", "2026-12-20", "--days", "6", "--role", "物业经理")
    assert [(i["date"], i["state"], i["run"]) for i in after] == missed


def test_another_sites_run_does_not_do_this_sites_duty(tmp_path: Path) -> None:
    """Sites sharing a journal run the same duties: a monthly report written
    at another site (`--site`) leaves this rulebook's site's report due, and
    one written here (the rulebook's own site) is counted."""
    journal = journal_with_a_run(tmp_path)
    report = write_scenario(
        tmp_path,
        "r",
        {"procedure": "monthly-report", "now": "2026-12-18T15:00:00+08:00",
         "steps": {"write": {"do": ["done", "done"]}}},
    )  # fmt: skip

    def write_report(*site: str) -> None:
        code, out = sop_in_process(
            "run", "monthly-report", "--rulebook", BOOK, "--journal", str(journal),
            "--answers", str(report), *site,
        )  # fmt: skip
        assert code == 0, out

    def december() -> list[tuple[str, Any]]:
        items = due(journal, "--at", "2026-12-20", "--days", "6", "--role", "物业经理")
        return [(i["date"], i["run"]) for i in items if i["date"] == "2026-12-25"]

    assert december() == [("2026-12-25", None)]
    write_report("--site", "二号案场")
    assert december() == [("2026-12-25", None)]
    write_report()
    assert december() == []


def test_due_lists_a_missed_duty_until_it_comes_round_again(tmp_path: Path) -> None:
    journal = journal_with_a_run(tmp_path)
    # As of Thursday 3 December: Tuesday's cleaning was missed, Friday's is
    # ahead (and National Day's, a yearly one, is owed until next year's).
    items = due(journal, "--at", "2026-12-03", "--days", "1", "--role", "cleaner")
    assert [(i["date"], i["state"]) for i in items] == [
        ("2026-10-01", "overdue"),
        ("2026-12-01", "overdue"),
        ("2026-12-04", "upcoming"),
    ]
    # As of Saturday: Friday's was missed too; Tuesday's has come round again.
    items = due(journal, "--at", "2026-12-05", "--days", "0", "--role", "cleaner")
    assert [(i["date"], i["state"]) for i in items] == [
        ("2026-10-01", "overdue"),
        ("2026-12-04", "overdue"),
    ]


def test_simulate_runs_each_schedule_entry_and_names_one_that_never_falls_due(
    tmp_path: Path,
) -> None:
    import shutil

    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    (book / "new-year.yaml").write_text(
        (book / "opening-check.yaml")
        .read_text(encoding="utf-8")
        .replace("id: opening-check", "id: new-year")
        .replace("{every: day, at: opening}", "[{on: 春节}, {on: 国庆节}]"),
        encoding="utf-8",
    )
    code, out = sop_in_process("simulate", "--all", "--rulebook", str(book))
    assert code == 1, out
    assert (
        "✓ 每周深度保洁 (weekly-clean): 1 个场景, 覆盖 0/0 条转移 (—); 时间安排 2/2 条已按安排运行"
        in out
    )
    # The site is closed at the Spring Festival: that entry never falls due.
    assert "时间安排 1/2 条已按安排运行" in out
    assert "✗ 时间安排一年内从不发生: 春节" in out


def test_due_reads_the_rulebook_once_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sop due` keeps what it reads of a rulebook (engine.cache.duties):
    the same list from the cache, and a file edited, added or broken is
    read again — never a list from before the edit."""
    monkeypatch.setenv("SOP_CACHE_DIR", str(tmp_path / "cache"))
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    journal = journal_with_a_run(tmp_path)

    def listed(*more: str) -> tuple[int, list[tuple[str, str, str]]]:
        code, out = sop_in_process(
            "due", "--rulebook", str(book), "--journal", str(journal), "--format", "json",
            "--at", "2026-12-20", "--days", "6", *more,
        )  # fmt: skip
        if code != 0:
            return code, []
        items = json.loads(out)
        return code, [(i["procedure"], i["date"], i["text"]) for i in items if i["run"] is None]

    first = listed()
    assert ("monthly-report", "2026-12-25", "每月 25 日前完成") in first[1]
    assert list((tmp_path / "cache").rglob("*.duties.json"))  # kept
    assert listed() == first  # and read back the same
    report = book / "monthly-report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("by: 25", "by: 20"), "utf-8")
    edited = listed()[1]
    assert ("monthly-report", "2026-12-20", "每月 20 日前完成") in edited
    assert ("monthly-report", "2026-12-25", "每月 25 日前完成") not in edited
    report.unlink()
    assert all(p != "monthly-report" for p, _, _ in listed()[1])
    (book / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    assert listed()[0] != 0  # a rulebook named with --rulebook must load
    assert listed("--role", "物业经理")[0] != 0


@pytest.mark.parametrize("folder", [BOOK, str(ROOT / "sops")])
def test_a_kept_plan_reads_back_as_the_plan_it_was(folder: str) -> None:
    """The duties entry is JSON naming engine.timetable's types: read back,
    the plan equals the one the rulebook gives (every field of every duty,
    schedule entry, reference and position, the site's hours and holidays)."""
    from engine.cache import _plain, _typed
    from engine.runtime.calls import duty_plan
    from engine.validate import load_rulebook

    plan = duty_plan(load_rulebook(folder))
    assert plan is not None and plan.duties
    data = json.loads(json.dumps(_plain(plan), ensure_ascii=False))
    assert _typed(data) == plan
    assert [type(d.schedule[0].every) for d in _typed(data).duties] == [
        type(d.schedule[0].every) for d in plan.duties
    ]


def test_the_cache_keys_a_rulebook_by_its_files_real_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each folder is resolved once, yet every path is as os.path.realpath
    has it: through symlinked folders and files, dangling links, `..`."""
    import os

    from engine.cache import _real_paths

    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "a.yaml").touch()
    (tmp_path / "real" / "sub" / "b.yaml").touch()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "c.yaml").symlink_to(tmp_path / "real" / "a.yaml")
    (tmp_path / "real" / "dangling.yaml").symlink_to("nowhere")
    monkeypatch.chdir(tmp_path)
    paths = {
        str(tmp_path / "link" / "a.yaml"), "link/sub/b.yaml", str(tmp_path / "link" / "c.yaml"),
        "real/c.yaml", "link/dangling.yaml", "a.yaml", "link/../real/a.yaml",
        "link/sub/../a.yaml", "missing/x.yaml", "link/sub/../../link/a.yaml", "link/sub/",
    }  # fmt: skip
    assert _real_paths(paths) == {os.path.realpath(p) for p in paths}


def test_a_run_started_days_ahead_holds_its_occurrence(tmp_path: Path) -> None:
    """`sop run --for` a week ahead: the call list of that week counts the
    run, however long before the occurrence's own window it was started."""
    journal = journal_with_a_run(tmp_path)
    check = write_scenario(
        tmp_path,
        "c",
        {"procedure": "opening-check", "now": "2026-12-02T12:00:00+08:00",
         "steps": {"check": {"do": ["done", "done", "done"]}}},
    )  # fmt: skip
    code, out = sop_in_process(
        "run", "opening-check", "--rulebook", BOOK, "--journal", str(journal),
        "--answers", str(check), "--for", "2026-12-10",
    )  # fmt: skip
    assert code == 0, out
    assert started(journal, 2)["occurrence"] == "2026-12-10T08:30"
    for days in ("3", "30"):
        items = due(journal, "--at", "2026-12-08", "--days", days, "--role", "butler")
        listed = [(i["date"], i["run"]) for i in items if i["procedure"] == "opening-check"]
        # Tuesday to Friday, and on to the month's end for 30 days; never Mondays (closed).
        assert listed[:3] == [("2026-12-08", None), ("2026-12-09", None), ("2026-12-11", None)]
        assert ("2026-12-10", None) not in listed
        assert all(date.fromisoformat(d).weekday() != 0 for d, _ in listed)
