"""The projection as reported: P10/P50/P90 of children looked after at each 31 March, by
placement category and in total, read from the simulated paths; and the paths themselves, kept
for the costs and scenarios that will price them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from carecast.domain.periods import FinancialYear
from carecast.forecast.history import AGE_LIMITS
from carecast.projection.fit import CATEGORY_NAMES
from carecast.projection.model import ProjectionModel
from carecast.projection.simulate import Paths

QUANTILES = (0.1, 0.5, 0.9)
AGE_BAND_NAMES = ("under_1", "1_to_4", "5_to_9", "10_to_15", "16_to_17")
assert len(AGE_BAND_NAMES) == len(AGE_LIMITS) + 1


@dataclass(frozen=True)
class Band:
    """Children (or flows) across the paths: P10, P50 (the central figure), P90 and the mean."""

    p10: float
    p50: float
    p90: float
    mean: float

    @classmethod
    def of(cls, values: np.ndarray) -> Band:
        p10, p50, p90 = (float(q) for q in np.quantile(values, QUANTILES))
        return cls(p10, p50, p90, float(np.mean(values)))

    def as_json(self) -> dict[str, float]:
        return {
            "central": self.p50,
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "mean": round(self.mean, 2),
        }


@dataclass(frozen=True)
class CategoryYear:
    category: str
    children: Band
    by_age: dict[str, float]  # mean children in each age band
    placements_begun: Band  # in the months since the previous year end: entrants and moves

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            **self.children.as_json(),
            "by_age": self.by_age,
            "placements_begun": self.placements_begun.as_json(),
        }


@dataclass(frozen=True)
class YearEnd:
    """Children looked after at one 31 March, and the year's flows that led there."""

    financial_year: str
    day: date
    children: Band
    categories: tuple[CategoryYear, ...]
    entries: Band  # entering care during the months since the previous year end
    left: Band  # leaving care before 18 in those months
    turned_18: Band

    def as_json(self) -> dict[str, Any]:
        return {
            "financial_year": self.financial_year,
            "date": self.day.isoformat(),
            "children_looked_after": self.children.as_json(),
            "categories": [c.as_json() for c in self.categories],
            "flows": {
                "entries": self.entries.as_json(),
                "left_care": self.left.as_json(),
                "turned_18": self.turned_18.as_json(),
            },
        }


@dataclass(frozen=True)
class Projection:
    start: date
    start_children: int
    years: tuple[YearEnd, ...]
    month_ends: tuple[date, ...]
    paths: Paths  # the simulated stock by category × age band per month: what costs will price
    assumptions: dict[str, Any]
    notes: tuple[str, ...]


def year_end_steps(model: ProjectionModel) -> list[int]:
    """Steps (1-based month indexes) that end on a 31 March."""
    return [i + 1 for i, day in enumerate(model.month_ends) if (day.month, day.day) == (3, 31)]


def assemble(model: ProjectionModel, paths: Paths, notes: tuple[str, ...] = ()) -> Projection:
    years = []
    previous = 0
    for step in year_end_steps(model):
        stock = paths.stock[step]  # (paths, categories, age bands)
        day = model.month_ends[step - 1]
        flows = slice(previous, step)
        begun = paths.placements_begun[flows].sum(axis=0)  # (paths, categories)
        categories = tuple(
            CategoryYear(
                name,
                Band.of(stock[:, i, :].sum(axis=1)),
                {
                    band: round(float(stock[:, i, a].mean()), 2)
                    for a, band in enumerate(AGE_BAND_NAMES)
                },
                Band.of(begun[:, i]),
            )
            for i, name in enumerate(CATEGORY_NAMES)
        )
        years.append(
            YearEnd(
                FinancialYear.containing(day).label,
                day,
                Band.of(stock.sum(axis=(1, 2))),
                categories,
                Band.of(paths.entries[flows].sum(axis=0)),
                Band.of(paths.left[flows].sum(axis=0)),
                Band.of(paths.turned_18[flows].sum(axis=0)),
            )
        )
        previous = step
    return Projection(
        start=model.start,
        start_children=len(model.category),
        years=tuple(years),
        month_ends=model.month_ends,
        paths=paths,
        assumptions=model.assumptions,
        notes=notes,
    )
