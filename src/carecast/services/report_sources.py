"""The report's optional sources: movements by driver, the backtest and benchmarking.

Each comes from another capability's service, imported only when the report runs and only if it
is there. Its result is turned into the report's own small views (`reports.context`); when a
capability is missing or cannot answer (a year not finished, a code not in the reference data),
the reason is returned instead and the report leaves that part out, saying why — it never
invents figures.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from decimal import Decimal
from typing import Any

from carecast.config import Settings
from carecast.domain.periods import FinancialYear
from carecast.domain.provenance import ForecastSnapshot
from carecast.errors import CarecastError
from carecast.reports.context import (
    BacktestPoint,
    BacktestView,
    BenchmarkMeasure,
    BenchmarkView,
    MovementDriver,
    MovementView,
    NeighbourRateView,
    PeerValue,
)

UNITS = {"per 10,000 children": "rate", "%": "percent", "£": "pounds", "£ a week": "pounds"}
RATE_MEASURE = "cla_31_march"
# The backtest replays the quarter ends before the year end (P3, P6, P9), when monitoring reports
# usually go to committee; each replay is a full forecast, so all twelve would triple the report's
# time for little more to read, and at P12 the ledger already is the outturn.
QUARTER_ENDS = (3, 6, 9)

Outcome = tuple[Any, str | None]  # (view or None, why not)


def available(module: str) -> bool:
    """Whether a capability's module is installed (checked without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def backtest_view(
    settings: Settings, year: FinancialYear
) -> tuple[BacktestView | None, str | None]:
    """The backtest of `year` (normally the last finished one), or why there is none."""
    if not available("carecast.services.backtest"):
        return None, "the backtesting capability (services/backtest.py) is not installed"
    from carecast.services.backtest import run_backtest

    try:
        _council, result = run_backtest(settings, year, period_numbers=QUARTER_ENDS)
    except CarecastError as error:
        return None, f"no backtest of {year}: {error.message}"
    points = tuple(
        BacktestPoint(
            period=score.period,
            forecast_outturn=score.total.forecast,
            error_pct=score.total.error_pct(),
            baselines=dict(score.total.baselines),
            p10=score.total.p10,
            p90=score.total.p90,
        )
        for score in result.periods
    )
    skipped = tuple(f"{period}: {why}" for period, why in result.skipped)
    return BacktestView(str(year), result.actual_outturn, points, skipped), None


def _value(figure: Any) -> Decimal | None:
    return None if figure is None else figure.value


def _peers(settings: Settings, result: Any, year: str) -> tuple[PeerValue, ...]:
    """The published rate per 10,000 of the council and each statistical neighbour in `year`."""
    from carecast.benchmarking.measures import rate
    from carecast.services.benchmark import reference_data

    data = reference_data(settings)
    measure = rate(RATE_MEASURE)
    codes = [(result.name, result.la_code, True)]
    codes += [(member.name, member.la_code, False) for member in result.neighbours.members]
    peers = []
    for name, code, is_council in codes:
        value = _value(measure(data, code, year))
        if value is not None:
            peers.append(PeerValue(name, value, is_council=is_council))
    return tuple(peers)


def benchmark_view(settings: Settings) -> tuple[BenchmarkView | None, str | None]:
    """The council against its statistical neighbours and England, or why not."""
    if not available("carecast.services.benchmark"):
        return None, "the benchmarking capability (services/benchmark.py) is not installed"
    from carecast.services.benchmark import benchmark_council

    try:
        result = benchmark_council(settings)
    except CarecastError as error:
        return None, f"no benchmark: {error.message}"
    measures: list[BenchmarkMeasure] = []
    for section in result.sections:
        rows = section.rows
        if section.key != "cla_rate" and rows:  # a trend for the rate, the latest year otherwise
            latest = max(row.year for row in rows)
            rows = tuple(row for row in rows if row.year == latest)
        for row in rows:
            source = row.council.source
            measures.append(
                BenchmarkMeasure(
                    measure=row.measure,
                    unit=UNITS.get(row.council.unit, "count"),
                    year=row.year,
                    council=_value(row.council),
                    neighbours=_value(row.neighbours),
                    england=_value(row.england),
                    source=f"{source.publisher}, {source.table}",
                    own=_value(row.own),
                )
            )
    rate_rows = [m for m in measures if m.unit == "rate" and m.council is not None]
    if rate_rows:
        latest_rate = max(rate_rows, key=lambda m: m.year)
        peers = _peers(settings, result, latest_rate.year)
        measures[measures.index(latest_rate)] = replace(latest_rate, peers=peers)
    estimate = next(
        (e for e in result.estimates if e.basis == "own data"),
        result.estimates[0] if result.estimates else None,
    )
    notes = (*result.notes, *(note for section in result.sections for note in section.notes))
    population = estimate.population.value if estimate is not None else None
    return (
        BenchmarkView(
            council_name=f"{result.name} ({result.la_code})",
            measures=tuple(measures),
            population_0_17=int(population) if population else None,
            population_year=estimate.population.source.year if estimate is not None else None,
            notes=tuple(dict.fromkeys(notes)),
            at_neighbours_rate=_neighbour_rate(estimate),
        ),
        None,
    )


def _neighbour_rate(estimate: Any) -> NeighbourRateView | None:
    if estimate is None:
        return None
    council, neighbours = estimate.council_rate.value, estimate.neighbours_rate.value
    population, weekly = estimate.population.value, estimate.average_weekly_cost.value
    if council is None or neighbours is None or population is None or weekly is None:
        return None
    return NeighbourRateView(
        basis=estimate.basis,
        as_at=estimate.as_at,
        council_rate=council,
        neighbours_rate=neighbours,
        population=population,
        average_weekly_cost=weekly,
        weeks=estimate.weeks,
        children_fewer=estimate.children_fewer,
        annual_difference=estimate.annual_difference,
    )


DRIVER_WORDS = {
    "actuals": "spend posted against the earlier forecast",
    "new_placements": "new placements",
    "ended_placements": "placements ended",
    "step_ups_downs": "children moving to another type of placement",
    "price_changes": "price changes",
    "end_date_changes": "changed end dates",
    "staffing_changes": "staffing changes",
    "allowance_changes": "allowance changes",
    "expected_arrivals": "expected arrivals",
    "expected_early_endings": "expected early endings",
    "expected_moves": "expected moves",
    "expected_step_ups_downs": "expected step-ups and step-downs",
    "arrears": "arrears",
    "expected_staffing_changes": "expected staffing changes",
    "expected_allowance_changes": "expected allowance changes",
    "profiled_lines": "lines forecast from their spending pattern",
    "assumption_changes": "changed assumptions",
    "unexplained": "not explained by the build-up",
}
COUNTED = frozenset({"new_placements", "ended_placements", "step_ups_downs"})


def movement_view(
    previous: ForecastSnapshot, current: ForecastSnapshot
) -> tuple[MovementView | None, str | None]:
    """The change between two stored snapshots explained by driver, or why not.

    The drivers come from the forecast engine's own decomposition of the two stored build-ups;
    they add up exactly to the change in the forecast outturn.
    """
    if not available("carecast.forecast.movements"):
        return None, "the explanation by driver is not installed, so the movement is by line"
    if not previous.forecast.items or not current.forecast.items:
        return None, "an earlier snapshot stores no build-up, so the movement is by line"
    engine = importlib.import_module("carecast.forecast.movements")
    result = engine.explain_movements(previous.forecast, current.forecast)
    keys: dict[str, set[str]] = {}
    for movement in result.movements:
        keys.setdefault(movement.driver, set()).update(movement.keys)
    drivers = tuple(
        MovementDriver(
            DRIVER_WORDS.get(driver, driver.replace("_", " ")),
            amount,
            len(keys.get(driver, ())) if driver in COUNTED else None,
        )
        for driver, amount in result.by_driver().items()
        if amount
    )
    return MovementView(previous.forecast.period, drivers), None
