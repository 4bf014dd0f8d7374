"""A scenario applied to a projection: what its levers change, and in what order.

Levers that change who comes into care or how long they stay (`entry_rate`, `time_in_care`)
change the fitted model, which is simulated again from the same seed; the others change the
simulated paths themselves (`cla_rate`, `cap_residential`, `step_down_residential`,
`ifa_to_in_house`) or how they are priced (`unit_cost`, `agency_share`, `caseload`). They apply
in that order, whatever the file's order: a cap acts on the children the rate leaves, a
step-down on those the cap leaves. Each lever ramps in linearly over its `over_months` from its
`start` (default: the projection's first month). Children moved between categories are new
placements there (priced at the new-placement price); children the rate takes out of care leave
every category and age in proportion, and fewer of them leave care later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import Period
from carecast.forecast.history import FloatArray
from carecast.projection.cost_fit import CostModel
from carecast.projection.cost_paths import Activity, CostPlan
from carecast.projection.model import ProjectionModel
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
)

RESIDENTIAL = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_RESIDENTIAL)
IFA = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_IFA)
IN_HOUSE = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_IN_HOUSE)
MODEL_LEVERS = (EntryRate, TimeInCare)
# the order paths are changed in (see the module's docstring)
PATH_ORDER = (ClaRate, CapResidential, StepDownResidential, IfaToInHouse)


@dataclass(frozen=True)
class Rates:
    """Children looked after per 10,000 that a `cla_rate` lever may aim at."""

    statistical_neighbours: float | None
    england: float | None
    population: Mapping[int, float]  # mid-year 0–17 estimates by year (held after the last)

    def target(self, lever: ClaRate) -> float:
        if isinstance(lever.target, float | int):
            return float(lever.target)
        value = (
            self.statistical_neighbours
            if lever.target == "statistical_neighbours"
            else self.england
        )
        if value is None:
            raise ValueError(lever.target)
        return value

    def children(self, day: date) -> float:
        """The 0–17 population on `day`: the latest mid-year estimate before it."""
        years = sorted(self.population)
        earlier = [y for y in years if date(y, 6, 30) <= day] or years[:1]
        return self.population[earlier[-1]]


def month_index(month_ends: Sequence[date], month: Period | None) -> int:
    """0-based index of `month` among the projected months (None: the first)."""
    if month is None:
        return 0
    for i, day in enumerate(month_ends):
        if day == month.last_day:
            return i
    return 0 if month.last_day < month_ends[0] else len(month_ends) - 1


def ramp(month_ends: Sequence[date], start: Period | None, over: int) -> FloatArray:
    """(steps,) how far in the change is by each month end: 1/over in its first month."""
    first = month_index(month_ends, start)
    done: FloatArray = np.clip((np.arange(len(month_ends)) - first + 1) / over, 0.0, 1.0)
    return done


def change_model(model: ProjectionModel, levers: Sequence[Lever]) -> ProjectionModel:
    """The model with the scenario's entry and time-in-care changes (unchanged if it has none)."""
    ends = model.month_ends
    for lever in levers:
        if isinstance(lever, EntryRate) and model.entries is not None:
            factor = 1 + lever.change * ramp(ends, lever.start, lever.over_months)
            entries = replace(model.entries, offset=model.entries.offset + np.log(factor))
            model = replace(model, entries=entries)
        elif isinstance(lever, TimeInCare):
            # stays (1 + change) times as long: every rate of leaving care ÷ (1 + change)
            begun = ramp(ends, lever.start, 1)
            scale = np.asarray(model.leaving_scale or np.ones(model.steps))
            scale = scale * np.where(begun > 0, 1 / (1 + lever.change), 1.0)
            model = replace(model, leaving_scale=tuple(float(v) for v in scale))
    return model


def _move(activity: Activity, source: int, to: int, moved: FloatArray) -> Activity:
    """`moved` (steps + 1, paths) children from `source` to new placements in `to`."""
    children, placed = activity.children.copy(), activity.placed.copy()
    there = np.maximum(children[:, :, source], 1e-12)
    kept = 1 - moved / there
    children[:, :, source] -= moved
    placed[:, :, source] *= kept
    children[:, :, to] += moved
    placed[:, :, to] += moved
    return Activity(children, placed, activity.left)


def _with_start(values: FloatArray) -> FloatArray:
    """(steps,) of month ends → (steps + 1,) of stock points: the start is never changed."""
    out: FloatArray = np.concatenate([[0.0], values])
    return out


def change_paths(
    activity: Activity,
    levers: Sequence[Lever],
    month_ends: Sequence[date],
    rates: Rates | None,
) -> Activity:
    ordered = sorted(
        (lever for lever in levers if isinstance(lever, PATH_ORDER)),
        key=lambda lever: PATH_ORDER.index(type(lever)),
    )
    # step-downs to several categories each take their share of the same residential children
    residential: FloatArray | None = None
    for lever in ordered:
        if isinstance(lever, ClaRate):
            if rates is None:
                raise ValueError("rates")
            activity = _cla_rate(activity, lever, month_ends, rates)
            continue
        done = _with_start(ramp(month_ends, lever.start, lever.over_months))[:, None]
        if isinstance(lever, IfaToInHouse):
            source, to = IFA, IN_HOUSE
            moved = lever.share * done * activity.children[:, :, IFA]
        elif isinstance(lever, StepDownResidential):
            source, to = RESIDENTIAL, PLACEMENT_LINES.index(lever.to)
            if residential is None:
                residential = activity.children[:, :, RESIDENTIAL].copy()
            moved = lever.share * done * residential
        else:
            source, to = RESIDENTIAL, PLACEMENT_LINES.index(lever.to)
            there = activity.children[:, :, RESIDENTIAL]
            moved = done * np.maximum(there - lever.children, 0.0)
        activity = _move(activity, source, to, moved)
    return activity


def _cla_rate(
    activity: Activity, lever: ClaRate, month_ends: Sequence[date], rates: Rates
) -> Activity:
    target = rates.target(lever)
    allowed = np.array([target * rates.children(d) / 10_000 for d in month_ends])
    total = activity.children.sum(axis=2)  # (steps + 1, paths)
    done = _with_start(ramp(month_ends, lever.start, lever.over_months))[:, None]
    fewer = done * np.maximum(total - _with_start(allowed)[:, None], 0.0)
    fewer[0] = 0.0
    keep = np.where(total > 0, 1 - fewer / np.maximum(total, 1e-12), 1.0)
    left = activity.left * keep[1:]
    return Activity(activity.children * keep[:, :, None], activity.placed * keep[:, :, None], left)


def cost_plan(cost: CostModel, levers: Sequence[Lever], month_ends: Sequence[date]) -> CostPlan:
    steps = len(month_ends)
    price: FloatArray | None = None
    agency: FloatArray | None = None
    caseload: FloatArray | None = None
    for lever in levers:
        if isinstance(lever, UnitCost):
            price = np.ones((steps, len(PLACEMENT_LINES))) if price is None else price
            begun = ramp(month_ends, lever.start, 1) > 0
            price[begun, PLACEMENT_LINES.index(lever.service_line)] *= 1 + lever.change
        elif isinstance(lever, AgencyShare):
            agency = agency_path(cost.agency_share(), lever, month_ends)
        elif isinstance(lever, Caseload):
            current = cost.caseload()
            if current is None:
                raise ValueError("caseload")
            begun = ramp(month_ends, lever.start, 1) > 0
            caseload = np.where(begun, current / lever.children_per_worker, 1.0)
    return CostPlan(price, agency, caseload)


def agency_path(current: float, lever: AgencyShare, month_ends: Sequence[date]) -> FloatArray:
    """(steps,) agency share: `current` until `start`, straight to `target` by `by`, then held."""
    first = month_index(month_ends, lever.start)
    last = month_index(month_ends, lever.by)
    steps = np.arange(len(month_ends))
    span = max(last - first + 1, 1)
    done = np.clip((steps - first + 1) / span, 0.0, 1.0)
    path: FloatArray = current + (lever.target - current) * done
    return path


def model_levers(levers: Sequence[Lever]) -> list[Lever]:
    return [lever for lever in levers if isinstance(lever, MODEL_LEVERS)]
