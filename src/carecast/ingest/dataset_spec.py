"""What an input dataset is: its columns (with kinds), and where its typed rows are stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from carecast.ingest import ranges
from carecast.ingest.columns import ColumnSpec, Kind
from carecast.ingest.ranges import Limit


@dataclass(frozen=True)
class Dataset:
    """One kind of input file.

    `columns`: those that must be present (a value may still be optional, e.g. DEC, END_DATE).
    `optional`: read when present. `table`: the store table, or None for SSDA903 tables carecast
    recognises but does not use yet. `store_columns`: canonical name → store column when they differ
    from the lower-cased name. `limits`: a column's range when it is narrower than its kind's
    (ingest/ranges.py).
    """

    name: str
    title: str
    columns: tuple[ColumnSpec, ...]
    optional: tuple[ColumnSpec, ...] = ()
    table: str | None = None
    store_columns: dict[str, str] = field(default_factory=dict)
    limits: dict[str, Limit] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def stored(self) -> bool:
        return self.table is not None

    def store_column(self, name: str) -> str:
        return self.store_columns.get(name, name.lower())

    def limit(self, spec: ColumnSpec) -> Limit | None:
        """The values a numeric column may hold (None: the column is not a number)."""
        return self.limits.get(spec.name, ranges.BY_KIND.get(spec.kind))

    def kind_of(self, name: str) -> Kind | None:
        for spec in (*self.columns, *self.optional):
            if spec.name == name:
                return spec.kind
        return None


def code(
    name: str, codes: frozenset[str] | None = None, *, required: bool = True, lower: bool = False
) -> ColumnSpec:
    """A coded column; `codes` None leaves the list to year-aware rules (SSDA903)."""
    return ColumnSpec(name, Kind.CODE, required, codes, lower)


def text(*names: str, required: bool = False) -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(n, Kind.TEXT, required) for n in names)


def dates(*names: str, required: bool = False) -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(n, Kind.DATE, required) for n in names)


def codes(*names: str, required: bool = False) -> tuple[ColumnSpec, ...]:
    return tuple(code(n, required=required) for n in names)
