"""Paths of the children looked after, month by month, vectorised over paths and children.

Each path first draws its own rates — every category's leaving and moving rates scaled by gamma
multipliers resting on the events behind them (forecast/intervals.py's `rate_scale`), and the
entry model's coefficients from their covariance — then each month: every child leaves care,
moves (to the destination table's category, time in placement starting again) or stays, with
the chances of the month's competing rates; everyone ages a month and those turning 18 leave;
the month's entrants (a count about the path's rate, who they are drawn from the recent entrants
with Bayesian-bootstrap weights, so the mix is uncertain too) join, each arriving at a uniform
moment of the month and at risk of leaving or moving for the rest of it (counting every entrant
at its month end overstated the stock by about half a month's entrants: 4% on a council in a
steady state with stays of a year, tests/test_projection_backtest.py). A child makes at most one
change a month.

Random streams are spawned per block of paths from one SeedSequence, as the forecast's are: the
same seed gives the same paths whichever runner runs the blocks, in whatever order or place.
How the children are kept from month to month — whole months offset by the month rather than
clocks added to, so that a month's bands are one gather — is simulate_month.py's; the paths are
the same, bit for bit, as when every clock was added to and banded every month (pinned in
tests/test_projection_simulate_speedup.py; bench/project_simulate.py compares revisions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from carecast.forecast.history import AGE_BANDS, FloatArray, IntArray
from carecast.forecast.intervals import BLOCK_PATHS, rate_scale
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.simulate_month import Children, Layout, Reaching
from carecast.projection.transitions import CATEGORIES, LEAVE, Transitions, age_band_of_months

Rng = np.random.Generator
# The forecast's streams take spawn keys (0…6, block); the projection's is apart from them.
PROJECTION_STREAM = 100


@dataclass(frozen=True)
class Paths:
    """Simulated children looked after: the stock that costs and scenarios will price."""

    stock: np.ndarray  # (steps + 1, paths, categories, age bands) children at each month end
    entries: np.ndarray  # (steps, paths) children entering care in each month
    left: np.ndarray  # (steps, paths) leaving care before 18
    turned_18: np.ndarray  # (steps, paths) leaving care at 18
    # (steps, paths, categories) placements begun in each month, by entrants and by moves: new
    # placements are priced apart from running ones
    placements_begun: np.ndarray
    # (steps + 1, paths, categories) of `stock`, the children whose placement began after the
    # start: they cost what new placements cost, the others what their running placements do
    placed_since_start: np.ndarray

    @property
    def totals(self) -> np.ndarray:
        """(steps + 1, paths) children looked after at each month end."""
        return self.stock.sum(axis=(2, 3))  # type: ignore[no-any-return]


BlockRunner = Callable[[Callable[[int], Paths], Sequence[int]], list[Paths]]


def serial(work: Callable[[int], Paths], blocks: Sequence[int]) -> list[Paths]:
    """Every block here, one after another."""
    return [work(block) for block in blocks]


def stream(seed: int, block: int) -> Rng:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PROJECTION_STREAM, block)))


def _multipliers(events: FloatArray, rng: Rng, size: int) -> FloatArray:
    """(size, categories): each path's scaling of each category's fitted rate."""
    return np.column_stack([rate_scale(int(e), rng, (size,)) for e in events])


class _EntryDraws:
    """One path's entry rates (from the coefficients' uncertainty) and its entrant weights."""

    def __init__(self, entries: Entries, rng: Rng, size: int) -> None:
        beta = rng.multivariate_normal(entries.beta, entries.covariance, size=size, method="eigh")
        steps = len(entries.offset)
        # the rate wanders off its fitted course as it has from year to year (a random walk)
        wander = np.cumsum(rng.normal(0, entries.drift_sd / np.sqrt(12), (size, steps)), axis=1)
        log_mean = beta @ entries.design.T + entries.offset[None, :] + wander
        self.log_mean = np.minimum(log_mean, np.log(entries.ceiling))
        self.entries = entries
        weights = rng.dirichlet(np.ones(len(entries.category)), size=size)
        self.cumulative = np.cumsum(weights, axis=1)
        self.reaching = Reaching(self.cumulative)

    def month(self, step: int, rng: Rng) -> tuple[IntArray, IntArray, FloatArray]:
        """(path, category, age) of the month's entrants."""
        mean = np.exp(self.log_mean[:, step])
        extra = self.entries.dispersion - 1
        if extra > 1e-9:  # overdispersed counts: a gamma-Poisson mixture of variance φ × mean
            mean = rng.gamma(mean / extra, extra)
        counts = rng.poisson(mean)
        path = np.repeat(np.arange(len(counts)), counts)
        pick = rng.random(len(path)) * self.cumulative[path, -1]
        who = np.minimum(self.reaching.first(path, pick), len(self.cumulative[0]) - 1)
        return path, self.entries.category[who], self.entries.age_months[who]


class _Chances:
    """One block's monthly chances, cell by cell and path by path: of any change (leaving or
    moving; the competing rates' 1 − e^−total), of that change being leaving care, and where a
    move goes. Per-path tables are small (paths × cells), so each month gathers one number per
    child instead of every destination's rate; they are laid out as the children's cells are
    numbered (simulate_month.Layout)."""

    def __init__(self, transitions: Transitions, rng: Rng, layout: Layout) -> None:
        size = layout.size
        leave_scale = _multipliers(transitions.leave_events, rng, size)[:, :, None, None, None]
        move_scale = _multipliers(transitions.move_events, rng, size)[:, :, None, None, None]
        self._leave = leave_scale * transitions.rates[None, ..., LEAVE]  # (paths, C, A, K, T)
        self._move = move_scale * transitions.rates[None, ..., :LEAVE].sum(axis=-1)
        moves = transitions.rates[..., :LEAVE]
        shares = moves / np.maximum(moves.sum(axis=-1, keepdims=True), 1e-300)
        self.destination = np.cumsum(shares, axis=-1).reshape(-1, CATEGORIES)
        self.reaching = Reaching(self.destination)
        self.layout = layout
        self.scale = float("nan")
        self.scaled(1.0)

    def scaled(self, factor: float) -> _Chances:
        """These chances with every rate of leaving care times `factor` (a scenario's)."""
        if factor != self.scale:
            leave = self._leave * factor
            total = leave + self._move
            # flat (path × cell) tables: one gather per child, no two-dimensional indexing
            end = -np.expm1(-total)
            self.end = self.layout.laid_out(end)
            self.end_single = self.layout.laid_out(_at_least(end))
            leaving = np.divide(leave, total, out=np.ones_like(total), where=total > 0)
            self.leave = self.layout.laid_out(leaving)
            self.scale = factor
        return self

    def month(
        self, rng: Rng, cell: IntArray, share: FloatArray | None = None
    ) -> tuple[IntArray, np.ndarray, IntArray]:
        """Of the children in cells `cell`: those whose placement ends in a month, or in the
        `share` of it each is at risk (entrants arriving during it), whether each of them leaves
        care, and the categories the others move to."""
        if share is None:
            chance = self.end_single.take(cell)
        else:  # the same hazard over part of the month: 1 − (1 − p)^share
            chance = -np.expm1(share * np.log1p(-np.minimum(self.end.take(cell), 1 - 1e-12)))
        ends = np.flatnonzero(rng.random(len(cell), dtype=np.float32) < chance)
        leaving = rng.random(len(ends)) < self.leave.take(cell[ends])
        rows = self.layout.row(cell[ends[~leaving]])
        pick = rng.random(len(rows)) * self.destination[rows, -1]
        to = np.minimum(self.reaching.first(rows, pick), CATEGORIES - 1)
        return ends, leaving, to


def _at_least(chance: FloatArray) -> FloatArray:
    """The least float32 at or above each chance: a float32 uniform is below it exactly when it
    is below the chance itself (no float32 lies between), so each month compares float32s — half
    the memory to gather, and no conversion of every child's uniform to float64."""
    single = chance.astype(np.float32)
    return np.where(single < chance, np.nextafter(single, np.float32(np.inf)), single)


def _by_category(path: IntArray, category: IntArray, size: int) -> np.ndarray:
    counts = np.bincount(path * CATEGORIES + category, minlength=size * CATEGORIES)
    return counts.reshape(size, CATEGORIES).astype(np.int32)


def _clocks(*months: np.ndarray) -> FloatArray:
    """(rows, 3) float32 months of age, in placement and in care."""
    return np.column_stack(months).astype(np.float32)


def simulate_block(model: ProjectionModel, rng: Rng, size: int) -> Paths:
    """`size` paths of `model`, drawn from `rng`."""
    steps, n = model.steps, len(model.category)
    layout = Layout(size, steps)
    chances = _Chances(model.transitions, rng, layout)
    draws = None
    if model.entries is not None and len(model.entries.category):
        draws = _EntryDraws(model.entries, rng, size)
    clock = _clocks(model.age_months, model.duration_months, model.care_months)
    base = layout.base(np.repeat(np.arange(size), n), np.tile(model.category, size), False)
    children = Children(layout, base, np.tile(clock, (size, 1)), 0)
    stock = np.zeros((steps + 1, size, CATEGORIES, AGE_BANDS), dtype=np.int32)
    placed = np.zeros((steps + 1, size, CATEGORIES), dtype=np.int32)
    entries, left, joined, left_on_arrival = (
        np.zeros((steps, size), dtype=np.int32) for _ in range(4)
    )
    begun = np.zeros((steps, size, CATEGORIES), dtype=np.int32)
    scales = model.leaving_scale or (1.0,) * steps
    for step in range(steps):
        key = children.key(step)
        stock[step], placed[step] = layout.counts(key)
        chances.scaled(scales[step])
        cell = children.cell(step, key)
        ends, leaving, to = chances.month(rng, cell)
        movers, leavers = ends[~leaving], ends[leaving]
        begun[step] = _by_category(layout.path(cell[movers]), to, size)
        left[step] = np.bincount(layout.path(cell[leavers]), minlength=size)
        children.month_end(step, movers, to, leavers)
        if draws is None:
            children.settle()
            continue
        path, category, age = draws.month(step, rng)
        entries[step] = np.bincount(path, minlength=size)
        begun[step] += _by_category(path, category, size)
        left_on_arrival[step], moved, joined[step] = _arrive(
            chances, rng, children, (path, category, age), step
        )
        begun[step] += moved
    stock[steps], placed[steps] = layout.counts(children.key(steps))
    # turned 18: the children at a month's start who neither left care in it nor are there at
    # its end (less the month's entrants, who are there but were not at its start)
    totals = stock.sum(axis=(2, 3))
    adult = (totals[:-1] - left - (totals[1:] - joined)).astype(np.int32)
    left += left_on_arrival
    return Paths(stock, entries, left, adult, begun, placed)


def _arrive(
    chances: _Chances,
    rng: Rng,
    children: Children,
    entrants: tuple[IntArray, IntArray, FloatArray],
    step: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The month's entrants at its end: each arrives at a uniform moment of the month and may
    leave or move in what is left of it (a child in care for a week can be gone by the month
    end), then counts the part of the month it was in care. (left, moves begun, joined)."""
    path, category, age = entrants
    layout = children.layout
    share: FloatArray = rng.random(len(path), dtype=np.float32).astype(np.float32)
    age = age.astype(np.float32)
    # at risk from arrival: no time in placement or in care yet (the first of their bands)
    cell = layout.base(path, category, True) + age_band_of_months(age)
    ends, leaving, to = chances.month(rng, cell, share)
    movers = ends[~leaving]
    category = category.copy()
    category[movers] = to
    left = np.bincount(path[ends[leaving]], minlength=layout.size)
    moved = _by_category(path[movers], to, layout.size)
    # time in placement and time in care start at nought as two clocks: one shared clock was
    # advanced twice (a time of 2s, not s) and a move on arrival reset the time in care too
    clock = _clocks(age + share, share, share)
    clock[movers, 1] = 0.0
    stay = np.ones(len(path), dtype=bool)
    stay[ends[leaving]] = False
    children.settle(layout.base(path[stay], category[stay], True), clock[stay], step + 1)
    return left, moved, np.bincount(path[stay], minlength=layout.size)


def _block(model: ProjectionModel, seed: int, sizes: tuple[int, ...], block: int) -> Paths:
    return simulate_block(model, stream(seed, block), sizes[block])


def simulate(model: ProjectionModel, paths: int, seed: int, runner: BlockRunner = serial) -> Paths:
    """`paths` paths in blocks of BLOCK_PATHS, each block from its own spawned stream."""
    sizes = [min(BLOCK_PATHS, paths - first) for first in range(0, paths, BLOCK_PATHS)]
    # a partial of module-level functions, not a lambda: a runner may send it to other processes
    blocks = runner(partial(_block, model, seed, tuple(sizes)), range(len(sizes)))
    return Paths(
        np.concatenate([b.stock for b in blocks], axis=1),
        np.concatenate([b.entries for b in blocks], axis=1),
        np.concatenate([b.left for b in blocks], axis=1),
        np.concatenate([b.turned_18 for b in blocks], axis=1),
        np.concatenate([b.placements_begun for b in blocks], axis=1),
        np.concatenate([b.placed_since_start for b in blocks], axis=1),
    )
