"""The benchmark as plain values: every figure carries its source, table and year.

A `BenchmarkResult` is a tree of frozen dataclasses holding only strings, numbers (`Decimal`),
dates and tuples, so that the terminal, JSON, the committee report and the web app can all render
it without knowing where a number came from — the figure says so itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure comes from: publisher, table (publication), file, measure and year.

    `measure` names the column and filter, or the arithmetic carecast did on published columns
    (e.g. "children_count ÷ population_estimate × 10,000"). For the council's own figures the
    publisher is "carecast" and the table names the store's data.
    """

    publisher: str
    table: str
    file: str
    measure: str
    year: str


@dataclass(frozen=True, slots=True)
class Figure:
    """One number with its unit and source; `value` is None when there is no figure to show."""

    value: Decimal | None
    unit: str  # "per 10,000 children", "%", "£", "£ a week", "children", "FTE", "cases"
    source: Source
    note: str = ""  # e.g. "suppressed (c)", "mean of 9 of 10 neighbours", "lower bound: …"


@dataclass(frozen=True, slots=True)
class Row:
    """One measure in one year: the council, its statistical neighbours, England — and, for the
    council in the store, the same measure computed from its own data."""

    measure: str
    year: str
    council: Figure
    neighbours: Figure
    england: Figure
    own: Figure | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # cla_rate, flows, placement_mix, workforce, spend
    title: str
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Neighbour:
    la_code: str
    name: str
    closeness: str  # DfE's wording: very close, close, somewhat close …


@dataclass(frozen=True, slots=True)
class NeighbourGroup:
    """A council's statistical neighbours as DfE groups them, nearest first."""

    members: tuple[Neighbour, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class NeighbourRateEstimate:
    """What the council would spend at its statistical neighbours' rate of children looked after.

    children_fewer = (council_rate − neighbours_rate) × population ÷ 10,000;
    annual_difference = children_fewer × average_weekly_cost × weeks.
    Positive means the council would spend less at the neighbours' rate (it looks after more
    children per 10,000 than they do); negative means it would spend more.
    """

    basis: str  # "published" (DfE and MHCLG figures only) or "own data" (the store)
    as_at: str
    council_rate: Figure
    neighbours_rate: Figure
    population: Figure
    average_weekly_cost: Figure
    weeks: Decimal  # 365/7
    children_fewer: Decimal
    annual_difference: Decimal


@dataclass(frozen=True, slots=True)
class OwnCouncil:
    """The council in the store whose own data sits beside the published figures."""

    name: str
    la_code: str
    known_on: date  # the date the store's data describes (the latest snapshot's knowledge date)
    snapshot_id: int | None  # the forecast snapshot the costs came from, if any


@dataclass(frozen=True, slots=True)
class BenchmarkResult:
    """A council against its statistical neighbours and England, from the published data carecast
    ships (and any newer releases imported), with the store's own figures beside them."""

    la_code: str
    ons_code: str | None
    name: str
    neighbours: NeighbourGroup
    sections: tuple[Section, ...]
    estimates: tuple[NeighbourRateEstimate, ...]
    own: OwnCouncil | None = None
    notes: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)
