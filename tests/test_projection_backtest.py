"""The projection backtest: replays that know only their past, scored against what happened,
and the band calibration their misses give."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.domain.activity import Child, Episode
from carecast.domain.state import ActivityState
from carecast.projection.backtest import (
    BandCalibration,
    Residual,
    as_known_on,
    observed_counts,
    score,
    widen,
)
from carecast.projection.fit import fit_projection
from carecast.projection.simulate import simulate
from carecast.projection.transitions import CATEGORIES
from tests.projection_models import arrivals
from tests.projection_models import model as hand_model
from tests.projection_models import transitions as hand_transitions

FIRST = date(2013, 4, 1)
LAST = date(2021, 3, 31)
IFA = 2


def _episode(child: str, start: date, end: date | None) -> Episode:
    return Episode(
        child_id=child,
        decom=start,
        rne="S",
        ls="C2",
        cin="N1",
        place="U4",
        place_provider="PR4",
        dec=end,
        rec=None if end is None else "E8",
    )


GOLDEN = (5**0.5 - 1) / 2


def steady_state(every_days: int = 1, mean_stay_days: float = 365.25) -> ActivityState:
    """A council where the future is known: a five-year-old enters an agency foster placement
    every `every_days` days from April 2013 to March 2021, and children leave at one constant
    rate (stays of a year on average: the exponential distribution's quantiles in a scrambled
    order, not random draws), so the count settles towards 365 (347 in March 2016)."""
    children, episodes = [], []
    day, i = FIRST, 0
    while day <= LAST:
        share = (i * GOLDEN) % 1.0
        end = day + timedelta(days=max(1, round(-mean_stay_days * np.log1p(-share))))
        children.append(Child(f"C{i}", "1", day - timedelta(days=5 * 365)))
        episodes.append(_episode(f"C{i}", day, end if end <= LAST else None))
        day += timedelta(days=every_days)
        i += 1
    return ActivityState(known_on=LAST, children=tuple(children), episodes=tuple(episodes))


def test_a_council_in_a_steady_state_is_projected_with_almost_no_error() -> None:
    """Entries and the leaving rate never change, so what happened is what the history
    foretold: from 31 March 2016, 2017 and 2018 the P50 misses the count 12, 24 and 36 months
    on by under 2.5%, and the band holds it."""
    state = steady_state()
    for year in (2016, 2017, 2018):
        start = date(year, 3, 31)
        model = fit_projection(as_known_on(state, start), start, 3, None)
        observed = observed_counts(state, LAST, model.month_ends)
        assert 345 <= observed.sum(axis=1).min() <= observed.sum(axis=1).max() <= 371
        replay = score(model, simulate(model, 300, 7), observed)
        for months in (12, 24, 36):
            error = replay.error(months)
            assert error is not None
            assert abs(error) < 0.025, (year, months, error)
            assert replay.held(months)
            assert replay.error(months, IFA) == error  # every child is with an agency


def test_observed_counts_read_the_children_looked_after_at_each_month_end() -> None:
    """Two children: one looked after from 10 January to 20 March 2019 (DEC is the first day
    out), one from 1 March 2019 on; a child past 18 is not counted even if still open."""
    state = ActivityState(
        known_on=date(2019, 6, 30),
        children=(
            Child("A", "1", date(2010, 1, 1)),
            Child("B", "2", date(2012, 1, 1)),
            Child("C", "2", date(2001, 4, 15)),
        ),
        episodes=(
            _episode("A", date(2019, 1, 10), date(2019, 3, 20)),
            _episode("B", date(2019, 3, 1), None),
            _episode("C", date(2018, 1, 1), None),
        ),
    )
    days = [date(2019, 1, 31), date(2019, 2, 28), date(2019, 3, 31), date(2019, 4, 30)]
    counts = observed_counts(state, date(2019, 6, 30), days)
    assert counts.shape == (4, CATEGORIES)
    # January and February: A and C; March: B and C (A left on the 20th); April: B alone (C
    # turned 18 on the 15th)
    assert counts.sum(axis=1).tolist() == [2, 2, 2, 1]


_days = st.integers(min_value=0, max_value=3000).map(lambda n: date(2012, 1, 1) + timedelta(n))


@st.composite
def _histories(draw: st.DrawFn) -> tuple[ActivityState, date]:
    as_of = draw(_days)
    episodes, children = [], []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        start = draw(_days)
        length = draw(st.none() | st.integers(min_value=1, max_value=3000))
        end = None if length is None else start + timedelta(days=length)
        episodes.append(_episode(f"K{i}", start, end))
        children.append(Child(f"K{i}", "1", start - timedelta(days=draw(st.integers(0, 6000)))))
    state = ActivityState(
        known_on=date(2020, 12, 31), children=tuple(children), episodes=tuple(episodes)
    )
    return state, as_of


def _rewrite_the_future(state: ActivityState, as_of: date) -> ActivityState:
    """Everything after `as_of` changed: later ends moved, later starts replaced by others."""
    episodes = [
        replace(e, dec=e.dec + timedelta(days=77), rec="E3")
        if e.dec is not None and e.dec > as_of
        else e
        for e in state.episodes
        if e.decom <= as_of
    ]
    episodes.append(_episode("NEW", as_of + timedelta(days=1), None))
    children = (*state.children, Child("NEW", "2", as_of - timedelta(days=400)))
    return replace(state, episodes=tuple(episodes), children=children)


@settings(max_examples=150, deadline=None)
@given(_histories())
def test_a_cut_back_history_knows_nothing_after_its_day(case: tuple[ActivityState, date]) -> None:
    """Whatever happened after the day, the cut-back history is the same: no episode begins or
    ends after it, no later reason for leaving survives, and only children already in care are
    listed."""
    state, as_of = case
    cut = as_known_on(state, as_of)
    assert all(e.decom <= as_of for e in cut.episodes)
    assert all(e.dec is None or e.dec <= as_of for e in cut.episodes)
    assert all(e.rec is None for e in cut.episodes if e.dec is None)
    assert {c.child_id for c in cut.children} <= {e.child_id for e in cut.episodes}
    assert cut.known_on == as_of
    assert as_known_on(_rewrite_the_future(state, as_of), as_of) == cut


def _replays(misses: list[float], spreads: list[float]) -> BandCalibration:
    return BandCalibration(
        tuple(
            Residual(date(2017 + i, 3, 31), m, s)
            for i, (m, s) in enumerate(zip(misses, spreads, strict=True))
        )
    )


def test_misses_as_wide_as_the_bands_leave_them_as_they_are() -> None:
    calibration = _replays([0.1, -0.1, 0.05, -0.05], [0.1, 0.1, 0.05, 0.05])
    assert calibration.raw == 1.0
    assert calibration.factor == 1.0


def test_misses_twice_the_bands_widen_them_by_less_when_few() -> None:
    """Two residuals twice their bands' spread: raw 2, shrunk on the log scale by 2 ÷ (2 + 2)
    to √2; with six it is 2^(6/8)."""
    assert abs(_replays([0.2, -0.2], [0.1, 0.1]).factor - 2**0.5) < 1e-12
    six = _replays([0.2, -0.2] * 3, [0.1] * 6)
    assert abs(six.factor - 2 ** (6 / 8)) < 1e-12


def test_misses_far_beyond_the_bands_at_most_double_them_and_narrow_ones_halve() -> None:
    assert _replays([1.0] * 8, [0.01] * 8).factor == 2.0
    assert _replays([0.0001] * 8, [0.5] * 8).factor == 0.5


def test_a_replay_is_calibrated_only_on_outcomes_known_by_its_start() -> None:
    calibration = _replays([0.2, 0.2, 0.2], [0.1, 0.1, 0.1])  # dated 2017, 2018, 2019
    assert len(calibration.known_on(date(2018, 3, 31)).residuals) == 2
    assert calibration.known_on(date(2016, 3, 31)).factor == 1.0


def test_widening_scales_every_parameter_uncertainty_and_nothing_else() -> None:
    entries = replace(arrivals(5.0, 12), drift_sd=0.1, passing_sd=0.05, covariance=np.eye(4) * 0.01)
    base = hand_model(hand_transitions(0.02, events=400), entries=entries)
    wide = widen(base, 2.0)
    assert wide.entries is not None
    assert wide.entries.drift_sd == 0.2
    assert wide.entries.passing_sd == 0.1
    assert np.allclose(wide.entries.covariance, 4 * entries.covariance)
    assert np.array_equal(wide.transitions.leave_events, base.transitions.leave_events // 4)
    assert np.array_equal(wide.transitions.rates, base.transitions.rates)
    assert np.array_equal(wide.entries.beta, entries.beta)
    assert wide.assumptions["band_factor"] == 2.0
    assert widen(base, 1.0) is base
