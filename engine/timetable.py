"""The calendar part of the rulebook model: a site's hours, holidays and
closed days, a procedure's `schedule:` entries, and the scheduled duties as
the call list reads them (`Duty`, `DutyPlan`).

They live apart from engine.model (which re-exports them) so that `sop due`
reads its cached extract of a rulebook (engine.cache.duties) without
defining the whole model's seventy classes on every call.
"""

# Without `from __future__ import annotations`: a typed tuple's annotations
# written as strings are each compiled when its class is defined, and
# `sop due` defines this module's on every call.

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import NamedTuple

from engine.positions import Pos


class Ref(NamedTuple):
    """A name that must resolve to something declared elsewhere. This and
    `Schedule` are typed tuples, as the calendar's other types: a Ref is
    made per name in a file, and `sop due` defines both on every call (a
    frozen dataclass costs ten times as much to define)."""

    name: str
    pos: Pos


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS = ("day", "week", "month", "year")
SITE_TIMES = ("opening", "closing")  # the site's hours, as `at`/`from`/`to` name them


class Hours(NamedTuple):
    """The site's opening hours ("08:30" to "19:00"). This, `Holiday` and
    `Site` are typed tuples: `sop due` defines them on every call (to read
    its cached extract of a rulebook), for a fraction of a frozen
    dataclass's cost."""

    open: str
    close: str
    pos: Pos


class Holiday(NamedTuple):
    """A named holiday the site observes: its dates, and whether the site
    is closed then (an occurrence on a closed day is skipped)."""

    name: str
    dates: tuple[str, ...]
    pos: Pos
    closed: bool = False


class Site(NamedTuple):
    """rulebook.yaml `site:` — hours, holidays and the weekdays it is closed."""

    pos: Pos
    hours: Hours | None = None
    holidays: Mapping[str, Holiday] = MappingProxyType({})
    closed: tuple[str, ...] = ()  # weekdays (mon … sun)


class Schedule(NamedTuple):
    """One `schedule:` entry of a procedure: when its occurrences fall.

    Every value keeps its position (a `Ref`) so a check can point at it:
    `every` is a period (day|week|month|year) or a cadence (30min, 1h, 2w);
    `at`/`start`/`end` (`at`/`from`/`to`) a clock time or opening/closing;
    `on` weekdays, days of the month (or last), MM-DD or holiday names; `by`
    the last day of the period's window; `starting` the first date."""

    pos: Pos
    every: Ref | None = None
    at: Ref | None = None
    start: Ref | None = None
    end: Ref | None = None
    on: tuple[Ref, ...] = ()
    by: Ref | None = None
    starting: Ref | None = None

    def refs(self) -> Iterator[tuple[str, Ref]]:
        """Every value written, with its key, in key order."""
        for key, ref in (
            ("every", self.every),
            ("at", self.at),
            ("from", self.start),
            ("to", self.end),
            ("by", self.by),
            ("starting", self.starting),
        ):
            if ref is not None:
                yield key, ref
        for ref in self.on:
            yield "on", ref


class Duty(NamedTuple):
    """A scheduled procedure as the call list reads it: its schedule, and
    its first step with the role that does it. This and `DutyPlan` are
    typed tuples: `sop due` defines them on every call, for a fraction of
    a frozen dataclass's cost."""

    id: str
    title: str
    schedule: tuple[Schedule, ...]
    step: str
    step_title: str
    role: str | None
    role_title: str | None


class DutyPlan(NamedTuple):
    """A rulebook's scheduled duties, with the site they are done at (its
    name, and its hours, holidays and closed days)."""

    site_name: str | None
    site: Site | None
    duties: tuple[Duty, ...]
