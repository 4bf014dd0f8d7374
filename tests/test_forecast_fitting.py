"""What the engines fit from history: ending rates, arrivals, prices, profiles, joiners."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Allowance
from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.allowances import fit_allowances
from carecast.forecast.arrivals import fit_arrivals
from carecast.forecast.assumptions import AllowanceAssumptions
from carecast.forecast.hazards import PRIOR_DAYS, fit_hazards
from carecast.forecast.history import LINE_INDEX, History, build_history, known_placements
from carecast.forecast.other_lines import profile_line
from carecast.forecast.pricing import line_prices
from tests.forecast_fixtures import child, commitment, episode

CLOSE = date(2018, 9, 30)
IFA, RES = ServiceLine.PLACEMENTS_IFA, ServiceLine.PLACEMENTS_RESIDENTIAL
IX, RX = LINE_INDEX[IFA], LINE_INDEX[RES]
TEN = date(2007, 1, 1)  # aged 10 to 11 through 2017 and 2018: age band 10–15 (index 3)


def history(*episodes: Episode, children: tuple[Child, ...] = ()) -> History:
    kids = children or tuple(child(e.child_id, TEN) for e in episodes)
    return build_history(known_placements(episodes, CLOSE), kids, CLOSE)


def test_ending_rates_are_endings_over_days_at_risk_in_each_duration_band() -> None:
    # A left after 20 days: at risk on days 1–6 (band 0–6) and 7–20 (band 7–27), 1 leaving.
    # B is still placed after 578 days: 6 days in band 0–6 and 21 in band 7–27, no ending.
    # Band 7–27: 1 leaving in 35 days; the prior is the same rate, so the cell keeps 1/35.
    fitted = fit_hazards(
        history(
            episode("A", date(2017, 1, 1), "U4", "PR4", date(2017, 1, 21)),
            episode("B", date(2017, 3, 1), "U4", "PR4"),
        ),
        years=3,
    )
    assert fitted.leave[IX, 3, 1] == pytest.approx(1 / 35)
    assert fitted.leave[IX, 3, 0] == 0
    assert fitted.move.max() == 0
    assert fitted.events[IX] == 1


def test_a_thin_cell_borrows_its_lines_rate_and_a_move_fills_the_destination_table() -> None:
    # A moves from IFA to residential after 20 days and stays. In band 7–27 days: IFA has 1 move
    # in 35 days (A's 14, B's 21), residential none in A's 21 days; all lines 1 in 56 days.
    # Each level is shrunk to the one above with a prior worth PRIOR_DAYS days at its rate.
    fitted = fit_hazards(
        history(
            episode("A", date(2017, 1, 1), "U4", "PR4", date(2017, 1, 21)),
            episode("A", date(2017, 1, 21), "K2", "PR4"),
            episode("B", date(2017, 3, 1), "U4", "PR4"),
        ),
        years=3,
    )

    def shrunk(events: float, days: float, prior: float) -> float:
        return (events + PRIOR_DAYS * prior) / (days + PRIOR_DAYS)

    overall = 1 / 56
    ifa = shrunk(1, 35, shrunk(1, 35, overall))
    residential = shrunk(0, 21, shrunk(0, 21, overall))
    assert fitted.move[IX, 3, 1] == pytest.approx(ifa)
    assert fitted.end[RX, 3, 1] == pytest.approx(residential)
    assert 0 < residential < ifa
    assert fitted.destination[IX, 3].argmax() == RX


def test_an_ending_on_the_18th_birthday_is_certain_and_not_an_early_ending() -> None:
    dob = date(2000, 6, 1)  # 18 on 1 June 2018
    fitted = fit_hazards(
        history(
            episode("Y", date(2017, 1, 1), "K2", "PR4", date(2018, 6, 1)),
            children=(child("Y", dob),),
        ),
        years=3,
    )
    assert fitted.events[RX] == 0


def test_each_placement_knows_the_childs_birthdays_and_the_placements_either_side() -> None:
    """A, born on 29 February 2008, moves from IFA to residential the day IFA ends; B leaves
    IFA on 1 April and comes back on 1 May: a new arrival, with nothing before it."""
    leap = date(2008, 2, 29)
    placed = history(
        episode("A", date(2017, 1, 1), "U4", "PR4", date(2017, 6, 1)),
        episode("A", date(2017, 6, 1), "K2", "PR4"),
        episode("B", date(2017, 3, 1), "U4", "PR4", date(2017, 4, 1)),
        episode("B", date(2017, 5, 1), "U4", "PR4"),
        children=(child("A", leap), child("B", TEN)),
    )
    out = -1
    assert placed.child_ids == ("A", "A", "B", "B")
    assert placed.line.tolist() == [IX, RX, IX, IX]
    assert placed.previous.tolist() == [out, IX, out, out]
    assert placed.following.tolist() == [RX, out, out, out]
    # a 29 February birthday falls on 1 March in the years without one
    assert [date.fromordinal(d) for d in placed.age_bounds[0]] == [
        date(2009, 3, 1),
        date(2013, 3, 1),
        date(2018, 3, 1),
        date(2024, 2, 29),
    ]
    assert placed.age_bounds[1].tolist() == placed.age_bounds[0].tolist()
    assert placed.adult[2] == date(2025, 1, 1).toordinal()


def _arrivals(per_month: dict[int, int]) -> History:
    """Three years of arrivals to IFA: `per_month` by calendar month (default 2)."""
    episodes = [episode("OLD", date(2015, 9, 1), "U4", "PR4", date(2015, 10, 1))]
    month = Period.parse("2015-10")
    n = 0
    while month <= Period.parse("2018-09"):
        for _ in range(per_month.get(month.month, 2)):
            episodes.append(episode(f"N{n:04d}", month.first_day + timedelta(days=14), "U4", "PR4"))
            n += 1
        month = month.next()
    return history(*episodes)


def test_steady_arrivals_give_their_monthly_level_and_no_trend() -> None:
    fit = fit_arrivals(_arrivals({}), Period.parse("2018-09"), years=3)
    assert fit is not None
    monthly = fit.monthly([Period.parse("2018-10"), Period.parse("2019-01")])
    assert monthly[:, IX] == pytest.approx([2.0, 2.0], rel=1e-3)
    assert monthly.sum() == pytest.approx(4.0, rel=1e-3)
    assert abs(fit.trend) < 1e-6


def test_a_busy_month_is_seasonal_but_shrunk_towards_the_average() -> None:
    fit = fit_arrivals(_arrivals({7: 4}), Period.parse("2018-09"), years=3)
    assert fit is not None
    july = fit.season[6]
    assert 1.0 < july < 2.0  # raw factor ≈ 1.85; shrunk part of the way to 1
    assert fit.season.mean() == pytest.approx(1.0)
    none = fit_arrivals(_arrivals({7: 4}), Period.parse("2018-09"), years=3, seasonality=False)
    assert none is not None
    assert np.allclose(none.season, 1.0)


def test_without_a_recorded_ending_there_is_no_arrivals_history_to_fit() -> None:
    single = history(episode("A", date(2018, 5, 1), "U4", "PR4"))
    assert fit_arrivals(single, Period.parse("2018-09"), years=3) is None


def test_a_new_placement_costs_the_recent_average_shrunk_to_the_live_average() -> None:
    # Recent starts: 800 and 1,000 (mean 900). Live: those and an older 2,000 (mean 1,266.67).
    # (2 × 900 + 5 × 1,266.67) ÷ 7 = 1,161.90.
    prices = line_prices(
        [
            commitment("X", IFA, date(2018, 6, 1), "800"),
            commitment("Y", IFA, date(2018, 7, 1), "1000"),
            commitment("W", IFA, date(2016, 1, 1), "2000"),
        ],
        CLOSE,
        365,
        {},
    )
    assert prices.weekly[IFA] == pytest.approx((2 * 900 + 5 * 3800 / 3) / 7)
    assert prices.recent[IFA] == 2


def test_a_line_is_profiled_from_last_years_months_march_spike_included() -> None:
    # Last year: £100 a month and £340 in March (£1,440). This year £110 a month so far: by P6
    # last year had spent 600/1,440 of its year, so the year comes to 660 ÷ (600/1,440) = 1,584.
    last = FinancialYear(2017)
    monthly = {p: (340.0 if p.month == 3 else 100.0) for p in last.periods()}
    profiled = profile_line(monthly, Decimal(660), Period.parse("2018-09"), [last])
    assert profiled.method == "profile"
    assert profiled.remaining == pytest.approx([110, 110, 110, 110, 110, 374])
    flat = profile_line(monthly, Decimal(660), Period.parse("2018-09"), [])
    assert flat.method == "run_rate"
    assert flat.remaining == pytest.approx([110] * 6)


def test_a_quarterly_income_with_nothing_yet_received_follows_last_years_receipts() -> None:
    """Last year: the year-end accrual reversed in April (+50), then −100 received in June,
    September and December and −150 in March (−400 in all). This year, by May, only the +50
    reversal: a share to date of 50 ÷ −400 says nothing of this year's level, so the months left
    are last year's own: −100 × 3 − 150 = −450, and the year comes to 50 − 450 = −400."""
    last = FinancialYear(2017)
    amounts = {4: 50.0, 6: -100.0, 9: -100.0, 12: -100.0, 3: -150.0}
    monthly = {p: amounts.get(p.month, 0.0) for p in last.periods()}
    profiled = profile_line(monthly, Decimal(50), Period.parse("2018-05"), [last])
    assert profiled.remaining == pytest.approx([-100, 0, 0, -100, 0, 0, -100, 0, 0, -150])
    assert 50 + profiled.remaining.sum() == pytest.approx(-400)


def test_allowance_joiners_are_last_years_new_cases_at_their_average_amount() -> None:
    cases = [
        Allowance("S1", "sgo", date(2018, 1, 1), None, Decimal(200)),
        Allowance("S2", "sgo", date(2018, 3, 1), None, Decimal(220)),
        Allowance("S3", "sgo", date(2018, 8, 1), date(2018, 9, 1), Decimal(240)),
        Allowance("S4", "sgo", date(2012, 1, 1), None, Decimal(150)),
    ]
    fit = fit_allowances(cases, CLOSE, AllowanceAssumptions())
    assert fit.joiners_per_month["sgo"] == pytest.approx(3 / 12)
    assert fit.joiner_weekly["sgo"] == pytest.approx(220.0)
    given = fit_allowances(cases, CLOSE, AllowanceAssumptions(joiners_per_month={"sgo": 1.0}))
    assert given.joiners_per_month["sgo"] == 1.0


def _yearly_arrivals(per_month_by_year: dict[int, int]) -> History:
    """Arrivals to IFA from April 2015, `per_month_by_year[start year]` a month in each year."""
    episodes = [episode("OLD", date(2015, 3, 1), "U4", "PR4", date(2015, 5, 1))]
    month, n = Period.parse("2015-04"), 0
    while month <= Period.parse("2018-09"):
        for _ in range(per_month_by_year.get(month.financial_year.start_year, 2)):
            episodes.append(episode(f"N{n:04d}", month.first_day + timedelta(days=9), "U4", "PR4"))
            n += 1
        month = month.next()
    return history(*episodes)


def test_the_rates_year_to_year_wandering_widens_the_arrivals_uncertainty() -> None:
    steady = fit_arrivals(_yearly_arrivals({}), Period.parse("2018-09"), years=3)
    assert steady is not None
    assert steady.drift_sd == 0.0  # 24, 24, 24 a year: nothing beyond Poisson noise
    # 24, 48 then 24 a year: log changes ±ln 2, variance 2 (ln 2)²; Poisson part 1/24 + 1/48
    wandering = fit_arrivals(_yearly_arrivals({2016: 4}), Period.parse("2018-09"), years=3)
    assert wandering is not None
    hand = np.sqrt(2 * np.log(2) ** 2 - (1 / 24 + 1 / 48))
    assert wandering.drift_sd == pytest.approx(hand)
