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


def turn_to(state: RunState, ended: int, gone: set[int]) -> Lane | None:
    """The lane to walk once `ended` has ended (`gone`: lanes ending with it):
    the next branch of the same step, else its parent, else the first open."""
    left = [x for x in state.lanes if x.open and x.id != ended and x.id not in gone]
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
    left = [x for x in state.lanes if x.open]
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
