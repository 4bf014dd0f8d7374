"""The medium-term financial plan: each financial year's projected cost per service line, with
its P10–P90 band across the paths, beside the year's budget and the savings already taken out of
it. A year the projection covers only in part (it starts after 1 April) says how many months."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import FinancialYear
from carecast.forecast.history import FloatArray
from carecast.projection.assemble import Band
from carecast.projection.cost_fit import CostModel
from carecast.projection.cost_paths import Activity, CostPlan, path_costs
from carecast.projection.simulate import Paths


@dataclass(frozen=True)
class LineYear:
    line: ServiceLine
    cost: Band
    budget: Decimal | None
    savings: Decimal  # savings programme for the year on this line (taken out of its budget)

    def as_json(self) -> dict[str, Any]:
        return {
            "service_line": self.line.value,
            **_pounds(self.cost),
            "budget": None if self.budget is None else float(self.budget),
            "savings_in_budget": float(self.savings),
        }


@dataclass(frozen=True)
class PlanYear:
    financial_year: str
    months: int  # months of the year the projection covers (12 but for a first or last part-year)
    cost: Band
    lines: tuple[LineYear, ...]
    budget: Decimal | None
    budget_from: str | None  # the year whose budget stands in where this year has none
    totals: FloatArray  # (paths,) the year's cost on each path: what savings are paired on
    posted: float = 0.0  # a first part-year: the ledger's spend before the projection begins
    budget_share: float = 1.0  # a last part-year: the share of the year's budget it is set against

    @property
    def variance(self) -> float | None:
        return None if self.budget is None else self.cost.p50 - float(self.budget)

    def as_json(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "cost": _pounds(self.cost),
            "budget": None if self.budget is None else float(self.budget),
            "budget_from": self.budget_from,
            "budget_share": self.budget_share,
            "posted_before_start": round(self.posted),
            "variance": None if self.variance is None else round(self.variance),
            "lines": [line.as_json() for line in self.lines],
        }


def _pounds(band: Band) -> dict[str, float]:
    return {
        "central": round(band.p50),
        "p10": round(band.p10),
        "p90": round(band.p90),
        "mean": round(band.mean),
    }


def _budget_year(model: CostModel, year: str) -> str | None:
    """`year` if it has a budget, else the latest earlier year that has one."""
    years = sorted({y for y, _ in model.budgets})
    earlier = [y for y in years if y <= year]
    return earlier[-1] if earlier else None


def plan_years(
    model: CostModel, month_ends: tuple[date, ...], costs: Mapping[ServiceLine, FloatArray]
) -> tuple[PlanYear, ...]:
    """Each financial year the months reach. A first part-year (the projection starts after
    April) adds the ledger's spend posted before the start, so it stands against the whole
    year's budget; a last part-year stands against its months' share of the budget."""
    labels = [FinancialYear.containing(d).label for d in month_ends]
    years = []
    for index, year in enumerate(dict.fromkeys(labels)):
        rows = [i for i, label in enumerate(labels) if label == year]
        first_part = index == 0 and len(rows) < 12
        share = 1.0 if first_part or len(rows) == 12 else len(rows) / 12
        posted = model.posted_to_start if first_part else {}
        from_year = _budget_year(model, year)
        lines = []
        for line in ServiceLine:
            if line not in costs and line not in posted:
                continue
            spend = posted.get(line, 0.0) + (
                costs[line][rows].sum(axis=0) if line in costs else np.zeros(1)
            )
            budget = model.budgets.get((from_year, line)) if from_year else None
            if budget is not None and share < 1:
                budget = (budget * Decimal(len(rows)) / 12).quantize(Decimal(1))
            savings = model.savings.get((year, line), Decimal(0))
            lines.append(LineYear(line, Band.of(np.atleast_1d(spend)), budget, savings))
        totals = sum(posted.values()) + np.sum(
            [costs[line][rows].sum(axis=0) for line in costs], axis=0
        )
        budget = None
        if from_year is not None:
            budget = sum((v for (y, _), v in model.budgets.items() if y == from_year), Decimal(0))
            if share < 1:
                budget = (budget * Decimal(len(rows)) / 12).quantize(Decimal(1))
        years.append(
            PlanYear(
                year,
                len(rows),
                Band.of(totals),
                tuple(lines),
                budget,
                None if from_year == year else from_year,
                totals,
                sum(posted.values()),
                share,
            )
        )
    return tuple(years)


@dataclass(frozen=True)
class FinancialPlan:
    """The years of the plan and what priced them."""

    years: tuple[PlanYear, ...]
    cost: CostModel

    def assumptions(self) -> dict[str, Any]:
        """The prices, staffing and rates as used, for `--json` and the report's method."""
        c = self.cost
        return {
            **c.assumptions.model_dump(),
            "priced_on": c.start.isoformat(),
            "weekly_prices": {
                p.line.value: {
                    "running": round(p.running_weekly, 2),
                    "new": round(p.new_weekly, 2),
                    "running_placements": p.running_count,
                    "recent_new_placements": p.new_starts,
                }
                for p in c.prices
            },
            "staffing": {
                "filled_fte": round(sum(r.filled_fte for r in c.roles), 1),
                "agency_share": round(c.agency_share(), 4),
                "case_holding_roles": [r.role for r in c.roles if r.case_holding],
                "caseload": None if c.caseload() is None else round(c.caseload() or 0, 1),
            },
            "allowances": {
                a.line.value: {
                    "running": a.running,
                    "running_weekly": round(a.running_weekly, 2),
                    "monthly_ending": round(a.monthly_ending, 5),
                    "joiners_per_child_leaving_care": round(a.joiners_per_exit, 4),
                    "new_weekly": round(a.new_weekly, 2),
                }
                for a in c.allowances
            },
            "ledger_to_care_ratio": round(c.ledger_ratio, 4),
            "price_of_care_uncertainty": c.price_uncertainty.as_json(),
            "ledger_lines_from": c.base_year,
            "ledger_lines": {line.value: round(v) for line, v in c.ledger_lines.items()},
            "notes": list(c.notes),
        }


def activity_of(paths: Paths) -> Activity:
    """The paths as pricing reads them, in floats: a scenario moves fractions of children."""
    return Activity(
        paths.stock.sum(axis=3, dtype=float),
        paths.placed_since_start.astype(float),
        paths.left.astype(float),
    )


def financial_plan(
    cost: CostModel,
    month_ends: tuple[date, ...],
    activity: Activity,
    plan: CostPlan | None = None,
) -> FinancialPlan:
    return FinancialPlan(
        plan_years(cost, month_ends, path_costs(cost, month_ends, activity, plan)), cost
    )
