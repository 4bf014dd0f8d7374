"""Each placement line's ledger timing at a close: fitted (or given), and what it leaves to post.

The activity side is the placements known at the close, day by day at their commitments' prices
(care_cost.py) over the complete history years the ledger holds and the year to date; the
ledger side is the line's postings by period. What remains to post after the close comes from the
fitted schedule applied to the care known to the close and the care the engines expect after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.state import ActivityState
from carecast.forecast.assumptions import LedgerTiming
from carecast.forecast.care_cost import daily_care_cost
from carecast.forecast.history import LINES
from carecast.forecast.ledger_timing import (
    LineTiming,
    Observed,
    Remaining,
    fit_line_timing,
    remaining_postings,
)
from carecast.forecast.other_lines import complete_years, monthly_ledger
from carecast.forecast.payment_schedules import Grid, Schedule
from carecast.forecast.placement_lines import PlacementModel

HISTORY_YEARS = 3
PADDING_MONTHS = 3  # care before the first fitted month that a two-month lag still posts
MATTERS = 0.005  # a finding is printed when the timing moves the line by half a percent


@dataclass(frozen=True)
class FittedTiming:
    line: ServiceLine
    timing: LineTiming
    remaining: Remaining
    close: Period
    given: bool

    def as_json(self) -> dict[str, object]:
        return self.timing.as_json()

    @property
    def matters(self) -> bool:
        size = abs(self.remaining.window_care) + abs(self.remaining.unposted)
        return size > 0 and abs(self.remaining.timing) > MATTERS * size

    @property
    def finding(self) -> str:
        schedule = self.timing.schedule.describe()
        source = "as given" if self.given else f"found on {self.timing.months_fitted} months"
        accrual = (
            f"; period 12 accrues {self.timing.year_end_share:.0%} of the care unpaid at year end"
            if self.timing.year_end_share >= 0.1
            else ""
        )
        timing = self.remaining.timing
        return (
            f"{self.line.value}: the ledger is {schedule} ({source}){accrual}; "
            f"{_money(self.remaining.unposted)} of care to {self.close.last_day:%d %B} is not yet "
            f"posted, and in all the ledger will post {_money(abs(timing))} "
            f"{'more' if timing >= 0 else 'less'} than the placements cost from here to March"
        )

    def finding_json(self) -> dict[str, object]:
        return {
            "schedule": self.timing.schedule.describe(),
            "unposted": round(self.remaining.unposted, 2),
            "timing_adjustment": round(self.remaining.timing, 2),
            "months_fitted": self.timing.months_fitted,
            "history_years": self.timing.history_years,
            "finding": self.finding,
        }


def _money(amount: float) -> str:
    """£1.23m, or £45k below £100,000."""
    if abs(amount) >= 100_000:
        return f"£{amount / 1e6:,.2f}m"
    return f"£{round(amount / 1e3):,.0f}k"


def _grid(close: Period, years: list[FinancialYear]) -> Grid:
    start = min([close.financial_year, *years]).first_day
    month = start.month - 1 - PADDING_MONTHS
    first = date(start.year + month // 12, month % 12 + 1, 1)
    return Grid(first, (close.financial_year.last_day - first).days + 1)


def _given(timing: LedgerTiming) -> LineTiming:
    schedule = Schedule(timing.kind, timing.weights, timing.run_day, timing.lag_days)
    return LineTiming(
        schedule,
        timing.ledger_to_activity,
        timing.ledger_to_activity_sd,
        timing.year_end_accrual_share,
        timing.monthly_noise,
        0,
        0,
    )


def placement_timing(
    state: ActivityState,
    model: PlacementModel,
    period: Period,
    given: dict[ServiceLine, LedgerTiming] | None = None,
) -> dict[ServiceLine, FittedTiming]:
    """{line: fitted timing and what remains to post} for every placement line with postings."""
    monthly, seen = monthly_ledger(state.ledger, state.cost_centres)
    years = complete_years(seen, period.financial_year, HISTORY_YEARS)
    grid = _grid(period, years)
    known = daily_care_cost(
        model.placements,
        state.commitments,
        model.prices.weekly,
        first=grid.first,
        days=grid.days,
        until=period.last_day,
        past_commitments=state.past_commitments,
    )
    window_start = (model.window.first - grid.first).days
    out: dict[ServiceLine, FittedTiming] = {}
    for i, line in enumerate(LINES):
        posted = monthly.get(line, {})
        care = known.get(line, np.zeros(grid.days))
        ledger = np.full(grid.months, math.nan)
        for m in range(grid.months):
            month = grid.period(m)
            if month in seen and month <= period:
                ledger[m] = posted.get(month, 0.0)
        if not posted or not np.nansum(np.abs(ledger)) or not care.any():
            continue
        expected = np.zeros(grid.days)
        e = model.expected
        window = e.stay[i] + e.moves[i] + e.steps[i] + e.arrivals[i]
        expected[window_start : window_start + len(window)] = window
        history_start = years[-1] if years else period.financial_year
        if given is not None and line in given:
            timing, was_given = _given(given[line]), True
        else:
            timing = fit_line_timing(grid, Observed(ledger, care), period, history_start)
            was_given = False
        horizon = Period.containing(model.window.last)
        remaining = remaining_postings(timing, grid, care, expected, period, horizon)
        out[line] = FittedTiming(line, timing, remaining, period, was_given)
    return out


__all__ = ["FittedTiming", "placement_timing"]
