"""Why the forecast moved between two snapshots, in pounds that add up exactly to the change.

Each line's change is split into named drivers, line by line, in exact pence:
- `actuals`: what was posted since the earlier close, less what the earlier forecast expected for
  those months (positive: spend came in above forecast);
- `new_placements`, `ended_placements`, `step_ups_downs` (a child now on another line),
  `price_changes` and `end_date_changes` of continuing placements; `staffing_changes` (new,
  removed or re-costed posts); `allowance_changes` (new, ended or re-priced cases) — each item's
  remaining cost now against the earlier snapshot's cost of the same item for the same days;
- `expected_…`: the change in each demand-allowance driver (arrivals, early endings, moves,
  vacancy fills …) and in profiled lines, for the months still to come;
- `assumption_changes`: when the assumptions changed, the difference between the new forecast and
  the new data forecast under the earlier assumptions (the counterfactual);
- `unexplained`: whatever the build-ups cannot account for (zero unless an earlier snapshot has
  no build-up stored), so that the drivers always sum to the change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import days_between
from carecast.domain.provenance import Forecast, ForecastItem

ZERO = Decimal(0)
PENNY = Decimal("0.01")
DRIVERS = (
    "actuals",
    "new_placements",
    "ended_placements",
    "step_ups_downs",
    "price_changes",
    "end_date_changes",
    "staffing_changes",
    "allowance_changes",
    "expected_arrivals",
    "expected_early_endings",
    "expected_moves",
    "expected_step_ups_downs",
    "arrears",
    "expected_staffing_changes",
    "expected_allowance_changes",
    "profiled_lines",
    "assumption_changes",
    "unexplained",
)
COMPONENT_DRIVERS = {
    "arrivals": "expected_arrivals",
    "early_endings": "expected_early_endings",
    "moves": "expected_moves",
    "step_ups_downs": "expected_step_ups_downs",
    "arrears": "arrears",
    "ledger_timing": "arrears",
    "leavers": "expected_staffing_changes",
    "establishment_drift": "expected_staffing_changes",
    "history_check": "assumption_changes",
    "vacancy_fills": "expected_staffing_changes",
    "joiners": "expected_allowance_changes",
    "early_stops": "expected_allowance_changes",
    "unitemised": "expected_allowance_changes",
}
KIND_DRIVERS = {  # (price change, other change, new item, ended item) by item kind
    "placement": ("price_changes", "end_date_changes", "new_placements", "ended_placements"),
    "commitment": ("price_changes", "end_date_changes", "new_placements", "ended_placements"),
    "post": ("staffing_changes",) * 4,
    "allowance": ("allowance_changes",) * 4,
}


@dataclass(frozen=True, slots=True)
class Movement:
    service_line: ServiceLine
    driver: str
    amount: Decimal
    keys: tuple[str, ...] = ()  # the placements, posts or cases behind it


@dataclass(frozen=True)
class Movements:
    previous: Forecast
    current: Forecast
    movements: tuple[Movement, ...]

    @property
    def change(self) -> Decimal:
        return self.current.forecast_outturn - self.previous.forecast_outturn

    def by_driver(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for m in self.movements:
            totals[m.driver] += m.amount
        return {d: totals[d] for d in DRIVERS if d in totals}

    def by_line(self) -> dict[ServiceLine, Decimal]:
        totals: dict[ServiceLine, Decimal] = defaultdict(Decimal)
        for m in self.movements:
            totals[m.service_line] += m.amount
        return dict(totals)


def _round(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


class _Ledger:
    """Movements gathered by (line, driver), with the keys behind each."""

    def __init__(self) -> None:
        self.amounts: dict[tuple[ServiceLine, str], Decimal] = defaultdict(Decimal)
        self.keys: dict[tuple[ServiceLine, str], list[str]] = defaultdict(list)

    def add(self, line: ServiceLine, driver: str, amount: Decimal, key: str | None = None) -> None:
        self.amounts[(line, driver)] += amount
        if key is not None and amount:
            self.keys[(line, driver)].append(key)

    def movements(self) -> tuple[Movement, ...]:
        order = {d: i for i, d in enumerate(DRIVERS)}
        return tuple(
            Movement(line, driver, amount, tuple(self.keys[(line, driver)]))
            for (line, driver), amount in sorted(
                self.amounts.items(),
                key=lambda kv: (list(ServiceLine).index(kv[0][0]), order[kv[0][1]]),
            )
            if amount
        )


def explain_movements(
    previous: Forecast, current: Forecast, counterfactual: Forecast | None = None
) -> Movements:
    """The drivers of `current` − `previous`; `counterfactual` is `current`'s data under
    `previous`'s assumptions (None when the assumptions did not change)."""
    if current.period < previous.period:
        raise ValueError("the later snapshot must not be for an earlier period")
    if current.period.financial_year != previous.period.financial_year:
        raise ValueError("snapshots of different financial years cannot be compared")
    book = _Ledger()
    target = counterfactual or current
    if counterfactual is not None:
        new_lines = {x.service_line: x.forecast_outturn for x in current.lines}
        cf_lines = {x.service_line: x.forecast_outturn for x in counterfactual.lines}
        for line in set(new_lines) | set(cf_lines):
            book.add(
                line, "assumption_changes", new_lines.get(line, ZERO) - cf_lines.get(line, ZERO)
            )
    _explain(previous, target, book)
    old_totals = {x.service_line: x.forecast_outturn for x in previous.lines}
    new_totals = {x.service_line: x.forecast_outturn for x in current.lines}
    explained: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    for (line, _), amount in book.amounts.items():
        explained[line] += amount
    for line in set(old_totals) | set(new_totals):
        change = new_totals.get(line, ZERO) - old_totals.get(line, ZERO)
        book.add(line, "unexplained", change - explained[line])
    return Movements(previous, current, book.movements())


def _explain(old: Forecast, new: Forecast, book: _Ledger) -> None:
    closed_to = new.period
    start = closed_to.last_day + timedelta(days=1)
    old_actuals = {x.service_line: x.actual_to_date for x in old.lines}
    new_actuals = {x.service_line: x.actual_to_date for x in new.lines}
    elapsed: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    future_old: dict[tuple[str, str, ServiceLine], Decimal] = {}
    for item in old.items:
        future = _future(item, start)
        future_old[(item.kind, item.key, item.service_line)] = future
        elapsed[item.service_line] += item.committed - future
    old_components: dict[tuple[ServiceLine, str], Decimal] = defaultdict(Decimal)
    for c in old.components:
        if c.period <= closed_to:
            elapsed[c.service_line] += c.amount
        else:
            old_components[(c.service_line, c.driver)] += c.amount
    for line in set(old_actuals) | set(new_actuals) | set(elapsed):
        posted = new_actuals.get(line, ZERO) - old_actuals.get(line, ZERO)
        book.add(line, "actuals", posted - elapsed[line])
    _items(old, new, future_old, start, book)
    new_components: dict[tuple[ServiceLine, str], Decimal] = defaultdict(Decimal)
    for c in new.components:
        new_components[(c.service_line, c.driver)] += c.amount
    for line, driver in set(old_components) | set(new_components):
        change = new_components.get((line, driver), ZERO) - old_components.get((line, driver), ZERO)
        book.add(line, COMPONENT_DRIVERS.get(driver, "profiled_lines"), change)


def _future(item: ForecastItem, start: date) -> Decimal:
    """The earlier snapshot's cost of an item for the days still to come at the later close."""
    first = max(item.first_day, start)
    if first <= item.first_day:
        return item.committed
    days = days_between(first, item.last_day)
    return min(_round(item.weekly_cost * days / 7), item.committed) if days else ZERO


def _items(
    old: Forecast,
    new: Forecast,
    future_old: dict[tuple[str, str, ServiceLine], Decimal],
    start: date,
    book: _Ledger,
) -> None:
    olds = {(i.kind, i.key, i.service_line): i for i in old.items}
    news = {(i.kind, i.key, i.service_line): i for i in new.items}
    old_lines = {(i.kind, i.key): i.service_line for i in old.items}
    new_lines = {(i.kind, i.key): i.service_line for i in new.items}
    for key, item in news.items():
        kind, ident, line = key
        price, other, added, _ = KIND_DRIVERS.get(kind, KIND_DRIVERS["placement"])
        before = olds.get(key)
        if before is None:
            moved = kind == "placement" and old_lines.get((kind, ident), line) is not line
            book.add(line, "step_ups_downs" if moved else added, item.committed, ident)
            continue
        days = days_between(max(item.first_day, start), item.last_day)
        repriced = _round((item.weekly_cost - before.weekly_cost) * days / 7)
        book.add(line, price, repriced, ident)
        book.add(line, other, item.committed - future_old[key] - repriced, ident)
    for key, future in future_old.items():
        if key in news:
            continue
        kind, ident, line = key
        ended = KIND_DRIVERS.get(kind, KIND_DRIVERS["placement"])[3]
        moved = kind == "placement" and new_lines.get((kind, ident), line) is not line
        book.add(line, "step_ups_downs" if moved else ended, -future, ident)
