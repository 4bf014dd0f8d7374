"""The income line read from its drivers: quarterly contributions earned by commitments, and a grant
posted once a year (forecast/income.py)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment, CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.income import earned_by_quarter, fit_income, posting_lag

CENTRES = [
    CostCentre("INC1", ServiceLine.INCOME),
    CostCentre("RES1", ServiceLine.PLACEMENTS_RESIDENTIAL),
]
HISTORY = [FinancialYear.parse("2017-18"), FinancialYear.parse("2016-17")]
THIS_YEAR = FinancialYear.parse("2018-19")
CONTRIBUTIONS, GRANT = "9010", "9020"


def entry(
    year: FinancialYear, number: int, amount: float, account: str = CONTRIBUTIONS
) -> LedgerEntry:
    return LedgerEntry(Period.of(year, number), "INC1", account, Decimal(str(amount)))


def history_on_receipt() -> list[LedgerEntry]:
    """Each earlier year: a quarter's £4,500 received three months after it ends (periods 3, 6, 9
    and 12), period 12 also accruing the quarter not yet invoiced (another £4,500), period 1
    reversing last year's accrual; a grant in period 11 (£40,000, then £50,000)."""
    rows = []
    for year, grant in zip(HISTORY, (-50_000, -40_000), strict=True):
        rows += [entry(year, 1, 4_500), entry(year, 3, -4_500), entry(year, 6, -4_500)]
        rows += [entry(year, 9, -4_500), entry(year, 12, -9_000)]
        rows.append(entry(year, 11, grant, GRANT))
    return rows


# one residential placement, £700 a week, half paid by health: £50 a day from 1 April
HALF_FUNDED = Commitment(
    "C-001",
    ServiceLine.PLACEMENTS_RESIDENTIAL,
    "Home",
    date(2018, 4, 1),
    None,
    Decimal(700),
    "RES1",
    Decimal(50),
)


def test_contributions_left_are_the_quarters_not_yet_posted_and_the_accrual() -> None:
    # This year: the reversal, Q4 of last year in June, Q1 (91 days × £50 = £4,550) in September
    # and Q2 (92 days = £4,600) in December received at £5,060 (10% above what was earned).
    ledger = [
        *history_on_receipt(),
        entry(THIS_YEAR, 1, 4_500),
        entry(THIS_YEAR, 3, -4_500),
        entry(THIS_YEAR, 6, -4_550),
        entry(THIS_YEAR, 9, -5_060),
    ]
    fit = fit_income(ledger, CENTRES, [HALF_FUNDED], Period.of(THIS_YEAR, 9), HISTORY)
    assert fit is not None
    assert fit.posting_lag == 3
    # α: period 12 held £9,000 where a quarter is £4,500 → one quarter accrued
    assert fit.year_end_share == pytest.approx(1.0)
    # κ = (posted 4,550 + 5,060 + one prior quarter, the mean earned 4,562.50)
    #   ÷ (earned 4,550 + 4,600 + 4,562.50) = 14,172.50 ÷ 13,712.50
    kappa = 14_172.50 / 13_712.50
    assert fit.ledger_to_activity == pytest.approx(kappa)
    # left: nothing in P10; the grant, £50,000 as last year, in P11; Q3 (92 days, £4,600)
    # received in P12 and Q4 (90 days, £4,500) accrued there, both at κ
    assert fit.profiled.remaining == pytest.approx([0.0, -50_000.0, -kappa * 9_100])
    assert fit.grant_accounts == (GRANT,)
    assert fit.grant_left == -50_000
    assert fit.contributions_left == pytest.approx(-kappa * 9_100)
    # the spread: κ's (posted ÷ earned 1.0 and 1.1: sd 0.0707 ÷ √2 = 0.05) × £9,405; Q4's accrual
    # 45 days ahead, wandering as the quarters did (log changes 0.0109 and 0: RMS 0.00773) —
    # κ × 0.00773 × √(45 ÷ 91.3) × £4,500 = £25; the grant's one step of £10,000
    sd = math.sqrt((0.05 * kappa * 9_100) ** 2 + 25.23**2 + 10_000**2)
    assert fit.profiled.relative_sd * (50_000 + kappa * 9_100) == pytest.approx(sd, rel=1e-4)


def test_a_grant_already_posted_this_year_leaves_nothing_to_come() -> None:
    ledger = [
        *history_on_receipt(),
        entry(THIS_YEAR, 3, -4_500),
        entry(THIS_YEAR, 6, -4_550),
        entry(THIS_YEAR, 8, -45_000, GRANT),
    ]
    fit = fit_income(ledger, CENTRES, [HALF_FUNDED], Period.of(THIS_YEAR, 8), HISTORY)
    assert fit is not None
    assert fit.grant_left == 0
    # κ from Q1 only: (4,550 + 4,562.50) ÷ (4,550 + 4,562.50) = 1; Q2 (P9) and Q3 (P12) to post,
    # Q4 accrued in P12
    assert fit.profiled.remaining == pytest.approx([-4_600.0, 0.0, 0.0, -9_100.0])


def test_contributions_invoiced_the_month_after_the_quarter_are_read_as_lag_one() -> None:
    year = HISTORY[0]
    monthly = {Period.of(year, n): -1_000.0 for n in (1, 4, 7, 10)}
    monthly[Period.of(year, 12)] = -1_000.0  # the accrual is left out of the pattern
    assert posting_lag(monthly, [year]) == 1


def test_income_that_posts_every_month_is_left_to_the_profile() -> None:
    ledger = [entry(y, n, -1_000) for y in HISTORY for n in range(1, 13)]
    ledger += [entry(THIS_YEAR, n, -1_000) for n in range(1, 7)]
    assert fit_income(ledger, CENTRES, [HALF_FUNDED], Period.of(THIS_YEAR, 6), HISTORY) is None


def test_without_contributing_commitments_the_line_is_left_to_the_profile() -> None:
    unfunded = Commitment(
        "C-002",
        ServiceLine.PLACEMENTS_RESIDENTIAL,
        "Home",
        date(2018, 4, 1),
        None,
        Decimal(700),
        "RES1",
    )
    ledger = [*history_on_receipt(), entry(THIS_YEAR, 3, -4_500)]
    assert fit_income(ledger, CENTRES, [unfunded], Period.of(THIS_YEAR, 3), HISTORY) is None


def test_contributions_after_the_close_follow_the_placements_expected_cost() -> None:
    # the placement engine expects residential cost to halve from the day after the close
    outlook = {ServiceLine.PLACEMENTS_RESIDENTIAL: np.full(90, 0.5)}
    known, expected = earned_by_quarter([HALF_FUNDED], THIS_YEAR, Period.of(THIS_YEAR, 9), outlook)
    # to 31 December: 91, 92 and 92 days at £50; January to March: 90 days at £50 × ½
    assert known == pytest.approx([4_550.0, 4_600.0, 4_600.0, 0.0])
    assert expected == pytest.approx([0.0, 0.0, 0.0, 2_250.0])
