"""The staffing ledger's year-end reversal and the establishment's drift, checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.finance import Post
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.state import ActivityState
from carecast.forecast.assumptions import Assumptions, StaffingAssumptions
from carecast.forecast.outturn import forecast_outturn
from carecast.forecast.staffing_ledger import establishment_drift, reversal_deficit

P6 = Period.parse("2018-09")
LAST, THIS = FinancialYear(2017), FinancialYear(2018)


def ledger(last_march: float, this_april: float) -> dict[Period, float]:
    """£250k a month of pay and agency; last March and this April as given."""
    months = dict.fromkeys(LAST.periods(), 250000.0) | {
        Period.of(THIS, n): 250_000.0 for n in range(1, 7)
    }
    months[Period.of(LAST, 12)] = last_march
    months[Period.of(THIS, 1)] = this_april
    return months


def test_an_accrual_reversed_in_april_leaves_the_year_a_month_of_agency_short() -> None:
    """March accrued £60k of agency not yet invoiced (£310k); April reversed it (£190k): the
    £60k will still post this year, as the invoices come in."""
    assert reversal_deficit(ledger(310_000.0, 190_000.0), P6) == pytest.approx(60_000.0)


def test_a_low_april_without_last_years_accrual_is_not_read_as_one() -> None:
    assert reversal_deficit(ledger(250_000.0, 190_000.0), P6) == 0.0


def test_no_reversal_no_deficit() -> None:
    assert reversal_deficit(ledger(310_000.0, 250_000.0), P6) == 0.0


def post(ident: str, status: str, cost: int) -> Post:
    return Post(ident, "Team", "Social Worker", Decimal(1), status, Decimal(cost), None, None)


def test_the_establishment_growing_4_percent_in_half_a_year_drifts_at_8_percent_a_year() -> None:
    """£1.00m of filled posts on 1 April, £1.04m on 30 September (182 days): 1.04^(365/182) − 1
    = 8.2% a year."""
    then = [post("A", "permanent", 500_000), post("B", "agency", 500_000), post("C", "vacant", 0)]
    now = [post("A", "permanent", 500_000), post("B", "agency", 540_000)]
    drift = establishment_drift(then, date(2018, 4, 1), now, date(2018, 9, 30))
    assert drift.yearly == pytest.approx(1.04 ** (365 / 182) - 1)
    assert drift.factors(365)[-1] == pytest.approx(1 + drift.yearly)


def test_no_earlier_extract_no_drift() -> None:
    now = [post("A", "permanent", 500_000)]
    assert establishment_drift([], None, now, date(2018, 9, 30)).yearly == 0.0
    assert establishment_drift(now, date(2018, 9, 1), now, date(2018, 9, 30)).yearly == 0.0


def test_the_drift_the_extracts_show_is_reported_and_applied_only_when_said() -> None:
    """The establishment grew 4% since April; the forecast reports it, and carries a drift on only
    when the assumptions give one (a pay award its costs do not show yet)."""
    then = (post("A", "permanent", 500_000), post("B", "permanent", 500_000))
    now = (post("A", "permanent", 500_000), post("B", "permanent", 540_000))
    state = ActivityState(
        known_on=date(2018, 10, 15),
        posts=now,
        earlier_posts=then,
        earlier_posts_on=date(2018, 4, 1),
    )
    plain = forecast_outturn(state, P6, paths=0)
    found = plain.assumptions["findings"]["staffing_ledger"]
    assert found["drift_a_year_seen"] == pytest.approx(1.04 ** (365 / 182) - 1, abs=1e-4)
    assert found["drift_a_year_applied"] == 0.0
    assert "establishment_drift" not in {c.driver for c in plain.components}
    said = Assumptions(staffing=StaffingAssumptions(establishment_drift=0.03))
    drifted = forecast_outturn(state, P6, assumptions=said, paths=0)
    assert drifted.forecast_outturn > plain.forecast_outturn
