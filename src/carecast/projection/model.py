"""The fitted projection: everything the simulation draws from, frozen (nothing refits later)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from carecast.forecast.history import FloatArray, IntArray
from carecast.projection.transitions import Transitions


@dataclass(frozen=True)
class Entries:
    """Each month's entries: counts drawn about exp(design · beta + offset), beta drawn per path
    from (beta, covariance); who enters drawn from the recent entrants (category, age)."""

    beta: FloatArray  # (terms,)
    covariance: FloatArray  # (terms, terms)
    dispersion: float  # ≥ 1: the counts' variance ÷ mean
    design: FloatArray  # (steps, terms)
    offset: FloatArray  # (steps,)
    category: IntArray  # (entrants,) category each recent entrant started in
    age_months: FloatArray  # (entrants,) their age on entry
    drift_sd: float = 0.0  # yearly wander of the log entry rate: a random walk on each path
    # and a passing year's noise about it, drawn afresh for each twelve months of each path
    passing_sd: float = 0.0
    # no path's expected entries in a month exceed this: the wander and the coefficients are
    # drawn on the log scale, whose far tail (entries a hundredfold) no council has seen
    ceiling: float = float("inf")

    def expected(self) -> FloatArray:
        """(steps,) expected entries at the fitted parameters."""
        expected: FloatArray = np.exp(self.design @ self.beta + self.offset)
        return expected


@dataclass(frozen=True)
class ProjectionModel:
    start: date  # the last day of the data the projection starts from (a month end)
    month_ends: tuple[date, ...]  # the last day of each projected month
    transitions: Transitions
    category: IntArray  # (children,) looked after on `start`: category of their placement
    age_months: FloatArray  # (children,) age on `start`
    duration_months: FloatArray  # (children,) time in their placement on `start`
    care_months: FloatArray  # (children,) time in care on `start` (at least their placement's)
    entries: Entries | None  # None: no entries (none seen, or a closed population)
    assumptions: dict[str, Any]  # as used, for the output
    # (steps,) a scenario's multiplier of every rate of leaving care in each month (None: 1)
    leaving_scale: tuple[float, ...] | None = None

    @property
    def steps(self) -> int:
        return len(self.month_ends)
