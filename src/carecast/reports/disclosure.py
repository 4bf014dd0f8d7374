"""Disclosure control for published reports: small counts of children are withheld.

The rule follows the DfE's for children looked after statistics: counts from 1 to 5 are suppressed
(primary suppression; zeros are shown unless `suppress_zero`), and further figures are suppressed
whenever a withheld count could otherwise be worked out from the totals (secondary suppression,
"the next smallest data item").

"Could be worked out" is checked exactly rather than by rule of thumb: a withheld cell is safe when
the published cells and totals, with every count at least zero, still allow more than one value for
it. That is two small linear programmes per withheld cell (its least and greatest possible value);
tables of totals and their parts have integral bounds (the constraint matrix is a network matrix),
so "least < greatest" means at least two whole-number answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carecast.reports.model import SUPPRESSED, Cell, Table

THRESHOLD = 6  # counts below this are withheld

Position = tuple[int, int]  # (row, column) in a table


@dataclass(frozen=True, slots=True)
class Identity:
    """A relation the published figures obey: the sum of coefficient × cell is zero."""

    terms: tuple[tuple[Position, int], ...]

    @classmethod
    def total(cls, total: Position, parts: Sequence[Position]) -> Identity:
        """`total` is the sum of `parts`."""
        return cls(((total, -1), *((part, 1) for part in parts)))

    @property
    def cells(self) -> tuple[Position, ...]:
        return tuple(position for position, _ in self.terms)


def is_small(value: int, threshold: int = THRESHOLD, *, suppress_zero: bool = False) -> bool:
    return (0 if suppress_zero else 1) <= value < threshold


def feasible_range(
    values: dict[Position, int], sums: Sequence[Identity], hidden: set[Position], cell: Position
) -> tuple[float, float]:
    """The least and greatest value `cell` can take given every published cell and identity
    (hidden cells unknown but not negative). The greatest is infinite when nothing bounds it."""
    from scipy.optimize import linprog

    unknowns = sorted(hidden)
    column_of = {position: number for number, position in enumerate(unknowns)}
    rows: list[list[float]] = []
    right: list[float] = []
    for identity in sums:
        coefficients = [0.0] * len(unknowns)
        constant = 0.0
        for position, sign in identity.terms:
            if position in column_of:
                coefficients[column_of[position]] += sign
            else:
                constant += sign * values[position]
        if any(coefficients):
            rows.append(coefficients)
            right.append(-constant)
    objective = [0.0] * len(unknowns)
    objective[column_of[cell]] = 1.0
    bounds = [(0.0, None)] * len(unknowns)
    equalities = {"A_eq": rows, "b_eq": right} if rows else {}
    low = linprog(objective, bounds=bounds, method="highs", **equalities)
    high = linprog([-c for c in objective], bounds=bounds, method="highs", **equalities)
    least = float(low.fun) if low.status == 0 else 0.0
    greatest = float("inf") if high.status != 0 else -float(high.fun)
    return least, greatest


def exposed_cells(
    values: dict[Position, int], sums: Sequence[Identity], hidden: set[Position]
) -> list[Position]:
    """Hidden cells whose value the published figures pin down exactly."""
    exposed = []
    for cell in sorted(hidden):
        least, greatest = feasible_range(values, sums, hidden, cell)
        if greatest - least < 0.5:  # bounds are whole numbers; allow for solver rounding
            exposed.append(cell)
    return exposed


def _complement(
    cell: Position,
    values: dict[Position, int],
    sums: Sequence[Identity],
    hidden: set[Position],
    *,
    totals: set[Position],
    fixed: frozenset[Position],
) -> Position | None:
    """The published cell to withhold next to protect `cell`: the smallest non-zero part sharing
    an identity with it (totals last, because members read them first)."""
    related = [s for s in sums if cell in s.cells]
    pool = related if any(_open(s, hidden) for s in related) else list(sums)
    candidates = {
        position
        for s in pool
        for position in s.cells
        if position not in hidden and position not in fixed
    }
    if not candidates:
        return None
    return min(candidates, key=lambda p: (p in totals, values[p] == 0, values[p], p))


def _open(identity: Identity, hidden: set[Position]) -> bool:
    return any(p not in hidden for p in identity.cells)


def suppress(
    values: dict[Position, int],
    sums: Sequence[Identity],
    threshold: int = THRESHOLD,
    *,
    suppress_zero: bool = False,
    fixed: frozenset[Position] = frozenset(),
    totals: frozenset[Position] = frozenset(),
) -> set[Position]:
    """The cells to withhold: every small count, then more until none can be worked out.

    `fixed` cells are not counts (blank, not applicable) and are never withheld; `totals` are
    withheld only when nothing else will do.
    """
    hidden = {
        p
        for p, v in values.items()
        if p not in fixed and is_small(v, threshold, suppress_zero=suppress_zero)
    }
    if not hidden:
        return hidden
    while True:
        exposed = exposed_cells(values, sums, hidden)
        if not exposed:
            return hidden
        extra = _complement(exposed[0], values, sums, hidden, totals=set(totals), fixed=fixed)
        if extra is None:  # everything related is already hidden: nothing more can help
            return hidden
        hidden.add(extra)


def table_identities(
    table: Table,
) -> tuple[dict[Position, int], list[Identity], frozenset[Position]]:
    """The child counts of a table, the relations between them, and which cells are totals."""
    count_columns = [n for n, column in enumerate(table.columns) if column.child_count]
    values: dict[Position, int] = {}
    for row_number, row in enumerate(table.rows):
        for column_number in count_columns:
            value = row[column_number]
            values[(row_number, column_number)] = value if isinstance(value, int) else 0
    identities: list[Identity] = []
    totals: set[Position] = set()
    if table.total_row and len(table.rows) > 1:
        last = len(table.rows) - 1
        for column_number in count_columns:
            above = [(r, column_number) for r in range(last)]
            identities.append(Identity.total((last, column_number), above))
            totals.add((last, column_number))
    if table.sums:
        total, *parts = (table.index(key) for key in table.sums)
        for row_number in range(len(table.rows)):
            identities.append(Identity.total((row_number, total), [(row_number, p) for p in parts]))
            totals.add((row_number, total))
    if table.stock_flow:
        stock, inflow, outflow = (table.index(key) for key in table.stock_flow)
        # Stocks are also published elsewhere (the 31 March series): like totals, they are
        # withheld only when nothing else will protect a flow.
        totals.update((row_number, stock) for row_number in range(len(table.rows)))
        # stock now = stock a row earlier + what came in − what went out
        for row_number in range(1, len(table.rows)):
            identities.append(
                Identity(
                    (
                        ((row_number, stock), -1),
                        ((row_number - 1, stock), 1),
                        ((row_number, inflow), 1),
                        ((row_number, outflow), -1),
                    )
                )
            )
    for relation in table.row_identities:
        terms = [(table.index(key), coefficient) for key, coefficient in relation]
        for row_number in range(len(table.rows)):
            identities.append(Identity(tuple(((row_number, c), k) for c, k in terms)))
    return values, identities, frozenset(totals)


def protect(table: Table, threshold: int = THRESHOLD, *, suppress_zero: bool = False) -> Table:
    """The table as it may be published: small counts withheld, with secondary suppression, and
    every cell that depends on a withheld count (a share, a unit cost) withheld too."""
    values, identities, totals = table_identities(table)
    fixed = frozenset(p for p in values if not isinstance(table.rows[p[0]][p[1]], int))
    hidden = suppress(
        values, identities, threshold, suppress_zero=suppress_zero, fixed=fixed, totals=totals
    )
    dependants = [
        (number, [table.index(key) for key in column.depends_on])
        for number, column in enumerate(table.columns)
        if column.depends_on
    ]
    rows: list[tuple[Cell, ...]] = []
    for row_number, row in enumerate(table.rows):
        cells = list(row)
        for column_number in range(len(cells)):
            if (row_number, column_number) in hidden:
                cells[column_number] = SUPPRESSED
        for column_number, sources in dependants:
            if any((row_number, source) in hidden for source in sources):
                cells[column_number] = SUPPRESSED
        rows.append(tuple(cells))
    return table.with_rows(rows)


def small_counts_shown(tables: Iterable[Table], threshold: int = THRESHOLD) -> list[str]:
    """Where a published table still shows a small count of children (should be none)."""
    found = []
    for table in tables:
        for column_number, column in enumerate(table.columns):
            if not column.child_count:
                continue
            for row in table.rows:
                value = row[column_number]
                if isinstance(value, int) and is_small(value, threshold):
                    found.append(f"{table.title}: {row[0]} / {column.heading} = {value}")
    return found
