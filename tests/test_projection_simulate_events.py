"""The simulator draws the month of each change once for a stretch of unchanging chances
(projection/segments.py, walk.py). Its paths must be those of the model as it is defined — every
child, every month, a change with chance 1 − e^−rate — in distribution: checked here against that
definition written out plainly, month by month, on a model whose rates differ in every cell
(category, age band, time in placement, time in care), with moves, 18th birthdays, entrants and a
scenario's scaling of the rate of leaving care that changes on the way."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from carecast.forecast.history import AGE_BANDS
from carecast.projection.model import ProjectionModel
from carecast.projection.simulate import simulate
from carecast.projection.transitions import (
    ADULT_MONTHS,
    CARE_BANDS,
    CATEGORIES,
    DESTINATIONS,
    DURATION_BANDS,
    LEAVE,
    Transitions,
    age_band_of_months,
    care_band,
    duration_band,
)
from tests.projection_models import CERTAIN, arrivals, model

PATHS = 3000
STEPS = 30


def _rates(seed: int) -> Transitions:
    random = np.random.default_rng(seed)
    shape = (CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS, DESTINATIONS)
    rates = random.uniform(0, 0.08, shape)
    rates[..., LEAVE] *= 2  # leaving care commoner than any one move
    counts = np.full(CATEGORIES, float(CERTAIN))  # rates known: every path draws the same
    return Transitions(rates, counts, counts, np.ones(CATEGORIES))


def _model(seed: int) -> ProjectionModel:
    random = np.random.default_rng(seed + 1)
    children = 120
    built = model(_rates(seed), steps=STEPS, entries=arrivals(6.0, STEPS, category=2))
    assert built.entries is not None
    scale = tuple(1.0 if month < 10 else 0.6 if month < 20 else 1.3 for month in range(STEPS))
    return replace(
        built,
        category=random.integers(0, CATEGORIES, children),
        # many within months of a band's end or of 18
        age_months=random.choice([11.5, 59.2, 119.9, 150.0, 191.4, 205.0, 214.6], children),
        duration_months=random.uniform(0, 30, children),
        care_months=random.uniform(30, 60, children),
        entries=replace(
            built.entries,
            category=np.array([1, 2, 4]),
            age_months=np.array([11.6, 100.0, 214.9]),
        ),
        leaving_scale=scale,
    )


def _month_by_month(built: ProjectionModel, paths: int, seed: int) -> np.ndarray:
    """(steps + 1, categories) mean children at each month end, by the model's definition."""
    random = np.random.default_rng(seed)
    rates = built.transitions.rates
    leave_rate = rates[..., LEAVE]
    move_rate = rates[..., :LEAVE].sum(axis=-1)
    shares = rates[..., :LEAVE] / np.maximum(move_rate[..., None], 1e-300)
    assert built.entries is not None
    assert built.leaving_scale is not None
    kinds = built.entries.category, built.entries.age_months
    n = len(built.category)
    path = np.repeat(np.arange(paths), n)
    category = np.tile(built.category, paths)
    age = np.tile(np.floor(built.age_months), paths)
    placement = np.tile(np.floor(built.duration_months), paths)
    care = np.tile(np.floor(built.care_months), paths)
    stock = np.zeros((built.steps + 1, CATEGORIES))

    def change(
        cell: tuple[np.ndarray, ...], scale: float, exposure: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        leave, move = leave_rate[cell] * scale, move_rate[cell]
        total = leave + move
        changed = random.random(len(total)) < -np.expm1(-total * exposure)
        leaving = changed & (random.random(len(total)) * total < leave)
        moving = changed & ~leaving
        to = (random.random(len(total))[:, None] > np.cumsum(shares[cell], axis=-1)).sum(axis=1)
        return leaving, moving, np.minimum(to, CATEGORIES - 1)

    for month in range(built.steps):
        stock[month] = np.bincount(category, minlength=CATEGORIES)
        scale = built.leaving_scale[month]
        cell = (
            category,
            age_band_of_months(age),
            duration_band(placement),
            care_band(care),
        )
        leaving, moving, to = change(cell, scale, 1.0)
        category = np.where(moving, to, category)
        placement = np.where(moving, 0, placement)
        stay = ~leaving & (age + 1 < ADULT_MONTHS)
        path, category = path[stay], category[stay]
        age, placement, care = age[stay] + 1, placement[stay] + 1, care[stay] + 1
        # the month's entrants, each at risk for the part of the month after it arrives
        joining = random.poisson(6.0, paths).sum()
        who = random.integers(0, len(kinds[0]), joining)
        new_category, new_age = kinds[0][who], kinds[1][who]
        share = random.random(joining)
        zero = np.zeros(joining, dtype=np.int64)
        cell = (new_category, age_band_of_months(new_age), zero, zero)
        leaving, moving, to = change(cell, scale, share)
        new_category = np.where(moving, to, new_category)
        new_age = np.floor(new_age + share)
        stay = ~leaving  # one 18 at this month end is looked after then, gone at the next
        path = np.concatenate([path, np.zeros(stay.sum(), dtype=np.int64)])
        category = np.concatenate([category, new_category[stay]])
        age = np.concatenate([age, new_age[stay]])
        placement = np.concatenate([placement, np.zeros(stay.sum())])
        care = np.concatenate([care, np.zeros(stay.sum())])
    stock[built.steps] = np.bincount(category, minlength=CATEGORIES)
    return stock / paths


def test_the_paths_are_the_models_month_by_month_chances_in_distribution() -> None:
    """Mean children in each category at each month end: the simulator's and the month-by-month
    definition's agree within four standard errors everywhere (30 months × 7 categories), on
    models whose every cell's rate differs. The entrants' kinds are equally weighted in the
    definition; in the simulator each path draws Bayesian-bootstrap weights of mean 1/3 each,
    which leaves the mean where it is."""
    for seed in (1, 2):
        built = _model(seed)
        paths = simulate(built, PATHS, seed=seed)
        simulated = paths.stock.sum(axis=3)  # (months, paths, categories)
        mean = simulated.mean(axis=1)
        error = simulated.std(axis=1) / np.sqrt(PATHS)
        expected = _month_by_month(built, PATHS, seed + 100)
        # both are means of PATHS paths: the difference's standard error is √2 times each
        far = np.abs(mean - expected) > 4 * np.sqrt(2) * error + 0.05
        assert not far.any(), (seed, np.argwhere(far)[:5], mean[far][:5], expected[far][:5])
        # and the totals leave nothing out: start + entries − leavers − 18th birthdays
        totals = paths.totals.astype(np.int64)
        flows = paths.entries - paths.left - paths.turned_18
        assert np.array_equal(totals[1:], totals[:-1] + flows)
