"""Disclosure control: small counts of children are withheld and cannot be worked out again.

The property tests audit every protected table independently of the module: for each withheld
cell they ask a linear programme for its least and greatest value given every published cell and
total (counts are never negative). A cell is safe when those differ.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from carecast.reports.disclosure import (
    Identity,
    is_small,
    protect,
    small_counts_shown,
    suppress,
    table_identities,
)
from carecast.reports.model import SUPPRESSED, Cell, Column, Kind, Suppressed, Table

SMALL_OR_NOT = st.one_of(st.integers(0, 7), st.integers(8, 60))


def children(key: str) -> Column:
    return Column(key, key, Kind.COUNT, child_count=True)


def grid_table(grid: list[list[int]], *, with_row_totals: bool, with_total_row: bool) -> Table:
    """A table of counts with optional row totals (first count column) and a total row."""
    width = len(grid[0])
    columns = [Column("label", "Label", Kind.TEXT)]
    if with_row_totals:
        columns.append(children("total"))
    columns += [children(f"c{j}") for j in range(width)]
    rows: list[tuple[Cell, ...]] = []
    for i, values in enumerate(grid):
        lead: tuple[Cell, ...] = (f"row {i}",)
        rows.append((*lead, *([sum(values)] if with_row_totals else []), *values))
    if with_total_row:
        sums = [sum(row[j] for row in grid) for j in range(width)]
        rows.append(("Total", *([sum(sums)] if with_row_totals else []), *sums))
    return Table(
        "t",
        "T",
        tuple(columns),
        tuple(rows),
        total_row=with_total_row,
        sums=("total", *(f"c{j}" for j in range(width))) if with_row_totals else (),
    )


def audit(original: Table, published: Table) -> list[str]:
    """Withheld cells whose value the published table pins down (independent LP audit)."""
    values, identities, _ = table_identities(original)
    hidden = [p for p in values if isinstance(published.rows[p[0]][p[1]], Suppressed)]
    column = {p: n for n, p in enumerate(hidden)}
    equations, right = [], []
    for identity in identities:
        row = [0.0] * len(hidden)
        constant = 0.0
        for position, coefficient in identity.terms:
            if position in column:
                row[column[position]] += coefficient
            else:
                constant += coefficient * values[position]
        if any(row):
            equations.append(row)
            right.append(-constant)
    exposed = []
    for cell in hidden:
        objective = [0.0] * len(hidden)
        objective[column[cell]] = 1.0
        bounds = [(0, None)] * len(hidden)
        extra = {"A_eq": equations, "b_eq": right} if equations else {}
        low = linprog(objective, bounds=bounds, **extra)
        high = linprog([-x for x in objective], bounds=bounds, **extra)
        if high.status == 0 and -high.fun - low.fun < 0.5:
            exposed.append(f"{cell} = {values[cell]}")
    return exposed


def test_a_single_small_count_takes_the_next_smallest_with_it() -> None:
    # 3 could be worked out as 103 − 100, so the next smallest item (100) goes too; the total stays.
    table = grid_table([[3], [100]], with_row_totals=False, with_total_row=True)
    published = protect(table)
    assert [row[1] for row in published.rows] == [SUPPRESSED, SUPPRESSED, 103]


def test_two_small_counts_in_a_column_protect_each_other() -> None:
    table = grid_table([[3], [4], [50]], with_row_totals=False, with_total_row=True)
    assert [row[1] for row in protect(table).rows] == [SUPPRESSED, SUPPRESSED, 50, 57]


def test_zeros_are_shown_as_the_dfe_does_unless_asked() -> None:
    table = grid_table([[0], [40], [50]], with_row_totals=False, with_total_row=True)
    assert [row[1] for row in protect(table).rows] == [0, 40, 50, 90]
    assert is_small(0, suppress_zero=True)
    assert not is_small(0)


def test_a_share_or_unit_cost_of_a_withheld_count_is_withheld_too() -> None:
    table = Table(
        "mix",
        "Mix",
        (
            Column("label", "Label", Kind.TEXT),
            children("children"),
            Column("mix", "Mix", Kind.PERCENT, depends_on=("children",)),
            Column("weekly", "Weekly", Kind.PENCE, depends_on=("children",)),
        ),
        (
            ("Residential", 2, Decimal("0.04"), Decimal("5000")),
            ("Fostering", 48, Decimal("0.96"), Decimal("800")),
            ("Total", 50, Decimal(1), None),
        ),
        total_row=True,
    )
    published = protect(table)
    assert published.rows[0][1:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert published.rows[1][1:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert published.rows[2][1:] == (50, Decimal(1), None)


def test_a_stock_and_its_flows_cannot_reveal_a_small_flow() -> None:
    # 480 + 3 − 0 = 483: the 3 children starting would follow from the stocks and the leavers.
    table = Table(
        "flows",
        "Flows",
        (Column("m", "Month", Kind.TEXT), children("stock"), children("in"), children("out")),
        (("Aug", 480, 20, 20), ("Sep", 483, 3, 0)),
        stock_flow=("stock", "in", "out"),
    )
    published = protect(table)
    assert published.rows[1][2] is SUPPRESSED
    assert audit(table, published) == []


def test_counts_that_are_not_children_are_never_withheld() -> None:
    table = Table(
        "posts",
        "Posts",
        (Column("team", "Team", Kind.TEXT), Column("posts", "Posts", Kind.COUNT)),
        (("A", 2), ("B", 40)),
    )
    assert protect(table) == table


def test_small_counts_shown_names_any_that_got_through() -> None:
    table = grid_table([[3], [100]], with_row_totals=False, with_total_row=True)
    assert small_counts_shown([table]) == ["T: row 0 / c0 = 3"]
    assert small_counts_shown([protect(table)]) == []


def test_suppress_works_on_bare_identities() -> None:
    values = {(0, 0): 2, (0, 1): 30, (0, 2): 32}
    hidden = suppress(values, [Identity.total((0, 2), [(0, 0), (0, 1)])])
    assert hidden == {(0, 0), (0, 1)}


GRIDS = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(SMALL_OR_NOT, min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(grid=GRIDS, with_row_totals=st.booleans(), with_total_row=st.booleans())
def test_no_small_count_survives_and_none_can_be_recovered(
    grid: list[list[int]], with_row_totals: bool, with_total_row: bool
) -> None:
    table = grid_table(grid, with_row_totals=with_row_totals, with_total_row=with_total_row)
    published = protect(table)
    assert small_counts_shown([published]) == []
    assert audit(table, published) == []
    # Only counts are withheld: labels and any count at or above the threshold that no identity
    # needed are shown unchanged.
    assert [row[0] for row in published.rows] == [row[0] for row in table.rows]


@settings(max_examples=30, deadline=None)
@given(grid=GRIDS)
def test_with_zeros_withheld_too_nothing_under_six_survives(grid: list[list[int]]) -> None:
    table = grid_table(grid, with_row_totals=True, with_total_row=True)
    published = protect(table, suppress_zero=True)
    shown = [
        cell
        for row in published.rows
        for cell, column in zip(row, table.columns, strict=True)
        if column.child_count and isinstance(cell, int)
    ]
    assert all(cell >= 6 for cell in shown)
    assert audit(table, published) == []


@settings(max_examples=30, deadline=None)
@given(
    months=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=2, max_size=8),
    start=st.integers(0, 30),
)
def test_stock_and_flow_tables_stay_protected(months: list[tuple[int, int]], start: int) -> None:
    rows: list[tuple[Cell, ...]] = []
    stock = start
    for number, (arrived, leaving) in enumerate(months):
        left = min(leaving, stock + arrived)
        stock = stock + arrived - left
        rows.append((f"m{number}", stock, arrived, left))
    table = Table(
        "flows",
        "Flows",
        (Column("m", "Month", Kind.TEXT), children("stock"), children("in"), children("out")),
        tuple(rows),
        stock_flow=("stock", "in", "out"),
    )
    published = protect(table)
    assert small_counts_shown([published]) == []
    assert audit(table, published) == []


@pytest.mark.parametrize("value", [1, 5])
def test_the_threshold_is_six(value: int) -> None:
    assert is_small(value)
    assert not is_small(6)
