"""Money and counts hold only what the store and a council could: beyond that, a located refusal.

The store keeps money as 64-bit integer pence. An amount of `100000000000000000` pounds used to
wrap around to −£84,467,440,737,095,516.16 and be stored without a word; now every amount, count
and number is checked against a limit before anything is stored, and the refusal names the file,
row, column and the limit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from carecast.config import Settings
from carecast.errors import InvalidInput, Issue, Severity
from carecast.ingest.columns import ColumnSpec, Kind, column_check
from carecast.ingest.loader import parse_file
from carecast.services import import_paths
from carecast.store.schema import ledger_entries
from tests.conftest import Writer
from tests.storehelp import dump

LEDGER = "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n"
POSTS = "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST,CASELOAD\n"


def errors(path: Path) -> list[Issue]:
    _parsed, issues = parse_file(path)
    return [i for i in issues if i.severity is Severity.ERROR]


@pytest.mark.parametrize(
    "amount",
    [
        "100000000000000000",  # wrapped to −8,446,744,073,709,551,616 pence before
        "92233720368547758.08",  # one penny beyond what 64-bit pence hold
        "1000000000",
        "-£1,000,000,000.00",
        "00000000001000000000.00",
    ],
)
def test_an_amount_of_a_billion_pounds_or_more_is_refused_at_its_cell(
    write: Writer, amount: str
) -> None:
    path = write("gl.csv", LEDGER + f'2018-09,SW1,1000,"{amount}"\n')
    [problem] = errors(path)
    assert (problem.source, problem.row, problem.column, problem.rule) == (
        str(path),
        2,
        "AMOUNT",
        "out-of-range",
    )
    assert problem.message.startswith(f"'{amount}' is beyond the £999,999,999.99")


def test_the_largest_amounts_allowed_are_read_to_the_penny(write: Writer) -> None:
    path = write(
        "gl.csv",
        LEDGER + '2018-09,SW1,1000,"£999,999,999.99"\n2018-09,SW1,1000,-999999999.99\n',
    )
    parsed, issues = parse_file(path)
    assert parsed is not None
    assert [i for i in issues if i.severity is Severity.ERROR] == []
    assert parsed.frame["AMOUNT"].to_list() == [99_999_999_999, -99_999_999_999]


def test_an_out_of_range_amount_is_not_added_into_other_messages(write: Writer) -> None:
    """The wrapped value used to reach the cross-file rules (a £7.8 quadrillion warning)."""
    path = write("gl.csv", LEDGER + "2018-09,SW1,1000,100000000000000000\n2018-09,SW1,1000,5\n")
    parsed, _ = parse_file(path)
    assert parsed is not None
    assert parsed.frame["AMOUNT"].to_list() == [None, 500]


@pytest.mark.parametrize(
    ("column", "row", "starts"),
    [
        ("CASELOAD", "P1,Team,SW,1,permanent,50000,1001", "'1001' is beyond the 1,000"),
        ("CASELOAD", "P1,Team,SW,1,permanent,50000,-1", "'-1' is below the 0"),
        ("FTE", "P1,Team,SW," + "9" * 400 + ",permanent,50000,", "'999"),
        ("ANNUAL_COST", "P1,Team,SW,1,permanent,1e30,", "'1e30' is not an amount"),
    ],
)
def test_counts_and_numbers_beyond_what_a_council_holds_are_refused(
    write: Writer, column: str, row: str, starts: str
) -> None:
    path = write("posts.csv", POSTS + row + "\n")
    found = [(i.row, i.column, i.message) for i in errors(path) if i.column == column]
    assert len(found) == 1
    assert found[0][:2] == (2, column)
    assert found[0][2].startswith(starts)


def test_an_out_of_range_amount_stores_nothing_on_either_database(
    settings: Settings, write: Writer
) -> None:
    before = dump(settings.database_url)
    path = write("gl.csv", LEDGER + "2018-09,SW1,1000,100000000000000000\n")
    with pytest.raises(InvalidInput) as failure:
        import_paths(settings, [path], date(2018, 9, 30))
    assert [i.format().split(": ")[:2] for i in failure.value.issues if i.severity == "error"] == [
        [f"{path}:2:AMOUNT", "out-of-range"]
    ]
    assert dump(settings.database_url) == before


def test_the_largest_amount_is_stored_to_the_penny_on_either_database(
    settings: Settings, write: Writer
) -> None:
    path = write("gl.csv", LEDGER + "2018-09,SW1,1000,-999999999.99\n")
    import_paths(settings, [path], date(2018, 9, 30))
    engine = sa.create_engine(settings.database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(ledger_entries.c.amount_pence)).scalars().all()
    engine.dispose()
    assert stored == [-99_999_999_999]


def test_a_long_ledger_checked_without_an_as_of_date_is_read_not_crashed(write: Writer) -> None:
    """polars 2.1 refuses to filter 100,000 rows or more by a constant (a rule with nothing to
    check without an as-of date): ShapeError 'filter predicate length of 2'."""
    path = write("gl.csv", LEDGER + "2018-09,SW1,1000,5.00\n" * 100_000)
    parsed, issues = parse_file(path)
    assert parsed is not None
    assert parsed.row_count == 100_000
    assert [i for i in issues if i.severity is Severity.ERROR] == []


@pytest.mark.parametrize(
    ("text", "kept"),
    [("0.667", 0.667), ("1.5000", 1.5), ("33.333", 33.333), ("0.12345", None), ("33.33333", None)],
)
def test_fte_and_percentages_finer_than_the_store_keeps_are_refused_not_rounded(
    text: str, kept: float | None
) -> None:
    """The store keeps FTE and CONTRIBUTION_PCT to 0.001: 0.12345 would be stored as 0.123 without
    a word, so it is refused at its cell with how to write it; trailing zeros are no finer."""
    for kind in (Kind.NUMBER, Kind.PERCENT):
        check = column_check(ColumnSpec("X", kind))
        frame = pl.DataFrame({"X": [text]}).select(
            check.value.alias("value"), check.bad.alias("invalid"), check.message.alias("m")
        )
        row = frame.row(0, named=True)
        if kept is None:
            assert row["invalid"]
            assert "at most 3 decimal places" in row["m"]
        else:
            assert not row["invalid"]
            assert row["value"] == pytest.approx(kept)
