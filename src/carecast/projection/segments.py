"""One block of paths, simulated a stretch of months at a time rather than a month at a time.

A child's chance of a change (leaving care or moving) in a month depends only on its cell — its
category, age band, time-in-placement band and time-in-care band — and on the month's scaling of
the rate of leaving care (a scenario's). All of those are known ahead until the next month one
of them changes: a birthday into the next age band or the 18th, the next band of time in
placement or in care, the next change of scaling. Over such a stretch of k months the chance
of no change is e^−(rate × k), so the month of the change, if there is one, is drawn once — an
exponential waiting time E against the rate, the change coming in month ⌊E ÷ rate⌋ when E <
rate × k — instead of a uniform each month. That is the same chance, month by month, as a draw
every month (tests/test_projection_simulate_events.py checks it against such a simulation); a
child makes at most one change a month and a move starts its new placement at the start of the
month it happens in, as before. A child's stretches number a handful in five years, not sixty
months, and the stock at each month end is added up from the stretches at the end.

Over a stretch the exponential is used up rather than drawn again (memoryless: the same
chances), so a child draws one a placement. Each path's children are walked one after another
by walk.py (compiled); what is drawn first — each path's rates and entry rates, then every
month's entrants, who they are and when in the month each arrives — is drawn here, with numpy,
from the block's stream, which the walk then goes on drawing from in a fixed order: the same
seed gives the same paths whoever runs the block. A child is counted in the stock by group
(placed since the start, category, age band) from the month it enters a group to the month it
leaves it, added up month by month at the end. Against drawing every child every month
(the simulator before, 28–35 ns a child-month) this is 3–4× less CPU, 7.6–9.5 ns
(bench/project_simulate.py).
"""

from __future__ import annotations

import numpy as np

from carecast.forecast.history import AGE_BANDS, IntArray
from carecast.projection.draws import Chances, EntryDraws, Rng
from carecast.projection.model import ProjectionModel
from carecast.projection.paths import Paths
from carecast.projection.transitions import CATEGORIES, age_band_of_months


def _scale_runs(scales: tuple[float, ...]) -> IntArray:
    """For each month, the first later month whose scaling differs (or the horizon)."""
    steps = len(scales)
    until = np.full(steps, steps, dtype=np.int64)
    for step in range(steps - 2, -1, -1):
        until[step] = until[step + 1] if scales[step + 1] == scales[step] else step + 1
    return until


def _whole_months(months: np.ndarray) -> IntArray:
    """Whole months of clocks (nought for one under nought or not a number)."""
    known = np.isfinite(months) & (months >= 0)
    return np.where(known, np.floor(np.where(known, months, 0.0)), 0).astype(np.int64)


def _arrivals(draws: EntryDraws, rng: Rng) -> tuple[np.ndarray, ...]:
    """Every month's entrants, drawn before anyone is walked: the path and month of each, a
    uniform that tells who it is (by its path's weights) and the part of its month left when it
    arrives."""
    path, month = draws.arrivals(rng)
    return path, month, rng.random(len(path)), rng.random(len(path))


def simulate_block(model: ProjectionModel, rng: Rng, size: int) -> Paths:
    """`size` paths of `model`, drawn from `rng`."""
    # compiled: loaded only when paths are drawn, not by every command that imports this
    from carecast.projection.walk import stock_of, walk

    steps = model.steps
    chances = Chances(model.transitions, rng, size)
    scales = np.array(model.leaving_scale or (1.0,) * steps, dtype=np.float64)
    none = np.zeros(0, dtype=np.int64)
    arrivals: tuple[np.ndarray, ...] = (none, none, np.zeros(0), np.zeros(0))
    cumulative, kinds = np.ones((size, 1)), np.zeros((3, 1))
    if model.entries is not None and len(model.entries.category):
        draws = EntryDraws(model.entries, rng, size)
        arrivals, cumulative = _arrivals(draws, rng), draws.cumulative
        ages = np.nan_to_num(model.entries.age_months.astype(np.float64)).clip(0, None)
        kinds = np.stack(
            [model.entries.category.astype(np.float64), ages, age_band_of_months(ages)]
        )
    looked_after = np.stack(
        [
            model.category.astype(np.int64),
            _whole_months(model.age_months),
            _whole_months(model.duration_months),
            _whole_months(model.care_months),
        ]
    )
    # a path's counts by month and (placed since the start, category, age band)
    counts = np.zeros((size, steps + 2, 2 * CATEGORIES * AGE_BANDS), dtype=np.int32)
    left, turned_18, entries = (np.zeros((size, steps), dtype=np.int32) for _ in range(3))
    begun = np.zeros((size, steps, CATEGORIES), dtype=np.int32)
    arrival_path, arrival_month, arrival_pick, arrival_share = arrivals
    walk(
        rng,
        size,
        looked_after,
        arrival_path,
        arrival_month,
        arrival_pick,
        arrival_share,
        np.ascontiguousarray(cumulative),
        kinds,
        chances.leave_rates,
        chances.move_rates,
        chances.destination,
        scales,
        _scale_runs(tuple(scales)),
        counts,
        left,
        turned_18,
        begun,
        entries,
    )
    stock, placed = stock_of(counts, steps + 1)
    return Paths(
        stock,
        np.ascontiguousarray(entries.T),
        np.ascontiguousarray(left.T),
        np.ascontiguousarray(turned_18.T),
        np.ascontiguousarray(begun.transpose(1, 0, 2)),
        placed,
    )
