"""The payment schedules a ledger may follow, and what each posts of a line's care.

A schedule says when a day's care is posted (ledger_timing.py fits one to each line): monthly,
a mix of this month's care and the one or two before; or four-weekly payment runs, each paying
the four weeks that ended some days before it. `candidates` are every schedule the fit chooses
among, and `every_postings` works out all their postings of one line's care at once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property

import numpy as np

from carecast.domain.periods import Period
from carecast.forecast.history import FloatArray, IntArray

RUN_DAYS = 28
RUN_LAGS = (0, 7, 14, 21, 28)
WEIGHT_STEPS = 10  # monthly mixes on a grid of tenths


@dataclass(frozen=True)
class Schedule:
    """When a day's care is posted: `monthly` with lag weights, or `four_weekly` runs."""

    kind: str
    weights: tuple[float, float, float] = (1.0, 0.0, 0.0)
    phase: int = 0  # four_weekly: a run day's ordinal modulo 28
    lag_days: int = 0

    def describe(self) -> str:
        if self.kind == "four_weekly":
            return f"four-weekly payment runs, each paying to {self.lag_days} days before it"
        w0, w1, w2 = self.weights
        if w0 >= 0.9:
            return "posted in the month of the care"
        if w1 >= 0.9:
            return "paid monthly in arrears (about one month behind)"
        if w2 >= 0.9:
            return "paid about two months behind"
        behind = w1 + 2 * w2
        return f"posted on average {behind:.1f} months after the care"

    def as_json(self) -> dict[str, object]:
        if self.kind == "four_weekly":
            return {"kind": self.kind, "run_day": self.phase, "lag_days": self.lag_days}
        return {"kind": self.kind, "weights": [round(w, 2) for w in self.weights]}


@dataclass(frozen=True)
class Grid:
    """Days from `first` (the first day of a month) and the months they fall in."""

    first: date
    days: int

    # Computed once per grid: every candidate schedule of every line reads them.
    @cached_property
    def month_of_day(self) -> IntArray:
        ordinals = np.arange(self.days) + self.first.toordinal()
        # month index from the grid's first month, computed without building date objects
        return np.searchsorted(self.month_starts, ordinals, side="right") - 1

    @cached_property
    def month_starts(self) -> IntArray:
        out, day = [], self.first
        last = self.first.toordinal() + self.days
        while day.toordinal() < last:
            out.append(day.toordinal())
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return np.array(out, dtype=np.int64)

    @cached_property
    def months(self) -> int:
        return len(self.month_starts)

    @cached_property
    def every_run(self) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """The four-weekly candidates' rows among candidates(); for each of their payment runs,
        one after another, its (candidate, month) cell, and its last and first day paid + 1
        and + 0 (as `_paid_in_runs` finds them)."""
        rows: list[int] = []
        where: list[IntArray] = []
        last: list[IntArray] = []
        first: list[IntArray] = []
        for i, schedule in enumerate(candidates()):
            if schedule.kind == "monthly":
                continue
            runs = _run_days(schedule, self)
            last_paid = np.clip(runs - schedule.lag_days, -1, self.days - 1)
            where.append(len(rows) * self.months + self.month_of_day[runs])
            last.append(last_paid + 1)
            first.append(np.clip(last_paid - RUN_DAYS + 1, 0, self.days))
            rows.append(i)
        return (
            np.array(rows, dtype=np.int64),
            np.concatenate(where),
            np.concatenate(last),
            np.concatenate(first),
        )

    def period(self, index: int) -> Period:
        month = self.first.month - 1 + index
        return Period.containing(date(self.first.year + month // 12, month % 12 + 1, 1))

    def index(self, period: Period) -> int:
        return (period.first_day.year - self.first.year) * 12 + (
            period.first_day.month - self.first.month
        )


def postings(schedule: Schedule, grid: Grid, daily: FloatArray) -> FloatArray:
    """Monthly postings (months,) the schedule makes of `daily` care, at κ = 1."""
    month = grid.month_of_day
    months = grid.months
    if schedule.kind == "monthly":
        care = np.bincount(month, weights=daily, minlength=months)
        out = np.zeros(months)
        for lag, weight in enumerate(schedule.weights):
            if weight:
                out[lag:] += weight * care[: months - lag]
        return out
    return _paid_in_runs(schedule, grid, np.concatenate([[0.0], np.cumsum(daily)]))


def _paid_in_runs(schedule: Schedule, grid: Grid, cumulative: FloatArray) -> FloatArray:
    """A four-weekly schedule's monthly postings, from the care's running total (0 first)."""
    runs = _run_days(schedule, grid)
    last_paid = np.clip(runs - schedule.lag_days, -1, grid.days - 1)
    first_paid = np.clip(last_paid - RUN_DAYS + 1, 0, grid.days)
    paid = cumulative[last_paid + 1] - cumulative[first_paid]
    return np.bincount(grid.month_of_day[runs], weights=paid, minlength=grid.months).astype(
        np.float64
    )


def every_postings(grid: Grid, daily: FloatArray) -> FloatArray:
    """`postings` of every candidate schedule, (candidates, months), to the last bit: the same
    products added in the same order, with what is the same for every candidate (the care by
    month, its running total) worked out once rather than 206 times."""
    schedules = candidates()
    out = np.zeros((len(schedules), grid.months))
    monthly = [i for i, s in enumerate(schedules) if s.kind == "monthly"]
    care = np.bincount(grid.month_of_day, weights=daily, minlength=grid.months)
    weights = np.array([schedules[i].weights for i in monthly])
    for lag in range(3):
        rows = np.array(monthly)[weights[:, lag] != 0]  # a zero weight adds nothing
        out[rows, lag:] += weights[weights[:, lag] != 0, lag : lag + 1] * care[: grid.months - lag]
    # every four-weekly candidate's runs in one pass: each bin still adds its runs in order
    runs, where, last, first = grid.every_run
    cumulative = np.concatenate([[0.0], np.cumsum(daily)])
    paid = np.bincount(where, weights=cumulative[last] - cumulative[first], minlength=runs.size)
    out[runs] = paid.reshape(len(runs), grid.months)
    return out


def _run_days(schedule: Schedule, grid: Grid) -> IntArray:
    offset = (schedule.phase - grid.first.toordinal()) % RUN_DAYS
    return np.arange(offset, grid.days, RUN_DAYS, dtype=np.int64)


def unpaid_at(schedule: Schedule, grid: Grid, daily: FloatArray, day: int) -> float:
    """Care up to and including grid day `day` that the schedule has not posted by the end of
    that day's month (at κ = 1)."""
    month = int(grid.month_of_day[day])
    care_to_day = float(daily[: day + 1].sum())
    posted = postings(schedule, grid, np.where(np.arange(grid.days) <= day, daily, 0.0))
    return care_to_day - float(posted[: month + 1].sum())


@cache
def candidates() -> tuple[Schedule, ...]:
    """Every schedule the fit chooses among (built once)."""
    out = []
    for w0, w1 in itertools.product(range(WEIGHT_STEPS + 1), repeat=2):
        if w0 + w1 <= WEIGHT_STEPS:
            w2 = WEIGHT_STEPS - w0 - w1
            out.append(
                Schedule("monthly", (w0 / WEIGHT_STEPS, w1 / WEIGHT_STEPS, w2 / WEIGHT_STEPS))
            )
    out += [
        Schedule("four_weekly", phase=phase, lag_days=lag)
        for phase in range(RUN_DAYS)
        for lag in RUN_LAGS
    ]
    return tuple(out)
