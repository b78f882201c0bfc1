"""A step's `parallel:` at run time: which lanes a lane's end joins, cancels
and turns to.

A run is lane 0 (its own line) and one lane for each branch a `parallel:`
started (engine.runtime.state.Lane). The runner walks one lane at a time:
the branches a step starts are walked first, there and then (a callback
recorded on the spot), each until it ends or staff turn to another lane
(`b` at any prompt); a lane that ends hands over to the next branch of the
same step, else to the lane that started it, else to the first lane still
open. The run is finished once its own line has ended and no lane is open.
`join: any` lanes are cancelled once a sibling (or the run's own line) ends.
A lane standing at the `at` step of a fork it started (`parallel: {at}`)
waits there while a branch of that fork is open: it is not walked, and the
runner turns to the branch it waits for.
Pure functions of the fold's state: the runner journals what they decide.
"""

from __future__ import annotations

from engine.runtime.state import Lane, RunState


def cancelled_by(state: RunState, ended: int) -> list[int]:
    """The lanes `ended` ending cancels: its `join: any` siblings (for lane
    0, every open `join: any` lane), and every lane those started."""
    lanes = state.lanes
    here = lanes[ended]
    if ended == 0:
        first = [x.id for x in lanes if x.open and x.id != 0 and x.join == "any"]
    elif here.join == "any":
        first = [x.id for x in lanes if x.open and x.fork == here.fork and x.id != ended]
    else:
        first = []
    out: list[int] = []
    todo = list(first)
    while todo:
        lane = todo.pop(0)
        if lane in out:
            continue
        out.append(lane)
        todo += [x.id for x in lanes if x.open and x.parent == lane and x.id not in out]
    return sorted(out)


def waits_for(
    state: RunState, lane: int, gone: set[int] | frozenset[int] = frozenset()
) -> list[Lane]:
    """The open branches lane `lane` waits for (`gone`: lanes ending now):
    those of the forks it started that join at the step it stands at."""
    here = state.lanes[lane]
    if not here.open or not here.frames or here.frames[-1].step is None:
        return []
    top = here.frames[-1]
    at = (len(here.frames) - 1, top.procedure.id, top.step)
    return [
        x
        for x in state.lanes
        if x.open and x.id not in gone and x.parent == lane and x.joins_at == at
    ]


def wait_target(state: RunState, lane: int) -> Lane | None:
    """The lane to walk while `lane` waits: the first branch it waits for
    that is not itself waiting (else one that one waits for, and so on)."""
    todo = waits_for(state, lane)
    while todo:
        first = todo.pop(0)
        more = waits_for(state, first.id)
        if not more:
            return first
        todo = more + todo
    return None


def joined(state: RunState, ended: int, gone: set[int]) -> Lane | None:
    """The lane whose wait ends as `ended` (and `gone`) end: the parent
    standing at the fork's `at` step with none of its branches left open."""
    here = state.lanes[ended]
    if ended == 0 or here.joins_at is None:
        return None
    parent = state.lanes[here.parent]
    if not waits_for(state, parent.id) or waits_for(state, parent.id, {ended, *gone}):
        return None
    return parent


def turn_to(state: RunState, ended: int, gone: set[int]) -> Lane | None:
    """The lane to walk once `ended` has ended (`gone`: lanes ending with it):
    the next branch of the same step, else its parent, else the first open
    (never one still waiting for its branches)."""
    ending = {ended, *gone}
    left = [
        x
        for x in state.lanes
        if x.open and x.id not in ending and not waits_for(state, x.id, ending)
    ]
    if not left:
        return None
    here = state.lanes[ended]
    if ended != 0:
        siblings = [x for x in left if x.fork == here.fork and x.id > ended]
        if siblings:
            return siblings[0]
        parent = next((x for x in left if x.id == here.parent), None)
        if parent is not None:
            return parent
    return left[0]


def next_open(state: RunState) -> Lane | None:
    """Staff's `b`: the open lane after the current one, round the run."""
    left = [x for x in state.lanes if x.open and (x.id == state.lane or not waits_for(state, x.id))]
    if len(left) < 2:
        return None
    after = [x for x in left if x.id > state.lane]
    return after[0] if after else left[0]


def finished(state: RunState, ending: set[int]) -> bool:
    """Whether the run is finished once the lanes `ending` have ended: its
    own line has, and no lane is open."""
    own = 0 in ending or not state.lanes[0].open
    return own and all(not x.open or x.id in ending for x in state.lanes)


def label(state: RunState) -> str | None:
    """Which branch the current prompt belongs to (None for a run without any)."""
    if len(state.lanes) < 2:
        return None
    lane = state.lanes[state.lane]
    return lane.title if lane.id else None
