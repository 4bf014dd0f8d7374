"""The entry model's trend damping and local level (projection/entries.py), by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecast.domain.periods import Period
from carecast.projection.entries import fit_entries, local_level, trend_kept
from tests.test_projection_fit import IFA, history


def test_a_trend_keeps_the_part_of_its_square_its_variance_does_not_explain() -> None:
    """A slope of 0.2 a year measured with variance 0.01: b² = 0.04, of which 0.01 is the
    measurement's own, so (0.04 − 0.01) ÷ 0.04 = 0.75 of it is kept."""
    assert trend_kept(0.2, 0.01) == pytest.approx(0.75)
    assert trend_kept(-0.2, 0.01) == pytest.approx(0.75)


def test_a_trend_no_larger_than_its_error_is_none() -> None:
    """0.05² = 0.0025 is less than its variance 0.01: the slope is as likely chance as trend."""
    assert trend_kept(0.05, 0.01) == 0.0
    assert trend_kept(0.1, 0.01) == pytest.approx(0.0)  # b² = v: nothing left
    assert trend_kept(0.0, 0.01) == 0.0


def test_a_slope_measured_exactly_is_kept_whole() -> None:
    assert trend_kept(0.3, 0.0) == 1.0


def test_without_a_wander_every_month_counts_alike() -> None:
    """10 and 20 entries in two months expected at 15 each, no yearly wander: the level is the
    plain fit's, ln 15, known to the variance of 30 entries, 1 ÷ 30."""
    level, variance = local_level(
        np.array([10.0, 20.0]), np.zeros(2), np.array([15.0, 15.0]), 1.0, 0.0
    )
    assert level == pytest.approx(math.log(15))
    assert variance == pytest.approx(1 / 30)


def test_a_wandering_rate_is_read_more_from_its_latest_months() -> None:
    """A wander of σ² = 0.8 a year is 0.8 ÷ 12 = 1/15 a month, as much as a month's count of 15
    varies on the log scale (1/15). The filter takes the first month whole (variance 1/15), then
    the second month's prior is 2/15 against its count's 1/15: gain 2/3, so the months weigh 1/3
    and 2/3 and the level is ln(10/3 + 40/3) = ln(50/3); its variance (2/15)(1 − 2/3) = 2/45."""
    level, variance = local_level(
        np.array([10.0, 20.0]), np.zeros(2), np.array([15.0, 15.0]), 1.0, math.sqrt(0.8)
    )
    assert level == pytest.approx(math.log(50 / 3))
    assert variance == pytest.approx(2 / 45)


def test_the_level_is_read_net_of_the_trend_and_season() -> None:
    """Months expected at e^(level + fixed) with fixed = ln 2 and ln 1 and counts 20 and 10: the
    counts are exactly 10 × e^fixed, so the level is ln 10 whatever the wander."""
    for wander in (0.0, 0.5):
        level, _ = local_level(
            np.array([20.0, 10.0]),
            np.array([math.log(2), 0.0]),
            np.array([20.0, 10.0]),
            1.0,
            wander,
        )
        assert level == pytest.approx(math.log(10))


def test_without_a_fitted_season_a_year_of_months_counts_alike() -> None:
    """Ten entries a month from April 2017 to December, then twenty in January to March 2018:
    twelve months fit a level alone, no season, so however much the rate wanders (an England
    prior of 0.5 a year) the months weigh alike — weighing the winter more would read its season
    as the level — and the level is (9 × 10 + 3 × 20) ÷ 12 = 12.5 a month."""
    starts: list[int] = []
    period = Period(2017, 4)
    for month in range(12):
        starts += [period.first_day.toordinal() + k for k in range(10 if month < 9 else 20)]
        period = period.next()
    ends: list[int | None] = [s + 3 for s in starts]
    fit = fit_entries(
        history([IFA] * len(starts), starts, ends), Period(2018, 3), 3, None, drift_prior=0.5
    )
    assert fit is not None
    assert fit.months == 12
    assert fit.drift_source == "england"
    assert math.exp(fit.beta[0]) == pytest.approx(12.5)
