"""Cells are typed a column at a time: dates in two spellings, pounds with £ and commas, nothing else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecast.ingest.columns import ColumnSpec, Kind, column_check


def typed(
    kind: Kind, cells: list[str], **options: object
) -> tuple[list[object], list[bool], list[str]]:
    """(values, is-problem flags, messages) of typing `cells` as one column of `kind`."""
    spec = ColumnSpec("X", kind, **options)  # type: ignore[arg-type]
    check = column_check(spec)
    frame = pl.DataFrame({"X": cells}, schema={"X": pl.String}).select(
        check.value.alias("value"), check.bad.alias("bad"), check.message.alias("message")
    )
    return frame["value"].to_list(), frame["bad"].to_list(), frame["message"].to_list()


def value(kind: Kind, cell: str, **options: object) -> object:
    values, bad, _ = typed(kind, [cell], **options)
    assert bad == [False]
    return values[0]


def problem(kind: Kind, cell: str) -> str:
    values, bad, messages = typed(kind, [cell])
    assert bad == [True]
    assert values == [None]
    return messages[0]


@pytest.mark.parametrize("text", ["2018-09-01", "01/09/2018", "1/9/2018", " 2018-09-01 "])
def test_dates_are_iso_or_day_month_year(text: str) -> None:
    assert value(Kind.DATE, text) == date(2018, 9, 1)


@pytest.mark.parametrize("text", ["09/01/18", "1 Sept 2018", "20180901", "2018/09/01"])
def test_other_date_spellings_are_refused_with_the_fix(text: str) -> None:
    assert problem(Kind.DATE, text) == f"'{text}' is not a date; write YYYY-MM-DD or DD/MM/YYYY"


@pytest.mark.parametrize("text", ["31/09/2018", "2018-13-01", "29/02/2019"])
def test_an_impossible_calendar_date_says_so(text: str) -> None:
    assert problem(Kind.DATE, text) == f"'{text}' is not a real calendar date"


@pytest.mark.parametrize(
    ("text", "pence"),
    [("911", 91100), ("£3,741.00", 374100), ("-1,234.5", -123450), ("£-20", -2000), ("0.07", 7)],
)
def test_money_becomes_pence_and_accepts_pound_sign_and_thousands_commas(
    text: str, pence: int
) -> None:
    assert value(Kind.MONEY, text) == pence


@pytest.mark.parametrize("text", ["12.345", "1,23", "£", "ten", "1.2.3", "--5", "1e5"])
def test_money_refuses_anything_else(text: str) -> None:
    assert "is not an amount in pounds" in problem(Kind.MONEY, text)


def test_an_empty_cell_is_no_value_and_no_problem() -> None:
    values, bad, _ = typed(Kind.MONEY, ["", "  "])
    assert values == [None, None]
    assert bad == [False, False]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_any_date_written_either_way_reads_back(day: date) -> None:
    values, bad, _ = typed(Kind.DATE, [day.isoformat(), day.strftime("%d/%m/%Y")])
    assert values == [day, day]
    assert bad == [False, False]


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
def test_any_amount_written_with_commas_and_pound_sign_reads_back_in_pence(amount: Decimal) -> None:
    written = f"£{amount:,.2f}" if amount >= 0 else f"-£{-amount:,.2f}"
    assert value(Kind.MONEY, written) == int(amount * 100)


@given(st.lists(st.text(max_size=12), max_size=20))
def test_every_cell_is_either_a_value_or_a_problem_never_a_crash(cells: list[str]) -> None:
    for kind in (Kind.MONEY, Kind.DATE, Kind.NUMBER, Kind.PERIOD, Kind.FINANCIAL_YEAR):
        values, bad, _ = typed(kind, cells)
        for cell, got, flagged in zip(cells, values, bad, strict=True):
            assert (got is None and (flagged or not cell.strip())) or (
                got is not None and not flagged
            )


def test_percentages_are_between_0_and_100() -> None:
    assert value(Kind.PERCENT, "25%") == 25.0
    assert "between 0 and 100" in problem(Kind.PERCENT, "120")


@pytest.mark.parametrize(("text", "ok"), [("2018-19", True), ("1999-00", True), ("2018-20", False)])
def test_financial_years_must_be_consecutive(text: str, ok: bool) -> None:
    _, bad, _ = typed(Kind.FINANCIAL_YEAR, [text])
    assert bad == [not ok]


def test_codes_are_checked_against_their_list_in_their_case() -> None:
    assert value(Kind.CODE, "Staffing", codes=frozenset({"staffing"}), lower=True) == "staffing"
    _, bad, messages = typed(Kind.CODE, ["U9"], codes=frozenset({"U4", "U5"}))
    assert bad == [True]
    assert messages == ["'U9' is not a valid X; use one of U4, U5"]


def test_a_code_column_without_a_list_is_only_normalised() -> None:
    """SSDA903 codes depend on the collection year: rules check them, typing only upper-cases."""
    values, bad, _ = typed(Kind.CODE, [" u4 ", "Q9", ""])
    assert values == ["U4", "Q9", None]
    assert bad == [False, False, False]


@pytest.mark.parametrize("formats", [("%d/%m/%Y",), ("%Y-%m-%d",), ("%Y-%m-%d", "%d/%m/%Y")])
def test_a_date_column_can_be_parsed_in_the_one_spelling_it_uses(formats: tuple[str, ...]) -> None:
    spec = ColumnSpec("X", Kind.DATE)
    cells = ["01/09/2018", "2018-09-01"]
    frame = pl.DataFrame({"X": cells}).select(column_check(spec, formats).value)
    expected: dict[tuple[str, ...], list[date | None]] = {
        ("%d/%m/%Y",): [date(2018, 9, 1), None],
        ("%Y-%m-%d",): [None, date(2018, 9, 1)],
    }
    both = [date(2018, 9, 1), date(2018, 9, 1)]
    assert frame.to_series().to_list() == expected.get(formats, both)
