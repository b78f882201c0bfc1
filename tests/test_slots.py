"""engine.slots.quick_init: the same objects as the dataclass's own __init__."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from engine.model import Branch, Expr, Item, Step
from engine.positions import Pos
from engine.slots import quick_init
from engine.timetable import Ref

_Quick = quick_init(
    dataclasses.make_dataclass(
        "_Quick",
        [
            ("a", int),
            ("b", str, dataclasses.field(default="x")),
            ("c", tuple, dataclasses.field(default=())),
        ],
        frozen=True,
        slots=True,
    )
)


def test_same_fields_defaults_and_freezing() -> None:
    q = _Quick(1)
    assert (q.a, q.b, q.c) == (1, "x", ())
    assert _Quick(1, c=(2,)) == _Quick(a=1, b="x", c=(2,))
    assert list(inspect.signature(_Quick.__init__).parameters) == ["self", "a", "b", "c"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.a = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Quick(1, d=2)  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", [Expr, Item, Branch, Step])
def test_model_classes_keep_their_signature(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    assert list(inspect.signature(cls.__init__).parameters)[1:] == names
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"


def test_model_objects_equal_and_hash_as_before() -> None:
    pos = Pos("p.yaml", 1, 1)
    assert Ref("s1", pos) == Ref(name="s1", pos=pos)
    assert hash(Ref("s1", pos)) == hash(Ref("s1", pos))
    e = Expr("returning", "guard", pos)
    assert e == Expr("returning", "guard", pos, "")


def test_refuses_what_it_does_not_handle() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Post:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, Factory, Post):
        with pytest.raises(TypeError):
            quick_init(cls)
