"""The children of one block of simulated paths, kept from month to month at a cost that follows
the month's events rather than the number of children.

Every child is one row: its cell of the block's rate tables (path, category and the bands of age,
time in placement and time in care, as one index), its three clocks in months (float32: the
months added one a month, as they always were, so every band is reached in the very month it
was), whether its placement began after the start, and the month it must next be looked at. A
band changes only when a clock reaches one of the band limits, and the clocks all run at one
month a month, so the gap to the nearest limit says how many months nothing can change: the
row is looked at again then (a little early, never late — float32's rounding of a month's
addition is far smaller than `SLACK`), and otherwise only when it moves or leaves. The stock's
counts are kept the same way: taken from the rows that change and added back as they are now.
Each month's work over every child is then what its chance needs — the gather of its cell's
chance, its uniform, the comparison — and taking out the rows that left.
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

BANDS = DURATION_BANDS * CARE_BANDS  # cells of time in placement and in care, per age band
CELLS = CATEGORIES * AGE_BANDS * BANDS  # a path's cells of the rate tables
# float32 rounds a month's addition only as a clock passes a power of two (under 256 months: by
# at most 2^-17 a time), so a clock `gap` months short of a limit cannot reach it in fewer than
# ceil(gap − SLACK) months
SLACK = 1e-3
NEVER = 2**29  # the month a row past every limit is looked at (× 2 + 1 still an int32)


def _tables() -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """By whole months 0…216 on a clock (a band limit is a whole month, so a clock has reached it
    exactly when its whole months have): the age band, the cell offset of the time in placement,
    the time in care band, and (3, 217) the next limit of age (the 18th birthday the last, and
    reached at once past it), of time in placement and of time in care (none past the last)."""
    months = np.arange(ADULT_MONTHS + 1, dtype=np.float64)
    ahead = np.empty((3, len(months)))
    for row, limits in enumerate(((*AGE_MONTHS, ADULT_MONTHS), DURATION_MONTHS, CARE_MONTHS)):
        edges = np.array([*limits, np.inf])
        ahead[row] = edges[np.searchsorted(edges, months, side="right")]
    ahead[0, -1] = ADULT_MONTHS
    return (
        age_band_of_months(months),
        duration_band(months) * CARE_BANDS,
        care_band(months),
        ahead.ravel(),
    )


_AGE_BAND, _IN_PLACEMENT, _IN_CARE, _NEXT = _tables()
_TOP = np.float32(ADULT_MONTHS)
_COLUMN = np.array([0, 1, 2]) * (ADULT_MONTHS + 1)


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

    def first(self, row: IntArray, target: FloatArray) -> IntArray:
        """For each (row, target): the first column where cum[row] ≥ target, or the row length."""
        if self.empty or len(row) == 0:
            return np.zeros(len(row), dtype=np.int64)
        capped = np.minimum(target, self.last[row] + 0.5)
        found = np.searchsorted(self.flat, row * self.big + capped, side="left")
        return (found - row * self.width).astype(np.int64)  # type: ignore[no-any-return]


def cells_and_due(
    group: IntArray, clock: FloatArray, month: int
) -> tuple[IntArray, IntArray, np.ndarray]:
    """Rows' cells (from `group` = path × categories + category, and their clocks' bands), the
    month each must next be looked at (it can change band no sooner), and whether each is 18."""
    # whole months: a clock under nought (or not a number) is in the first band, as it was
    whole = np.clip(clock, 0, _TOP).astype(np.intp)
    age = whole[:, 0]
    cell = (group * AGE_BANDS + _AGE_BAND.take(age, mode="clip")) * BANDS
    cell += _IN_PLACEMENT.take(whole[:, 1], mode="clip") + _IN_CARE.take(whole[:, 2], mode="clip")
    gap = _NEXT.take(whole + _COLUMN, mode="clip") - clock
    # fmin: a clock that is not a number never reaches a limit (a reduction along rows is slow)
    ahead = np.ceil(np.fmin(np.fmin(gap[:, 0], gap[:, 1]), gap[:, 2]) - SLACK)
    later = np.isfinite(ahead) & (ahead < NEVER)
    due = np.where(later, month + np.maximum(ahead, 1.0, where=later, out=ahead), NEVER)
    return cell, due.astype(np.int32), age == ADULT_MONTHS


class Children:
    """The children looked after on every path of a block, one row each, and their counts."""

    def __init__(self, size: int, cell: IntArray, clock: FloatArray, due: IntArray) -> None:
        self.size = size
        self.cell = cell  # path × CELLS + the path's cell
        self.clock = clock  # (rows, 3) float32 months of age, in placement, in care
        # the month at whose end the row's bands must next be worked out, × 2, + 1 for a child in
        # a placement begun after the start (one array fewer to carry)
        self.code = due * 2
        self.stock = np.bincount(cell // BANDS, minlength=size * CATEGORIES * AGE_BANDS)
        self.in_new = np.zeros(size * CATEGORIES, dtype=np.int64)  # of stock: placed after start
        self.out = np.zeros(0, dtype=np.intp)  # rows gone at the month end, still to take out

    @classmethod
    def starting(cls, size: int, group: IntArray, clock: FloatArray) -> Children:
        cell, due, _ = cells_and_due(group, clock, -1)
        return cls(size, cell, clock, due)

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(size, categories, age bands) children and (size, categories) of them placed since
        the start."""
        stock = self.stock.reshape(self.size, CATEGORIES, AGE_BANDS)
        return stock, self.in_new.reshape(self.size, CATEGORIES)

    def _count(self, cell: IntArray, placed: np.ndarray, sign: int) -> None:
        age_group = cell // BANDS
        self.stock += sign * np.bincount(age_group, minlength=len(self.stock))
        self.in_new += sign * np.bincount(
            age_group[placed] // AGE_BANDS, minlength=len(self.in_new)
        )

    def month_end(
        self, month: int, ends: IntArray, leaving: np.ndarray, to: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Age everyone a month after the month's endings (`ends` rows: `leaving` them care, the
        rest moving to categories `to`); those leaving care and turning 18 are gone (`settle`
        takes them out). (Paths of the children who left care, of those who turned 18.)"""
        self.clock[ends[~leaving], 1] = 0.0  # a new placement: its time starts again
        self.clock += np.float32(1.0)
        look = self.code <= 2 * month + 1
        look[ends] = True
        looked = np.flatnonzero(look)
        before, code = self.cell.take(looked), self.code.take(looked)
        placed = (code & 1).astype(bool)
        self._count(before, placed, -1)
        group = before // (AGE_BANDS * BANDS)
        ended = np.searchsorted(looked, ends)
        gone = np.zeros(len(looked), dtype=bool)
        gone[ended[leaving]] = True
        moved = ended[~leaving]
        group[moved] += to - group[moved] % CATEGORIES
        placed[moved] = True
        cell, due, grown = cells_and_due(group, self.clock.take(looked, axis=0), month)
        grown &= ~gone
        stay = ~(gone | grown)
        self.cell[looked], self.code[looked] = cell, due * 2 + placed
        self._count(cell[stay], placed[stay], 1)
        self.out = looked[~stay]
        paths = group // CATEGORIES
        return paths[gone], paths[grown]

    def settle(
        self, month: int, group: IntArray | None = None, clock: FloatArray | None = None
    ) -> None:
        """Take out the rows gone at the month end and add the month's entrants still in care at
        its end (`group`, `clock`: all in placements begun since the start), after the others."""
        arrays = [self.cell, self.clock, self.code]
        if group is not None and clock is not None and len(group):
            cell, due, _ = cells_and_due(group, clock, month)
            placed = np.ones(len(cell), dtype=bool)
            self._count(cell, placed, 1)
            joining = [cell, clock, due * 2 + 1]
        elif not len(self.out):
            return
        else:
            joining = [a[:0] for a in arrays]
        keep = np.ones(len(self.cell), dtype=bool)
        keep[self.out] = False
        rows = np.flatnonzero(keep)
        kept = len(rows)
        settled = []
        for array, new in zip(arrays, joining, strict=True):
            out = np.empty((kept + len(new), *array.shape[1:]), dtype=array.dtype)
            np.take(array, rows, axis=0, out=out[:kept])
            out[kept:] = new
            settled.append(out)
        self.cell, self.clock, self.code = settled
        self.out = self.out[:0]
