"""Ledger timing is learned from each council's own postings, whatever its convention.

Each test writes a small ledger by hand from a known convention — in the month, monthly in
arrears, four-weekly payment runs, a year-end accrual — over three history years and part of
2018-19, for a line whose care grows steadily. The fit must find the convention, and what it
says is left to post after the close must be what the convention will in fact post.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.ledger_timing import (
    LineTiming,
    Observed,
    Remaining,
    fit_line_timing,
    remaining_postings,
)
from carecast.forecast.payment_schedules import (
    Grid,
    Schedule,
    candidates,
    every_postings,
    postings,
    unpaid_at,
)
from carecast.forecast.placement_timing import FittedTiming

FIRST = date(2015, 1, 1)  # three months before the first history year
YEAR_END = date(2019, 3, 31)
GRID = Grid(FIRST, (YEAR_END - FIRST).days + 1)
HISTORY = FinancialYear(2015)
P6 = Period.parse("2018-09")


def growing_care(weekly_start: float = 70_000.0, growth_a_year: float = 0.08) -> np.ndarray:
    """A line's care a day: £10,000 a day at first, growing 8% a year, with a weekly wobble."""
    days = np.arange(GRID.days)
    wobble = 1 + 0.03 * np.sin(days / 9.0)
    return weekly_start / 7 * (1 + growth_a_year) ** (days / 365) * wobble


def ledger_from(monthly_postings: np.ndarray, close: Period) -> np.ndarray:
    """The ledger as known at `close`: postings of every month to the close, NaN after."""
    ledger = monthly_postings.copy()
    ledger[GRID.index(close) + 1 :] = math.nan
    ledger[: GRID.index(Period.parse("2015-04"))] = math.nan
    return ledger


def split(care: np.ndarray, close: Period) -> tuple[np.ndarray, np.ndarray]:
    """(care known to the close, care after it): what the engines see and expect."""
    cut = (close.last_day - FIRST).days + 1
    known, expected = care.copy(), care.copy()
    known[cut:] = 0.0
    expected[:cut] = 0.0
    return known, expected


def truth_after(monthly_postings: np.ndarray, close: Period) -> float:
    last = GRID.index(Period.parse("2019-03"))
    return float(monthly_postings[GRID.index(close) + 1 : last + 1].sum())


def fit_and_project(
    monthly_postings: np.ndarray, care: np.ndarray, close: Period = P6
) -> tuple[LineTiming, Remaining]:
    known, expected = split(care, close)
    timing = fit_line_timing(
        GRID, Observed(ledger_from(monthly_postings, close), known), close, HISTORY
    )
    remaining = remaining_postings(timing, GRID, known, expected, close)
    return timing, remaining


def test_care_posted_in_its_month_is_found_and_leaves_nothing_unposted() -> None:
    care = growing_care()
    ledger = postings(Schedule("monthly", (1.0, 0.0, 0.0)), GRID, care)
    timing, remaining = fit_and_project(ledger, care)
    assert timing.schedule.kind == "monthly"
    assert timing.schedule.weights[0] == pytest.approx(1.0)
    assert timing.kappa == pytest.approx(1.0, abs=0.005)
    assert remaining.unposted == pytest.approx(0.0, abs=1.0)
    assert remaining.unposted + remaining.window_posted == pytest.approx(
        truth_after(ledger, P6), rel=0.002
    )


def test_monthly_arrears_leave_the_last_months_care_unposted() -> None:
    """September's care (30 days at about £11,700 a day) posts in October."""
    care = growing_care()
    ledger = postings(Schedule("monthly", (0.0, 1.0, 0.0)), GRID, care)
    timing, remaining = fit_and_project(ledger, care)
    september = care[(date(2018, 9, 1) - FIRST).days : (date(2018, 9, 30) - FIRST).days + 1]
    assert timing.schedule.weights == pytest.approx((0.0, 1.0, 0.0))
    assert remaining.unposted == pytest.approx(september.sum(), rel=0.005)
    # March's care posts in April: the year's postings stop short of it
    assert remaining.unposted + remaining.window_posted == pytest.approx(
        truth_after(ledger, P6), rel=0.002
    )
    assert timing.year_end_share == pytest.approx(0.0, abs=0.02)


def test_four_weekly_payment_runs_are_found_with_their_run_days() -> None:
    """13 runs a year: the months that post two runs are read from the council's own ledger."""
    care = growing_care()
    truth = Schedule("four_weekly", phase=date(2015, 4, 17).toordinal() % 28, lag_days=7)
    ledger = postings(truth, GRID, care)
    timing, remaining = fit_and_project(ledger, care)
    assert timing.schedule == truth
    assert remaining.unposted + remaining.window_posted == pytest.approx(
        truth_after(ledger, P6), rel=0.002
    )


def test_a_year_end_accrual_in_period_12_reversed_in_period_1_is_measured() -> None:
    """Arrears, with March's unpaid care accrued in P12 and the accrual reversed in P1."""
    care = growing_care()
    schedule = Schedule("monthly", (0.0, 1.0, 0.0))
    ledger = postings(schedule, GRID, care)
    for year in (2015, 2016, 2017, 2018):
        march_end = (date(year + 1, 3, 31) - FIRST).days
        accrual = unpaid_at(schedule, GRID, care, march_end)
        ledger[GRID.index(Period.of(FinancialYear(year), 12))] += accrual
        april = GRID.index(Period.of(FinancialYear(year + 1), 1))
        if april < GRID.months:
            ledger[april] -= accrual
    timing, remaining = fit_and_project(ledger, care)
    assert timing.schedule.weights == pytest.approx((0.0, 1.0, 0.0))
    assert timing.year_end_share == pytest.approx(1.0, abs=0.05)
    assert remaining.unposted + remaining.window_posted == pytest.approx(
        truth_after(ledger, P6), rel=0.003
    )


def test_a_ledger_that_pays_more_than_the_recorded_prices_scales_the_rest_of_the_year() -> None:
    """Payments 5% above the commitments' prices this year: κ says so, shrunk a little to the
    history's 1.0 by how few months the year has had."""
    care = growing_care()
    ledger = postings(Schedule("monthly", (1.0, 0.0, 0.0)), GRID, care)
    this_year = GRID.index(Period.parse("2018-04"))
    ledger[this_year:] *= 1.05
    timing, remaining = fit_and_project(ledger, care)
    assert 1.03 < timing.kappa < 1.06
    assert remaining.window_posted == pytest.approx(truth_after(ledger, P6), rel=0.02)


def test_a_ratio_that_drifts_year_on_year_is_not_held_back_to_last_years() -> None:
    """The ledger pays 0.85, 0.95 and 1.05 of the priced care in the history years (older
    placements priced at today's rates, say) and 1.15 this year, each month ±15% about that:
    every year's step is 0.10, so last year's 1.05 is a prior good to about ±0.10, not to the
    nought spread of the steps about their mean — this year's own six noisy months carry the
    estimate most of the way to 1.15 (with the spread as the prior's error it stayed at 1.08)."""
    care = growing_care()
    ledger = postings(Schedule("monthly", (1.0, 0.0, 0.0)), GRID, care)
    ledger *= 1 + 0.15 * np.sin(np.arange(GRID.months) * 2.1)
    for year, ratio in ((2015, 0.85), (2016, 0.95), (2017, 1.05), (2018, 1.15)):
        first = GRID.index(Period.of(FinancialYear(year), 1))
        ledger[first : first + 12] *= ratio
    timing, _ = fit_and_project(ledger, care)
    assert 1.12 < timing.kappa < 1.16


def test_too_few_months_to_tell_means_no_adjustment_and_a_wide_band() -> None:
    care = growing_care()
    ledger = postings(Schedule("monthly", (0.0, 1.0, 0.0)), GRID, care)
    ledger[: GRID.index(Period.parse("2018-04"))] = math.nan  # no history at all
    close = Period.parse("2018-05")
    known, _ = split(care, close)
    timing = fit_line_timing(GRID, Observed(ledger_from(ledger, close), known), close, HISTORY)
    assert timing.schedule.weights == (1.0, 0.0, 0.0)
    assert timing.kappa == 1.0
    assert timing.noise >= 0.1


def test_grid_months_line_up_with_periods() -> None:
    assert GRID.period(0) == Period.parse("2015-01")
    assert GRID.index(Period.parse("2018-09")) == 44
    assert GRID.months == 51
    assert int(GRID.month_of_day[(date(2015, 2, 1) - FIRST).days]) == 1
    assert int(GRID.month_of_day[(date(2015, 1, 31) - FIRST).days]) == 0
    assert FIRST + timedelta(days=GRID.days - 1) == YEAR_END


def test_the_finding_says_what_the_finance_officer_needs_in_words() -> None:
    """One month behind, £812,000 of September's care unposted, £520,000 more to post than the
    care from here to March (the unposted month and the year-end accrual)."""
    timing = LineTiming(Schedule("monthly", (0.0, 1.0, 0.0)), 1.0, 0.01, 1.0, 0.02, 35, 3)
    found = FittedTiming(
        ServiceLine.PLACEMENTS_RESIDENTIAL,
        timing,
        Remaining(unposted=812_000.0, window_posted=4_708_000.0, window_care=5_000_000.0, sd=1.0),
        P6,
        given=False,
    )
    assert found.finding == (
        "placements_residential: the ledger is paid monthly in arrears (about one month behind) "
        "(found on 35 months); period 12 accrues 100% of the care unpaid at year end; £0.81m of "
        "care to 30 September is not yet posted, and in all the ledger will post £0.52m more "
        "than the placements cost from here to March"
    )
    assert found.matters


def test_the_postings_of_every_candidate_at_once_are_each_candidates_to_the_last_bit() -> None:
    """The fit compares the ledger with all 206 candidate schedules; worked out together (the
    care by month and its running total once) their postings are exactly each one's alone, so
    the schedule chosen and its κ do not move by a bit."""
    rng = np.random.default_rng(7)
    care = growing_care() * rng.uniform(0.5, 1.5, GRID.days)
    care[rng.random(GRID.days) < 0.05] = 0.0  # days with nobody placed
    every = every_postings(GRID, care)
    assert every.shape == (len(candidates()), GRID.months) == (206, 51)
    for schedule, together in zip(candidates(), every, strict=True):
        alone = postings(schedule, GRID, care)
        assert together.tobytes() == alone.tobytes(), schedule
