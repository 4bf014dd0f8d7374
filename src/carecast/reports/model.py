"""The report's content model: sections of narrative, tables and charts, independent of format.

Sections build these plain values from a `ReportContext`; the HTML, PDF, Word and Excel writers only
lay them out, so every format shows the same figures. A table keeps numbers as numbers (Decimal
pounds, int counts, Decimal percentages) and says what kind each column holds; formatting happens
in the writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a column holds, which decides how every writer formats it."""

    TEXT = "text"
    PENCE = "pence"  # money held to the penny (figures of record): Excel keeps the pence, the
    # committee formats (HTML, PDF, Word) show it in whole pounds as committee papers do
    POUNDS = "pounds"  # money that is whole pounds already (published figures, unit costs)
    COUNT = "count"
    PERCENT = "percent"  # a share held as a fraction (0.317 is 31.7%)
    NUMBER = "number"  # a measure with one decimal place (FTE, caseload, rate per 10,000)
    DATE = "date"


class Suppressed:
    """A value withheld by disclosure control; every writer shows it as a cross ("x")."""

    _instance: Suppressed | None = None

    def __new__(cls) -> Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()
SUPPRESSED_MARK = "x"  # DfE's symbol for a suppressed figure

Cell = Decimal | int | str | date | Suppressed | None


@dataclass(frozen=True, slots=True)
class Column:
    """One column. `child_count` marks counts of children, which disclosure control protects;
    `depends_on` names count columns that would reveal this cell (a share, a unit cost), so it is
    withheld whenever one of them is."""

    key: str
    heading: str
    kind: Kind
    child_count: bool = False
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """A table of rows. The arithmetic a reader could use to work out a withheld count is declared
    so that disclosure control can guard against it:
    - `total_row`: the last row is the sum of the rows above it;
    - `sums`: the first named column is the sum, across each row, of the columns that follow it;
    - `stock_flow` (stock, in, out): each row's stock is the row above's plus in less out;
    - `row_identities`: in every row, the sum of coefficient × column is zero."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total_row: bool = False
    sums: tuple[str, ...] = ()
    stock_flow: tuple[str, str, str] | None = None
    row_identities: tuple[tuple[tuple[str, int], ...], ...] = ()
    notes: tuple[str, ...] = ()

    def index(self, key: str) -> int:
        for number, column in enumerate(self.columns):
            if column.key == key:
                return number
        raise KeyError(f"table {self.key} has no column {key}")

    def column(self, key: str) -> list[Cell]:
        position = self.index(key)
        return [row[position] for row in self.rows]

    def cell(self, row_label: str, key: str) -> Cell:
        """The cell in column `key` of the row whose first cell is `row_label`."""
        for row in self.rows:
            if row[0] == row_label:
                return row[self.index(key)]
        raise KeyError(f"table {self.key} has no row {row_label}")

    def with_rows(self, rows: Sequence[tuple[Cell, ...]]) -> Table:
        return replace(self, rows=tuple(rows))

    def without(self, *keys: str, note: str | None = None) -> Table:
        """The table with the named columns (and any relation that uses them) taken out."""
        keep = [n for n, column in enumerate(self.columns) if column.key not in keys]
        return replace(
            self,
            columns=tuple(self.columns[n] for n in keep),
            rows=tuple(tuple(row[n] for n in keep) for row in self.rows),
            sums=() if set(self.sums) & set(keys) else self.sums,
            stock_flow=None if set(self.stock_flow or ()) & set(keys) else self.stock_flow,
            row_identities=tuple(
                relation
                for relation in self.row_identities
                if not {key for key, _ in relation} & set(keys)
            ),
            notes=(*self.notes, note) if note else self.notes,
        )


@dataclass(frozen=True, slots=True)
class Chart:
    """A figure as a Vega-Lite specification, with the alt text every format carries."""

    key: str
    title: str
    alt_text: str
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Commentary:
    """The finance officer's own words for a section, kept with the snapshot."""

    section: str
    text: str
    snapshot_id: int
    written_at: str  # ISO timestamp, for display


@dataclass(frozen=True, slots=True)
class SectionContent:
    """What one section contributes: narrative written from the numbers, tables, charts, notes."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    commentary: Commentary | None = None
    tables_first: bool = False  # a box of key figures before the words (the summary)


@dataclass(frozen=True, slots=True)
class Omitted:
    """A section left out, and why (the methodology section lists these)."""

    key: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class Report:
    """A built report, ready for any writer."""

    council_name: str
    title: str
    subtitle: str
    period_label: str
    public: bool
    sections: tuple[SectionContent, ...]
    omitted: tuple[Omitted, ...] = ()
    generated_on: date | None = None
    logo: bytes | None = None
    logo_type: str = "image/png"
    footer: str = ""
    metadata: dict[str, str] = field(default_factory=dict)

    def section(self, key: str) -> SectionContent:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"the report has no section {key}")

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]
