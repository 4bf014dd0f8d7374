"""Monthly rates at which children leave care or move placement, by category, age band, time in
placement and time in care, fitted on the placement history with open placements censored.

The outturn forecast's ending rates (forecast/hazards.py) follow costed placements only: a child
placed with parents or for adoption has left *costed* care there. A projection of children looked
after keeps those children too, so it has one more category (`NO_COST`, placed with parents or
for adoption) and tells two endings apart: a move to a placement of some category (the same one
included: a new placement resets the time in placement) and leaving care. Each rate is events ÷
days at risk in the fitting window, shrunk towards the category's rate at that time in placement
and that towards all categories' (gamma priors worth `PRIOR_DAYS` days at risk, as the forecast
does), so thin cells borrow strength. An 18th birthday ends care for certain: it is censored here
and applied exactly in the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.forecast.hazards import PRIOR_DAYS
from carecast.forecast.history import (
    AGE_BANDS,
    AGE_LIMITS,
    LINES,
    OUT,
    FloatArray,
    History,
    IntArray,
    age_band,
)

CATEGORIES = len(LINES) + 1  # the placement lines, then NO_COST (history.NO_COST is this index)
LEAVE = CATEGORIES  # the destination "left care", after the categories
DESTINATIONS = CATEGORIES + 1
MONTH_DAYS = 365.25 / 12
# Time in placement, in months: endings are likelier in the first weeks and months.
DURATION_MONTHS = (1, 3, 6, 12, 24)
DURATION_BANDS = len(DURATION_MONTHS) + 1
# Time in care, in months: a child new to care is likelier to go home than one settled in it,
# whatever placement moves came between.
CARE_MONTHS = (6, 24)
CARE_BANDS = len(CARE_MONTHS) + 1
AGE_MONTHS = tuple(12 * years for years in AGE_LIMITS)  # band limits in months of age
ADULT_MONTHS = 12 * 18
_HUGE = 10**7


@dataclass(frozen=True)
class Transitions:
    """Fitted monthly rates and the events behind them (for their uncertainty)."""

    rates: FloatArray  # (categories, age, time in placement, time in care, destinations) a month
    leave_events: FloatArray  # (categories,) children seen leaving care from each category
    move_events: FloatArray  # (categories,) moves seen out of each category
    exposure_months: FloatArray  # (categories,) months at risk behind each category's rates

    def leaving(self) -> FloatArray:
        """(categories, age, time in placement, time in care) monthly rate of leaving care."""
        return self.rates[..., LEAVE]


def _band(values: FloatArray, limits: tuple[int, ...]) -> IntArray:
    """How many of `limits` each value has reached (a few comparisons beat a sorted search on
    arrays of every child on every path)."""
    band = np.zeros(len(values), dtype=np.int64)
    for limit in limits:
        band += values >= limit
    return band


def duration_band(months: FloatArray) -> IntArray:
    return _band(months, DURATION_MONTHS)


def care_band(months: FloatArray) -> IntArray:
    return _band(months, CARE_MONTHS)


def age_band_of_months(months: FloatArray) -> IntArray:
    return _band(months, AGE_MONTHS)


def care_start(history: History) -> IntArray:
    """The day each placement's period of care began: the start of the first of the contiguous
    placements it belongs to (rows are sorted by child and start). A child already looked after
    when the returns begin is counted from the earliest placement on record."""
    firsts = np.flatnonzero(history.previous == OUT)
    chain = np.cumsum(history.previous == OUT) - 1
    if not len(firsts):
        return history.start.copy()
    return history.start[firsts][np.maximum(chain, 0)]  # type: ignore[no-any-return]


def _shrink(events: FloatArray, exposure: FloatArray, prior: FloatArray) -> FloatArray:
    return (events + PRIOR_DAYS * prior) / (exposure + PRIOR_DAYS)


def _spans(origin: IntArray, months: tuple[int, ...]) -> tuple[IntArray, IntArray]:
    """(n, bands) first and one-past-last days of each band of time since `origin`."""
    limits = np.round(np.array((0.0, *months)) * MONTH_DAYS).astype(np.int64)
    limits = np.append(limits, _HUGE)
    return origin[:, None] + limits[None, :-1], origin[:, None] + limits[None, 1:]


def exposure_and_events(history: History, first: int) -> tuple[FloatArray, FloatArray]:
    """Days at risk (C, A, K, T) and events (C, A, K, T, D) from day `first` to the end."""
    shape = (CATEGORIES, AGE_BANDS, DURATION_BANDS, CARE_BANDS)
    exposure, events = np.zeros(shape), np.zeros((*shape, DESTINATIONS))
    rows = np.flatnonzero(history.end > first)
    if not len(rows):
        return exposure, events
    line, start, end = history.line[rows], history.start[rows], history.end[rows]
    adult, bounds, n = history.adult[rows], history.age_bounds[rows], len(rows)
    began = care_start(history)[rows]
    # The day a child leaves (DEC) is at risk from the day after the start to the end itself;
    # days from the 18th birthday on are not (that ending is certain, not a rate).
    risk_lo = np.maximum(start + 1, first)
    risk_hi = np.minimum(np.minimum(end, adult - 1), history.until) + 1
    age_lo = np.concatenate([np.full((n, 1), -_HUGE), bounds], axis=1)
    age_hi = np.concatenate([bounds, np.full((n, 1), _HUGE)], axis=1)
    dur_lo, dur_hi = _spans(start, DURATION_MONTHS)
    care_lo, care_hi = _spans(began, CARE_MONTHS)
    lo = np.maximum(
        np.maximum(risk_lo[:, None, None, None], age_lo[:, :, None, None]),
        np.maximum(dur_lo[:, None, :, None], care_lo[:, None, None, :]),
    )
    hi = np.minimum(
        np.minimum(risk_hi[:, None, None, None], age_hi[:, :, None, None]),
        np.minimum(dur_hi[:, None, :, None], care_hi[:, None, None, :]),
    )
    np.add.at(exposure, line, np.maximum(hi - lo, 0).astype(np.float64))
    seen = history.ended[rows] & (end < adult) & (end >= first) & (end <= history.until)
    if seen.any():
        day = end[seen]
        following = history.following[rows][seen]
        cell = (
            line[seen],
            age_band(bounds[seen], day),
            duration_band((day - start[seen]) / MONTH_DAYS),
            care_band((day - began[seen]) / MONTH_DAYS),
            np.where(following == OUT, LEAVE, following),
        )
        np.add.at(events, cell, 1.0)
    return exposure, events


def fit_transitions(
    history: History, years: float, covered_from: date | None = None
) -> Transitions:
    """Rates from the last `years` of `history` (every placement, costed or not), and never from
    before `covered_from`: before the returns begin, only the placements that lasted into them
    are on record, and long stays alone would make leaving look rare."""
    first = history.until - round(years * 365.25) + 1
    if covered_from is not None:
        first = max(first, covered_from.toordinal())
    exposure, events = exposure_and_events(history, first)
    # every child's rate ← all categories at these times in placement and care ← the category ←
    # the cell (any age): a time in placement or care that no child in the history reached (the
    # longest stays, when the returns are young) borrows every child's rate instead of standing at
    # nothing — at nothing, a child who got there could never leave before 18
    overall = events.sum(axis=(0, 1, 2, 3)) / max(float(exposure.sum()), 1e-9)
    grand = _shrink(events.sum(axis=(0, 1)), exposure.sum(axis=(0, 1))[..., None], overall)
    by_category = _shrink(events.sum(axis=1), exposure.sum(axis=1)[..., None], grand[None])
    per_day = _shrink(events, exposure[..., None], by_category[:, None])
    by_category_events = events.sum(axis=(1, 2, 3))  # (C, D)
    return Transitions(
        rates=per_day * MONTH_DAYS,
        leave_events=by_category_events[:, LEAVE],
        move_events=by_category_events[:, :LEAVE].sum(axis=1),
        exposure_months=exposure.sum(axis=(1, 2, 3)) / MONTH_DAYS,
    )
