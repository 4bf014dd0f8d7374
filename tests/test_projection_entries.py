"""The entry model's trend, wander and local level (projection/entries.py), by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from carecast.domain.periods import Period
from carecast.projection.entries import (
    EntryFit,
    fit_entries,
    local_level,
    trend_kept,
    trend_note,
    wander_parts,
    yearly_wander,
)
from carecast.services.projection import _notes as projection_notes
from tests.projection_models import arrivals
from tests.projection_models import model as hand_model
from tests.projection_models import transitions as hand_transitions
from tests.test_projection_fit import IFA, history


def test_a_councils_own_wander_is_moderated_by_englands() -> None:
    """σ 0.1 measured on five years (four changes, three degrees of freedom) against England's
    0.2 worth 2.6: (3 × 0.01 + 2.6 × 0.04) ÷ 5.6 = 0.134 ÷ 5.6, σ = 0.1547."""
    sigma, source = yearly_wander(0.1, 5, 0.2)
    assert sigma == pytest.approx(math.sqrt(0.134 / 5.6))
    assert source == "council"


def test_three_steady_years_do_not_measure_a_council_without_wander() -> None:
    """Three years rising by the same step measure no wander (one degree of freedom): England's
    0.2 keeps √(2.6 × 0.04 ÷ 3.6) = 0.170 of it, so the latest months still weigh more."""
    sigma, _ = yearly_wander(0.0, 3, 0.2)
    assert sigma == pytest.approx(math.sqrt(2.6 * 0.04 / 3.6))


def test_without_years_enough_the_wander_is_englands_or_none() -> None:
    assert yearly_wander(0.3, 2, 0.2) == (0.2, "england")
    assert yearly_wander(0.3, 2, None) == (0.0, "none")
    assert yearly_wander(0.3, 4, None) == (0.3, "council")


def _changing_yearly(first: float, yearly: float) -> tuple[EntryFit, list[int]]:
    """The entry fit of 36 months from April 2015 whose entries start at `first` a month and
    change by `yearly` a year, England's wander 0.15 as the prior; and the monthly counts."""
    starts: list[int] = []
    period = Period(2015, 4)
    monthly = []
    for month in range(36):
        count = round(first * yearly ** (month / 12))
        monthly.append(count)
        starts += [period.first_day.toordinal() + k % 28 for k in range(count)]
        period = period.next()
    ends: list[int | None] = [s + 3 for s in starts]
    fit = fit_entries(
        history([IFA] * len(starts), starts, ends), Period(2018, 3), 3, None, drift_prior=0.15
    )
    assert fit is not None
    return fit, monthly


def test_a_rise_within_three_errors_is_reported_but_not_carried_forward() -> None:
    """Entries rising 20% a year for three years (10 a month in April 2015 to 17.3 in March
    2018): the slope is measured near ln 1.2 = 0.182 and reported with its error — over 0.06
    with the wander's share, so under three errors — but the projection's trend is 0 and has
    no spread; the level is read towards the latest months (above the window's mean, not beyond
    the last months' rate)."""
    fit, monthly = _changing_yearly(10, 1.2)
    assert fit.trend_measured == pytest.approx(math.log(1.2), abs=0.02)
    assert fit.trend_standard_error > 0.06
    assert fit.trend_measured < 3 * fit.trend_standard_error
    assert fit.beta[1] == 0.0
    assert not fit.covariance[1].any()
    assert not fit.covariance[:, 1].any()
    level = math.exp(fit.beta[0])  # the season is near none: the level is a month's entries
    assert sum(monthly) / 36 < level < sum(monthly[-3:]) / 3


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


def test_a_passing_years_noise_weighs_the_latest_months_less() -> None:
    """The wander above (1/15 a month) with a passing year's noise of σ² = 1/180 (12σ² = 1/15 a
    month): each month's log count varies by 1/15 + 1/15 = 2/15. The second month's prior is
    2/15 + 1/15 = 3/15 against 2/15: gain 3/5, so the months weigh 2/5 and 3/5 and the level is
    ln(4 + 12) = ln 16, known to (3/15)(2/5) = 2/25 — against ln(50/3) without it."""
    level, variance = local_level(
        np.array([10.0, 20.0]),
        np.zeros(2),
        np.array([15.0, 15.0]),
        1.0,
        math.sqrt(0.8),
        passing_sd=math.sqrt(1 / 180),
    )
    assert level == pytest.approx(math.log(16))
    assert variance == pytest.approx(2 / 25)


def test_the_wander_splits_into_a_walk_and_passing_years() -> None:
    """Changes spreading by σ 0.2 (variance 0.04 = σ_walk² + 2σ_passing²): 55% of it the walk,
    √0.022 = 0.148, and the rest two passing years' worth, √(0.018 ÷ 2) = 0.095."""
    walk, passing = wander_parts(0.2)
    assert walk == pytest.approx(math.sqrt(0.022))
    assert passing == pytest.approx(math.sqrt(0.009))
    assert walk**2 + 2 * passing**2 == pytest.approx(0.04)


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


def test_a_slope_within_three_errors_is_none_and_beyond_is_shrunk() -> None:
    """0.3 ± 0.1 is three errors: none carried; 0.4 ± 0.1 keeps (0.16 − 0.01) ÷ 0.16."""
    assert trend_kept(0.3, 0.01) == 0.0
    assert trend_kept(-0.4, 0.01) == pytest.approx(0.15 / 0.16)
    assert trend_kept(0.05, 0.0) == 1.0  # measured exactly


def test_a_collapse_of_entries_is_carried_on() -> None:
    """Entries halving each year for three years (40 a month to 5): the slope ln ½ = −0.69 a
    year stands far beyond three errors, so the projection carries it on, shrunk by
    (b² − v) ÷ b², and the note says so."""
    fit, _ = _changing_yearly(40, 0.5)
    assert fit.trend_measured == pytest.approx(math.log(0.5), abs=0.03)
    b, se = fit.trend_measured, fit.trend_standard_error
    assert abs(b) > 3 * se
    assert fit.beta[1] == pytest.approx(b * (1 - se**2 / b**2))
    note = trend_note(b, se, 36, float(fit.beta[1]))
    assert note is not None
    assert "the projection carries on -" in note


def test_a_rise_beyond_twice_its_error_is_said_with_how_to_model_it() -> None:
    """ln 1.2 = 0.182 a year measured ± 0.08 is 2.3 errors: said, as a 20% rise, not carried;
    ± 0.1 is not said."""
    note = trend_note(math.log(1.2), 0.08, 36, 0.0)
    assert note is not None
    assert note.startswith("Entries rose 20% a year over the 36 months fitted (± 8%)")
    assert "entry_rate scenario" in note
    assert trend_note(math.log(1.2), 0.1, 36, 0.0) is None
    rate = trend_note(math.log(1.2), 0.08, 36, 0.0, per_population=True)
    assert rate is not None
    assert rate.startswith("The entry rate per 10,000 children rose 20% a year")
    fall = trend_note(math.log(0.8), 0.05, 36, 0.0)
    assert fall is not None
    assert fall.startswith("Entries fell 20% a year")


def test_the_projections_notes_say_a_rise_it_does_not_carry_and_what_it_is_of() -> None:
    """The service's notes read the fitted model: a rate per 10,000 children rising 20% a year ±
    8% (2.5 errors, not carried) is said as a rate's rise; the same model whose trend is carried
    says what it carries on; a model without entries says nothing of a trend."""
    entries = arrivals(10.0, 12)
    fitted = {
        "fitted": True,
        "drift_from": "council",
        "trend_measured_per_year": math.log(1.2),
        "trend_standard_error": 0.08,
        "months_fitted": 36,
        "per": "10,000 children aged 0-17",
    }
    base = dataclasses.replace(
        hand_model(hand_transitions(), entries=entries),
        assumptions={"entries": fitted, "looked_after_without_header": 0},
    )
    notes = projection_notes(base, {2018: 50_000.0})
    assert any(n.startswith("The entry rate per 10,000 children rose 20% a year") for n in notes)
    beta = entries.beta.copy()
    beta[1] = 0.15
    carried = dataclasses.replace(base, entries=dataclasses.replace(entries, beta=beta))
    assert any("the projection carries on +16% a year" in n for n in projection_notes(carried, {}))
    unfitted = dataclasses.replace(base, entries=None)
    assert not any("a year over the" in n for n in projection_notes(unfitted, {}))
