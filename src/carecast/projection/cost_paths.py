"""The cost of every simulated path, month by month and service line by service line.

A month's placements cost its children × their weekly price × the month's days ÷ 7, counting the
children halfway through the month (the mean of its opening and closing stock). Staffing, the
allowances and the other lines follow as `cost_fit` describes. Everything is vectorised over
paths; a scenario's changes to prices, agency share and caseloads arrive as a `CostPlan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import FinancialYear
from carecast.forecast.history import FloatArray
from carecast.projection.cost_fit import AllowanceLine, CostModel


@dataclass(frozen=True)
class CostPlan:
    """What a scenario changes in pricing, month by month (None: as the baseline)."""

    price_factor: FloatArray | None = None  # (steps, placement lines) multiplier of prices
    agency_share: FloatArray | None = None  # (steps,) agency share of filled FTE
    caseload_factor: FloatArray | None = None  # (steps,) case-holding FTE multiplier


@dataclass(frozen=True)
class Activity:
    """What the paths hold, as pricing needs it (a scenario may have changed it)."""

    children: np.ndarray  # (steps + 1, paths, categories) children looked after at month ends
    placed: np.ndarray  # (steps + 1, paths, categories) of them placed after the start
    left: np.ndarray  # (steps, paths) leaving care before 18


def aprils_since(start: date, day: date) -> int:
    """Price and pay rises (each 1 April) after `start` and on or before `day`."""
    years = day.year - start.year + (1 if (day.month, day.day) >= (4, 1) else 0)
    return max(years - (1 if (start.month, start.day) >= (4, 1) else 0), 0)


def month_firsts(month_ends: tuple[date, ...]) -> list[date]:
    return [d.replace(day=1) for d in month_ends]


def _mid_month(stock: np.ndarray) -> FloatArray:
    mid: FloatArray = (stock[:-1] + stock[1:]) / 2.0
    return mid


def path_costs(
    model: CostModel,
    month_ends: tuple[date, ...],
    activity: Activity,
    plan: CostPlan | None = None,
) -> dict[ServiceLine, FloatArray]:
    """(steps, paths) cost of each month on each service line."""
    plan = plan or CostPlan()
    a = model.assumptions
    firsts = month_firsts(month_ends)
    weeks = np.array([d.day / 7 for d in month_ends])[:, None]
    rises = np.array([aprils_since(model.start, d) for d in firsts], dtype=float)
    paths = activity.children.shape[1]
    out: dict[ServiceLine, FloatArray] = {}

    children = _mid_month(activity.children)
    placed = np.minimum(_mid_month(activity.placed), children)
    price_rise = ((1 + a.placement_price_rise) ** rises)[:, None]
    for i, price in enumerate(model.prices):
        factor = (
            price_rise
            if plan.price_factor is None
            else price_rise * plan.price_factor[:, i : i + 1]
        )
        running = children[:, :, i] - placed[:, :, i]
        weekly = running * price.running_weekly + placed[:, :, i] * price.new_weekly
        out[price.line] = weekly * weeks * factor * model.ledger_ratio

    total = children.sum(axis=2)  # (steps, paths)
    out[ServiceLine.STAFFING] = _staffing(model, total, rises, plan)
    for allowance in model.allowances:
        out[allowance.line] = _allowance(allowance, activity.left, weeks, rises, a.inflation)
    for line, spend in model.ledger_lines.items():
        out[line] = np.repeat(_ledger_months(model, firsts, spend)[:, None], paths, axis=1)
    return out


def _staffing(
    model: CostModel, children: FloatArray, rises: FloatArray, plan: CostPlan
) -> FloatArray:
    a = model.assumptions
    pay = ((1 + a.pay_award) ** rises)[:, None]
    scale = (
        children / model.children_at_start if model.children_at_start else np.ones_like(children)
    )
    follow = 1 + a.staff_follow_children * (scale - 1)
    caseload = 1.0 if plan.caseload_factor is None else plan.caseload_factor[:, None]
    current = model.agency_share()
    cost = np.zeros_like(children)
    for role in model.roles:
        fte = role.filled_fte * (follow * caseload if role.case_holding else 1.0)
        share: FloatArray | float = role.agency_share
        if plan.agency_share is not None and current > 0:
            share = np.minimum(role.agency_share * plan.agency_share / current, 1.0)[:, None]
        per_fte = (1 - share) * role.permanent_cost_per_fte + share * role.agency_cost_per_fte
        cost = cost + fte * per_fte / 12
    result: FloatArray = cost * pay
    return result


def _allowance(
    line: AllowanceLine, left: np.ndarray, weeks: FloatArray, rises: FloatArray, inflation: float
) -> FloatArray:
    steps = left.shape[0]
    stay = 1 - line.monthly_ending
    running = line.running_weekly * stay ** (np.arange(steps) + 0.5)
    joined = np.zeros(left.shape, dtype=float)
    active = np.zeros(left.shape[1], dtype=float)
    for step in range(steps):
        # a joiner arrives during the month: half a month of it, on average
        arrivals = line.joiners_per_exit * left[step]
        joined[step] = active * stay + arrivals / 2
        active = active * stay + arrivals
    weekly = running[:, None] + joined * line.new_weekly
    result: FloatArray = weekly * weeks * ((1 + inflation) ** rises)[:, None]
    return result


def _ledger_months(model: CostModel, firsts: list[date], spend: float) -> FloatArray:
    assert model.base_year is not None
    base = FinancialYear.parse(model.base_year).start_year
    years = np.array([FinancialYear.containing(d).start_year - base for d in firsts], dtype=float)
    months: FloatArray = spend / 12 * (1 + model.assumptions.inflation) ** years
    return months


PLACEMENT_INDEX = {line: i for i, line in enumerate(PLACEMENT_LINES)}
