"""The projection's expected course: answers worked out on paper, conservation, and agreement
with the mean of the Monte Carlo paths when the rates are known exactly."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.forecast.history import AGE_BANDS
from carecast.projection.deterministic import ExpectedStock, expected_paths
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.simulate import simulate
from carecast.projection.transitions import (
    CARE_BANDS,
    CATEGORIES,
    DESTINATIONS,
    DURATION_BANDS,
    LEAVE,
    Transitions,
)
from tests.projection_models import CERTAIN, arrivals, model, transitions

IFA, RESIDENTIAL = 2, 3
SIXTEEN_TO_17 = AGE_BANDS - 1


def test_a_closed_population_leaving_at_a_constant_rate_keeps_n_e_to_the_minus_r_a_month() -> None:
    """100 two-year-olds leave care at r = 0.05 a month, nobody arrives: each month a child stays
    with the chance e^−r (and leaves with 1 − e^−r), so after n months 100·e^(−0.05n) remain —
    after a year 100·e^−0.6 = 54.8812 (hand: e^−0.6 = 0.548812), 45.1188 having left."""
    expected = expected_paths(model(transitions(leave=0.05), children=100, steps=12))
    months = np.arange(13)
    assert np.allclose(expected.totals, 100 * np.exp(-0.05 * months), rtol=1e-12)
    assert math.isclose(expected.totals[12], 54.8812, abs_tol=1e-4)
    assert math.isclose(expected.left.sum(), 45.1188, abs_tol=1e-4)
    assert math.isclose(expected.left[0], 100 * (1 - math.exp(-0.05)), rel_tol=1e-12)  # 4.877
    assert not expected.turned_18.any()
    assert not expected.entries.any()
    assert np.allclose(expected.placed_since_start, 0.0, atol=1e-9)  # nobody has moved


def test_entrants_arrive_mid_month_on_average_and_are_at_risk_for_the_rest_of_it() -> None:
    """10 entrants a month, leaving at r = 0.1 a month from a uniform moment s of their first
    month: ∫₀¹ e^(−0.1s) ds = (1 − e^−0.1)/0.1 = 0.951626 of them are there at its end — 9.5163,
    0.4837 having left. A month later those are 9.5163·e^−0.1 = 8.6107, beside 9.5163 new:
    18.1269."""
    expected = expected_paths(model(transitions(leave=0.1), steps=2, entries=arrivals(10.0, 2)))
    assert np.allclose(expected.entries, [10.0, 10.0])
    assert math.isclose(expected.totals[1], 9.51626, abs_tol=1e-5)
    assert math.isclose(expected.left[0], 0.48374, abs_tol=1e-5)
    assert math.isclose(expected.totals[2], 18.12692, abs_tol=1e-5)
    # every entrant begins a placement, in the category it enters, and is placed since the start
    assert np.allclose(expected.placements_begun[:, 0], 10.0)
    assert np.allclose(expected.placed_since_start[:, 0], expected.totals)


def test_children_turn_18_at_216_months_and_an_entrant_may_reach_it_in_its_first_month() -> None:
    """100 children aged 215½ months (r = 0.05): 100·e^−0.05 = 95.1229 turn 18 at the first month
    end, 4.8771 leave before. Entrants aged 215½ (r = 0) pass 216 months in their first month
    half the time but end it in care, as the simulation lets them: the 10 of the first month
    all turn 18 in the second, their age band 16–17 meanwhile."""
    old = expected_paths(model(transitions(leave=0.05), children=100, age_months=215.5, steps=1))
    assert math.isclose(old.turned_18[0], 95.1229, abs_tol=1e-4)
    assert math.isclose(old.left[0], 4.8771, abs_tol=1e-4)
    assert old.totals[1] == 0.0
    late = arrivals(10.0, 2, age_months=215.5)
    entrants = expected_paths(model(transitions(), steps=2, entries=late))
    assert np.allclose(entrants.totals, [0.0, 10.0, 10.0])
    assert np.allclose(entrants.turned_18, [0.0, 10.0])
    assert math.isclose(entrants.stock[1, 0, SIXTEEN_TO_17], 10.0)


def test_a_move_begins_a_placement_whose_clock_starts_again() -> None:
    """100 children in IFA (a year into their placements) move to residential at 0.2 a month;
    residential children leave at 0.3 a month while 1–3 months into a placement only (rates by
    time in placement). A child who moves ends the month a month into its new placement (as
    simulate.py counts it), so those who moved in the first month, 100·(1 − e^−0.2) = 18.1269,
    leave at 0.3 in the second and third: (1 − e^−0.3) = 25.92% of them, 4.6982, in the second.
    After 3 months 100·e^−0.6 = 54.8812 are still in IFA."""
    rates = transitions(moves={(IFA, RESIDENTIAL): 0.2})
    rates.rates[RESIDENTIAL, :, 1, :, LEAVE] = 0.3  # 1–3 months into a placement
    built = replace(
        model(rates, children=100, category=IFA, steps=3), duration_months=np.full(100, 12.0)
    )
    expected = expected_paths(built)
    assert math.isclose(expected.stock[3, IFA].sum(), 54.8812, abs_tol=1e-4)
    assert math.isclose(expected.placements_begun[0, RESIDENTIAL], 18.1269, abs_tol=1e-4)
    movers_then = 100 * (1 - math.exp(-0.2))
    assert expected.left[0] == 0.0
    assert math.isclose(expected.left[1], movers_then * (1 - math.exp(-0.3)), rel_tol=1e-12)
    assert math.isclose(expected.left[1], 4.6982, abs_tol=1e-4)
    in_residential = expected.stock[:, RESIDENTIAL].sum(axis=1)
    assert np.allclose(expected.placed_since_start[:, RESIDENTIAL], in_residential, atol=1e-9)


def _random_model(
    random: np.random.Generator, steps: int, children: int, events: int, *, clocks: bool = True
) -> ProjectionModel:
    """Rates that differ cell by cell (many cells with nothing happening) — by time in
    placement and in care too, unless not `clocks` — children at ages, times in placement and in
    care across every band limit, seven kinds of entrant."""
    shape = (CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS, DESTINATIONS)
    rates = random.uniform(0, 0.3, shape) * (random.random(shape) < 0.6)
    if not clocks:
        rates[:] = rates[:, :, :1, :1]
    counts = np.full(CATEGORIES, float(events))
    placement = random.uniform(0, 40, children)
    built = model(
        Transitions(rates, counts, counts, np.ones(CATEGORIES)),
        steps=steps,
        entries=arrivals(float(random.uniform(0.5, 15)), steps),
    )
    assert built.entries is not None
    return replace(
        built,
        category=random.integers(0, CATEGORIES, children),
        age_months=random.uniform(0, 216, children),
        duration_months=placement,
        care_months=placement + random.uniform(0, 30, children),
        entries=_entrants(built.entries, random),
        leaving_scale=tuple(random.choice([1.0, 0.5, 1.7], steps)),
    )


def _entrants(entries: Entries, random: np.random.Generator) -> Entries:
    ages = np.concatenate([[11.4, 59.9, 215.7], random.uniform(0, 216, 4)])
    return replace(entries, category=random.integers(0, CATEGORIES, 7), age_months=ages)


def _conserved(expected: ExpectedStock) -> None:
    flows = expected.entries - expected.left - expected.turned_18
    scale = max(float(expected.totals.max()), 1.0)
    assert np.allclose(
        expected.totals[1:], expected.totals[:-1] + flows, rtol=0, atol=1e-12 * scale
    )
    assert expected.stock.min() >= -1e-12 * scale
    placed = expected.placed_since_start
    assert (placed <= expected.stock.sum(axis=2) + 1e-12 * scale).all()


@settings(max_examples=40, deadline=None)
@given(
    rate_seed=st.integers(0, 2**32 - 1),
    children=st.integers(0, 80),
    steps=st.integers(1, 40),
)
def test_children_are_conserved_in_expectation_to_float_precision(
    rate_seed: int, children: int, steps: int
) -> None:
    """start + entries − leavers − those turning 18 = end, every month, whatever the rates, the
    children, the entrants and a scenario's scaling of leaving care."""
    _conserved(expected_paths(_random_model(np.random.default_rng(rate_seed), steps, children, 0)))


PATHS = 4000
STANDARD_ERRORS = 5


def _agree(built: ProjectionModel, paths: int, seed: int) -> None:
    """Every number of the expected course within STANDARD_ERRORS of the mean of `paths` paths."""
    expected = expected_paths(built)
    drawn_paths = simulate(built, paths, seed)
    pairs = [
        (drawn_paths.stock, expected.stock),
        (drawn_paths.totals, expected.totals),
        (drawn_paths.entries, expected.entries),
        (drawn_paths.left, expected.left),
        (drawn_paths.turned_18, expected.turned_18),
        (drawn_paths.placements_begun, expected.placements_begun),
        (drawn_paths.placed_since_start, expected.placed_since_start),
    ]
    for drawn, wanted in pairs:
        mean = drawn.mean(axis=1)
        rare = np.sqrt(np.minimum(np.abs(wanted), 1.0))  # a rare count's spread, barely seen
        spread = np.maximum(drawn.std(axis=1, ddof=1), rare) / np.sqrt(paths)
        assert (np.abs(mean - wanted) <= STANDARD_ERRORS * spread).all(), (
            np.abs(mean - wanted) / np.maximum(spread, 1e-12)
        ).max()


def test_the_expected_course_is_the_mean_of_the_paths_when_the_rates_are_known() -> None:
    """With the rates known exactly (a billion events behind each: the paths' gamma multipliers
    are 1 within 3·10⁻⁵) and the entry rate too (no coefficient spread, no wander, Poisson
    counts), the paths differ only by chance, so their mean converges to the expected course.
    Tolerance: every number — children by category × age band, entries, leavers, those turning
    18, placements begun and children placed since the start, by category, each of 24 months —
    within 5 standard errors of the mean over 4,000 paths (the paths' own spread ÷ √4,000, or a
    Poisson count's √(expected ÷ 4,000) when the paths barely see a rare one). Were the two
    exactly alike, a number would stray that far once in 1.7 million: one of the ~1,600 here
    with a chance of 0.1%. The children's total (78 to 90) has a standard error of 0.05 in the
    first month to 0.22 in the 24th. Rates differ by category, age and destination here, not by
    time in placement or in care: see the next test."""
    built = _random_model(np.random.default_rng(7), 24, 80, CERTAIN, clocks=False)
    _agree(built, PATHS, seed=11)
    _conserved(expected_paths(built))


def test_entrants_meet_their_first_month_in_placement_in_the_paths_as_in_expectation() -> None:
    """Entrants arriving at a uniform moment s are s into their placement and their care at
    their first month end, so in their second month all of them meet the rates of a placement's
    first month: here leaving care at 0.5 a month then, 0.1 after. Rates known exactly. Then
    the previous test's model with rates by time in placement and in care as well (a bug: one
    array for both in _arrive counted 2s and reset the time in care on a move)."""
    rates = transitions(leave=0.1)
    rates.rates[:, :, 0, :, LEAVE] = 0.5
    _agree(model(rates, steps=4, entries=arrivals(5.0, 4, age_months=30.0)), 2000, seed=3)
    _agree(_random_model(np.random.default_rng(7), 24, 80, CERTAIN), PATHS, seed=11)


def test_the_expected_course_prices_as_one_path() -> None:
    expected = expected_paths(model(transitions(leave=0.1), children=50, steps=6))
    paths = expected.as_paths()
    assert paths.stock.shape[1] == 1
    assert np.allclose(paths.totals[:, 0], expected.totals)
