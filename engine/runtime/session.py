"""Starting and resuming walk-throughs: the runtime's front door for the CLI.

Puts the pieces together — the pinned rulebook, the journal, a driver (the
terminal or a scenario) and the runner — and hands back how it ended.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from engine.journal import Journal
from engine.runtime.interrupts import deferred
from engine.runtime.pinning import pin
from engine.runtime.prompts import Driver
from engine.runtime.recorder import Clock
from engine.runtime.runner import Outcome, Runner, runnable_procedure, system_clock
from engine.runtime.scenario import Scenario, ScenarioDriver, check_procedure
from engine.runtime.terminal import Printer, TerminalDriver


@dataclass(frozen=True)
class Console:
    """Where the conversation happens."""

    out: TextIO
    stdin: TextIO | None = None
    color: bool = False
    lang: str = "zh"
    tty: bool | None = None


def _driver(console: Console, scenario: Scenario | None) -> tuple[Driver, Clock]:
    """The terminal on the system clock, or a scenario on its own clock."""
    printer = Printer(console.out, console.color, console.lang)
    if scenario is not None:
        driver = ScenarioDriver(scenario, printer)
        return driver, driver.clock
    return TerminalDriver(printer, console.stdin, console.tty), system_clock


def run_procedure(
    journal: Journal,
    console: Console,
    rulebook: str,
    procedure: str,
    preset: Mapping[str, Any],
    operator: str | None,
    site: str | None,
    scenario: Scenario | None = None,
    milestones: Mapping[str, str] | None = None,
    occurrence: str | None = None,
    entry: int | None = None,
    evidence: str | None = None,
) -> Outcome:
    with deferred():  # a Ctrl-C waits for the validation (a library mid-import does not take one)
        pinned = pin(rulebook)
    # Named by id, file or title (engine/procedure_names.py): the run is of its id.
    procedure = runnable_procedure(pinned, procedure).id
    milestones = dict(milestones or {})
    if scenario is not None:
        check_procedure(scenario, procedure)
        milestones = {**scenario.milestones, **milestones}
        preset = {**scenario.preset, **preset}
        operator = operator or scenario.operator
        site = site or scenario.site
    # The rulebook names its site; a run there need not be told again.
    site = site or pinned.rulebook.organisation.site
    driver, clock = _driver(console, scenario)
    runner = Runner(
        journal, driver, clock=clock, operator=operator, site=site, entry=entry, evidence=evidence
    )
    outcome = runner.start(pinned, procedure, preset, milestones, occurrence)
    _check(driver, outcome)
    return outcome


def resume_run(
    journal: Journal,
    console: Console,
    run_id: int,
    rulebook: str | None,
    operator: str | None = None,
    scenario: Scenario | None = None,
    evidence: str | None = None,
) -> Outcome:
    driver, clock = _driver(console, scenario)
    runner = Runner(journal, driver, clock=clock, operator=operator, evidence=evidence)
    outcome = runner.resume(run_id, rulebook)
    _check(driver, outcome)
    return outcome


def _check(driver: Driver, outcome: Outcome) -> None:
    check: Callable[[str | None], None] | None = getattr(driver, "check_complete", None)
    if check is not None and outcome.status == "finished":
        check(outcome.outcome)
