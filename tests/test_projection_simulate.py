"""The stock-flow simulation: answers worked out on paper, conservation, and seeds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.forecast.history import AGE_BANDS
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.simulate import Paths, simulate
from carecast.projection.transitions import (
    CARE_BANDS,
    CATEGORIES,
    DESTINATIONS,
    DURATION_BANDS,
    Transitions,
)
from tests.projection_models import arrivals, model, transitions

IFA, RESIDENTIAL = 2, 3


def test_a_closed_population_with_a_constant_leaving_rate_decays_as_e_to_the_minus_mu_t() -> None:
    """2,000 two-year-olds, each leaving care at μ = 0.05 a month and no one arriving: after t
    months E[children] = 2,000 e^(−0.05 t), i.e. 1,097.6 after a year and 602.4 after two."""
    paths = simulate(model(transitions(leave=0.05), children=2000, steps=24), 400, seed=1)
    mean = paths.totals.mean(axis=1)
    expected = 2000 * np.exp(-0.05 * np.arange(25))
    assert mean == pytest.approx(expected, rel=0.01)
    assert mean[12] == pytest.approx(1097.6, rel=0.01)
    assert mean[24] == pytest.approx(602.4, rel=0.01)
    assert paths.entries.sum() == 0
    assert paths.turned_18.sum() == 0


def test_arrivals_at_a_known_rate_add_that_many_children_a_month() -> None:
    """100 children who stay, and 7.5 arrivals a month into IFA: E[children] = 100 + 7.5 t, all
    of the newcomers in IFA; the monthly counts are Poisson (variance = mean)."""
    built = model(transitions(), children=100, steps=36, entries=arrivals(7.5, 36, IFA))
    paths = simulate(built, 1000, seed=2)
    assert paths.totals.mean(axis=1) == pytest.approx(100 + 7.5 * np.arange(37), rel=0.01)
    assert paths.stock[-1, :, IFA].sum(axis=1).mean() == pytest.approx(7.5 * 36, rel=0.01)
    assert paths.entries.var() == pytest.approx(7.5, rel=0.1)
    # every entrant begins a placement (in IFA): what new-placement prices will apply to
    assert np.array_equal(paths.placements_begun.sum(axis=2), paths.entries)
    assert paths.placements_begun[:, :, IFA].sum() == paths.entries.sum()


def test_arrivals_and_leavers_settle_where_arrivals_equal_leavers() -> None:
    """λ = 10 arrivals a month, each child leaving at μ = 0.1 a month, from nobody. Entrants
    arrive through the month and face leaving for the rest of it, so a month adds
    λ (1 − e^−μ) / μ of them to its end and the month-end stock follows the continuous
    S(t) = λ/μ (1 − e^−μt): 99.75 after 60 months, settling at λ/μ = 100 (counting every entrant
    at its month end, as before, settled at 104.8: half a month's entrants too many)."""
    built = model(transitions(leave=0.1), steps=60, entries=arrivals(10.0, 60))
    paths = simulate(built, 400, seed=3)
    t = np.arange(61)
    expected = 100 * (1 - np.exp(-0.1 * t))
    error = np.abs(paths.totals.mean(axis=1) - expected)
    assert (error <= 4 * np.sqrt(expected / 400)).all()  # four standard errors of a mean
    assert expected[60] == pytest.approx(99.75, abs=0.01)
    assert paths.entries.sum() - paths.left.sum() == paths.totals[-1].sum()


def test_children_move_between_categories_at_their_rate() -> None:
    """1,000 children in residential care stepping down to IFA at 0.1 a month: after t months
    E[residential] = 1,000 e^(−0.1 t) and the rest are in IFA; nobody leaves care."""
    built = model(transitions(moves={(RESIDENTIAL, IFA): 0.1}), children=1000, category=RESIDENTIAL)
    paths = simulate(built, 200, seed=4)
    residential = paths.stock[:, :, RESIDENTIAL].sum(axis=2).mean(axis=1)
    assert residential == pytest.approx(1000 * np.exp(-0.1 * np.arange(13)), rel=0.02)
    assert paths.totals.min() == paths.totals.max() == 1000
    # each step-down begins an IFA placement: E = 1,000 (1 − e^(−1.2)) = 698.8 in the year
    assert paths.placements_begun[:, :, IFA].sum(axis=0).mean() == pytest.approx(698.8, rel=0.02)


def test_children_leave_care_on_their_18th_birthday() -> None:
    """Aged 17 years 10½ months and never leaving otherwise: looked after for one more month
    end, gone at the second, counted as turning 18."""
    paths = simulate(model(transitions(), children=5, age_months=214.5, steps=4), 3, seed=5)
    assert paths.totals[:, 0].tolist() == [5, 5, 0, 0, 0]
    assert paths.turned_18[:, 0].tolist() == [0, 5, 0, 0]
    assert paths.left.sum() == 0


def test_age_bands_follow_the_children_as_they_grow() -> None:
    """A child of 59 months is 1–4 at the start and 5–9 a month later."""
    paths = simulate(model(transitions(), children=1, age_months=59.0, steps=1), 1, seed=6)
    assert paths.stock[0, 0, 0].tolist() == [0, 1, 0, 0, 0]
    assert paths.stock[1, 0, 0].tolist() == [0, 0, 1, 0, 0]


def test_uncertain_rates_widen_the_band() -> None:
    """The same leaving rate measured on 5 events instead of (nearly) infinitely many: each path
    draws its own rate, so the paths spread more (the bands sample the rates' uncertainty)."""
    certain = simulate(model(transitions(leave=0.05), children=500), 400, seed=7)
    thin = simulate(model(transitions(leave=0.05, events=5), children=500), 400, seed=7)
    assert thin.totals[-1].std() > 2 * certain.totals[-1].std()


def test_a_passing_years_noise_moves_its_twelve_months_together_and_passes() -> None:
    """100 entries a month with a passing year's noise of σ 0.2 and no walk: each path's year of
    entries is off by one draw, so ln(a year's entries) spreads by 0.2² plus Poisson's 1/1,200,
    and the next year's draw is another — uncorrelated, where a walk's would carry on."""
    entries = replace(arrivals(100.0, 36), passing_sd=0.2)
    paths = simulate(model(transitions(), steps=36, entries=entries), 1500, seed=11)
    years = np.log(paths.entries.reshape(3, 12, -1).sum(axis=1))  # (years, paths)
    assert years.var(axis=1) == pytest.approx(0.04 + 1 / 1200, rel=0.15)
    assert abs(np.corrcoef(years[0], years[1])[0, 1]) < 0.1


def _conserved(paths: Paths) -> None:
    totals = paths.totals.astype(np.int64)
    flows = paths.entries - paths.left - paths.turned_18
    assert np.array_equal(totals[1:], totals[:-1] + flows)
    assert paths.stock.min() >= 0


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    children=st.integers(0, 60),
    per_month=st.floats(0.01, 20.0),
    steps=st.integers(1, 30),
    paths=st.integers(1, 250),
    rate_seed=st.integers(0, 2**32 - 1),
    events=st.integers(0, 500),
)
def test_children_are_conserved_exactly_in_every_path_and_month(
    seed: int, children: int, per_month: float, steps: int, paths: int, rate_seed: int, events: int
) -> None:
    """start + entries − leavers = end, for every path and month, whatever the rates."""
    random = np.random.default_rng(rate_seed)
    shape = (CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS, DESTINATIONS)
    rates = random.uniform(0, 0.6, shape)
    rates *= random.random(rates.shape) < 0.5  # many cells with nothing happening
    counts = np.full(CATEGORIES, float(events))
    built = model(
        Transitions(rates, counts, counts, np.ones(CATEGORIES)),
        steps=steps,
        entries=arrivals(per_month, steps),
    )
    built = _with_children(built, random, children)
    _conserved(simulate(built, paths, seed))


def _with_children(
    built: ProjectionModel, random: np.random.Generator, children: int
) -> ProjectionModel:
    """`built` with `children` random children and seven random kinds of entrant."""
    assert built.entries is not None
    return replace(
        built,
        category=random.integers(0, CATEGORIES, children),
        age_months=random.uniform(0, 216, children),
        duration_months=random.uniform(0, 60, children),
        care_months=random.uniform(60, 120, children),
        entries=_entrants(built.entries, random),
    )


def _entrants(entries: Entries, random: np.random.Generator) -> Entries:
    return replace(
        entries,
        category=random.integers(0, CATEGORIES, 7),
        age_months=random.uniform(0, 215, 7),
    )


Runner = Callable[[Callable[[int], Paths], Sequence[int]], list[Paths]]


def _reversed(work: Callable[[int], Paths], blocks: Sequence[int]) -> list[Paths]:
    return list(reversed([work(b) for b in reversed(blocks)]))


def _threads(work: Callable[[int], Paths], blocks: Sequence[int]) -> list[Paths]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(work, blocks))


def _processes(work: Callable[[int], Paths], blocks: Sequence[int]) -> list[Paths]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        return list(pool.map(work, blocks))


@pytest.mark.parametrize("runner", [_reversed, _threads, _processes])
def test_the_same_seed_gives_the_same_paths_whoever_runs_the_blocks(runner: Runner) -> None:
    built = model(
        transitions(leave=0.04, moves={(0, 2): 0.02}, events=30),
        children=80,
        steps=24,
        entries=arrivals(3.0, 24),
    )
    one = simulate(built, 350, seed=11)
    other = simulate(built, 350, seed=11, runner=runner)
    assert np.array_equal(one.stock, other.stock)
    assert np.array_equal(one.entries, other.entries)
    # more paths extend the earlier ones and never change them
    fewer = simulate(built, 200, seed=11)
    assert np.array_equal(fewer.stock, one.stock[:, :200])
    assert not np.array_equal(simulate(built, 200, seed=12).stock, fewer.stock)
