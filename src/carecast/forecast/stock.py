"""Placements day by day to year end: the children placed now, where they go next, who arrives.

Expected values on a daily grid (this module) and simulated paths (simulate.py) use the same model:
- a live placement is paid at its price until it ends; it ends for certain at its planned end, the
  eve of the 18th birthday or year end, and earlier with the fitted daily ending rate for its line,
  the child's age band that day and how long it has lasted;
- an early ending is a *move* (with the fitted share) to a line drawn from the destination table,
  where the child stays, at that line's new-placement price, until leaving costed care or turning
  18 (the follow-on stay uses the leaving rates of the new line and the child's age band now);
- arrivals come at the fitted monthly rate and stay until leaving costed care, with the age mix of
  recent arrivals to that line deciding how many reach 18 first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from carecast.forecast.hazards import Hazards, bands_on_days
from carecast.forecast.history import (
    AGE_BANDS,
    LINES,
    BoolArray,
    FloatArray,
    History,
    IntArray,
    duration_band,
)
from carecast.forecast.window import Window

DAYS_PER_WEEK = 7.0
ComplexArray = npt.NDArray[np.complex128]
MOVE_STEPS = 4  # moves followed after the first; more change the total by well under £1


@dataclass(frozen=True)
class Current:
    """Live costed placements on the close date, ready for the window."""

    keys: tuple[str, ...]
    line: IntArray
    price: FloatArray  # net weekly cost
    factors: FloatArray  # (n, days) uplift multipliers
    cap: IntArray  # days paid for certain: to the planned end, 18th birthday or year end
    forced: BoolArray  # the certain end is a planned end inside the year (the child moves on)
    adult: IntArray  # days from the window's start to the 18th birthday
    age0: IntArray  # age band on the window's first day
    ages: IntArray  # (n, days) age band each day
    end_rate: FloatArray  # (n, days) daily chance of ending early
    move_share: FloatArray  # (n, days) share of those endings that are moves

    # The same for every block of simulated paths (simulate.py): worked out once.
    @cached_property
    def end_cumulative(self) -> FloatArray:
        """(n, days) the ending rate summed to each day."""
        return np.cumsum(self.end_rate, axis=1)

    @cached_property
    def paid_to(self) -> FloatArray:
        """(n, days + 1) the cost paid by the start of each day (0 on the first)."""
        weekly = np.cumsum(self.price[:, None] / 7 * self.factors, axis=1)
        return np.concatenate([np.zeros((len(self.keys), 1)), weekly], axis=1)


def prepare_current(
    window: Window,
    hazards: Hazards,
    *,
    keys: tuple[str, ...],
    line: IntArray,
    price: FloatArray,
    factors: FloatArray,
    start: IntArray,
    planned_last: IntArray,
    adult: IntArray,
    age_bounds: IntArray,
) -> Current:
    """`start`, `planned_last` (last day paid; a large number when open) and `adult` are ordinals."""
    days = window.days
    first = window.first.toordinal()
    grid = window.ordinals
    to_adult = adult - first
    cap = np.minimum(np.minimum(planned_last - first + 1, to_adult), days).clip(0)
    forced = (planned_last - first + 1 < np.minimum(to_adult, days)) & (cap < days)
    ages, durations = bands_on_days(age_bounds, start, grid)
    end_rate = hazards.end[line[:, None], ages, durations]
    move_rate = hazards.move[line[:, None], ages, durations]
    share = np.divide(move_rate, end_rate, out=np.zeros_like(end_rate), where=end_rate > 0)
    age0 = ages[:, 0] if days else np.zeros(len(keys), dtype=np.int64)
    return Current(keys, line, price, factors, cap, forced, to_adult, age0, ages, end_rate, share)


def placement_survival(hazards: Hazards, days: int) -> tuple[FloatArray, FloatArray]:
    """(age bands, lines, days) chance a placement started on day 0 is still running on day u,
    and the chance it ends on day u by a move (it cannot end on the day it starts)."""
    u = np.arange(days)
    bands = duration_band(u)
    end = np.moveaxis(hazards.end[:, :, bands], 1, 0).copy()  # (A, L, days)
    move = np.moveaxis(hazards.move[:, :, bands], 1, 0).copy()
    end[:, :, 0] = 0.0
    move[:, :, 0] = 0.0
    survive = np.exp(-np.cumsum(end, axis=2))
    before = np.concatenate([np.ones((*survive.shape[:2], 1)), survive[:, :, :-1]], axis=2)
    share = np.divide(move, end, out=np.zeros_like(end), where=end > 0)
    return survive, (before - survive) * share


def _fft_size(days: int) -> int:
    return 1 << max(1, int(2 * days - 1).bit_length())


def occupancy(hazards: Hazards, days: int, steps: int = MOVE_STEPS) -> FloatArray:
    """(age bands, lines, lines, days): the chance that a child who starts a placement on line c
    on day 0 is in a costed placement on line c' on day u, following up to `steps` moves (the age
    band stays the one at the start)."""
    if days == 0:
        return np.zeros((AGE_BANDS, len(LINES), len(LINES), 0))
    survive, moving = placement_survival(hazards, days)
    size = _fft_size(days)
    moving_hat = np.fft.rfft(moving, size, axis=2)  # (A, L, F)
    eye = np.eye(len(LINES))[None, :, :, None]
    occ = eye * survive[:, :, None, :]  # (A, L, L', days)
    destination = np.moveaxis(hazards.destination, 1, 0)  # (A, L, L1)
    for _ in range(steps):
        occ_hat = np.fft.rfft(occ, size, axis=3)  # (A, L1, L', F)
        after = np.einsum("acd,adkf->ackf", destination, occ_hat) * moving_hat[:, :, None, :]
        occ = eye * survive[:, :, None, :] + np.fft.irfft(after, size, axis=3)[..., :days]
    return occ.clip(0, 1)


def arrival_occupancy(
    occ: FloatArray, entrants: dict[int, tuple[IntArray, IntArray]]
) -> FloatArray:
    """(lines, lines, days): occupancy after arriving on line c, averaged over recent arrivals'
    ages (their age band on arrival, and the days until they turned 18)."""
    n_lines, days = occ.shape[1], occ.shape[3]
    out = np.zeros((n_lines, n_lines, days))
    pooled = [v for v in entrants.values() if len(v[0])]
    for line in range(n_lines):
        bands, to_adult = entrants.get(line, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        if not len(bands) and pooled:
            bands = np.concatenate([b for b, _ in pooled])
            to_adult = np.concatenate([t for _, t in pooled])
        if not len(bands):
            out[line] = occ[3, line]
            continue
        counts = np.zeros((AGE_BANDS, days))
        for band, limit in zip(bands, to_adult, strict=True):
            counts[band, : max(0, min(int(limit), days))] += 1
        out[line] = np.einsum("au,aku->ku", counts, occ[:, line]) / len(bands)
    return out


def _add_rows(into: FloatArray, rows: IntArray, values: FloatArray) -> None:
    """np.add.at(into, rows, values) for whole rows: the same additions in the same order, so
    the same sums to the last bit, a row at a time (for rows this long, several times faster)."""
    for row, value in zip(rows.tolist(), values, strict=True):
        into[row] += value


def _convolve(inflow: FloatArray, kernel_hat: ComplexArray, size: int, days: int) -> FloatArray:
    """inflow (..., L1, days) ⊛ kernel (L1, L', days) summed over L1 → (..., L', days)."""
    inflow_hat = np.fft.rfft(inflow, size, axis=-1)
    out = np.einsum("...df,dkf->...kf", inflow_hat, kernel_hat)
    return np.asarray(np.fft.irfft(out, size, axis=-1)[..., :days].clip(0))


@dataclass(frozen=True)
class Expected:
    """Expected daily cost by line, (lines, days), split the way the demand allowance is."""

    committed: FloatArray  # current placements paid to their certain end
    stay: FloatArray  # … to their expected end (≤ committed)
    moves: FloatArray  # follow-on placements on the same line
    steps: FloatArray  # follow-on placements on another line (step-ups and step-downs)
    arrivals: FloatArray


def expected_costs(
    current: Current,
    hazards: Hazards,
    *,
    occ: FloatArray,
    arrival_occ: FloatArray,
    daily_arrivals: FloatArray,
    new_price: FloatArray,
    new_factors: FloatArray,
    moves: bool = True,
) -> Expected:
    """Expected costs; `occ` from occupancy(), `arrival_occ` from arrival_occupancy(),
    `daily_arrivals` (lines, days), `new_price` (lines,) weekly, `new_factors` (lines, days)."""
    n_lines, days = len(LINES), daily_arrivals.shape[1]
    n = len(current.keys)
    d = np.arange(days)
    size = _fft_size(days)
    paid_for_certain = d[None, :] < current.cap[:, None]
    survive = np.exp(-np.cumsum(current.end_rate, axis=1)) if n else np.zeros((0, days))
    rate = current.price[:, None] / DAYS_PER_WEEK * current.factors
    committed_daily = rate * paid_for_certain
    committed = np.zeros((n_lines, days))
    stay = np.zeros((n_lines, days))
    _add_rows(committed, current.line, committed_daily)
    _add_rows(stay, current.line, committed_daily * survive)
    new_rate = new_price[:, None] / DAYS_PER_WEEK * new_factors  # (L, days)
    same = np.zeros((n_lines, days))
    steps = np.zeros((n_lines, days))
    if moves and n and days:
        stock = _follow_on_stock(
            current, hazards, occ=occ, survive=survive, paid=paid_for_certain, size=size
        )
        cost = stock * new_rate[None, :, :]  # (L_from, L', days)
        diagonal = np.eye(n_lines, dtype=bool)
        same = cost[diagonal]
        steps = np.where(diagonal[:, :, None], 0.0, cost).sum(axis=0)
    arrivals = np.zeros((n_lines, days))
    if days and daily_arrivals.any():
        occ_hat = np.fft.rfft(arrival_occ, size, axis=2)
        arrivals = _convolve(daily_arrivals, occ_hat, size, days) * new_rate
    return Expected(committed, stay, same, steps, arrivals)


def _follow_on_stock(
    current: Current,
    hazards: Hazards,
    *,
    occ: FloatArray,
    survive: FloatArray,
    paid: BoolArray,
    size: int,
) -> FloatArray:
    """Expected children in follow-on placements: (line now, line then, days)."""
    n, days = survive.shape
    n_lines = len(LINES)
    before = np.concatenate([np.ones((n, 1)), survive[:, :-1]], axis=1)
    ending = (before - survive) * paid
    rows = np.flatnonzero(current.forced)
    ending[rows, current.cap[rows]] = before[rows, current.cap[rows]]
    moving = ending * current.move_share  # (n, days)
    destination = hazards.destination[current.line[:, None], current.ages]  # (n, days, L1)
    inflow = np.moveaxis(moving[:, :, None] * destination, 2, 1)  # (n, L1, days)
    occ_hat = np.fft.rfft(occ, size, axis=3)  # (A, L1, L', F)
    stock = np.zeros((n_lines, n_lines, days))
    capped = current.adult < days
    for band in range(AGE_BANDS):
        group = (current.age0 == band) & ~capped
        if group.any():
            by_line = np.zeros((n_lines, n_lines, days))
            _add_rows(by_line, current.line[group], inflow[group])
            stock += _convolve(by_line, occ_hat[band], size, days)
        group = (current.age0 == band) & capped
        if group.any():
            each = _convolve(inflow[group], occ_hat[band], size, days)  # (g, L', days)
            alive = np.arange(days)[None, :] < current.adult[group][:, None]
            _add_rows(stock, current.line[group], each * alive[:, None, :])
    return stock


def entrant_profile(history: History, years: float) -> dict[int, tuple[IntArray, IntArray]]:
    """Recent arrivals by line: age band on arrival and days from arrival to the 18th birthday."""
    first = history.until - round(years * 365.25) + 1
    chosen = history.arrival & (history.start >= first)
    out: dict[int, tuple[IntArray, IntArray]] = {}
    if not chosen.any():
        return out
    starts = history.start[chosen]
    bands = (starts[:, None] >= history.age_bounds[chosen]).sum(axis=1).astype(np.int64)
    to_adult = (history.adult[chosen] - starts).astype(np.int64)
    lines = history.line[chosen]
    for line in np.unique(lines):
        pick = lines == line
        out[int(line)] = (bands[pick], to_adult[pick])
    return out
