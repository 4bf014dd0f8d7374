"""Financial years run 1 April – 31 March; periods are months, P1 = April."""

from __future__ import annotations

from datetime import date

import pytest

from carecast.domain.periods import FinancialYear, Period, days_between, eighteenth_birthday


def test_september_2018_is_period_6_of_2018_19() -> None:
    period = Period.parse("2018-09")
    assert period.number == 6
    assert period.financial_year == FinancialYear(2018)
    assert period.financial_year.label == "2018-19"
    assert (period.first_day, period.last_day) == (date(2018, 9, 1), date(2018, 9, 30))


def test_march_is_period_12_of_the_year_that_started_the_april_before() -> None:
    assert Period.parse("2019-03").number == 12
    assert Period.parse("2019-03").financial_year.label == "2018-19"


def test_periods_of_a_year_run_april_to_march() -> None:
    labels = [p.label for p in FinancialYear.parse("2018-19").periods()]
    assert labels[0] == "2018-04"
    assert labels[-1] == "2019-03"
    assert len(labels) == 12


def test_next_and_previous_cross_the_year_end() -> None:
    assert Period.parse("2019-03").next() == Period.parse("2019-04")
    assert Period.parse("2018-04").previous() == Period.parse("2018-03")


@pytest.mark.parametrize("text", ["2018-20", "2018/19", "18-19", ""])
def test_badly_written_financial_years_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="financial year"):
        FinancialYear.parse(text)


@pytest.mark.parametrize("text", ["2018-13", "2018-9x", "Sept 2018"])
def test_badly_written_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        Period.parse(text)


def test_a_leap_year_has_366_days() -> None:
    assert FinancialYear.parse("2019-20").days == 366
    assert FinancialYear.parse("2018-19").days == 365


def test_days_between_counts_both_ends_and_never_goes_negative() -> None:
    assert days_between(date(2018, 9, 1), date(2019, 3, 31)) == 212
    assert days_between(date(2019, 1, 1), date(2018, 1, 1)) == 0


def test_eighteenth_birthday_of_a_leap_day_child_is_1_march() -> None:
    assert eighteenth_birthday(date(2000, 2, 29)) == date(2018, 3, 1)
    assert eighteenth_birthday(date(2000, 11, 15)) == date(2018, 11, 15)


@pytest.mark.parametrize("text", ["0000-01", "1899-12", "2200-01"])
def test_a_period_outside_the_years_of_any_record_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the years 1900–2199"):
        Period.parse(text)


def test_a_financial_year_outside_them_is_refused_too() -> None:
    with pytest.raises(ValueError, match="outside the years"):
        FinancialYear.parse("0000-01")
