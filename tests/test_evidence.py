"""Evidence (photos and signatures): the language key, the store beside the
journal, the runner asking for it, and `sop journal verify` covering it."""

from __future__ import annotations

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
