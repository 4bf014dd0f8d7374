"""The council's 0–17 population beyond its last mid-year estimate.

No ONS sub-national population projection ships with carecast (the reference data holds the
mid-year estimates only), so the estimates are carried on by their own recent trend: the yearly
growth of the last `TREND_YEARS` estimates (log-linear), damped each year ahead by `DAMPING` as a
damped-trend forecast is, so a few years of growth are not carried on for ever. A council with
fewer than three estimates is held at its last one. An imported ONS projection (a later release
of the same measure) replaces these years as it replaces any estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

TREND_YEARS = 5
DAMPING = 0.8  # each later year keeps this share of the year before's growth
MIN_YEARS = 3


def yearly_growth(population: Mapping[int, float]) -> float | None:
    """The log growth a year of the last TREND_YEARS estimates (None with fewer than three)."""
    years = sorted(population)[-TREND_YEARS:]
    if len(years) < MIN_YEARS:
        return None
    slope, _ = np.polyfit(np.array(years, dtype=float), np.log([population[y] for y in years]), 1)
    return float(slope)


def carried_on(population: Mapping[int, float], to_year: int) -> dict[int, float]:
    """The estimates, then each year to `to_year` grown by the damped trend."""
    out = dict(population)
    if not population:
        return out
    growth = yearly_growth(population)
    last = max(population)
    value = population[last]
    step = growth or 0.0
    for year in range(last + 1, to_year + 1):
        step *= DAMPING
        value *= math.exp(step)
        out[year] = value
    return out
