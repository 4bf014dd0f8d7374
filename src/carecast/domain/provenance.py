"""Councils, import batches (where every stored row came from) and forecast snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period


@dataclass(frozen=True, slots=True)
class Council:
    council_id: int
    name: str
    la_code: str


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """One imported file: what it was, as known on which date, and when it arrived."""

    batch_id: int
    dataset: str
    file_name: str
    sha256: str
    row_count: int
    as_of: date
    imported_at: datetime
    warnings: int = 0


@dataclass(frozen=True, slots=True)
class ForecastLine:
    """The forecast of one service line's outturn and how it is built up."""

    service_line: ServiceLine
    budget: Decimal
    actual_to_date: Decimal
    committed: Decimal
    demand_allowance: Decimal
    forecast_outturn: Decimal
    method: str
    p10: Decimal | None = None
    p90: Decimal | None = None
    children: int | None = None
    average_weekly_cost: Decimal | None = None

    @property
    def variance(self) -> Decimal:
        return self.forecast_outturn - self.budget


@dataclass(frozen=True, slots=True)
class Forecast:
    """A forecast of the financial year's outturn as at the end of a period."""

    period: Period
    knowledge_date: date
    lines: tuple[ForecastLine, ...]
    notes: tuple[str, ...] = ()

    @property
    def budget(self) -> Decimal:
        return sum((line.budget for line in self.lines), Decimal(0))

    @property
    def forecast_outturn(self) -> Decimal:
        return sum((line.forecast_outturn for line in self.lines), Decimal(0))

    @property
    def actual_to_date(self) -> Decimal:
        return sum((line.actual_to_date for line in self.lines), Decimal(0))

    @property
    def variance(self) -> Decimal:
        return self.forecast_outturn - self.budget


@dataclass(frozen=True, slots=True)
class ForecastSnapshot:
    """A stored, immutable forecast: a new run makes a new snapshot, never an edit."""

    snapshot_id: int
    council: Council
    created_at: datetime
    forecast: Forecast
