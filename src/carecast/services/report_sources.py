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
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.provenance import ForecastSnapshot
from carecast.errors import CarecastError
from carecast.reports import narrative
from carecast.reports.context import (
    BacktestPoint,
    BacktestView,
    BenchmarkMeasure,
    BenchmarkView,
    MovementDriver,
    MovementView,
    MtfpView,
    NeighbourRateView,
    PeerValue,
    PlanFigure,
    PlanYearView,
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


def _published(row: Any) -> bool:
    return any(f.value is not None for f in (row.council, row.neighbours, row.england))


def _chosen_rows(section: Any, year: FinancialYear) -> tuple[list[Any], set[str]]:
    """Per measure, the published row of `year` (see benchmarking.years) or, where the data has
    none, of the nearest year published; and the council's own figure of that year, else its
    latest, in a row of its own year when that is another. Returns the rows in the section's
    order and the published years shown that are not the report's."""
    from carecast.benchmarking.years import aligned_year, nearest_year

    wanted = aligned_year(section.key, year)
    groups: dict[str, list[Any]] = {}
    for row in section.rows:
        groups.setdefault(row.measure, []).append(row)
    chosen: list[Any] = []
    differ: set[str] = set()
    for rows in groups.values():
        published = {row.year: row for row in rows if _published(row)}
        shown = nearest_year(wanted, published)
        pick = None if shown is None else published[shown]
        if shown is not None and shown != wanted:
            differ.add(shown)
        own = [row for row in rows if row.own is not None and row.own.value is not None]
        mine = next((row for row in own if row.year == wanted), own[-1] if own else None)
        chosen += [row for row in rows if row is pick or row is mine]
    return chosen, differ


def _measure(row: Any, trend: bool) -> BenchmarkMeasure:
    source = row.council.source
    if not source.publisher and row.own is not None:
        source = row.own.source
    return BenchmarkMeasure(
        measure=row.measure,
        unit=UNITS.get(row.council.unit, "count"),
        year=row.year,
        council=_value(row.council),
        neighbours=_value(row.neighbours),
        england=_value(row.england),
        source=f"{source.publisher}, {source.table}",
        own=_value(row.own),
        trend=trend,
    )


def benchmark_view(settings: Settings, period: Period) -> tuple[BenchmarkView | None, str | None]:
    """The council against its statistical neighbours and England for the report's year, or why
    not. Published figures are those of the report's financial year where the data has them;
    where not, the latest, and the view's notes say so. The council's own figures are those of
    the report's forecast, each in a row labelled with its own year."""
    if not available("carecast.services.benchmark"):
        return None, "the benchmarking capability (services/benchmark.py) is not installed"
    from carecast.benchmarking.years import march_year
    from carecast.services.benchmark import benchmark_council

    try:
        result = benchmark_council(settings, period=period)
    except CarecastError as error:
        return None, f"no benchmark: {error.message}"
    year = period.financial_year
    measures: list[BenchmarkMeasure] = []
    differ: list[str] = []
    for section in result.sections:
        if section.key == "cla_rate":  # the rate over the years, as a trend
            measures += [_measure(row, trend=True) for row in section.rows]
            continue
        rows, others = _chosen_rows(section, year)
        measures += [_measure(row, trend=False) for row in rows]
        if others:
            shown = narrative.join(sorted(others))
            differ.append(f"{section.title[0].lower()}{section.title[1:]} ({shown})")
    rates = [m for m in measures if m.unit == "rate" and m.council is not None]
    wanted = march_year(year)
    rate = next(
        (m for m in rates if m.year == wanted), max(rates, key=lambda m: m.year, default=None)
    )
    if rate is not None:
        peers = _peers(settings, result, rate.year)
        measures[measures.index(rate)] = replace(rate, peers=peers)
    estimate = next(
        (e for e in result.estimates if e.basis == "own data"),
        result.estimates[0] if result.estimates else None,
    )
    notes = [*result.notes, *(note for section in result.sections for note in section.notes)]
    if differ:
        notes.append(
            f"The report is for {year}; where the published data carecast holds has no figures "
            "of that year, the nearest year published is shown instead, in rows labelled with "
            f"it: {narrative.join(differ)}. The council's own figures are always in rows of the "
            "year or day they describe."
        )
    population = estimate.population.value if estimate is not None else None
    return (
        BenchmarkView(
            council_name=f"{result.name} ({result.la_code})",
            measures=tuple(measures),
            population_0_17=int(population) if population else None,
            population_year=estimate.population.source.year if estimate is not None else None,
            notes=tuple(dict.fromkeys(notes)),
            at_neighbours_rate=_neighbour_rate(estimate),
            for_year=str(year),
            year_end=wanted,
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


MTFP_YEARS = 3  # the plan reaches three 31 Marches beyond the close
MTFP_PATHS = 500


def _figure(band: Any) -> PlanFigure:
    return PlanFigure(Decimal(round(band.p50)), Decimal(round(band.p10)), Decimal(round(band.p90)))


def mtfp_view(settings: Settings, period: Period) -> tuple[MtfpView | None, str | None]:
    """The medium-term plan projected from the report's close, or why there is none."""
    from carecast.services.projection import run_financial_plan

    try:
        run, plan = run_financial_plan(settings, MTFP_YEARS, period, paths=MTFP_PATHS)
    except CarecastError as error:
        return None, f"no medium-term plan from {period}: {error.message}"
    years = tuple(
        PlanYearView(
            y.financial_year,
            y.months,
            Decimal(round(y.posted)),
            _figure(y.cost),
            y.budget,
            y.budget_from,
            tuple((line.line.heading, _figure(line.cost)) for line in y.lines),
        )
        for y in plan.years
    )
    # whole years to the last 31 March: a trailing part-year is no year a budget is set for
    if len(years) > 1 and years[-1].months < 12:
        years = years[:-1]
    children = tuple((f"{y.day:%d %b %Y}", _figure(y.children)) for y in run.projection.years)
    return (
        MtfpView(
            run.model.start,
            run.projection.start_children,
            MTFP_PATHS,
            years,
            children,
            (*run.projection.notes, *plan.cost.notes),
        ),
        None,
    )
