"""Everything a report section may read, gathered once by the report service.

The context holds stored snapshots, the activity state known at the snapshot's knowledge date,
import provenance and commentary. Results of optional capabilities (movements explained by driver,
the backtest, benchmarking) arrive as the small views below, or as None when that capability is not
available; a section that needs one is then left out and the methodology says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from carecast.domain.activity import Placement, derive_placements
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, Forecast, ForecastSnapshot, ImportBatch
from carecast.domain.state import ActivityState
from carecast.reports.disclosure import protect
from carecast.reports.model import Commentary, Table

DEFAULT_CASELOAD_TARGET = 18


@dataclass(frozen=True, slots=True)
class WarningSummary:
    """Validation warnings of one rule across the imports behind the snapshot."""

    rule: str
    count: int
    datasets: tuple[str, ...]
    example: str  # FILE:ROW:COLUMN: RULE: message of the first one, for the internal report


@dataclass(frozen=True, slots=True)
class MovementDriver:
    """One cause of the change between two forecasts, e.g. "new residential placements"."""

    label: str
    amount: Decimal
    count: int | None = None


@dataclass(frozen=True, slots=True)
class MovementView:
    """The change from an earlier forecast to this one, explained by driver."""

    since: Period
    drivers: tuple[MovementDriver, ...]


@dataclass(frozen=True, slots=True)
class PlanFigure:
    """One figure of the medium-term plan: its P50 and 80% range, whole pounds."""

    central: Decimal
    p10: Decimal
    p90: Decimal


@dataclass(frozen=True, slots=True)
class PlanYearView:
    financial_year: str
    months: int  # 12, or the months a first or last part-year covers
    posted: Decimal  # a first part-year: spend posted before the projection begins
    cost: PlanFigure
    budget: Decimal | None
    budget_from: str | None  # the earlier year whose budget stands in for this one
    lines: tuple[tuple[str, PlanFigure], ...]  # (service line heading, cost)


@dataclass(frozen=True, slots=True)
class MtfpView:
    """The medium-term financial plan projected from the report's close."""

    start: date
    children_at_start: int
    paths: int
    years: tuple[PlanYearView, ...]
    children: tuple[tuple[str, PlanFigure], ...]  # (31 March, children looked after)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BacktestPoint:
    period: Period
    forecast_outturn: Decimal
    error_pct: Decimal | None  # forecast less outturn, as a percentage of the outturn
    baselines: Mapping[str, Decimal] = field(default_factory=dict)
    p10: Decimal | None = None
    p90: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BacktestView:
    """Each period of a finished year replayed from what was known then, against its outturn."""

    financial_year: str
    actual_outturn: Decimal
    points: tuple[BacktestPoint, ...]
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PeerValue:
    name: str
    value: Decimal
    is_council: bool = False
    is_average: bool = False


@dataclass(frozen=True, slots=True)
class BenchmarkMeasure:
    """One published measure for the council beside its statistical neighbours and England."""

    measure: str
    unit: str  # "rate" (per 10,000), "percent", "pounds", "count"
    year: str
    council: Decimal | None
    neighbours: Decimal | None
    england: Decimal | None
    source: str
    own: Decimal | None = None  # the same measure from the council's own data in the store
    peers: tuple[PeerValue, ...] = ()
    trend: bool = False  # one of a series over the years, shown as its own table


@dataclass(frozen=True, slots=True)
class NeighbourRateView:
    """The case study's sum: children fewer at the neighbours' rate × weekly cost × weeks."""

    basis: str
    as_at: str
    council_rate: Decimal
    neighbours_rate: Decimal
    population: Decimal
    average_weekly_cost: Decimal
    weeks: Decimal
    children_fewer: Decimal
    annual_difference: Decimal


@dataclass(frozen=True, slots=True)
class BenchmarkView:
    council_name: str  # as the published data names the council's code
    measures: tuple[BenchmarkMeasure, ...]
    population_0_17: int | None = None
    population_year: str | None = None
    notes: tuple[str, ...] = ()
    at_neighbours_rate: NeighbourRateView | None = None
    for_year: str = ""  # the financial year of the report, e.g. '2018-19'
    year_end: str = ""  # the 31 March that closes it, as DfE labels it: '2019'


@dataclass(frozen=True)
class ReportContext:
    council: Council
    snapshot: ForecastSnapshot
    state: ActivityState
    year_snapshots: tuple[ForecastSnapshot, ...]  # the latest of each period of the year, in order
    previous: ForecastSnapshot | None  # the forecast this report is compared with
    batches: tuple[ImportBatch, ...]
    warnings: tuple[WarningSummary, ...]
    commentary: Mapping[str, Commentary] = field(default_factory=dict)
    public: bool = False
    caseload_target: int = DEFAULT_CASELOAD_TARGET
    prior_year_snapshots: tuple[ForecastSnapshot, ...] = ()
    prior_year_outturn: Decimal | None = None
    movement: MovementView | None = None
    backtest: BacktestView | None = None
    benchmark: BenchmarkView | None = None
    mtfp: MtfpView | None = None
    unavailable: Mapping[str, str] = field(default_factory=dict)  # capability → why not
    generated_on: date | None = None

    @property
    def forecast(self) -> Forecast:
        return self.snapshot.forecast

    @property
    def period(self) -> Period:
        return self.snapshot.forecast.period

    @cached_property
    def placements(self) -> list[Placement]:
        return derive_placements(self.state.episodes)

    def disclose(self, table: Table) -> Table:
        """The table as this report may show it: protected when the report is public."""
        return protect(table) if self.public else table
