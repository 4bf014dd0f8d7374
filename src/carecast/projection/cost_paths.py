"""The cost of every simulated path, month by month and service line by service line.

A month's placements cost its children × their weekly price × the month's days ÷ 7, counting the
children halfway through the month (the mean of its opening and closing stock), times each path's
draw of what a week of care will cost beyond the assumed rises that financial year
(`cost_ledger.PriceUncertainty`, from its own random stream: the same draws for a baseline and
its scenario, and none for a single path, which is the expected course). Staffing, the
allowances and the other lines follow as `cost_fit` describes. Everything is vectorised over
paths; a scenario's changes to prices, agency share and caseloads arrive as a `CostPlan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.codes import ServiceLine
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


def compounded(model: CostModel, name: str, since: date, days: list[date]) -> FloatArray:
    """(len(days),) each day's multiplier of rise `name`: every 1 April after `since` and on or
    before the day, at that financial year's rate."""
    out = []
    for day in days:
        factor = 1.0
        for year in range(since.year, day.year + 1):
            april = date(year, 4, 1)
            if since < april <= day:
                factor *= 1 + model.assumptions.rate(name, FinancialYear.containing(april).label)
        out.append(factor)
    return np.array(out)


def month_firsts(month_ends: tuple[date, ...]) -> list[date]:
    return [d.replace(day=1) for d in month_ends]


def _mid_month(stock: np.ndarray) -> FloatArray:
    mid: FloatArray = (stock[:-1] + stock[1:]) / 2.0
    return mid


PRICE_SEED = 20180401  # the price draws' own stream, apart from the children's


def price_draws(model: CostModel, month_ends: tuple[date, ...], paths: int) -> FloatArray:
    """(steps, paths) each month's multiplier of the placements' prices: its financial year's
    draw (the first financial year after the start is year 1)."""
    labels = [FinancialYear.containing(d).label for d in month_ends]
    order = {label: i for i, label in enumerate(dict.fromkeys(labels))}
    if paths == 1:
        return np.ones((len(labels), 1))
    rng = np.random.default_rng(np.random.SeedSequence(PRICE_SEED))
    years = model.price_uncertainty.multipliers(len(order), paths, rng)
    draws: FloatArray = years[[order[label] for label in labels]]
    return draws


def path_costs(
    model: CostModel,
    month_ends: tuple[date, ...],
    activity: Activity,
    plan: CostPlan | None = None,
) -> dict[ServiceLine, FloatArray]:
    """(steps, paths) cost of each month on each service line."""
    plan = plan or CostPlan()
    firsts = month_firsts(month_ends)
    weeks = np.array([d.day / 7 for d in month_ends])[:, None]
    paths = activity.children.shape[1]
    out: dict[ServiceLine, FloatArray] = {}

    children = _mid_month(activity.children)
    placed = np.minimum(_mid_month(activity.placed), children)
    price_rise = compounded(model, "placement_price_rise", model.start, firsts)[:, None]
    price_rise = price_rise * price_draws(model, month_ends, paths)
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
    pay = compounded(model, "pay_award", model.start, firsts)[:, None]
    out[ServiceLine.STAFFING] = _staffing(model, total, pay, plan)
    inflation = compounded(model, "inflation", model.start, firsts)[:, None]
    for allowance in model.allowances:
        out[allowance.line] = _allowance(allowance, activity.left, weeks * inflation)
    for line, spend in model.ledger_lines.items():
        out[line] = np.repeat(_ledger_months(model, firsts, spend)[:, None], paths, axis=1)
    return out


def _staffing(
    model: CostModel, children: FloatArray, pay: FloatArray, plan: CostPlan
) -> FloatArray:
    a = model.assumptions
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


def _allowance(line: AllowanceLine, left: np.ndarray, weeks: FloatArray) -> FloatArray:
    """`weeks`: each month's weeks times its inflation since the start."""
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
    result: FloatArray = weekly * weeks
    return result


def _ledger_months(model: CostModel, firsts: list[date], spend: float) -> FloatArray:
    """The base year's spend a month, risen by inflation each April since the base year."""
    assert model.base_year is not None
    base_end = FinancialYear.parse(model.base_year).last_day
    months: FloatArray = spend / 12 * compounded(model, "inflation", base_end, firsts)
    return months
