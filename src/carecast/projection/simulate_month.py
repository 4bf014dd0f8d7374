"""The children of one block of simulated paths, kept from month to month with no clocks to add
up and no bands to work out for most of them.

Each child's three clocks (months of age, in placement, in care) ran in float32, one month added
a month; a band is the number of its limits (whole months) a clock has reached. A float32 clock
rounds a month's addition only as it passes a power of two, by at most 2^-17 under 256 months
(past 216 no band changes), nine times at most: a clock whose fraction of a month is under
`LINEAR` therefore has exactly w + k whole months k months after it had w, and its band k months
on is a table's entry k places along. So a child is kept as three integers — `base` (its path,
category and whether its placement began after the start), `age` and `times` (its whole months
of age, and of time in placement and in care together, offset by the month they were counted in)
— and each month one view of each table, shifted by the month, gives every child's bands in one
gather. The few children with a clock a hair under a whole month (or under nought, or not a
number) are `odd`: their float32 clocks are kept and added to as they were, and their bands put
right each month.

The rate tables are laid out [time in placement and care band][placed since the start][path]
[category][age band], so a child's cell is `times`' entry plus `base` plus its age band, and the
stock's count (path, category, age band, placed or not) is one bincount of the last three.
"""

from __future__ import annotations

import numpy as np

from carecast.forecast.history import AGE_BANDS, FloatArray, IntArray
from carecast.projection.transitions import (
    ADULT_MONTHS,
    AGE_MONTHS,
    CARE_BANDS,
    CARE_MONTHS,
    CATEGORIES,
    DURATION_BANDS,
    DURATION_MONTHS,
    age_band_of_months,
    care_band,
    duration_band,
)

BANDS = DURATION_BANDS * CARE_BANDS  # cells of time in placement and in care
CELLS = CATEGORIES * AGE_BANDS * BANDS  # a path's cells of the rate tables
NARROW = 16  # columns of a table searched by comparing a row's entries, not by a sorted search
LINEAR = 1 - 1e-4  # a clock's fraction of a month under which its whole months go one a month
SETTLED = max(DURATION_MONTHS[-1], CARE_MONTHS[-1])  # whole months past which no band changes
# a whole month in each band (the odd children's bands put as whole months)
_IN_AGE = np.array([0, *AGE_MONTHS])
_IN_PLACEMENT = np.array([0, *DURATION_MONTHS])
_IN_CARE = np.array([0, *CARE_MONTHS])
_CAPS = np.array([ADULT_MONTHS, SETTLED, SETTLED], dtype=np.float64)  # past these, no band changes


class Reaching:
    """forecast.simulate.first_reaching on one table kept for many searches: the table's offset
    rows are built once, not at every call, with the same arithmetic (so the same answers)."""

    def __init__(self, cum: FloatArray) -> None:
        rows, self.width = cum.shape
        self.empty = self.width == 0
        if self.empty:
            return
        self.last = cum[:, -1]
        self.big = float(self.last.max()) + 2.0
        self.flat = (cum + np.arange(rows)[:, None] * self.big).ravel()
        # a narrow table (the destinations) is read row by row: the sorted search's answer is
        # the count of the flat table's entries below the target, and every entry of the rows
        # before is below it (a row's offset exceeds its entries by 2), none of the rows after
        self.narrow = self.width <= NARROW
        if self.narrow:
            self.columns = np.ascontiguousarray(self.flat.reshape(rows, self.width).T)

    def first(self, row: IntArray, target: FloatArray) -> IntArray:
        """For each (row, target): the first column where cum[row] ≥ target, or the row length."""
        if self.empty or len(row) == 0:
            return np.zeros(len(row), dtype=np.int64)
        capped = np.minimum(target, self.last[row] + 0.5)
        sought = row * self.big + capped
        if self.narrow:
            below = (self.columns.take(row, axis=1) < sought).sum(axis=0)
            return below.astype(np.int64)  # type: ignore[no-any-return]
        found = np.searchsorted(self.flat, sought, side="left")
        return (found - row * self.width).astype(np.int64)  # type: ignore[no-any-return]


class Layout:
    """One block's index arithmetic: the rate tables' order, and the band tables by whole months
    (padded in front, so that a view shifted by the month reads every child's entry)."""

    def __init__(self, size: int, steps: int) -> None:
        self.size = size
        self.groups = size * CATEGORIES * AGE_BANDS  # (path, category, age band)
        self.placed = self.groups  # + for a placement begun after the start
        self.stride = 2 * self.groups  # one band of time in placement and care to the next
        self.width = SETTLED + steps + 2  # whole months of time a table row holds
        self.age_pad = steps + 1
        months = np.arange(ADULT_MONTHS + steps + 2, dtype=np.float64)
        self.ages = np.concatenate([np.zeros(self.age_pad, np.intp), age_band_of_months(months)])
        self.adult = self.age_pad + ADULT_MONTHS
        time = np.arange(self.width, dtype=np.float64)
        band = duration_band(time)[:, None] * CARE_BANDS + care_band(time)[None, :]
        self.times_pad = (steps + 1) * (self.width + 1)
        self.times = np.concatenate([np.zeros(self.times_pad, np.intp), band.ravel() * self.stride])

    def laid_out(self, table: FloatArray) -> FloatArray:
        """(paths, categories, age, time in placement, time in care) as cells are numbered."""
        bands = table.reshape(self.size, CATEGORIES, AGE_BANDS, BANDS).transpose(3, 0, 1, 2)
        both = np.broadcast_to(bands.reshape(BANDS, 1, self.groups), (BANDS, 2, self.groups))
        return both.ravel()

    def row(self, cell: IntArray) -> IntArray:
        """Each cell's row of the (category, age, time in placement, time in care) tables."""
        category_age = cell % self.groups % (CATEGORIES * AGE_BANDS)
        return category_age * BANDS + cell // self.stride

    def base(self, path: IntArray, category: IntArray, placed: bool) -> IntArray:
        return (path * CATEGORIES + category) * AGE_BANDS + (self.placed if placed else 0)

    def path(self, base_or_cell: IntArray) -> IntArray:
        return (base_or_cell % self.groups) // (CATEGORIES * AGE_BANDS)

    def counts(self, key: IntArray) -> tuple[np.ndarray, np.ndarray]:
        """(paths, categories, age bands) children and (paths, categories) of them placed since
        the start, from the children's `key` (base + age band)."""
        both = np.bincount(key, minlength=self.stride).reshape(2, self.size, CATEGORIES, -1)
        return both.sum(axis=0), both[1].sum(axis=-1)

    def encode(
        self, wholes: tuple[IntArray, IntArray, IntArray], when: int
    ) -> tuple[IntArray, IntArray]:
        """(age, times) of clocks with these whole months at month `when`."""
        age, placement, care = wholes
        times = self.times_pad + placement * self.width + care - when * (self.width + 1)
        return self.age_pad + age - when, times


def _linear(clock: FloatArray) -> tuple[tuple[IntArray, IntArray, IntArray], np.ndarray]:
    """Whole months of (rows, 3) float32 clocks (as far as a band can tell them apart), and the
    odd rows: a clock under nought, not a number, or a hair under a whole month."""
    months = clock.astype(np.float64)
    whole = np.floor(months)
    linear = (months >= 0) & (months - whole < LINEAR)
    odd = ~(linear[:, 0] & linear[:, 1] & linear[:, 2])
    cut = np.minimum(whole, _CAPS)
    cut[odd] = 0.0
    cut = cut.astype(np.intp).T
    return (cut[0], cut[1], cut[2]), odd


def _exact(clock: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    """Whole months in the bands float32 clocks are in, worked out as the bands always were."""
    age = clock[:, 0]
    in_age = np.where(age >= ADULT_MONTHS, ADULT_MONTHS, _IN_AGE[age_band_of_months(age)])
    return (
        in_age,
        _IN_PLACEMENT[duration_band(clock[:, 1])],
        _IN_CARE[care_band(clock[:, 2])],
    )


class Children:
    """The children looked after on every path of a block, one row each (see the module's
    docstring), in the order their uniforms are drawn."""

    def __init__(self, layout: Layout, base: IntArray, clock: FloatArray, when: int) -> None:
        self.layout = layout
        self.base = base
        wholes, odd = _linear(clock)
        self.age, self.times = layout.encode(wholes, when)
        self.odd = np.flatnonzero(odd)  # rows
        self.odd_clock = clock[odd]
        self._put_right(when)
        self.keep = np.ones(len(base), dtype=bool)  # rows to keep at the month end

    def _put_right(self, when: int) -> None:
        if len(self.odd):
            self.age[self.odd], self.times[self.odd] = self.layout.encode(
                _exact(self.odd_clock), when
            )

    def key(self, month: int) -> IntArray:
        """Each child's (placed, path, category, age band) at the start of `month`."""
        return self.base + self.layout.ages[month:].take(self.age)  # type: ignore[no-any-return]

    def cell(self, month: int, key: IntArray) -> IntArray:
        step = month * (self.layout.width + 1)
        return key + self.layout.times[step:].take(self.times)  # type: ignore[no-any-return]

    def month_end(self, month: int, movers: IntArray, to: IntArray, leavers: IntArray) -> None:
        """The month's moves (rows `movers` to categories `to`: a new placement, its time
        starting again) and everyone a month older; the `leavers` and those turning 18 are to
        go (`settle`). How many turned 18 on each path is what the counts no longer hold."""
        layout = self.layout
        self.base[movers] = layout.base(layout.path(self.base[movers]), to, placed=True)
        # time in care runs on; time in placement is nought at this month's start
        run = self.times[movers] - layout.times_pad + month * (layout.width + 1)
        care = np.minimum(run % layout.width, SETTLED)
        self.times[movers] = layout.times_pad + care - month * (layout.width + 1)
        if len(self.odd):
            at = np.searchsorted(self.odd, movers)
            odd_movers = at[
                (at < len(self.odd)) & (self.odd[np.minimum(at, len(self.odd) - 1)] == movers)
            ]
            self.odd_clock[odd_movers, 1] = 0.0
            self.odd_clock += np.float32(1.0)
            self._put_right(month + 1)
        self.keep = self.age < layout.adult - (month + 1)
        self.keep[leavers] = False

    def settle(
        self, base: IntArray | None = None, clock: FloatArray | None = None, when: int = 0
    ) -> None:
        """Take out the rows gone at the month end and add the month's entrants still in care at
        its end (`base`, float32 `clock` at month `when`), after the others."""
        kept_rows = np.flatnonzero(self.keep)
        kept = len(kept_rows)
        rows = None if kept == len(self.base) else kept_rows
        new = (
            Children(self.layout, base, clock, when)
            if base is not None and clock is not None
            else None
        )
        joining = 0 if new is None else len(new.base)
        arrays = []
        for name in ("base", "age", "times"):
            array = getattr(self, name)
            out = np.empty(kept + joining, dtype=np.intp)
            if rows is None:
                out[:kept] = array
            else:
                np.take(array, rows, out=out[:kept])
            if new is not None:
                out[kept:] = getattr(new, name)
            arrays.append(out)
        self.base, self.age, self.times = arrays
        if rows is not None and len(self.odd):
            at = np.minimum(np.searchsorted(rows, self.odd), kept - 1)
            stays = rows[at] == self.odd if kept else np.zeros(len(self.odd), dtype=bool)
            self.odd, self.odd_clock = at[stays], self.odd_clock[stays]
        if new is not None and len(new.odd):
            self.odd = np.concatenate([self.odd, kept + new.odd])
            self.odd_clock = np.concatenate([self.odd_clock, new.odd_clock])
        self.keep = np.ones(len(self.base), dtype=bool)
