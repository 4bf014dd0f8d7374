"""What a new placement costs: re-pricings of running placements told apart, and the market's
rise measured from the council's own new placements — checked by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.forecast.pricing import continuations, line_prices, price_trend
from tests.forecast_fixtures import commitment

RESIDENTIAL = ServiceLine.PLACEMENTS_RESIDENTIAL
CLOSE = date(2018, 9, 30)


def placed(child: str, start: date, end: date | None = None) -> Placement:
    return Placement(child, "K2", "PR4", RESIDENTIAL, start, end)


def test_the_april_segment_of_a_running_placement_is_a_re_pricing_not_a_new_placement() -> None:
    """A's home began in 2016; the finance system shows its price from 1 April 2018 as a
    commitment starting that day. B's commitment picks up the day after B's last one ended.
    C's placement began three weeks before its commitment (keyed late): a new placement."""
    april_segment = commitment("A", RESIDENTIAL, date(2018, 4, 1), "4000")
    before = commitment("B", RESIDENTIAL, date(2017, 6, 1), "3900", end=date(2018, 5, 31))
    after = commitment("B", RESIDENTIAL, date(2018, 6, 1), "4050")
    keyed_late = commitment("C", RESIDENTIAL, date(2018, 7, 22), "5200")
    placements = [placed("A", date(2016, 3, 1)), placed("C", date(2018, 7, 1))]
    found = continuations([april_segment, before, after, keyed_late], placements)
    assert found == {id(april_segment), id(after)}


def test_re_pricings_do_not_set_the_price_of_new_placements() -> None:
    """Only C's £5,200 started a placement within the year (no live stock to shrink to but the
    three live commitments: (1 × 5,200 + 5 × mean(4,000, 4,050, 5,200)) ÷ 6)."""
    commitments = [
        commitment("A", RESIDENTIAL, date(2018, 4, 1), "4000"),
        commitment("B", RESIDENTIAL, date(2017, 6, 1), "3900", end=date(2018, 5, 31)),
        commitment("B", RESIDENTIAL, date(2018, 6, 1), "4050"),
        commitment("C", RESIDENTIAL, date(2018, 7, 22), "5200"),
    ]
    placements = [placed("A", date(2016, 3, 1)), placed("C", date(2018, 7, 1))]
    prices = line_prices(commitments, CLOSE, 365, {}, placements=placements)
    assert prices.recent[RESIDENTIAL] == 1
    live = (4000 + 4050 + 5200) / 3
    assert prices.weekly[RESIDENTIAL] == pytest.approx((5200 + 5 * live) / 6)


def test_prices_rising_8_percent_a_year_without_noise_are_measured_exactly() -> None:
    years = np.linspace(-1.5, 0.0, 30)
    starts = [(float(t), 4000 * math.exp(0.08 * t)) for t in years]
    trend = price_trend(starts)
    assert trend.slope == pytest.approx(0.08)
    assert trend.damped == pytest.approx(0.08)


def test_a_noisy_trend_is_damped_by_its_own_uncertainty() -> None:
    """slope × slope² ÷ (slope² + se²): a rise no surer than its standard error counts half."""
    rng = np.random.default_rng(7)
    years = np.linspace(-1.0, 0.0, 40)
    starts = [(float(t), 4000 * math.exp(0.08 * t + rng.normal(0, 0.3))) for t in years]
    trend = price_trend(starts)
    expected = trend.slope**3 / (trend.slope**2 + trend.se**2)
    assert trend.damped == pytest.approx(expected)
    assert abs(trend.damped) < abs(trend.slope)


def test_too_few_starts_or_too_short_a_span_measure_no_trend() -> None:
    nine = [(-t / 10, 4000.0 + 100 * t) for t in range(9)]
    assert price_trend(nine).damped == 0.0
    one_month = [(-t / 365, 4000.0 + 10 * t) for t in range(30)]
    assert price_trend(one_month).damped == 0.0


def test_the_recent_price_is_carried_to_the_close_and_beyond_at_the_trend() -> None:
    """Twelve new placements a month apart over the last year, every one at £4,000 × e^(0.1 t):
    their mean price stands for their mean start date, and carried to the close at 10% a year it
    is the price at the close; a placement 73 days later costs e^(0.1 × 0.2) more."""
    starts = [CLOSE - timedelta(days=30 * k + 1) for k in range(12)]
    commitments = [
        commitment(
            f"N{k}", RESIDENTIAL, day, f"{4000 * math.exp(-0.1 * (CLOSE - day).days / 365):.4f}"
        )
        for k, day in enumerate(starts)
    ]
    prices = line_prices(commitments, CLOSE, 365, {}, trends={RESIDENTIAL: 0.1})
    ages = [(CLOSE - day).days / 365 for day in starts]
    mean_price = float(np.mean([4000 * math.exp(-0.1 * a) for a in ages]))
    shrunk = mean_price  # every commitment is recent and live: the prior is the same mean
    assert prices.weekly[RESIDENTIAL] == pytest.approx(shrunk * math.exp(0.1 * np.mean(ages)))
    assert prices.weekly[RESIDENTIAL] == pytest.approx(4000, rel=0.002)
    later = prices.factor(RESIDENTIAL, np.array([73.0]))
    assert later[0] == pytest.approx(math.exp(0.1 * 0.2))
