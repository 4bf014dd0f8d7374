"""The projected cost of placements scored against the ledger's whole years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.finance import CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear
from carecast.projection.cost_backtest import ledger_placements, score_costs
from carecast.projection.cost_fit import CostAssumptions, PlacementPrice
from carecast.projection.cost_paths import Activity
from tests.test_projection_costs import cost_model, month_ends

IFA = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_IFA)
CATEGORIES = len(PLACEMENT_LINES) + 1
CENTRES = (
    CostCentre("IFA", ServiceLine.PLACEMENTS_IFA),
    CostCentre("STAFF", ServiceLine.STAFFING),
)


def ledger(year: str, months: int, amount: int, centre: str = "IFA") -> list[LedgerEntry]:
    periods = FinancialYear.parse(year).periods()[:months]
    return [LedgerEntry(p, centre, "5000", Decimal(amount)) for p in periods]


def test_only_whole_years_of_the_placement_lines_count_as_the_outturn() -> None:
    entries = [
        *ledger("2017-18", 12, 100_000),
        *ledger("2017-18", 12, 50_000, "STAFF"),  # not a placement line
        *ledger("2018-19", 7, 100_000),  # not finished
    ]
    assert ledger_placements(entries, CENTRES) == {"2017-18": 1_200_000.0}


def test_a_replay_scores_each_whole_year_it_projects_and_says_when_nothing_was_priced() -> None:
    start = date(2017, 3, 31)
    ends = month_ends(date(2017, 4, 1), 24)
    stock = np.zeros((25, 2, CATEGORIES))
    stock[:, 0, IFA], stock[:, 1, IFA] = 10, 12  # two paths: 10 and 12 children all along
    activity = Activity(stock, np.zeros_like(stock), np.zeros((24, 2)))
    prices = tuple(
        PlacementPrice(line, 1000.0 if i == IFA else 0, 1000.0 if i == IFA else 0, 1, 1)
        for i, line in enumerate(PLACEMENT_LINES)
    )
    flat = CostAssumptions(placement_price_rise=0, pay_award=0, inflation=0)
    model = cost_model(start, prices=prices, assumptions=flat)
    year = 1000 * 365 / 7
    scored = score_costs(model, ends, activity, {"2017-18": 11 * year})  # 2018-19 not on record
    (only,) = scored.years
    assert only.financial_year == "2017-18"
    assert only.months_ahead == 12
    assert only.p50 == pytest.approx(11 * year)
    assert only.error == pytest.approx(0)
    assert only.held

    nothing = score_costs(cost_model(start), ends, activity, {"2017-18": 1.0})
    assert nothing.years == ()
    assert nothing.skipped is not None
