"""Paths of the children looked after, month by month, vectorised over paths and children.

Each path first draws its own rates — every category's leaving and moving rates scaled by gamma
multipliers resting on the events behind them (forecast/intervals.py's `rate_scale`), and the
entry model's coefficients from their covariance (projection/draws.py). Then, for each month:
every child leaves care, moves (to the destination table's category, time in placement starting
again) or stays, with the chances of the month's competing rates; everyone ages a month and
those turning 18 leave; the month's entrants (a count about the path's rate, who they are drawn
from the recent entrants with Bayesian-bootstrap weights, so the mix is uncertain too) join,
each arriving at a uniform moment of the month and at risk of leaving or moving for the rest of
it (counting every entrant at its month end overstated the stock by about half a month's
entrants: 4% on a council in a steady state with stays of a year,
tests/test_projection_backtest.py). A child makes at most one change a month.

How the months are drawn — a stretch of unchanging chances at a time, the month of its change
drawn once — is projection/segments.py's. Random streams are spawned per block of paths from one
SeedSequence, as the forecast's are: the same seed gives the same paths whichever runner runs
the blocks, in whatever order or place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from carecast.forecast.intervals import BLOCK_PATHS
from carecast.projection.model import ProjectionModel
from carecast.projection.paths import Paths
from carecast.projection.segments import simulate_block

__all__ = ["BlockRunner", "Paths", "serial", "simulate", "simulate_block", "stream"]

Rng = np.random.Generator
# The forecast's streams take spawn keys (0…6, block); the projection's is apart from them.
PROJECTION_STREAM = 100

BlockRunner = Callable[[Callable[[int], Paths], Sequence[int]], list[Paths]]


def serial(work: Callable[[int], Paths], blocks: Sequence[int]) -> list[Paths]:
    """Every block here, one after another."""
    return [work(block) for block in blocks]


def stream(seed: int, block: int) -> Rng:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PROJECTION_STREAM, block)))


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
