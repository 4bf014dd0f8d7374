"""The projected cost of placements checked against the ledger: for each whole financial year
after a replay's 31 March, the paths priced as `cost_paths` prices them (from the placements,
prices and ledger known on that day) against what the ledger shows spent on the placement
lines that year. Staffing, allowances and the other lines are left out: the replay cannot know
an establishment or allowances as they were then (a council keeps only today's), so their
projection would be scored on what it was told."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from carecast.domain.codes import PLACEMENT_LINES
from carecast.domain.finance import CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear
from carecast.forecast.other_lines import monthly_ledger
from carecast.projection.cost_fit import CostModel
from carecast.projection.cost_paths import Activity, path_costs


@dataclass(frozen=True)
class CostYear:
    financial_year: str
    months_ahead: int  # the year ends this many months after the replay's start
    p10: float
    p50: float
    p90: float
    actual: float  # the ledger's spend on the placement lines that year

    @property
    def error(self) -> float | None:
        return None if not self.actual else (self.p50 - self.actual) / self.actual

    @property
    def held(self) -> bool:
        return self.p10 <= self.actual <= self.p90

    def as_json(self) -> dict[str, Any]:
        return {
            "financial_year": self.financial_year,
            "months_ahead": self.months_ahead,
            "projected": {"p10": round(self.p10), "p50": round(self.p50), "p90": round(self.p90)},
            "ledger": round(self.actual),
            "error": None if self.error is None else round(self.error, 5),
            "held": self.held,
        }


@dataclass(frozen=True)
class CostReplay:
    start: date
    years: tuple[CostYear, ...]
    skipped: str | None = None  # why the replay's costs could not be scored

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "skipped": self.skipped,
            "years": [y.as_json() for y in self.years],
        }


def ledger_placements(
    ledger: Iterable[LedgerEntry], cost_centres: Iterable[CostCentre]
) -> dict[str, float]:
    """Spend on the placement lines by financial year, for the years posted in all 12 periods."""
    spend, seen = monthly_ledger(ledger, cost_centres)
    years: dict[str, float] = {}
    for year in {FinancialYear.containing(p.first_day).label for p in seen}:
        periods = FinancialYear.parse(year).periods()
        if all(p in seen for p in periods):
            years[year] = sum(
                spend.get(line, {}).get(p, 0.0) for line in PLACEMENT_LINES for p in periods
            )
    return years


def score_costs(
    cost: CostModel,
    month_ends: tuple[date, ...],
    activity: Activity,
    actual: Mapping[str, float],
) -> CostReplay:
    if not any(p.running_weekly or p.new_weekly for p in cost.prices):
        return CostReplay(
            cost.start, (), "no placement commitment was known on the day: nothing to price"
        )
    costs = path_costs(cost, month_ends, activity)
    placements = sum(costs[line] for line in PLACEMENT_LINES if line in costs)
    assert isinstance(placements, np.ndarray)
    labels = [FinancialYear.containing(d).label for d in month_ends]
    years = []
    for index, year in enumerate(dict.fromkeys(labels)):
        rows = [i for i, label in enumerate(labels) if label == year]
        if len(rows) < 12 or year not in actual:
            continue
        p10, p50, p90 = np.quantile(placements[rows].sum(axis=0), (0.1, 0.5, 0.9))
        years.append(
            CostYear(year, 12 * (index + 1), float(p10), float(p50), float(p90), actual[year])
        )
    return CostReplay(cost.start, tuple(years))
