"""Allowance lines add the cases' cost to date that the ledger has not posted yet
(forecast/allowances.py): paid in arrears, or a year-end accrual reversed in period 1."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Allowance
from carecast.forecast.allowances import build_allowances
from carecast.forecast.assumptions import AllowanceAssumptions
from carecast.forecast.window import Window

SGO = ServiceLine.SPECIAL_GUARDIANSHIP
# £70 a week is £10 a day; the close is 30 September 2018 (period 6)
CASE = Allowance("S1", "sgo", date(2016, 1, 1), None, Decimal(70))
WINDOW = Window(date(2018, 10, 1), date(2019, 3, 31))
# no joiners and no early ends: only the timing is under test
STILL = AllowanceAssumptions(joiners_per_month={"sgo": 0.0}, early_end_rate=0.0)


def unposted(posted: int) -> float | None:
    model = build_allowances([CASE], WINDOW, {SGO: Decimal(posted)}, STILL)
    return model.unposted.get(SGO)


def test_a_month_paid_in_arrears_is_still_to_post() -> None:
    # April's year-end accrual reversal nets April's payment to nothing; May to September pay
    # April to August: 30 + 31 + 30 + 31 + 31 = 153 days × £10 = £1,530 against 183 days of care
    # (£1,830): September's £300 is care not yet posted
    assert unposted(1_530) == pytest.approx(300.0)


def test_no_more_than_two_months_of_care_is_taken_as_timing() -> None:
    # £500 posted against £1,830: the shortfall is more than a lag explains; only the cost of
    # the last 61 days (1 August to 30 September, £610) is added
    assert unposted(500) == pytest.approx(610.0)


def test_a_line_the_ledger_never_posts_to_adds_nothing() -> None:
    assert unposted(0) is None


def test_spend_beyond_the_cases_is_not_timing() -> None:
    model = build_allowances([CASE], WINDOW, {SGO: Decimal(2_013)}, STILL)
    assert SGO not in model.unposted
    # £183 beyond the cases over 183 days runs on at £1 a day
    assert model.unitemised[SGO] == pytest.approx(1.0)
