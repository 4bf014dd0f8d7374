"""A scenario's result: its financial plan beside the baseline's, the saving each year with its
band (paired path by path: the same seed draws the same children on both sides), and the
arithmetic in words, lever by lever (each lever's effect on its own; levers acting on the same
children interact, so together they may save a little more or less than their sum)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import FinancialYear
from carecast.forecast.history import FloatArray
from carecast.projection.assemble import Band
from carecast.projection.cost_fit import CostModel
from carecast.projection.cost_paths import Activity, path_costs
from carecast.projection.mtfp import FinancialPlan, plan_years
from carecast.projection.scenario_file import (
    AgencyShare,
    CapResidential,
    Caseload,
    ClaRate,
    EntryRate,
    IfaToInHouse,
    Lever,
    StepDownResidential,
    TimeInCare,
    UnitCost,
    describe,
)
from carecast.projection.scenarios import (
    RESIDENTIAL,
    Rates,
    agency_path,
    change_paths,
    cost_plan,
)

ALLOWANCE_LINES = (ServiceLine.SPECIAL_GUARDIANSHIP, ServiceLine.ADOPTION_ALLOWANCES)


@dataclass(frozen=True)
class LeverEffect:
    lever: str  # the lever in words
    years: tuple[tuple[str, float, str], ...]  # (financial year, saving, the arithmetic)

    def as_json(self) -> dict[str, Any]:
        return {
            "lever": self.lever,
            "years": [
                {"financial_year": y, "saving": round(v), "arithmetic": text}
                for y, v, text in self.years
            ],
        }


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    description: str | None
    plan: FinancialPlan
    saving: tuple[tuple[str, Band], ...]  # per financial year: baseline − scenario
    effects: tuple[LeverEffect, ...]

    def saving_json(self) -> list[dict[str, Any]]:
        return [
            {
                "financial_year": year,
                "central": round(band.p50),
                "p10": round(band.p10),
                "p90": round(band.p90),
                "mean": round(band.mean),
            }
            for year, band in self.saving
        ]


def savings(baseline: FinancialPlan, scenario: FinancialPlan) -> tuple[tuple[str, Band], ...]:
    return tuple(
        (b.financial_year, Band.of(b.totals - s.totals))
        for b, s in zip(baseline.years, scenario.years, strict=True)
    )


@dataclass(frozen=True)
class _Year:
    label: str
    rows: list[int]
    weeks: float


def _years(month_ends: Sequence[date]) -> list[_Year]:
    labels = [FinancialYear.containing(d).label for d in month_ends]
    out = []
    for label in dict.fromkeys(labels):
        rows = [i for i, x in enumerate(labels) if x == label]
        out.append(_Year(label, rows, sum(month_ends[i].day for i in rows) / 7))
    return out


def _mid(stock: np.ndarray) -> FloatArray:
    mid: FloatArray = (stock[:-1] + stock[1:]) / 2.0
    return mid


def _average(values: FloatArray, year: _Year, month_ends: Sequence[date]) -> float:
    """Mean over paths of the month-weighted average of (steps, paths) over the year."""
    days = np.array([month_ends[i].day for i in year.rows], dtype=float)
    return float((values[year.rows] * days[:, None]).sum(axis=0).mean() / days.sum())


def _pounds(value: float) -> str:
    return f"£{value:,.0f}"


def explain(  # noqa: PLR0917 (one lever against the baseline it changes)
    lever: Lever,
    cost: CostModel,
    month_ends: Sequence[date],
    baseline: Activity,
    changed: Activity,
    base_costs: dict[ServiceLine, FloatArray],
    new_costs: dict[ServiceLine, FloatArray],
) -> LeverEffect:
    years = []
    for year in _years(month_ends):

        def saved(lines: Sequence[ServiceLine], year: _Year = year) -> float:
            return float(
                sum(
                    (base_costs[x][year.rows] - new_costs[x][year.rows]).sum(axis=0).mean()
                    for x in lines
                    if x in base_costs
                )
            )

        converted = 0.0
        if isinstance(lever, AgencyShare):
            today = cost.agency_share()
            converted = sum(r.filled_fte for r in cost.roles) * float(
                today - agency_path(today, lever, month_ends)[year.rows].mean()
            )
        placements = saved(PLACEMENT_LINES)
        staffing = saved([ServiceLine.STAFFING])
        allowances = saved(ALLOWANCE_LINES)
        total = saved(list(base_costs))
        fewer = _mid(baseline.children.sum(axis=2) - changed.children.sum(axis=2))
        text = _words(
            lever,
            cost,
            year,
            fewer=_average(fewer, year, month_ends),
            moved=_moved(lever, baseline, changed, year, month_ends),
            converted=converted,
            placements=placements,
            staffing=staffing,
            allowances=allowances,
            total=total,
        )
        years.append((year.label, total, text))
    return LeverEffect(describe(lever), tuple(years))


def _moved(
    lever: Lever, baseline: Activity, changed: Activity, year: _Year, month_ends: Sequence[date]
) -> float:
    """Children on average no longer in the category a move lever takes them from."""
    if isinstance(lever, IfaToInHouse):
        source = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_IFA)
    elif isinstance(lever, StepDownResidential | CapResidential):
        source = RESIDENTIAL
    else:
        return 0.0
    gone = _mid(baseline.children[:, :, source] - changed.children[:, :, source])
    return _average(gone, year, month_ends)


def _words(  # noqa: PLR0911 (one sentence per kind of lever)
    lever: Lever,
    cost: CostModel,
    year: _Year,
    *,
    fewer: float,
    moved: float,
    converted: float,
    placements: float,
    staffing: float,
    allowances: float,
    total: float,
) -> str:
    weeks = year.weeks
    head = f"{year.label}: "
    if isinstance(lever, ClaRate | EntryRate | TimeInCare):
        if abs(fewer) < 0.05:
            return head + "no fewer children looked after in this year, so no saving"
        weekly = placements / (fewer * weeks)
        return head + (
            f"{fewer:,.1f} fewer children looked after on average × {_pounds(weekly)} a week "
            f"(their placements' mean) × {weeks:.1f} weeks = {_pounds(placements)}; staffing "
            f"that follows the children {_pounds(staffing)}; allowances {_pounds(allowances)}; "
            f"{_pounds(total)} in all"
        )
    if isinstance(lever, IfaToInHouse | StepDownResidential | CapResidential):
        if abs(moved) < 0.05:
            return head + "no children moved in this year, so no saving"
        weekly = placements / (moved * weeks)
        return head + (
            f"{moved:,.1f} children on average placed elsewhere × {_pounds(weekly)} a week "
            f"less × {weeks:.1f} weeks = {_pounds(placements)}"
        )
    if isinstance(lever, AgencyShare):
        return head + _agency_words(cost, converted, len(year.rows), staffing)
    if isinstance(lever, Caseload):
        return head + (
            f"case-holding staff for {lever.children_per_worker:g} children each instead of "
            f"{cost.caseload() or 0:.1f}: {_pounds(staffing)}"
        )
    assert isinstance(lever, UnitCost)
    return head + (
        f"{ServiceLine(lever.service_line).heading} at {lever.change:+.0%} of its weekly "
        f"prices: {_pounds(placements)}"
    )


def _agency_words(cost: CostModel, converted: float, months: int, staffing: float) -> str:
    agency = sum(r.agency_fte for r in cost.roles)
    premium = sum(
        r.agency_fte * (r.agency_cost_per_fte - r.permanent_cost_per_fte) for r in cost.roles
    )
    per_fte = premium / agency if agency else 0.0
    plain = converted * per_fte * months / 12
    return (
        f"{converted:,.1f} FTE on average permanent instead of agency (agency "
        f"{cost.agency_share():.1%} of filled FTE today) × {_pounds(per_fte)} a year agency "
        f"premium × {months}/12 of a year = {_pounds(plain)}; with pay awards and staff "
        f"following the children {_pounds(staffing)}"
    )


def lever_effects(
    levers: Sequence[Lever],
    cost: CostModel,
    month_ends: tuple[date, ...],
    baseline: Activity,
    rates: Rates | None,
) -> tuple[LeverEffect, ...]:
    """Each path or pricing lever against the baseline on its own."""
    base_costs = path_costs(cost, month_ends, baseline)
    effects = []
    for lever in levers:
        if isinstance(lever, EntryRate | TimeInCare):
            continue  # explained from their own simulation (`model_effect`)
        changed = change_paths(baseline, [lever], month_ends, rates)
        new_costs = path_costs(cost, month_ends, changed, cost_plan(cost, [lever], month_ends))
        effects.append(explain(lever, cost, month_ends, baseline, changed, base_costs, new_costs))
    return tuple(effects)


def model_effect(
    lever: Lever,
    cost: CostModel,
    month_ends: tuple[date, ...],
    baseline: Activity,
    changed: Activity,
) -> LeverEffect:
    base_costs = path_costs(cost, month_ends, baseline)
    new_costs = path_costs(cost, month_ends, changed)
    return explain(lever, cost, month_ends, baseline, changed, base_costs, new_costs)


def scenario_plan(
    cost: CostModel,
    month_ends: tuple[date, ...],
    activity: Activity,
    levers: Sequence[Lever],
    rates: Rates | None,
) -> FinancialPlan:
    changed = change_paths(activity, levers, month_ends, rates)
    costs = path_costs(cost, month_ends, changed, cost_plan(cost, levers, month_ends))
    return FinancialPlan(plan_years(cost, month_ends, costs), cost)
