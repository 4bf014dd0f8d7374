"""Simulated paths of the placement lines' remaining cost: the same model as stock.py, sampled.

Vectorised over paths and children (no loop over paths): each path draws its own ending-rate
multipliers (the rates' uncertainty), arrival level, trend and mix, and price levels; then every
live placement's end day, every move's destination and duration, and every arrival's day, age,
stay and price. Follow-on placements are chained for up to MOVE_STEPS moves, like the expected
values. Returns the remaining cost of each path by line.
"""

from __future__ import annotations

import numpy as np

from carecast.forecast.hazards import Hazards
from carecast.forecast.history import AGE_BANDS, LINES, FloatArray, IntArray, duration_band
from carecast.forecast.placement_lines import PlacementModel
from carecast.forecast.stock import MOVE_STEPS

Rng = np.random.Generator


def first_reaching(cum: FloatArray, row: IntArray, target: FloatArray) -> IntArray:
    """For each (row, target): the first column where cum[row] ≥ target, or the row length.
    `cum` rows must be non-decreasing; one sorted search over all rows at once."""
    rows, width = cum.shape
    if width == 0 or len(row) == 0:
        return np.zeros(len(row), dtype=np.int64)
    big = float(cum[:, -1].max()) + 2.0
    flat = (cum + np.arange(rows)[:, None] * big).ravel()
    capped = np.minimum(target, cum[row, -1] + 0.5)
    found = np.searchsorted(flat, row * big + capped, side="left")
    return (found - row * width).astype(np.int64)  # type: ignore[no-any-return]


def _rate_multipliers(rng: Rng, hazards: Hazards, paths: int) -> FloatArray:
    """(paths, lines): each path's scaling of the fitted ending rates (gamma, mean 1)."""
    shape = hazards.events + 2.0
    return rng.gamma(shape[None, :], 1.0 / shape[None, :], size=(paths, len(LINES)))


def _price_shocks(rng: Rng, model: PlacementModel, paths: int) -> FloatArray:
    """(paths, lines): each path's level of new-placement prices (uncertain average)."""
    sigma = np.array([model.prices.sigma[line] for line in LINES])
    n = np.array([max(model.prices.recent[line], 1) for line in LINES], dtype=float)
    spread = sigma / np.sqrt(n)
    return np.exp(rng.normal(-(spread**2) / 2, spread, size=(paths, len(LINES))))


class _Chain:
    """Placements that start on a day and run until the child leaves costed care or turns 18."""

    def __init__(self, model: PlacementModel, multipliers: FloatArray, shocks: FloatArray) -> None:
        hazards = model.hazards
        days = model.window.days
        u = np.arange(days)
        bands = duration_band(u)
        end = np.moveaxis(hazards.end[:, :, bands], 1, 0).copy()  # (A, L, days)
        end[:, :, 0] = 0.0
        self.cum = np.cumsum(end, axis=2).reshape(AGE_BANDS * len(LINES), days)
        self.hazards = hazards
        self.days = days
        self.multipliers = multipliers
        self.shocks = shocks
        self.sigma = np.array([model.prices.sigma[line] for line in LINES])
        self.price = model.new_price
        self.factors = model.new_factors

    def run(
        self,
        rng: Rng,
        *,
        path: IntArray,
        start: IntArray,
        line: IntArray,
        band: IntArray,
        stop: IntArray,
        totals: FloatArray,
    ) -> None:
        """Add each chain's cost to totals[path, line]; `stop` is the first day not paid."""
        n_lines = len(LINES)
        for _ in range(MOVE_STEPS + 1):
            if not len(path):
                return
            rows = band * n_lines + line
            target = rng.exponential(size=len(path)) / self.multipliers[path, line]
            length = first_reaching(self.cum, rows, target)  # days until the placement ends
            last = np.minimum(start + length, np.minimum(stop, self.days))
            paid = np.maximum(last - start, 0)
            sigma = self.sigma[line]
            price = (
                self.price[line]
                * self.shocks[path, line]
                * np.exp(rng.normal(-(sigma**2) / 2, sigma))
                * self.factors[line, np.minimum(start, self.days - 1)]
            )
            # through the flat view of totals (made contiguous): np.add.at's fast path, the
            # same additions in the same order
            np.add.at(totals.reshape(-1), path * n_lines + line, price * paid / 7)
            ended = start + length
            alive = ended < np.minimum(stop, self.days)
            cell = duration_band(length[alive])
            move = self.hazards.move[line[alive], band[alive], cell]
            total = self.hazards.end[line[alive], band[alive], cell]
            share = np.divide(move, total, out=np.zeros_like(move), where=total > 0)
            moved = rng.random(len(share)) < share
            keep = np.flatnonzero(alive)[moved]
            destination = _draw(rng, self.hazards.destination[line[keep], band[keep]])
            path, start, band, stop = path[keep], ended[keep], band[keep], stop[keep]
            line = destination


def _draw(rng: Rng, probabilities: FloatArray) -> IntArray:
    """One category per row of a (n, k) table of probabilities."""
    if not len(probabilities):
        return np.zeros(0, dtype=np.int64)
    cumulative = np.cumsum(probabilities, axis=1)
    pick = rng.random(len(probabilities))[:, None] * cumulative[:, -1:]
    return (pick > cumulative).sum(axis=1).astype(np.int64)  # type: ignore[no-any-return]


def simulate_placements(model: PlacementModel, paths: int, rng: Rng) -> FloatArray:
    """(paths, lines): each path's remaining cost of every placement line."""
    n_lines, days = len(LINES), model.window.days
    totals = np.zeros((paths, n_lines))
    if days == 0:
        return totals
    multipliers = _rate_multipliers(rng, model.hazards, paths)
    shocks = _price_shocks(rng, model, paths)
    chain = _Chain(model, multipliers, shocks)
    _current(model, rng, multipliers, chain, totals)
    _arrivals(model, rng, chain, totals)
    return totals


def _current(
    model: PlacementModel, rng: Rng, multipliers: FloatArray, chain: _Chain, totals: FloatArray
) -> None:
    current = model.current
    n, days = len(current.keys), model.window.days
    if n == 0:
        return
    paths = totals.shape[0]
    cum = current.end_cumulative
    child = np.tile(np.arange(n), paths)
    path = np.repeat(np.arange(paths), n)
    line = current.line[child]
    target = rng.exponential(size=n * paths) / multipliers[path, line]
    end = first_reaching(cum, child, target)
    paid = np.minimum(end, current.cap[child])
    paid_value = current.paid_to
    # the paths' totals are all still nought: one weighted count adds each cell's placements in
    # the same order as np.add.at would, at a fifth of its cost
    cells = np.bincount(path * len(LINES) + line, paid_value[child, paid], totals.size)
    totals += cells.reshape(totals.shape)
    if not model.moves:
        return
    forced = current.forced[child] & (end >= current.cap[child])
    early = end < current.cap[child]
    day = np.where(forced, current.cap[child], end)
    over = (early | forced) & (day < days)
    share = current.move_share[child[over], day[over]]
    moved = np.flatnonzero(over)[rng.random(int(over.sum())) < share]
    who = child[moved]
    table = model.hazards.destination[current.line[who], current.ages[who, day[moved]]]
    chain.run(
        rng,
        path=path[moved],
        start=day[moved],
        line=_draw(rng, table),
        band=current.age0[who],
        stop=current.adult[who],
        totals=totals,
    )


def _arrivals(model: PlacementModel, rng: Rng, chain: _Chain, totals: FloatArray) -> None:
    paths = totals.shape[0]
    window = model.window
    months = window.periods
    fit = model.arrival_fit
    expected = np.broadcast_to(model.monthly_arrivals, (paths, *model.monthly_arrivals.shape))
    if fit is not None:
        params = rng.multivariate_normal(
            [fit.level, fit.trend], fit.covariance + np.eye(2) * 1e-12, size=paths
        )
        # the rate may wander off its trend as it has from year to year before
        params[:, 1] += rng.normal(0.0, fit.drift_sd, size=paths)
        shares = rng.dirichlet(fit.shares * max(fit.share_weight, 1.0) + 1e-3, size=paths)
        drawn = fit.sample(months, params, shares)
        fitted = fit.monthly(months)
        # overridden lines keep their given rates; fitted lines take the drawn ones
        same = np.isclose(model.monthly_arrivals, fitted)
        expected = np.where(same[None, :, :], drawn, expected)
    counts = rng.poisson(expected)  # (paths, months, lines)
    path, month, line = np.nonzero(counts)
    repeat = counts[path, month, line]
    path, month, line = np.repeat(path, repeat), np.repeat(month, repeat), np.repeat(line, repeat)
    if not len(path):
        return
    index = window.month_of_day
    first = np.array([np.flatnonzero(index == m)[0] for m in range(len(months))])
    length = np.bincount(index, minlength=len(months))
    start = first[month] + (rng.random(len(month)) * length[month]).astype(np.int64)
    band = np.zeros(len(path), dtype=np.int64)
    stop = np.full(len(path), days_cap := window.days, dtype=np.int64)
    pooled = [v for v in model.entrants.values() if len(v[0])]
    for target_line in np.unique(line):
        rows = np.flatnonzero(line == target_line)
        bands, to_adult = model.entrants.get(int(target_line), (np.zeros(0, np.int64),) * 2)
        if not len(bands) and pooled:
            bands = np.concatenate([b for b, _ in pooled])
            to_adult = np.concatenate([t for _, t in pooled])
        if not len(bands):
            band[rows] = 3
            continue
        pick = rng.integers(0, len(bands), size=len(rows))
        band[rows] = bands[pick]
        stop[rows] = np.minimum(start[rows] + to_adult[pick], days_cap)
    chain.run(rng, path=path, start=start, line=line, band=band, stop=stop, totals=totals)
