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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from carecast.forecast.history import AGE_BANDS, FloatArray, IntArray
from carecast.forecast.intervals import BLOCK_PATHS, rate_scale
from carecast.forecast.simulate import first_reaching
from carecast.projection.model import Entries, ProjectionModel
from carecast.projection.transitions import (
    ADULT_MONTHS,
    CARE_BANDS,
    CATEGORIES,
    DURATION_BANDS,
    LEAVE,
    Transitions,
    age_band_of_months,
    care_band,
    duration_band,
)

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

    def month(self, step: int, rng: Rng) -> tuple[IntArray, IntArray, FloatArray]:
        """(path, category, age) of the month's entrants."""
        mean = np.exp(self.log_mean[:, step])
        extra = self.entries.dispersion - 1
        if extra > 1e-9:  # overdispersed counts: a gamma-Poisson mixture of variance φ × mean
            mean = rng.gamma(mean / extra, extra)
        counts = rng.poisson(mean)
        path = np.repeat(np.arange(len(counts)), counts)
        pick = rng.random(len(path)) * self.cumulative[path, -1]
        who = np.minimum(first_reaching(self.cumulative, path, pick), len(self.cumulative[0]) - 1)
        return path, self.entries.category[who], self.entries.age_months[who]


class _Chances:
    """One block's monthly chances, cell by cell and path by path: of any change (leaving or
    moving; the competing rates' 1 − e^−total), of that change being leaving care, and where a
    move goes. Per-path tables are small (paths × cells), so each month gathers one number per
    child instead of every destination's rate."""

    def __init__(self, transitions: Transitions, rng: Rng, size: int) -> None:
        leave_scale = _multipliers(transitions.leave_events, rng, size)[:, :, None, None, None]
        move_scale = _multipliers(transitions.move_events, rng, size)[:, :, None, None, None]
        self._leave = leave_scale * transitions.rates[None, ..., LEAVE]  # (paths, C, A, K, T)
        self._move = move_scale * transitions.rates[None, ..., :LEAVE].sum(axis=-1)
        self.cells = int(np.prod(self._leave.shape[1:]))
        moves = transitions.rates[..., :LEAVE]
        shares = moves / np.maximum(moves.sum(axis=-1, keepdims=True), 1e-300)
        self.destination = np.cumsum(shares, axis=-1).reshape(-1, CATEGORIES)
        self.scale = float("nan")
        self.scaled(1.0)

    def scaled(self, factor: float) -> _Chances:
        """These chances with every rate of leaving care times `factor` (a scenario's)."""
        if factor != self.scale:
            leave = self._leave * factor
            total = leave + self._move
            # flat (path × cell) tables: one gather per child, no two-dimensional indexing
            self.end = (-np.expm1(-total)).ravel()
            self.leave = np.divide(leave, total, out=np.ones_like(total), where=total > 0).ravel()
            self.scale = factor
        return self

    def month(
        self, rng: Rng, children: _Children, share: FloatArray | None = None
    ) -> tuple[IntArray, IntArray, IntArray]:
        """(children leaving care, children moving, the categories they move to) in a month, or
        in the `share` of it each child is at risk (entrants arriving during it)."""
        path, category = children.path, children.category
        cell = (category * AGE_BANDS + age_band_of_months(children.age)) * DURATION_BANDS
        cell = (cell + duration_band(children.duration)) * CARE_BANDS + care_band(children.care)
        flat = path * self.cells + cell
        chance = self.end[flat]
        if share is not None:  # the same hazard over part of the month: 1 − (1 − p)^share
            chance = -np.expm1(share * np.log1p(-np.minimum(chance, 1 - 1e-12)))
        ends = np.flatnonzero(rng.random(len(path), dtype=np.float32) < chance)
        leaving = rng.random(len(ends)) < self.leave[flat[ends]]
        movers = ends[~leaving]
        rows = cell[movers]
        pick = rng.random(len(movers)) * self.destination[rows, -1]
        to = np.minimum(first_reaching(self.destination, rows, pick), CATEGORIES - 1)
        return ends[leaving], movers, to


@dataclass
class _Children:
    """The children looked after on every path of a block, one row each."""

    path: IntArray
    category: IntArray
    age: FloatArray  # months
    duration: FloatArray  # months in the current placement
    care: FloatArray  # months in care
    placed: np.ndarray  # bool: in a placement begun after the start (an entrant, or moved since)

    def keep(self, rows: np.ndarray) -> _Children:
        return _Children(
            self.path[rows],
            self.category[rows],
            self.age[rows],
            self.duration[rows],
            self.care[rows],
            self.placed[rows],
        )

    def join(self, other: _Children) -> _Children:
        return _Children(
            np.concatenate([self.path, other.path]),
            np.concatenate([self.category, other.category]),
            np.concatenate([self.age, other.age]),
            np.concatenate([self.duration, other.duration]),
            np.concatenate([self.care, other.care]),
            np.concatenate([self.placed, other.placed]),
        )

    def count(self, size: int) -> np.ndarray:
        """(size, categories, age bands) children."""
        cell = (self.path * CATEGORIES + self.category) * AGE_BANDS + age_band_of_months(self.age)
        counts = np.bincount(cell, minlength=size * CATEGORIES * AGE_BANDS)
        return counts.reshape(size, CATEGORIES, AGE_BANDS).astype(np.int32)

    def count_placed(self, size: int) -> np.ndarray:
        """(size, categories) children in placements begun after the start."""
        return _by_category(self.path[self.placed], self.category[self.placed], size)


def _by_category(path: IntArray, category: IntArray, size: int) -> np.ndarray:
    counts = np.bincount(path * CATEGORIES + category, minlength=size * CATEGORIES)
    return counts.reshape(size, CATEGORIES).astype(np.int32)


def simulate_block(model: ProjectionModel, rng: Rng, size: int) -> Paths:
    """`size` paths of `model`, drawn from `rng`."""
    steps, n = model.steps, len(model.category)
    chances = _Chances(model.transitions, rng, size)
    draws = None
    if model.entries is not None and len(model.entries.category):
        draws = _EntryDraws(model.entries, rng, size)
    children = _Children(
        np.repeat(np.arange(size), n),
        np.tile(model.category, size),
        np.tile(model.age_months.astype(np.float32), size),
        np.tile(model.duration_months.astype(np.float32), size),
        np.tile(model.care_months.astype(np.float32), size),
        np.zeros(size * n, dtype=bool),
    )
    stock = np.zeros((steps + 1, size, CATEGORIES, AGE_BANDS), dtype=np.int32)
    placed = np.zeros((steps + 1, size, CATEGORIES), dtype=np.int32)
    entries, left, adult = (np.zeros((steps, size), dtype=np.int32) for _ in range(3))
    begun = np.zeros((steps, size, CATEGORIES), dtype=np.int32)
    stock[0] = children.count(size)
    scales = model.leaving_scale or (1.0,) * steps
    for step in range(steps):
        chances.scaled(scales[step])
        leaving, movers, to = chances.month(rng, children)
        begun[step] = _by_category(children.path[movers], to, size)
        children.category[movers] = to
        children.duration[movers] = 0.0
        children.placed[movers] = True
        children.age += 1.0
        children.duration += 1.0
        children.care += 1.0
        gone = np.zeros(len(children.path), dtype=bool)
        gone[leaving] = True
        grown = ~gone & (children.age >= ADULT_MONTHS)
        left[step] = np.bincount(children.path[gone], minlength=size)
        adult[step] = np.bincount(children.path[grown], minlength=size)
        children = children.keep(~(gone | grown))
        if draws is not None:
            path, category, age = draws.month(step, rng)
            entries[step] = np.bincount(path, minlength=size)
            begun[step] += _by_category(path, category, size)
            newcomers, gone_again, moved = _arrive(chances, rng, path, category, age, size)
            left[step] += gone_again
            begun[step] += moved
            children = children.join(newcomers)
        stock[step + 1] = children.count(size)
        placed[step + 1] = children.count_placed(size)
    return Paths(stock, entries, left, adult, begun, placed)


def _arrive(  # noqa: PLR0917  (one month's entrants, as draws.month gives them)
    chances: _Chances, rng: Rng, path: IntArray, category: IntArray, age: FloatArray, size: int
) -> tuple[_Children, np.ndarray, np.ndarray]:
    """The month's entrants at its end: each arrives at a uniform moment of the month and may
    leave or move in what is left of it (a child in care for a week can be gone by the month
    end), then counts the part of the month it was in care. (children, left, moves begun)."""
    share: FloatArray = rng.random(len(path), dtype=np.float32).astype(np.float32)
    # time in placement and time in care start at nought as two arrays: one shared array was
    # advanced twice (a time of 2s, not s) and a move on arrival reset the time in care too
    in_placement: FloatArray = np.zeros(len(path), dtype=np.float32)
    in_care: FloatArray = np.zeros(len(path), dtype=np.float32)
    newcomers = _Children(
        path,
        category,
        age.astype(np.float32),
        in_placement,
        in_care,
        np.ones(len(path), dtype=bool),
    )
    leaving, movers, to = chances.month(rng, newcomers, share)
    newcomers.category[movers] = to
    left = np.bincount(path[leaving], minlength=size)
    moved = _by_category(path[movers], to, size)
    newcomers.age += share
    newcomers.care += share
    newcomers.duration += share
    newcomers.duration[movers] = 0.0
    stay = np.ones(len(path), dtype=bool)
    stay[leaving] = False
    return newcomers.keep(stay), left, moved


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
