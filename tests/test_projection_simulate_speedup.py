"""The simulator's paths stay the same, bit for bit, when it is made faster.

The figures pinned here were NOT worked out by hand: they are what projection/simulate.py gave
at commit fe1657c (before it was made faster, when every child's float32 clocks were added to
and banded every month), on a model built to reach every corner the speed-ups touch — rates
differing in every cell and destination, children on and just under the band limits (float32
months of 0.99999994, 11.999999 and 12.0: the first jumps two whole months in one), children
turning 18 in the first months, entrants of several kinds (some a month short of 18),
overdispersed and wandering entries, a scenario's leaving scale. A speed-up that changes them has
changed the random streams or the arithmetic: other tests pin figures that rest on these paths.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from carecast.forecast.history import AGE_BANDS
from carecast.projection.model import ProjectionModel
from carecast.projection.simulate import Paths, simulate
from carecast.projection.simulate_month import LINEAR
from carecast.projection.transitions import (
    CARE_BANDS,
    CATEGORIES,
    DESTINATIONS,
    DURATION_BANDS,
    Transitions,
)
from tests.projection_models import arrivals, model

ARRAYS = ("stock", "entries", "left", "turned_18", "placements_begun", "placed_since_start")
# months on and just under the band limits of age (12, 60, 120, 192, 216), time in placement (1,
# 3, 6, 12, 24) and time in care (6, 24), as float32 holds them
EDGES = np.array([0.0, 0.5, 0.99999994, 1.0, 2.9999998, 3.0, 5.9999995, 6.0, 11.999999, 12.0])
EDGES = np.concatenate([EDGES, [23.999998, 24.0, 59.999996, 60.0, 191.99998, 192.0, 215.0]])


def mixed_model(scenario: bool) -> ProjectionModel:
    random = np.random.default_rng(2026)
    shape = (CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS, DESTINATIONS)
    rates = random.uniform(0, 0.08, shape) * (random.random(shape) < 0.7)
    events = random.integers(0, 60, CATEGORIES).astype(float)
    steps, children = 30, 300
    entries = replace(
        arrivals(6.0, steps),
        category=random.integers(0, CATEGORIES, 9),
        age_months=np.array([0.0, 0.3, 11.5, 59.9, 100.0, 150.0, 191.7, 214.6, 215.5]),
        dispersion=1.7,
        drift_sd=0.2,
        covariance=np.eye(len(arrivals(6.0, steps).beta)) * 0.01,
    )
    built = model(Transitions(rates, events, events + 3, np.ones(CATEGORIES)), steps=steps)
    age = np.concatenate([EDGES, random.uniform(0, 216, children - len(EDGES))])
    duration = np.concatenate([EDGES[:-3], random.uniform(0, 40, children - len(EDGES) + 3)])
    care = duration + random.uniform(0, 30, children) * (random.random(children) < 0.5)
    scale = tuple(1.0 if step < 10 else 0.7 for step in range(steps)) if scenario else None
    return replace(
        built,
        category=random.integers(0, CATEGORIES, children),
        age_months=random.permutation(age),
        duration_months=duration,
        care_months=care,
        entries=entries,
        leaving_scale=scale,
    )


def digest(paths: Paths) -> str:
    """The first 16 hex digits of a SHA-256 of every array's dtype, shape and bytes."""
    sha = hashlib.sha256()
    for name in ARRAYS:
        array = np.ascontiguousarray(getattr(paths, name))
        sha.update(f"{name}{array.dtype}{array.shape}".encode())
        sha.update(array.tobytes())
    return sha.hexdigest()[:16]


CASES = ((20180401, 100, False), (7, 137, True), (99, 1, False))


def wide_model() -> ProjectionModel:
    """The mixed model with 40 kinds of entrant (more than simulate_month.NARROW: the entrant is
    found by a sorted search, not by comparing a row)."""
    built = mixed_model(scenario=False)
    assert built.entries is not None
    random = np.random.default_rng(7)
    kinds = replace(
        built.entries,
        category=random.integers(0, CATEGORIES, 40),
        age_months=random.uniform(0, 216, 40),
    )
    return replace(built, entries=kinds)


@pytest.mark.parametrize(
    ("case", "totals", "expected"),
    [
        (CASES[0], (810701, 18468, 17976, 7032, 185750, 683079), "1e9c7120324cf69e"),
        (CASES[1], (1152954, 25353, 20826, 9560, 262426, 975531), "7b193be70222302d"),
        (CASES[2], (6947, 174, 188, 113, 1591, 5678), "e414be5746b43781"),
    ],
)
def test_the_paths_are_those_the_simulator_gave_before_it_was_made_faster(
    case: tuple[int, int, bool], totals: tuple[int, ...], expected: str
) -> None:
    seed, paths, scenario = case
    simulated = simulate(mixed_model(scenario), paths, seed)
    assert tuple(int(getattr(simulated, name).sum()) for name in ARRAYS) == totals
    assert digest(simulated) == expected


@pytest.mark.parametrize(
    ("name", "totals", "expected"),
    [
        ("wide", (1021272, 22031, 22779, 4035, 228109, 865330), "a29df80b3f999984"),
        ("closed", (651399, 0, 12207, 2893, 131882, 522246), "af7f0630645981c4"),
    ],
)
def test_many_kinds_of_entrant_and_none_give_the_paths_they_gave_before(
    name: str, totals: tuple[int, ...], expected: str
) -> None:
    """Also from commit fe1657c: 120 paths of the model with 40 kinds of entrant (seed 5), and
    100 of the scenario's model with no entries (seed 3)."""
    if name == "wide":
        simulated = simulate(wide_model(), 120, 5)
    else:
        simulated = simulate(replace(mixed_model(scenario=True), entries=None), 100, 3)
    assert tuple(int(getattr(simulated, field).sum()) for field in ARRAYS) == totals
    assert digest(simulated) == expected


def test_a_float32_clock_under_linear_of_a_whole_month_gains_one_whole_month_a_month() -> None:
    """The simulator keeps most children as whole months plus the months since (no clocks): it
    rests on float32's rounding of a month's addition never carrying a clock with a fraction
    under LINEAR (1 - 1e-4) across a whole month, for 300 months — past 216 no band changes.
    Every whole month to 255 with fractions near nought, at random and just under LINEAR."""
    random = np.random.default_rng(3)
    fractions = np.concatenate(
        [[0.0, 1e-9, 0.5], random.random(60), LINEAR - random.random(60) * 1e-5]
    )
    start = (np.arange(256)[:, None] + fractions[None, :]).ravel().astype(np.float32)
    exact = start.astype(np.float64)
    start = start[exact - np.floor(exact) < LINEAR]
    whole = np.floor(start.astype(np.float64))
    clock = start.copy()
    for month in range(1, 301):
        clock += np.float32(1.0)
        assert np.array_equal(np.floor(clock.astype(np.float64)), whole + month)


def test_a_float32_clock_a_hair_under_a_whole_month_can_jump_two() -> None:
    """Why the others are kept as clocks: 0.99999994 + 1 is 2 in float32."""
    clock = np.float32(0.99999994)
    assert clock + np.float32(1.0) == np.float32(2.0)
    assert clock - np.floor(clock) >= LINEAR
