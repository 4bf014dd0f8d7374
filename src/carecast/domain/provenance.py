"""Councils, import batches (where every stored row came from) and forecast snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action
from carecast.domain.periods import Period
from carecast.domain.readiness import ReadinessFinding


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
class ForecastItem:
    """One costed thing behind a line's committed cost: a placement, a post or an allowance case.

    `weekly_cost` is the item's weekly rate at the forecast date (a post's annual cost × 7 ÷ days in
    the year); `committed` is what it costs from `first_day` to `last_day` (uplifts included).
    Movements compare items between snapshots by (kind, key).
    """

    kind: str
    key: str
    service_line: ServiceLine
    weekly_cost: Decimal
    first_day: date
    last_day: date
    committed: Decimal
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class ForecastComponent:
    """A month's share of a line's forecast that no single item carries.

    `part` says where it is counted: `committed` (the profile of a line without activity data) or
    `demand` (the demand allowance: expected arrivals, moves, early endings, vacancy fills …).
    """

    service_line: ServiceLine
    part: str
    driver: str
    period: Period
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Forecast:
    """A forecast of the financial year's outturn as at the end of a period.

    `p10`/`p90` bound the 80% interval of the total (from simulated paths; None when no paths ran);
    `items` and `components` are the build-up that movements between snapshots are explained from;
    `assumptions` are the assumptions in force, fitted values included (JSON-compatible);
    `actions` are the year's risks, actions and savings as known then (never netted into lines).
    """

    period: Period
    knowledge_date: date
    lines: tuple[ForecastLine, ...]
    notes: tuple[str, ...] = ()
    p10: Decimal | None = None
    p90: Decimal | None = None
    items: tuple[ForecastItem, ...] = ()
    components: tuple[ForecastComponent, ...] = ()
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()

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
class Withdrawal:
    """Why and when a snapshot was withdrawn: it is kept, but never again a command's default."""

    reason: str
    withdrawn_at: datetime


@dataclass(frozen=True, slots=True)
class ForecastSnapshot:
    """A stored, immutable forecast: a new run makes a new snapshot, never an edit.

    `readiness` holds the flags raised on the data the close stood on (missing ledger periods
    forecast anyway, stale extracts …), shown wherever the snapshot is; `withdrawal` is set once
    the snapshot has been withdrawn.
    """

    snapshot_id: int
    council: Council
    created_at: datetime
    forecast: Forecast
    readiness: tuple[ReadinessFinding, ...] = ()
    withdrawal: Withdrawal | None = None


@dataclass(frozen=True, slots=True)
class SnapshotSummary:
    """One line of `carecast snapshots`: a snapshot's totals, flags and whether it was withdrawn."""

    snapshot_id: int
    period: Period
    knowledge_date: date
    created_at: datetime
    method: str
    budget: Decimal
    forecast_outturn: Decimal
    flags: int
    withdrawal: Withdrawal | None
