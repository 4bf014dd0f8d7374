"""Backtesting: score each past period's forecast against the year's actual outturn, beside baselines.

A backtest replays a finished year: at each period's close the engines see only what was known then
(the service rebuilds that `ActivityState` from the store), and every forecast is compared with the
year's actual outturn, per service line and in total. Three baselines stand beside carecast:
- `commitments_only`: actuals to date + open commitments, posts and allowances to year end — what
  finance systems already do, and what under-forecasts when demand grows;
- `straight_line`: actuals to date ÷ periods elapsed × 12;
- `budget`: the year's budget, i.e. assuming the line will come in on budget.
An error is forecast − actual, so a negative error is an under-forecast (an overspend seen late).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import LedgerEntry
from carecast.domain.money import round_pounds
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.provenance import Forecast
from carecast.domain.state import ActivityState
from carecast.forecast.actuals import actuals_to_date
from carecast.forecast.commitments_only import forecast_commitments_only
from carecast.forecast.outturn import forecast_outturn

CARECAST = "carecast"
COMMITMENTS_ONLY = "commitments_only"
STRAIGHT_LINE = "straight_line"
BUDGET = "budget"
BASELINES = (COMMITMENTS_ONLY, STRAIGHT_LINE, BUDGET)
METHODS = (CARECAST, *BASELINES)
ZERO = Decimal(0)
HUNDRED = Decimal(100)

Engine = Callable[[ActivityState, Period], Forecast]


def error_pct(forecast: Decimal, actual: Decimal) -> Decimal | None:
    """(forecast − actual) as a percentage of the actual's size; None when the actual is zero."""
    if actual == 0:
        return None
    return (forecast - actual) / abs(actual) * HUNDRED


@dataclass(frozen=True, slots=True)
class Score:
    """One forecast of one figure (a line or the total) against what it turned out to be."""

    actual: Decimal
    forecast: Decimal
    baselines: Mapping[str, Decimal]
    p10: Decimal | None = None
    p90: Decimal | None = None

    def value(self, method: str = CARECAST) -> Decimal:
        return self.forecast if method == CARECAST else self.baselines[method]

    def error(self, method: str = CARECAST) -> Decimal:
        return self.value(method) - self.actual

    def error_pct(self, method: str = CARECAST) -> Decimal | None:
        return error_pct(self.value(method), self.actual)

    @property
    def within_interval(self) -> bool | None:
        """Whether the 80% interval held the outturn; None when the forecast gave no interval."""
        if self.p10 is None or self.p90 is None:
            return None
        return self.p10 <= self.actual <= self.p90


@dataclass(frozen=True, slots=True)
class PeriodScore:
    period: Period
    knowledge_date: date
    total: Score
    lines: Mapping[ServiceLine, Score]


@dataclass(frozen=True)
class Backtest:
    """A year replayed period by period. `skipped` names periods that could not be replayed."""

    financial_year: FinancialYear
    actual_by_line: Mapping[ServiceLine, Decimal]
    budget_by_line: Mapping[ServiceLine, Decimal]
    periods: tuple[PeriodScore, ...]
    skipped: tuple[tuple[Period, str], ...] = field(default_factory=tuple)

    @property
    def actual_outturn(self) -> Decimal:
        return sum(self.actual_by_line.values(), ZERO)

    @property
    def budget(self) -> Decimal:
        return sum(self.budget_by_line.values(), ZERO)

    def at(self, number: int) -> PeriodScore | None:
        """The score of period `number` (1–12), if it was replayed."""
        return next((p for p in self.periods if p.period.number == number), None)


def missing_ledger_periods(ledger: Iterable[LedgerEntry], year: FinancialYear) -> list[Period]:
    """The periods of `year` for which the ledger holds no postings at all."""
    posted = {entry.period for entry in ledger}
    return [period for period in year.periods() if period not in posted]


def actual_outturn(state: ActivityState, year: FinancialYear) -> dict[ServiceLine, Decimal]:
    """The year's ledger by service line; spend on unmapped cost centres counts in other_costs,
    exactly as the forecast counts it, so forecast and outturn are measured on the same basis."""
    actuals = actuals_to_date(state.ledger, state.cost_centres, Period.of(year, 12))
    by_line = dict(actuals.by_line)
    if actuals.unmapped:
        by_line[ServiceLine.OTHER_COSTS] = by_line.get(ServiceLine.OTHER_COSTS, ZERO) + sum(
            actuals.unmapped.values(), ZERO
        )
    return by_line


def straight_line(forecast: Forecast) -> dict[ServiceLine, Decimal]:
    """Each line's actuals to date run on at the same monthly rate to year end, to the penny."""
    months = Decimal(forecast.period.number)
    return {
        line.service_line: round_pounds(line.actual_to_date / months * 12)
        for line in forecast.lines
    }


def score_period(
    carecast: Forecast,
    commitments_only: Forecast,
    actual_by_line: Mapping[ServiceLine, Decimal],
) -> PeriodScore:
    """Score one period's carecast forecast and its baselines against the actual outturn."""
    ours = {line.service_line: line for line in carecast.lines}
    theirs = {line.service_line: line.forecast_outturn for line in commitments_only.lines}
    budget = {line.service_line: line.budget for line in (*commitments_only.lines, *carecast.lines)}
    straight = straight_line(commitments_only) | straight_line(carecast)
    lines: dict[ServiceLine, Score] = {}
    for line in sorted(set(ours) | set(theirs) | set(actual_by_line), key=list(ServiceLine).index):
        own = ours.get(line)
        lines[line] = Score(
            actual=actual_by_line.get(line, ZERO),
            forecast=own.forecast_outturn if own is not None else ZERO,
            baselines={
                COMMITMENTS_ONLY: theirs.get(line, ZERO),
                STRAIGHT_LINE: straight.get(line, ZERO),
                BUDGET: budget.get(line, ZERO),
            },
            p10=own.p10 if own is not None else None,
            p90=own.p90 if own is not None else None,
        )
    # The total's interval is the forecast's own: quantiles of lines do not add up to the total's.
    total = Score(
        actual=sum((s.actual for s in lines.values()), ZERO),
        forecast=sum((s.forecast for s in lines.values()), ZERO),
        baselines={
            name: sum((s.baselines[name] for s in lines.values()), ZERO) for name in BASELINES
        },
        p10=carecast.p10,
        p90=carecast.p90,
    )
    return PeriodScore(carecast.period, carecast.knowledge_date, total, lines)


def replay_period(
    state: ActivityState,
    period: Period,
    actual_by_line: Mapping[ServiceLine, Decimal],
    engine: Engine = forecast_outturn,
    baseline: Engine = forecast_commitments_only,
) -> PeriodScore:
    """Forecast `period` from what `state` knew and score it; `state` must be that close's state."""
    return score_period(engine(state, period), baseline(state, period), actual_by_line)


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Median absolute error (%) of one method at one period number over many backtests."""

    period_number: int
    method: str
    median_abs_error_pct: Decimal | None
    scored: int


def median_abs_error(backtests: Iterable[Backtest], period_number: int, method: str) -> Accuracy:
    """The median |error %| of the total-outturn forecast at period `period_number`."""
    errors = [
        abs(pct)
        for backtest in backtests
        if (score := backtest.at(period_number)) is not None
        and (pct := score.total.error_pct(method)) is not None
    ]
    return Accuracy(
        period_number, method, statistics.median(errors) if errors else None, len(errors)
    )


def interval_coverage(
    backtests: Iterable[Backtest], period_numbers: Iterable[int] = range(1, 12)
) -> tuple[int, int]:
    """(periods whose 80% interval held the total outturn, periods that gave an interval).

    P12 is left out by default: at its close the year's ledger is complete, so it tests nothing.
    """
    wanted = set(period_numbers)
    held = [
        inside
        for backtest in backtests
        for score in backtest.periods
        if score.period.number in wanted and (inside := score.total.within_interval) is not None
    ]
    return sum(held), len(held)
