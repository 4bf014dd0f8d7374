"""Each engine's result as line build-ups: items, monthly components and simulated deviations.

A `LineBuild` is what one engine says about one service line: the items behind its committed cost,
the monthly components of the rest (profile or demand allowance), and — when paths ran — each
path's deviation from the expected remaining cost. Amounts are rounded to the penny here, once, so
that every total is an exact sum of what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.domain.provenance import ForecastComponent, ForecastItem
from carecast.forecast.history import FloatArray
from carecast.forecast.window import Window

PENNY = Decimal("0.01")
COMMITTED, DEMAND = "committed", "demand"


def pence(value: float) -> Decimal:
    """A float amount in pounds as Decimal pounds, rounded half away from zero to the penny."""
    return Decimal(repr(float(value))).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass
class LineBuild:
    line: ServiceLine
    method: str
    items: list[ForecastItem] = field(default_factory=list)
    components: list[ForecastComponent] = field(default_factory=list)
    children: int | None = None
    average_weekly_cost: Decimal | None = None
    deviations: FloatArray | None = None  # (paths,) simulated remaining cost − expected

    @property
    def committed(self) -> Decimal:
        return sum((i.committed for i in self.items), Decimal(0)) + sum(
            (c.amount for c in self.components if c.part == COMMITTED), Decimal(0)
        )

    @property
    def demand(self) -> Decimal:
        return sum((c.amount for c in self.components if c.part == DEMAND), Decimal(0))

    def add_monthly(
        self, part: str, driver: str, periods: list[Period], amounts: FloatArray
    ) -> None:
        """Add one component per month (zero months are left out)."""
        for period, amount in zip(periods, amounts, strict=True):
            value = pence(float(amount))
            if value:
                self.components.append(ForecastComponent(self.line, part, driver, period, value))

    def add_daily(self, part: str, driver: str, window: Window, daily: FloatArray) -> None:
        if window.days:
            self.add_monthly(part, driver, window.periods, window.by_month(daily))

    def add_deviations(self, deviations: FloatArray) -> None:
        self.deviations = deviations if self.deviations is None else self.deviations + deviations


def zero_deviations(paths: int) -> FloatArray:
    return np.zeros(paths)
