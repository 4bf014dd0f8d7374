"""What each path of a block draws before its months: its rates (the fitted ones scaled by the
uncertainty of the events behind them) and its entrants' rates and mix."""

from __future__ import annotations

import numpy as np

from carecast.forecast.history import FloatArray, IntArray
from carecast.forecast.intervals import rate_scale
from carecast.projection.model import Entries
from carecast.projection.transitions import CATEGORIES, LEAVE, Transitions

Rng = np.random.Generator


def multipliers(events: FloatArray, rng: Rng, size: int) -> FloatArray:
    """(size, categories): each path's scaling of each category's fitted rate."""
    return np.column_stack([rate_scale(int(e), rng, (size,)) for e in events])


class EntryDraws:
    """Each path's entry rates (from the coefficients' uncertainty) and its entrant weights."""

    def __init__(self, entries: Entries, rng: Rng, size: int) -> None:
        beta = rng.multivariate_normal(entries.beta, entries.covariance, size=size, method="eigh")
        steps = len(entries.offset)
        # the rate wanders off its fitted course as it has from year to year (a random walk)
        wander = np.cumsum(rng.normal(0, entries.drift_sd / np.sqrt(12), (size, steps)), axis=1)
        log_mean = beta @ entries.design.T + entries.offset[None, :] + wander
        if entries.passing_sd > 0:
            # and each twelve months of it pass above or below that course by a year's chance
            passing = rng.normal(0, entries.passing_sd, (size, -(-steps // 12)))
            log_mean += passing[:, np.arange(steps) // 12]
        self.log_mean = np.minimum(log_mean, np.log(entries.ceiling))
        self.entries = entries
        weights = rng.dirichlet(np.ones(len(entries.category)), size=size)
        self.cumulative = np.cumsum(weights, axis=1)

    def arrivals(self, rng: Rng) -> tuple[IntArray, IntArray]:
        """(path, month) of every entrant of every month, path by path (each path's entrants
        together: the walk then reads one path's tables and counts at a time)."""
        mean = np.exp(self.log_mean)  # (paths, steps)
        extra = self.entries.dispersion - 1
        if extra > 1e-9:  # overdispersed counts: a gamma-Poisson mixture of variance φ × mean
            mean = rng.gamma(mean / extra, extra)
        counts = rng.poisson(mean)
        size, steps = counts.shape
        cell = np.repeat(np.arange(size * steps), counts.ravel())
        return cell // steps, cell % steps


class Chances:
    """One block's monthly rates, path by path and cell by cell (category, age band, time in
    placement band, time in care band), flat as path × cells: of leaving care and of moving
    (each category's scaled by the path's multiplier), and where a move goes (the same for
    every path: the uncertainty is in how often, not where)."""

    def __init__(self, transitions: Transitions, rng: Rng, size: int) -> None:
        leave_scale = multipliers(transitions.leave_events, rng, size)[:, :, None, None, None]
        move_scale = multipliers(transitions.move_events, rng, size)[:, :, None, None, None]
        self.leave_rates = (leave_scale * transitions.rates[None, ..., LEAVE]).ravel()
        moves = transitions.rates[..., :LEAVE]
        self.move_rates = (move_scale * moves.sum(axis=-1)[None]).ravel()
        shares = moves / np.maximum(moves.sum(axis=-1, keepdims=True), 1e-300)
        self.destination = np.ascontiguousarray(np.cumsum(shares, axis=-1).reshape(-1, CATEGORIES))
