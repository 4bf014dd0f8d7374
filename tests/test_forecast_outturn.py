"""The outturn forecast adds actuals to date and what is committed to year end, line by line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import (
    Allowance,
    BudgetLine,
    Commitment,
    CostCentre,
    LedgerEntry,
    Post,
)
from carecast.domain.periods import Period
from carecast.domain.provenance import ForecastLine
from carecast.domain.state import ActivityState
from carecast.forecast.assumptions import Assumptions
from carecast.forecast.outturn import forecast_outturn
from tests.forecast_fixtures import synthetic_state

P6 = Period.parse("2018-09")  # the close at 30 September: 182 days (26 weeks) remain


def state(**changes: object) -> ActivityState:
    base: dict[str, object] = {
        "known_on": date(2018, 10, 15),
        "children": (Child("C1", "1", date(2008, 1, 1)), Child("C2", "2", date(2001, 2, 1))),
        "episodes": (
            Episode("C1", date(2018, 5, 1), "S", "C2", "N1", "U4", "PR4"),
            Episode("C2", date(2017, 5, 1), "S", "C2", "N1", "K2", "PR4"),
        ),
        "commitments": (
            Commitment(
                "C1",
                ServiceLine.PLACEMENTS_IFA,
                "Agency",
                date(2018, 5, 1),
                None,
                Decimal(910),
                "IFA1",
            ),
            # C2 turns 18 on 1 February 2019, so this runs 1 October – 31 January: 123 days.
            Commitment(
                "C2",
                ServiceLine.PLACEMENTS_RESIDENTIAL,
                "Home",
                date(2017, 5, 1),
                None,
                Decimal(3500),
                "RES1",
            ),
        ),
        "cost_centres": (
            CostCentre("IFA1", ServiceLine.PLACEMENTS_IFA),
            CostCentre("RES1", ServiceLine.PLACEMENTS_RESIDENTIAL),
            CostCentre("SW1", ServiceLine.STAFFING),
            CostCentre("SGO1", ServiceLine.SPECIAL_GUARDIANSHIP),
            CostCentre("RUN1", ServiceLine.OTHER_COSTS),
        ),
        "ledger": (
            LedgerEntry(Period.parse("2018-04"), "RES1", "5000", Decimal(15000)),
            LedgerEntry(Period.parse("2018-09"), "IFA1", "5000", Decimal(20000)),
            LedgerEntry(Period.parse("2018-09"), "SW1", "1000", Decimal(300000)),
            LedgerEntry(Period.parse("2018-06"), "RUN1", "4000", Decimal(60000)),
            LedgerEntry(Period.parse("2018-10"), "RUN1", "4000", Decimal(99999)),  # after the close
            LedgerEntry(Period.parse("2018-03"), "RUN1", "4000", Decimal(88888)),  # last year
        ),
        "budget": (
            BudgetLine("2018-19", ServiceLine.PLACEMENTS_IFA, Decimal(40000)),
            BudgetLine("2018-19", ServiceLine.STAFFING, Decimal(500000)),
            BudgetLine("2017-18", ServiceLine.STAFFING, Decimal(1)),
        ),
        "posts": (Post("P1", "T", "SW", Decimal(1), "agency", Decimal(73000)),),
        "allowances": (Allowance("S1", "sgo", date(2016, 1, 1), None, Decimal(140)),),
    }
    base.update(changes)
    return ActivityState(**base)  # type: ignore[arg-type]


def line(forecast_lines: tuple[ForecastLine, ...], service_line: ServiceLine) -> ForecastLine:
    return next(x for x in forecast_lines if x.service_line is service_line)


def test_each_line_is_actuals_plus_committed_cost_to_year_end() -> None:
    forecast = forecast_outturn(state(), P6)
    ifa = line(forecast.lines, ServiceLine.PLACEMENTS_IFA)
    assert ifa.actual_to_date == Decimal(20000)
    assert ifa.committed == Decimal(910) * 182 / 7  # £23,660
    assert ifa.forecast_outturn == Decimal(20000) + Decimal(23660)
    assert ifa.variance == Decimal(3660)
    assert ifa.children == 1


def test_a_placement_ends_on_the_eve_of_the_18th_birthday() -> None:
    residential = line(forecast_outturn(state(), P6).lines, ServiceLine.PLACEMENTS_RESIDENTIAL)
    assert residential.committed == Decimal(3500) * 123 / 7


def test_staffing_and_allowances_run_to_year_end() -> None:
    forecast = forecast_outturn(state(), P6)
    staffing = line(forecast.lines, ServiceLine.STAFFING)
    assert staffing.committed == Decimal(73000) * 182 / 365
    assert staffing.budget == Decimal(500000)
    sgo = line(forecast.lines, ServiceLine.SPECIAL_GUARDIANSHIP)
    assert sgo.committed == Decimal(140) * 26
    assert sgo.children == 1


def test_lines_without_a_driver_run_at_this_years_rate_ignoring_other_years_and_later_periods() -> (
    None
):
    other = line(forecast_outturn(state(), P6).lines, ServiceLine.OTHER_COSTS)
    # £60,000 in the six periods April – September is £10,000 a period; six periods remain.
    assert other.actual_to_date == Decimal(60000)
    assert other.committed == Decimal(60000)
    assert other.method == "run_rate"


def test_totals_add_up_the_lines() -> None:
    forecast = forecast_outturn(state(), P6)
    assert forecast.forecast_outturn == sum(x.forecast_outturn for x in forecast.lines)
    assert forecast.budget == Decimal(540000)


def test_spend_on_an_unmapped_cost_centre_is_counted_and_reported() -> None:
    extra = LedgerEntry(Period.parse("2018-05"), "NEW9", "4000", Decimal(1234))
    forecast = forecast_outturn(state(ledger=(extra,)), P6)
    other = line(forecast.lines, ServiceLine.OTHER_COSTS)
    assert other.actual_to_date == Decimal(1234)
    assert any("NEW9" in note for note in forecast.notes)


@pytest.mark.parametrize("seed", [1, 4])
def test_the_assumptions_as_used_reproduce_the_forecast_to_the_penny(seed: int) -> None:
    """A finance officer copies `assumptions.used` into a file and runs again: nothing moves —
    not a line, not the interval."""
    state = synthetic_state(seed)
    first = forecast_outturn(state, P6)
    used = Assumptions.model_validate(first.assumptions["used"])
    again = forecast_outturn(state, P6, assumptions=used)
    assert [line.forecast_outturn for line in again.lines] == [
        line.forecast_outturn for line in first.lines
    ]
    assert [(line.p10, line.p90) for line in again.lines] == [
        (line.p10, line.p90) for line in first.lines
    ]
    assert (again.p10, again.p90) == (first.p10, first.p90)
