"""What a new placement costs on each line: the recent average, as the finance system shows it.

The price of a new placement is the mean net weekly cost of the commitments that started within
`price_history_days` of the close (uplifted to today's prices), shrunk towards the mean of every
live commitment on the line when there are few, so one unusual start does not set the price of a
whole year's arrivals. The spread of log prices drives the simulation's price draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.forecast.history import LINES

PRIOR_PLACEMENTS = 5.0  # weight of the live average in a line's new-placement price
DEFAULT_SIGMA = 0.3  # log-price spread when a line has too few recent starts to measure it


@dataclass(frozen=True)
class LinePrices:
    weekly: dict[ServiceLine, float]  # new placement, net, today's prices
    sigma: dict[ServiceLine, float]  # spread of log prices
    recent: dict[ServiceLine, int]  # recent starts behind each price


def uplift_since(priced: date, today: date, uplifts: list[tuple[date, float]]) -> float:
    """Multiplier for uplifts that took effect after `priced` and on or before `today`."""
    factor = 1.0
    for when, pct in uplifts:
        if priced < when <= today:
            factor *= 1 + pct / 100
    return factor


def line_prices(
    commitments: Iterable[Commitment],
    today: date,
    history_days: int,
    uplifts: dict[ServiceLine, list[tuple[date, float]]],
    overrides: dict[ServiceLine, Decimal] | None = None,
) -> LinePrices:
    since = today - timedelta(days=history_days)
    recent: dict[ServiceLine, list[float]] = {line: [] for line in LINES}
    live: dict[ServiceLine, list[float]] = {line: [] for line in LINES}
    every: dict[ServiceLine, list[float]] = {line: [] for line in LINES}
    for c in commitments:
        if c.category not in recent or c.start > today or c.net_weekly_cost <= 0:
            continue
        price = float(c.net_weekly_cost) * uplift_since(c.start, today, uplifts.get(c.category, []))
        every[c.category].append(price)
        if c.is_open_on(today):
            live[c.category].append(price)
        if c.start >= since:
            recent[c.category].append(price)
    weekly: dict[ServiceLine, float] = {}
    sigma: dict[ServiceLine, float] = {}
    for line in LINES:
        base = live[line] or every[line]
        prior = float(np.mean(base)) if base else 0.0
        n = len(recent[line])
        mean_recent = float(np.mean(recent[line])) if n else prior
        weight = PRIOR_PLACEMENTS if base else 0.0
        weekly[line] = (n * mean_recent + weight * prior) / (n + weight) if n + weight else 0.0
        sample = recent[line] if n >= 3 else base
        sigma[line] = float(np.std(np.log(sample), ddof=1)) if len(sample) >= 3 else DEFAULT_SIGMA
        if not math.isfinite(sigma[line]):
            sigma[line] = DEFAULT_SIGMA
    for line, value in (overrides or {}).items():
        weekly[line] = float(value)
    return LinePrices(weekly, sigma, {line: len(recent[line]) for line in LINES})
