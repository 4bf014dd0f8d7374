"""A file with a header and no rows removes nothing unless --allow-empty says it should.

Commitments, the establishment and allowances are snapshots: each import replaces what was known
before, whole. A header-only file (a failed export, a filter left on) used to be accepted silently
and wipe the snapshot — the staffing forecast fell from £8.71m to £2.58m. Now it is a warning that
says what it would remove, and the file is not stored; `--allow-empty` stores it (the snapshot is
then empty, and the warning says what it removed). An SSDA903 XML return holding no episodes is
treated the same way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.errors import Severity
from carecast.services import import_paths
from carecast.services.setup import council_transaction
from carecast.store.state import load_state
from tests.conftest import Writer
from tests.fixtures_small import FILES, write_small_council
from tests.storehelp import dump

Captured = pytest.CaptureFixture[str]
KNOWN, LATER = date(2018, 9, 30), date(2018, 10, 31)
POSTS = "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST\n"
XML_HEADER_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER><CHILDID>C1</CHILDID><SEX>1</SEX><DOB>01/01/2008</DOB><ETHNIC>WBRI</ETHNIC></HEADER>
  </CHILD>
</EXPSSDA903>
"""


@pytest.fixture
def known(settings: Settings, tmp_path: Path) -> Settings:
    """The small council imported as known at the end of September."""
    import_paths(settings, [write_small_council(tmp_path / "known")], KNOWN)
    return settings


def posts_on(settings: Settings, on: date) -> int:
    with council_transaction(settings) as (connection, council):
        return len(load_state(connection, council, on).posts)


def test_a_header_only_establishment_is_a_warning_and_removes_nothing(
    known: Settings, write: Writer
) -> None:
    before = dump(known.database_url)
    empty = write("establishment.csv", POSTS)
    outcome, warnings = import_paths(known, [empty], LATER)
    assert outcome.stored == ()
    assert outcome.withheld == (str(empty),)
    [warning] = warnings
    assert (warning.source, warning.row, warning.rule, warning.severity) == (
        str(empty),
        None,
        "no-rows",
        Severity.WARNING,
    )
    assert warning.message == (
        "the file has a header and no rows: importing it would remove the staffing "
        "establishment: 1 post (£73,000.00 a year) known on 2018-09-30, so it was not "
        "imported; if there really are none now, import it with --allow-empty"
    )
    assert dump(known.database_url) == before
    assert posts_on(known, LATER) == 1


def test_allow_empty_stores_it_and_says_what_it_removed(known: Settings, write: Writer) -> None:
    empty = write("establishment.csv", POSTS)
    outcome, warnings = import_paths(known, [empty], LATER, allow_empty=True)
    assert [(b.dataset, b.row_count) for b in outcome.stored] == [("establishment", 0)]
    assert [w.message for w in warnings] == [
        "the file has a header and no rows: importing it removed the staffing establishment: "
        "1 post (£73,000.00 a year) known on 2018-09-30 (--allow-empty)"
    ]
    assert posts_on(known, LATER) == 0
    assert posts_on(known, KNOWN) == 1  # history is kept


@pytest.mark.parametrize(
    ("name", "noun"),
    [("placement_costs.csv", "commitments"), ("allowances.csv", "allowances")],
)
def test_every_snapshot_input_is_protected(
    known: Settings, write: Writer, name: str, noun: str
) -> None:
    header = (
        FILES[name].splitlines()[0]
        if name in FILES
        else "CASE_ID,ALLOWANCE_TYPE,START_DATE,END_DATE,WEEKLY_AMOUNT"
    )
    outcome, warnings = import_paths(known, [write(name, header + "\n")], LATER)
    assert outcome.stored == ()
    assert [w.rule for w in warnings] == ["no-rows"]
    assert noun in warnings[0].message


def test_the_rest_of_an_import_is_stored_beside_a_withheld_file(
    known: Settings, tmp_path: Path
) -> None:
    folder = write_small_council(tmp_path / "later")
    (folder / "establishment.csv").write_text(POSTS, encoding="utf-8")
    outcome, warnings = import_paths(known, [folder], LATER)
    stored = {"cost_centres", "budget", "ssda903_header", "ssda903_episodes", "gl_actuals"}
    assert sorted(b.dataset for b in outcome.stored) == sorted({*stored, "placement_costs"})
    assert [w.rule for w in warnings] == ["no-rows"]
    assert posts_on(known, LATER) == 1


def test_an_empty_file_beside_a_full_one_of_the_same_input_is_stored_quietly(
    known: Settings, write: Writer
) -> None:
    full = write("posts_a.csv", POSTS + "P9,Team,SW,1,permanent,50000\n")
    empty = write("posts_b.csv", POSTS)
    outcome, warnings = import_paths(known, [full, empty], LATER)
    assert len(outcome.stored) == 2
    assert warnings == []


def test_with_nothing_known_yet_it_says_so(settings: Settings, write: Writer) -> None:
    empty = write("establishment.csv", POSTS)
    outcome, warnings = import_paths(settings, [empty], LATER)
    assert outcome.withheld == (str(empty),)
    assert "nothing is known yet" in warnings[0].message


def test_an_ssda903_return_with_no_episodes_is_withheld_whole(
    known: Settings, write: Writer
) -> None:
    before = dump(known.database_url)
    xml = write("return.xml", XML_HEADER_ONLY)
    outcome, warnings = import_paths(known, [xml], LATER)
    assert outcome.stored == ()
    assert outcome.withheld == (str(xml),)
    assert [(w.rule, w.severity) for w in warnings] == [("no-rows", Severity.WARNING)]
    assert warnings[0].message.startswith("the SSDA903 return holds no episodes")
    assert dump(known.database_url) == before
    outcome, _ = import_paths(known, [xml], LATER, allow_empty=True)
    assert [b.dataset for b in outcome.stored] == ["ssda903_header"]


def test_the_command_line_warns_names_the_file_and_takes_allow_empty(
    database_url: str, tmp_path: Path, capsys: Captured
) -> None:
    store = ["--database-url", database_url]
    assert run(["init", "--council", "T", "--la-code", "9", *store]) == 0
    folder = write_small_council(tmp_path / "september")
    assert run(["import", str(folder), "--as-of", "2018-09-30", *store]) == 0
    empty = tmp_path / "establishment.csv"
    empty.write_text(POSTS, encoding="utf-8")
    capsys.readouterr()
    assert run(["import", str(empty), "--as-of", "2018-10-31", *store]) == 0
    out = capsys.readouterr().out.splitlines()
    [warning] = [line for line in out if "no-rows" in line]
    assert warning.startswith(f"{empty}::: no-rows: the file has a header and no rows")
    assert out[-1] == f"Not imported {empty}: it has no rows (--allow-empty imports it)."
    args = ["import", str(empty), "--as-of", "2018-10-31", "--allow-empty", *store]
    assert run(args) == 0
    assert f"Imported {empty}: 0 rows (establishment)." in capsys.readouterr().out
