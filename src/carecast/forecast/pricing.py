"""What a new placement costs on each line: the recent average, as the finance system shows it.

The price of a new placement is the mean net weekly cost of the new placements whose commitments
started within `price_history_days` of the close (uplifted to today's prices), shrunk towards the
mean of every live commitment on the line when there are few, so one unusual start does not set
the price of a whole year's arrivals. The spread of log prices drives the simulation's price draws.

Not every commitment that starts is a new placement: finance systems split a running placement's
commitment where its price changes (the April uplift, a renegotiation), and the later part starts
that day. Those re-pricings carry the price of the stock, which is lower than what new placements
cost, so they are told apart: a commitment continues its placement when the same child's
commitment on the line ended the day before, or when the SSDA903 placement it pays for began well
before it.

New placements' prices rise with the market, faster than the uplifts running placements get
(residential care most), so a price set from the last year's starts is already behind at the close
and falls further behind as the year goes on. The rise is measured per line as the slope of the log
price of new placements on their start dates — the current extract's starts and the earlier
extract's — damped by its own uncertainty (slope × slope² ÷ (slope² + se²)): a council with a year
or more of starts gets most of its trend, one with a few months little. The price is carried to the
close at that rate, and each later day's new placements are priced up from there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.forecast.history import LINES, FloatArray

PRIOR_PLACEMENTS = 5.0  # weight of the live average in a line's new-placement price
DEFAULT_SIGMA = 0.3  # log-price spread when a line has too few recent starts to measure it
MIN_TREND_STARTS = 10  # new placements on a line before its price trend is measured
MIN_TREND_SPAN_DAYS = 60  # ... spread over at least this much time (the start dates' spread)
MAX_TREND = 0.3  # a year: a steeper fitted rise is taken as this
CONTINUATION_DAYS = 91
# a commitment starting this long after the SSDA903 placement it pays for re-prices that placement:
# keying a new placement weeks late (its commitment then starting when keyed) stays well inside it


@dataclass(frozen=True)
class LinePrices:
    weekly: dict[ServiceLine, float]  # new placement, net, at the close
    sigma: dict[ServiceLine, float]  # spread of log prices
    recent: dict[ServiceLine, int]  # recent starts behind each price
    trend: dict[ServiceLine, float] = field(default_factory=dict)  # log rise a year, damped

    def factor(self, line: ServiceLine, days_after_close: FloatArray) -> FloatArray:
        """Price multiplier for a new placement so many days after the close."""
        return np.exp(self.trend.get(line, 0.0) * days_after_close / 365)


@dataclass(frozen=True)
class PriceTrend:
    slope: float  # log price a year, as fitted
    se: float
    starts: int

    @property
    def damped(self) -> float:
        if self.starts == 0 or not math.isfinite(self.se):
            return 0.0
        slope = self.slope * self.slope**2 / (self.slope**2 + self.se**2) if self.slope else 0.0
        return min(max(slope, -MAX_TREND), MAX_TREND)


NO_TREND = PriceTrend(0.0, math.inf, 0)


def price_trend(starts: list[tuple[float, float]]) -> PriceTrend:
    """The slope of log price on start date (years before the close), from (years, price)."""
    if len(starts) < MIN_TREND_STARTS:
        return NO_TREND
    t = np.array([when for when, _ in starts])
    y = np.log(np.array([price for _, price in starts]))
    spread = float(t.std())
    if spread * 365 < MIN_TREND_SPAN_DAYS:
        return NO_TREND
    slope, intercept = np.polyfit(t, y, 1)
    residual = y - (slope * t + intercept)
    sd = float(np.sqrt((residual**2).sum() / (len(t) - 2)))
    return PriceTrend(float(slope), sd / (spread * math.sqrt(len(t))), len(t))


def uplift_since(priced: date, today: date, uplifts: list[tuple[date, float]]) -> float:
    """Multiplier for uplifts that took effect after `priced` and on or before `today`."""
    factor = 1.0
    for when, pct in uplifts:
        if priced < when <= today:
            factor *= 1 + pct / 100
    return factor


def continuations(commitments: Iterable[Commitment], placements: Iterable[Placement]) -> set[int]:
    """The ids of commitments that continue a running placement at a new price rather than
    begin one: the child's commitment on the same line ended the day before, or the child's
    SSDA903 placement on the line began more than CONTINUATION_DAYS before the commitment."""
    commitments = list(commitments)
    ends = {(c.child_id, c.category, c.end) for c in commitments if c.end is not None}
    placed: dict[tuple[str, ServiceLine], list[Placement]] = {}
    for placement in placements:
        if placement.category is not None:
            placed.setdefault((placement.child_id, placement.category), []).append(placement)
    found: set[int] = set()
    for c in commitments:
        if (c.child_id, c.category, c.start - timedelta(days=1)) in ends:
            found.add(id(c))
            continue
        for placement in placed.get((c.child_id, c.category), ()):
            began_well_before = placement.start < c.start - timedelta(days=CONTINUATION_DAYS)
            if began_well_before and placement.is_live_on(c.start):
                found.add(id(c))
                break
    return found


def line_prices(
    commitments: Iterable[Commitment],
    today: date,
    history_days: int,
    uplifts: dict[ServiceLine, list[tuple[date, float]]],
    *,
    overrides: dict[ServiceLine, Decimal] | None = None,
    placements: Iterable[Placement] = (),
    earlier: Iterable[Commitment] = (),
    trends: dict[ServiceLine, float] | None = None,
) -> LinePrices:
    """`placements` (SSDA903) tell new placements from re-pricings of running ones; `earlier`
    (an earlier extract's commitments) adds the starts it alone still shows to the trend; `trends`
    and `overrides` (the assumptions) replace the fitted trend and price of a line."""
    commitments = list(commitments)
    placements = list(placements)
    repriced = continuations(commitments, placements)
    fitted = fit_trends(commitments, placements, earlier, today, uplifts)
    trend = {line: fitted[line].damped for line in LINES} | dict(trends or {})
    since = today - timedelta(days=history_days)
    recent: dict[ServiceLine, list[float]] = {line: [] for line in LINES}
    ages: dict[ServiceLine, list[int]] = {line: [] for line in LINES}  # days before the close
    live: dict[ServiceLine, list[float]] = {line: [] for line in LINES}
    every: dict[ServiceLine, list[float]] = {line: [] for line in LINES}
    for c in commitments:
        if c.category not in recent or c.start > today or c.net_weekly_cost <= 0:
            continue
        price = float(c.net_weekly_cost) * uplift_since(c.start, today, uplifts.get(c.category, []))
        every[c.category].append(price)
        if c.is_open_on(today):
            live[c.category].append(price)
        if c.start >= since and id(c) not in repriced:
            recent[c.category].append(price)
            ages[c.category].append((today - c.start).days)
    weekly: dict[ServiceLine, float] = {}
    sigma: dict[ServiceLine, float] = {}
    for line in LINES:
        base = live[line] or every[line]
        prior = float(np.mean(base)) if base else 0.0
        n = len(recent[line])
        mean_recent = float(np.mean(recent[line])) if n else prior
        weight = PRIOR_PLACEMENTS if base else 0.0
        weekly[line] = (n * mean_recent + weight * prior) / (n + weight) if n + weight else 0.0
        # the recent starts' mean price stands for their mean start date: carried to the close
        behind = float(np.mean(ages[line])) / 365 if n else 0.0
        weekly[line] *= math.exp(trend[line] * behind)
        sample = recent[line] if n >= 3 else base
        sigma[line] = float(np.std(np.log(sample), ddof=1)) if len(sample) >= 3 else DEFAULT_SIGMA
        if not math.isfinite(sigma[line]):
            sigma[line] = DEFAULT_SIGMA
    for line, value in (overrides or {}).items():
        weekly[line] = float(value)
    return LinePrices(weekly, sigma, {line: len(recent[line]) for line in LINES}, trend)


def fit_trends(
    commitments: list[Commitment],
    placements: list[Placement],
    earlier: Iterable[Commitment],
    today: date,
    uplifts: dict[ServiceLine, list[tuple[date, float]]],
) -> dict[ServiceLine, PriceTrend]:
    """Each line's price trend from the new placements the two extracts show (one per child,
    line and start date), their prices carried to today by the uplifts running ones get."""
    every = {(c.child_id, c.category, c.start): c for c in earlier}
    every |= {(c.child_id, c.category, c.start): c for c in commitments}
    shown = list(every.values())
    repriced = continuations(shown, placements)
    starts: dict[ServiceLine, list[tuple[float, float]]] = {line: [] for line in LINES}
    for c in shown:
        if c.category not in starts or c.start > today or c.net_weekly_cost <= 0:
            continue
        if id(c) in repriced:
            continue
        price = float(c.net_weekly_cost) * uplift_since(c.start, today, uplifts.get(c.category, []))
        starts[c.category].append((-(today - c.start).days / 365, price))
    return {line: price_trend(starts[line]) for line in LINES}
