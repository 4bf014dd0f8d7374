"""Random draws and price indices shared by the simulation modules."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypeVar

import numpy as np

from carecast.demo.dates import fy_label, fy_of

T = TypeVar("T")


class Sampler:
    """Scalar draws from one numpy stream; each part of the simulation owns its own stream."""

    def __init__(self, seed: int, stream: int) -> None:
        self._rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream])))

    def uniform(self) -> float:
        return float(self._rng.random())

    def chance(self, probability: float) -> bool:
        return probability > 0 and self.uniform() < probability

    def integer(self, low: int, high: int) -> int:
        """A whole number from low to high inclusive."""
        return low if high <= low else int(self._rng.integers(low, high + 1))

    def choice(self, weighted: Sequence[tuple[T, float]]) -> T:
        total = sum(weight for _, weight in weighted)
        point = self.uniform() * total
        for item, weight in weighted:
            point -= weight
            if point < 0:
                return item
        return weighted[-1][0]

    def lognormal_median(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * float(self._rng.standard_normal()))

    def lognormal_mean(self, mean: float, sigma: float) -> float:
        """A lognormal draw whose expected value is `mean`."""
        return self.lognormal_median(mean * math.exp(-sigma * sigma / 2), sigma)

    def exponential(self, mean: float) -> float:
        return float(self._rng.exponential(mean))

    def poisson(self, lam: float) -> int:
        return int(self._rng.poisson(max(lam, 0.0)))


class PriceIndex:
    """Prices that rise once a year on the 1st of `month` by the year's uplift.

    An epoch is the calendar year of the last uplift date on or before a day; levels are relative
    to the epoch of `base_year` (the year whose prices the profile's means are written in).
    """

    def __init__(
        self, uplifts: Mapping[str, float], default: float, base_year: int, month: int
    ) -> None:
        self._uplifts = uplifts
        self._default = default
        self._month = month
        self._base = base_year if month >= 4 else base_year + 1
        self._levels: dict[int, float] = {self._base: 1.0}
        self._rates: dict[tuple[int, int, int], int] = {}

    def epoch(self, day: date) -> int:
        return day.year if day.month >= self._month else day.year - 1

    def _uplift(self, epoch: int) -> float:
        label = fy_label(fy_of(date(epoch, self._month, 1)))
        return self._uplifts.get(label, self._default)

    def level(self, epoch: int) -> float:
        if epoch not in self._levels:
            if epoch > self._base:
                self._levels[epoch] = self.level(epoch - 1) * (1 + self._uplift(epoch))
            else:
                self._levels[epoch] = self.level(epoch + 1) / (1 + self._uplift(epoch + 1))
        return self._levels[epoch]

    def rate(self, base_rate: int, start_epoch: int, epoch: int) -> int:
        """A weekly (or annual) amount in pence, set at `start_epoch`, as it stands in `epoch`."""
        if epoch == start_epoch:
            return base_rate
        key = (base_rate, start_epoch, epoch)
        if key not in self._rates:
            scaled = base_rate * self.level(epoch) / self.level(start_epoch)
            self._rates[key] = math.floor(scaled + 0.5)
        return self._rates[key]
