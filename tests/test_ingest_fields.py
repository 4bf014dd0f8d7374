"""Cells are parsed strictly: dates in two spellings, pounds with £ and commas, nothing else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecast.ingest.fields import FieldProblem, parse_date, parse_money, parse_percentage


@pytest.mark.parametrize("text", ["2018-09-01", "01/09/2018", "1/9/2018"])
def test_dates_are_iso_or_day_month_year(text: str) -> None:
    assert parse_date(text) == date(2018, 9, 1)


@pytest.mark.parametrize(
    "text", ["31/02/2018", "2018-13-01", "09/01/18", "1 Sept 2018", "20180901"]
)
def test_other_date_spellings_and_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(FieldProblem) as problem:
        parse_date(text)
    assert problem.value.rule == "bad-date"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("911", "911"),
        ("£3,741.00", "3741.00"),
        ("-1,234.5", "-1234.5"),
        ("£-20", "-20"),
        ("0.07", "0.07"),
    ],
)
def test_money_accepts_pound_sign_and_thousands_commas(text: str, value: str) -> None:
    assert parse_money(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12.345", "1,23", "£", "ten", "1.2.3", "--5", "1e5"])
def test_money_refuses_anything_else(text: str) -> None:
    with pytest.raises(FieldProblem) as problem:
        parse_money(text)
    assert problem.value.rule == "bad-number"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_any_date_written_either_way_reads_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
def test_any_amount_written_with_commas_and_pound_sign_reads_back(amount: Decimal) -> None:
    written = f"£{amount:,.2f}" if amount >= 0 else f"-£{-amount:,.2f}"
    assert parse_money(written) == amount


@given(st.text(max_size=12))
def test_money_parser_either_returns_a_number_or_a_located_rule(text: str) -> None:
    rule = None
    try:
        parse_money(text)
    except FieldProblem as problem:
        rule = problem.rule
    assert rule in {None, "bad-number"}


def test_percentages_are_between_0_and_100() -> None:
    assert parse_percentage("25%") == Decimal(25)
    with pytest.raises(FieldProblem):
        parse_percentage("120")
