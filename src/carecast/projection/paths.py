"""Simulated children looked after: what the projection's paths hold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
