"""The 0–17 population beyond the last mid-year estimate: the recent trend, damped."""

from __future__ import annotations

import math

import pytest

from carecast.projection.population import DAMPING, carried_on, yearly_growth


def test_a_steady_two_percent_a_year_is_carried_on_damped() -> None:
    estimates = {2014 + i: 60_000 * 1.02**i for i in range(5)}  # mid-2014 to mid-2018
    growth = math.log(1.02)
    assert yearly_growth(estimates) == pytest.approx(growth)
    ahead = carried_on(estimates, 2020)
    last = estimates[2018]
    assert ahead[2019] == pytest.approx(last * math.exp(growth * DAMPING))  # +1.6%
    assert ahead[2020] == pytest.approx(last * math.exp(growth * (DAMPING + DAMPING**2)))
    assert {y: ahead[y] for y in estimates} == estimates  # the estimates stay as published


def test_with_fewer_than_three_estimates_the_last_is_held() -> None:
    assert carried_on({2017: 50_000.0, 2018: 52_000.0}, 2020) == {
        2017: 50_000.0,
        2018: 52_000.0,
        2019: 52_000.0,
        2020: 52_000.0,
    }
    assert carried_on({}, 2020) == {}
