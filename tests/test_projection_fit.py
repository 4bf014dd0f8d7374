"""Fitting the projection: ending rates with open placements censored, and the entry model."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from carecast.domain.activity import Child, Episode
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState
from carecast.forecast.history import NO_COST, OUT, History
from carecast.projection.entries import fit_entries, median_drift, yearly_drift
from carecast.projection.fit import fit_projection
from carecast.projection.transitions import (
    LEAVE,
    MONTH_DAYS,
    care_start,
    exposure_and_events,
    fit_transitions,
)

UNTIL = date(2018, 3, 31).toordinal()
IFA, IN_HOUSE = 2, 0


def history(
    line: list[int],
    start: list[int],
    end: list[int | None],
    following: list[int] | None = None,
    previous: list[int] | None = None,
    dob: int = UNTIL - 8 * 365,
) -> History:
    """Placements of children all born on `dob`; `end` None = still open on UNTIL."""
    n = len(line)
    bounds = np.array([[dob + round(y * 365.25) for y in (1, 5, 10, 16)]] * n, dtype=np.int64)
    return History(
        child_ids=tuple(f"C{i}" for i in range(n)),
        line=np.array(line, dtype=np.int64),
        start=np.array(start, dtype=np.int64),
        end=np.array([UNTIL + 1 if e is None else e for e in end], dtype=np.int64),
        ended=np.array([e is not None for e in end]),
        adult=np.full(n, dob + round(18 * 365.25), dtype=np.int64),
        age_bounds=bounds.reshape(n, 4),
        previous=np.array(previous or [OUT] * n, dtype=np.int64),
        following=np.array(following or [OUT] * n, dtype=np.int64),
        until=UNTIL,
    )


def test_exponential_stays_with_open_placements_censored_give_back_their_rate() -> None:
    """4,000 IFA placements started over three years, each lasting an exponential time with
    rate 0.04 a month (quantiles, not random draws); those still running on the last day are
    open. The fitted leaving rate is 0.04 in every time-in-placement band — counting the open
    ones as endings, or dropping them, would not give it."""
    n, mu = 4000, 0.04 / MONTH_DAYS
    starts = UNTIL - (np.arange(n) * 3 * 365 // n)
    lengths = np.ceil(-np.log(1 - (np.arange(n) * 0.618034 % 1 + 0.5 / n)) / mu).astype(int)
    ends: list[int | None] = [
        s + d if s + d <= UNTIL else None for s, d in zip(starts, lengths, strict=True)
    ]
    fitted = fit_transitions(history([IFA] * n, starts.tolist(), ends), years=3)
    # ages 1–9, up to two years in: each child's time in care is its time in placement, so the
    # bands of time in placement under 6 months, 6–12 and 12–24 meet those of care 0, 1 and 1
    care_of = {0: 0, 1: 0, 2: 0, 3: 1, 4: 1}
    school_age = np.array([fitted.leaving()[IFA, 1:3, k, t] for k, t in care_of.items()])
    assert school_age == pytest.approx(np.full(school_age.shape, 0.04), rel=0.12)
    assert fitted.rates[IFA, ..., :LEAVE].sum() < 0.05  # nobody moved (only the prior's share)


def test_a_move_and_a_leaving_are_told_apart_and_rest_on_their_events() -> None:
    """Two IFA placements end: one child moves on to in-house fostering the same day, the other
    leaves care; a third child is placed with parents, still there."""
    h = history(
        [IFA, IN_HOUSE, IFA, NO_COST],
        [UNTIL - 300, UNTIL - 100, UNTIL - 300, UNTIL - 50],
        [UNTIL - 100, None, UNTIL - 20, None],
        following=[IN_HOUSE, OUT, OUT, OUT],
        previous=[OUT, IFA, OUT, OUT],
    )
    fitted = fit_transitions(h, years=1)
    assert fitted.leave_events[IFA] == 1
    assert fitted.move_events[IFA] == 1
    assert fitted.leave_events[NO_COST] == 0
    assert fitted.exposure_months[IFA] == pytest.approx((200 + 280) / MONTH_DAYS)


def test_a_steady_flow_of_entries_fits_its_level_per_10000_children() -> None:
    """20 children entering care every month for three years, in a council of 50,000 children:
    the level is 20 ÷ 5 = 4 a month per 10,000 children, with no trend and no season."""
    first = Period(2015, 4)
    starts = []
    period = first
    for _ in range(36):
        starts += [period.first_day.toordinal() + k for k in range(20)]
        period = period.next()
    n = len(starts)
    ends: list[int | None] = [s + 5 for s in starts]
    fit = fit_entries(
        history([IFA] * n, starts, ends), Period(2018, 3), 3, {2015: 50_000, 2018: 50_000}
    )
    assert fit is not None
    assert fit.months == 36
    assert fit.entries == 720
    assert fit.per_population
    assert fit.beta[0] == pytest.approx(math.log(4.0), abs=1e-6)
    assert fit.beta[1:] == pytest.approx([0, 0, 0], abs=1e-6)
    assert fit.dispersion == 1.0


def test_a_growing_population_is_the_offset_not_a_trend() -> None:
    """Entries growing exactly with the population (4 per 10,000 children a month while the
    population grows 10% a year) fit a flat rate: the growth is the population's."""
    starts: list[int] = []
    period = Period(2015, 4)
    population = {y: 50_000 * 1.1 ** (y - 2015) for y in range(2014, 2019)}
    for _ in range(36):
        middle = period.first_day.toordinal() + 14
        mid_years = [date(y, 7, 1).toordinal() for y in sorted(population)]
        size = float(np.interp(middle, mid_years, [population[y] for y in sorted(population)]))
        starts += [period.first_day.toordinal() + k % 28 for k in range(round(4 * size / 10_000))]
        period = period.next()
    ends: list[int | None] = [s + 5 for s in starts]
    fit = fit_entries(history([IFA] * len(starts), starts, ends), Period(2018, 3), 3, population)
    assert fit is not None
    assert fit.beta[1] == pytest.approx(0.0, abs=0.02)
    assert math.exp(fit.beta[0]) == pytest.approx(4.0, rel=0.03)


def test_fewer_than_twelve_months_of_history_fit_no_entries() -> None:
    """The earliest ending is in October 2017, so the returns cover entries from April 2017:
    nine whole months by December 2017 cannot separate a level from a season."""
    october = date(2017, 10, 20).toordinal()
    h = history([IFA, IFA], [october - 200, october - 100], [october, None])
    assert fit_entries(h, Period(2017, 12), 3, None) is None
    assert fit_entries(h, Period(2018, 3), 3, None) is not None


def test_the_yearly_wander_of_entries_is_measured_net_of_poisson_chance() -> None:
    """Entries of 100, 200, 100 and 200 in four financial years: the log changes are ±ln 2, whose
    variance (n − 1) is 0.6403; Poisson chance explains 1/100 + 1/200 = 0.015 of it, so the
    yearly drift is √0.6253 = 0.791. With two years it cannot be measured (0)."""
    starts: list[int] = []
    for year, count in zip(range(2014, 2018), (100, 200, 100, 200), strict=True):
        first = date(year, 4, 1).toordinal()
        starts += [first + k * 365 // count for k in range(count)]
    ends: list[int | None] = [s + 3 for s in starts]
    h = history([IFA] * len(starts), starts, ends)
    coverage = date(2014, 4, 1)
    sigma, years = yearly_drift(h, coverage, Period(2018, 3), None)
    assert years == 4
    assert sigma == pytest.approx(0.791, abs=0.001)
    assert yearly_drift(h, coverage, Period(2016, 3), None) == (0.0, 2)


def test_rates_are_not_fitted_from_before_the_returns_begin() -> None:
    """A child placed in 2010 and still there, in returns that begin in April 2016: the days at
    risk count from 1 April 2016 only, however many years the rates may look back."""
    h = history([IFA], [date(2010, 5, 1).toordinal()], [None])
    fitted = fit_transitions(h, years=10, covered_from=date(2016, 4, 1))
    days = UNTIL - date(2016, 4, 1).toordinal() + 1
    assert fitted.exposure_months[IFA] == pytest.approx(days / MONTH_DAYS)


def test_time_in_care_runs_on_across_placement_moves() -> None:
    """A child looked after from 1 January 2015 moves to in-house fostering on 1 January 2016 and
    leaves care a month later: the second placement began 13 months into care, and the leaving
    counts as one from 6–24 months in care in the first month of a placement."""
    jan15, jan16 = date(2015, 1, 1).toordinal(), date(2016, 1, 1).toordinal()
    h = history(
        [IFA, IN_HOUSE],
        [jan15, jan16],
        [jan16, jan16 + 31],
        following=[IN_HOUSE, OUT],
        previous=[OUT, IFA],
    )
    assert care_start(h).tolist() == [jan15, jan15]
    _exposure, events = exposure_and_events(h, jan15)
    assert events[IN_HOUSE, :, 1, 1, LEAVE].sum() == 1  # placement 1–3 months, care 6–24 months
    assert events[..., LEAVE].sum() == 1


def test_the_median_wander_of_other_councils_stands_in_for_too_few_own_years() -> None:
    """Councils starting 100, 200, 100, 200 (σ 0.791, as above), 100 every year (0) and
    400, 400, 800, 800 (log changes 0, ln 2, 0: variance 0.16015; Poisson chance 0.005,
    0.00375 and 0.0025, on average 0.00375; σ 0.3955); one with two years is left out. The
    median is 0.3955."""
    councils = {
        "A": [100.0, 200.0, 100.0, 200.0],
        "B": [100.0] * 4,
        "C": [400.0, 400.0, 800.0, 800.0],
        "D": [50.0, 90.0],
    }
    sigma, counted = median_drift(councils) or (0.0, 0)
    assert counted == 3
    assert sigma == pytest.approx(0.3955, abs=0.0001)
    assert median_drift({"D": [50.0, 90.0]}) is None


def test_children_without_a_header_row_are_counted_and_left_out() -> None:
    """Three children looked after on 31 March 2018, one missing from the header: with no date of
    birth the projection cannot age them, so it follows two and says one was left out."""
    children = tuple(Child(f"C{i}", "1", date(2010, 1, 1)) for i in range(2))
    episodes = tuple(
        Episode(f"C{i}", date(2017, 6, 1), "S", "C2", "N1", "U4", "PR1") for i in range(3)
    )
    state = ActivityState(known_on=date(2018, 3, 31), children=children, episodes=episodes)
    model = fit_projection(state, date(2018, 3, 31), 1, None)
    assert len(model.category) == 2
    assert model.assumptions["looked_after_without_header"] == 1


def test_a_stay_longer_than_any_in_the_history_can_still_end() -> None:
    """The returns hold only placements of under two years (600 children leaving at 0.05 a month
    within 20 months of starting): nobody reached two years in placement, yet a child who does
    must still be able to leave — at every child's rate, not at nothing."""
    n = 600
    starts = [UNTIL - 600 + (i % 500) for i in range(n)]
    ends: list[int | None] = [min(s + 20 + (i * 7) % 560, UNTIL) for i, s in enumerate(starts)]
    fitted = fit_transitions(history([IFA] * n, starts, ends), years=3)
    beyond = fitted.leaving()[IFA, 2, -1, -1]  # aged 5–9, over two years in placement and care
    assert beyond > 0.01
