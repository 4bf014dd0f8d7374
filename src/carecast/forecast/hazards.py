"""Daily rates at which placements end, fitted on the episode history (piecewise constant).

A placement's chance of ending depends on its line, the child's age band on the day and how long
it has lasted (duration bands). Each cell's rate is events ÷ days at risk inside the fitting
window, shrunk towards the rate of the line at that duration (and that towards all lines) with a
gamma prior worth `PRIOR_DAYS` days at risk, so thin cells borrow strength instead of swinging while
a line with plenty of data (a secure unit's short stays) keeps its own rates. An
ending is split into a *move* (another costed placement follows) and a *leaving* (costed care ends),
and moves carry a destination table. Rates are per day; 18th birthdays are censored (history.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carecast.forecast.history import (
    AGE_BANDS,
    AGE_LIMITS,
    DURATION_BANDS,
    DURATION_LIMITS,
    LINES,
    NO_COST,
    OUT,
    FloatArray,
    History,
    age_band,
    duration_band,
)

PRIOR_DAYS = 180.0  # the weight of the parent rate in a cell, in days at risk
PRIOR_EVENTS = 2.0  # the weight of the line's mix in a destination table, in moves
_L, _A, _K = len(LINES), AGE_BANDS, DURATION_BANDS
_HUGE = 10**7  # an open upper bound for band limits, in days


@dataclass(frozen=True)
class Hazards:
    move: FloatArray  # (lines, age bands, duration bands): daily rate of moving on
    leave: FloatArray  # same shape: daily rate of leaving costed care
    destination: FloatArray  # (lines, age bands, lines): where a move goes
    events: FloatArray  # (lines,): endings observed, for the rates' uncertainty

    @property
    def end(self) -> FloatArray:
        return self.move + self.leave


def _shrink(events: FloatArray, exposure: FloatArray, prior: FloatArray) -> FloatArray:
    """Gamma-Poisson posterior mean with a prior worth PRIOR_DAYS days at rate `prior`."""
    return (events + PRIOR_DAYS * prior) / (exposure + PRIOR_DAYS)


def _hierarchical(events: FloatArray, exposure: FloatArray) -> FloatArray:
    """(L, A, K) rates: cell ← line at that duration ← all lines at that duration."""
    overall = events.sum(axis=(0, 1)) / np.maximum(exposure.sum(axis=(0, 1)), 1e-9)  # (K,)
    by_line = _shrink(events.sum(axis=1), exposure.sum(axis=1), overall[None, :])  # (L, K)
    return _shrink(events, exposure, by_line[:, None, :])


def _exposure(history: History, first: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Days at risk, moves and leavings in each (line, age, duration) cell from `first` on."""
    exposure = np.zeros((_L, _A, _K))
    moves = np.zeros((_L, _A, _K))
    leaves = np.zeros((_L, _A, _K))
    costed = history.costed & (history.end > first)
    if not costed.any():
        return exposure, moves, leaves
    line = history.line[costed]
    start = history.start[costed]
    end = history.end[costed]
    adult = history.adult[costed]
    bounds = history.age_bounds[costed]
    n = len(line)
    # A day d is at risk of being the day the child leaves (DEC = d) from start + 1 to the end.
    risk_lo = np.maximum(start + 1, first)
    risk_hi = np.minimum(np.minimum(end, adult - 1), history.until) + 1  # exclusive
    age_lo = np.concatenate([np.full((n, 1), -_HUGE), bounds], axis=1)  # (n, A)
    age_hi = np.concatenate([bounds, np.full((n, 1), _HUGE)], axis=1)
    limits = np.array((0, *DURATION_LIMITS, _HUGE))
    dur_lo = start[:, None] + limits[None, :-1]  # (n, K)
    dur_hi = start[:, None] + limits[None, 1:]
    lo = np.maximum(
        np.maximum(risk_lo[:, None, None], age_lo[:, :, None]), dur_lo[:, None, :]
    )  # (n, A, K)
    hi = np.minimum(np.minimum(risk_hi[:, None, None], age_hi[:, :, None]), dur_hi[:, None, :])
    days = np.maximum(hi - lo, 0).astype(np.float64)
    np.add.at(exposure, line, days)
    event = history.ended[costed] & (end < adult) & (end >= first) & (end <= history.until)
    if event.any():
        e_line = line[event]
        e_day = end[event]
        e_age = age_band(bounds[event], e_day)
        e_dur = duration_band(e_day - start[event])
        moved = history.following[costed][event]
        is_move = (moved != OUT) & (moved != NO_COST)
        np.add.at(moves, (e_line[is_move], e_age[is_move], e_dur[is_move]), 1.0)
        np.add.at(leaves, (e_line[~is_move], e_age[~is_move], e_dur[~is_move]), 1.0)
    return exposure, moves, leaves


def _destinations(history: History, first: int) -> FloatArray:
    counts = np.zeros((_L, _A, _L))
    moved = (
        history.costed
        & history.ended
        & (history.end >= first)
        & (history.following != OUT)
        & (history.following != NO_COST)
    )
    if moved.any():
        ages = age_band(history.age_bounds[moved], history.end[moved])
        np.add.at(counts, (history.line[moved], ages, history.following[moved]), 1.0)
    overall = (counts.sum(axis=(0, 1)) + 1e-9) / (counts.sum() + 1e-9 * _L)  # (L,)
    by_line = counts.sum(axis=1)  # (L, L)
    by_line = (by_line + PRIOR_EVENTS * overall) / (by_line.sum(axis=1, keepdims=True) + 2.0)
    cell = (counts + PRIOR_EVENTS * by_line[:, None, :]) / (
        counts.sum(axis=2, keepdims=True) + PRIOR_EVENTS
    )
    result: FloatArray = cell / cell.sum(axis=2, keepdims=True)
    return result


def fit_hazards(history: History, years: float, factor: float = 1.0) -> Hazards:
    """Rates from the last `years` of history; `factor` scales every ending (an assumption)."""
    first = history.until - round(years * 365.25) + 1
    exposure, moves, leaves = _exposure(history, first)
    move = _hierarchical(moves, exposure) * factor
    leave = _hierarchical(leaves, exposure) * factor
    events = (moves + leaves).sum(axis=(1, 2))
    return Hazards(move, leave, _destinations(history, first), events)


def bands_on_days(
    bounds: np.ndarray, starts: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Age and duration bands of n placements on each of D days: two (n, D) arrays."""
    grid = np.broadcast_to(days[None, :], (len(starts), len(days)))
    ages = age_band(bounds, grid)
    durations = duration_band(grid - starts[:, None])
    return ages, durations


__all__ = ["AGE_LIMITS", "Hazards", "bands_on_days", "fit_hazards"]
