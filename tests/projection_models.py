"""Small projection models built by hand, for tests whose answers can be worked out on paper."""

from __future__ import annotations

from datetime import date

import numpy as np

from carecast.domain.periods import Period
from carecast.forecast.history import AGE_BANDS
from carecast.projection.entries import TERMS
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.transitions import (
    CARE_BANDS,
    CATEGORIES,
    DESTINATIONS,
    DURATION_BANDS,
    LEAVE,
    Transitions,
)

START = date(2018, 3, 31)
CERTAIN = 10**9  # events behind a rate known (all but) exactly: its gamma multiplier is ~1


def month_ends(start: date, steps: int) -> tuple[date, ...]:
    period, days = Period.containing(start), []
    for _ in range(steps):
        period = period.next()
        days.append(period.last_day)
    return tuple(days)


def transitions(
    leave: float = 0.0, moves: dict[tuple[int, int], float] | None = None, events: int = CERTAIN
) -> Transitions:
    """The same monthly rates in every age and duration cell: `leave` out of care from every
    category, and `moves[(from, to)]` between categories."""
    rates = np.zeros((CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS, DESTINATIONS))
    rates[..., LEAVE] = leave
    for (source, target), rate in (moves or {}).items():
        rates[source, ..., target] = rate
    counts = np.full(CATEGORIES, float(events))
    return Transitions(rates, counts, counts, np.ones(CATEGORIES))


def arrivals(per_month: float, steps: int, category: int = 0, age_months: float = 0.0) -> Entries:
    """Entries at a known rate (no trend, season or uncertainty), all alike."""
    beta = np.zeros(len(TERMS))
    beta[0] = np.log(per_month)
    design = np.zeros((steps, len(TERMS)))
    design[:, 0] = 1.0
    return Entries(
        beta=beta,
        covariance=np.zeros((len(TERMS), len(TERMS))),
        dispersion=1.0,
        design=design,
        offset=np.zeros(steps),
        category=np.array([category]),
        age_months=np.array([age_months]),
    )


def model(
    rates: Transitions,
    *,
    children: int = 0,
    category: int = 0,
    age_months: float = 24.0,
    steps: int = 12,
    entries: Entries | None = None,
) -> ProjectionModel:
    return ProjectionModel(
        start=START,
        month_ends=month_ends(START, steps),
        transitions=rates,
        category=np.full(children, category, dtype=np.int64),
        age_months=np.full(children, age_months),
        duration_months=np.zeros(children),
        care_months=np.zeros(children),
        entries=entries,
        assumptions={},
    )
