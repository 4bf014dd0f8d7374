"""The days left in the financial year after a period's close, as a grid the engines share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np

from carecast.domain.periods import Period
from carecast.forecast.history import FloatArray, IntArray


@dataclass(frozen=True)
class Window:
    """Days `first` … `last` inclusive (may be empty at period 12) and the months they fall in."""

    first: date
    last: date

    @classmethod
    def after(cls, period: Period) -> Window:
        return cls(period.last_day + timedelta(days=1), period.financial_year.last_day)

    @property
    def days(self) -> int:
        return max(0, (self.last - self.first).days + 1)

    @property
    def ordinals(self) -> IntArray:
        return np.arange(self.days, dtype=np.int64) + self.first.toordinal()

    @property
    def periods(self) -> list[Period]:
        return list(self._periods)

    # Worked out once a window: the engines ask for them dozens of times a close.
    @cached_property
    def _periods(self) -> tuple[Period, ...]:
        if self.days == 0:
            return ()
        months = [Period.containing(self.first)]
        while months[-1].last_day < self.last:
            months.append(months[-1].next())
        return tuple(months)

    @cached_property
    def month_of_day(self) -> IntArray:
        """Index into `periods` of every day (read-only: one array serves every reader)."""
        starts = np.array([p.first_day.toordinal() for p in self._periods], dtype=np.int64)
        index = (np.searchsorted(starts, self.ordinals, side="right") - 1).astype(np.int64)
        index.flags.writeable = False
        return index

    def by_month(self, daily: FloatArray) -> FloatArray:
        """Sum daily values (…, days) into months (…, months)."""
        months = len(self.periods)
        index = self.month_of_day
        out = np.zeros((*daily.shape[:-1], months))
        for m in range(months):
            out[..., m] = daily[..., index == m].sum(axis=-1)
        return out

    def offset(self, day: date) -> int:
        """Days from the window's first day to `day` (negative before it)."""
        return (day - self.first).days


def uplift_factors(window: Window, priced: date, uplifts: list[tuple[date, float]]) -> FloatArray:
    """Daily price multipliers for something priced on `priced`: each uplift dated after that
    applies from its date (or from the window's start when its date has already passed)."""
    factors = np.ones(window.days)
    for when, pct in uplifts:
        if when <= priced:
            continue
        start = max(0, window.offset(when))
        factors[start:] *= 1 + pct / 100
    return factors
