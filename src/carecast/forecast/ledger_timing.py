"""How each line's ledger lags the care that causes its spend, learned from the council's own data.

The ledger records payments, not care (DOMAIN.md, "How the ledger lags activity"), and each
council pays on its own schedule. For a line with an activity series — placements × weekly cost,
day by day — the council's ledger by period is compared with that activity, and the payment
schedule that explains the postings best is chosen among:
- monthly: a period posts a mix (w0, w1, w2) of the care of this month and the one or two before
  (paid in the month, monthly in arrears, or partly late);
- four-weekly: a payment run every 28 days pays the four weeks that ended `lag_days` before it, so
  some months post two runs (the run days are found from which months did);
then a year-end accrual: period 12 carries a share α of the care not yet paid on 31 March and
period 1 of the next year reverses it. Each year's ledger is a scale κ of its schedule (prices
paid are not exactly those recorded); the current year's κ comes from its own months so far,
shrunk toward the last year's by how well each is measured.

What is left to post after the close is then the schedule applied to the activity known to date
and expected to year end: the care incurred but not yet posted, the care of the rest of the year
that posts by March, and whatever the year-end accrual brings in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import BoolArray, FloatArray, IntArray
from carecast.forecast.payment_schedules import (
    Grid,
    Schedule,
    candidates,
    every_postings,
    postings,
    unpaid_at,
)

MIN_FIT_MONTHS = 4
PRIOR_KAPPA_SD = 0.15  # how far one year's ledger-to-activity ratio may stray without history
MIN_KAPPA_SD = 0.02
MAX_ALPHA = 1.2
FOUR_WEEKLY_EVIDENCE = 0.6
NO_EVIDENCE_NOISE = 0.1
KAPPA_RANGE = (0.5, 2.0)  # a ledger paying outside this of what its placements cost is not theirs
MAX_NOISE = 0.5  # a schedule that leaves months this far off does not explain the ledger


@dataclass(frozen=True)
class LineTiming:
    """The fitted timing of one line, and how well the council's postings bear it out."""

    schedule: Schedule
    kappa: float  # the current year's ledger ÷ scheduled activity
    kappa_sd: float
    year_end_share: float  # α: share of the care unpaid on 31 March accrued in period 12
    noise: float  # relative spread of one month's postings about the schedule
    months_fitted: int
    history_years: int

    def as_json(self) -> dict[str, object]:
        """In the shape of the `ledger_timing` assumption, so that it can be given back."""
        schedule = self.schedule
        return {
            "kind": schedule.kind,
            "weights": list(schedule.weights),
            "run_day": schedule.phase,
            "lag_days": schedule.lag_days,
            # full precision: given back, these reproduce the forecast to the penny
            "ledger_to_activity": self.kappa,
            "ledger_to_activity_sd": self.kappa_sd,
            "year_end_accrual_share": self.year_end_share,
            "monthly_noise": self.noise,
        }


@dataclass(frozen=True)
class Observed:
    """A line's ledger by month on the grid (NaN where the ledger has no such period)."""

    ledger: FloatArray
    daily: FloatArray  # care per day, known to the close


def _fit_months(grid: Grid, ledger: FloatArray, close: Period, padding: int) -> IntArray:
    """Months to choose the schedule on: posted, after the padding, not P1 or P12, to the close."""
    last = grid.index(close)
    keep = [
        m
        for m in range(padding, min(last + 1, grid.months))
        if not math.isnan(ledger[m]) and grid.period(m).number not in (1, 12)
    ]
    return np.array(keep, dtype=np.int64)


def _years(grid: Grid, months: IntArray) -> IntArray:
    return np.array([grid.period(int(m)).financial_year.start_year for m in months], dtype=np.int64)


def _scales(
    predicted: FloatArray, by_year: list[tuple[int, BoolArray, FloatArray]]
) -> dict[int, float]:
    """κ of each year: its months' (rows') ledger regressed on the schedule's postings."""
    out: dict[int, float] = {}
    for year, rows, ledger in by_year:
        p = predicted[rows]
        denominator = float(p @ p)
        out[year] = float(p @ ledger) / denominator if denominator > 0 else 1.0
    return out


def choose_schedule(
    grid: Grid, observed: Observed, close: Period, padding: int
) -> tuple[Schedule, float, dict[int, float], int]:
    """(schedule, relative noise, κ by financial year, months fitted) with the least error."""
    months = _fit_months(grid, observed.ledger, close, padding)
    if len(months) < MIN_FIT_MONTHS:
        return Schedule("monthly"), NO_EVIDENCE_NOISE, {}, len(months)
    ledger = observed.ledger[months]
    years = _years(grid, months)
    scale = float(np.abs(ledger).mean()) or 1.0
    best: dict[str, tuple[float, Schedule, dict[int, float]]] = {}
    unique, year_of_month = np.unique(years, return_inverse=True)
    by_year = [(int(y), years == y, ledger[years == y]) for y in unique]
    every = every_postings(grid, observed.daily)[:, months]
    for schedule, predicted in zip(candidates(), every, strict=True):
        kappas = _scales(predicted, by_year)
        fitted = predicted * np.array(list(kappas.values()))[year_of_month]
        error = float(((ledger - fitted) ** 2).sum())
        leader = best.get(schedule.kind)
        if leader is None or error < leader[0] - 1e-9 * scale**2:
            best[schedule.kind] = (error, schedule, kappas)
    # Payment runs have 28 × 5 ways to fit a ledger's noise: they must explain it clearly better
    # than a monthly schedule before they are believed.
    runs, monthly = best["four_weekly"], best["monthly"]
    chosen = runs if runs[0] < FOUR_WEEKLY_EVIDENCE * monthly[0] else monthly
    error, schedule, kappas = chosen
    noise = math.sqrt(error / len(months)) / scale
    return schedule, noise, kappas, len(months)


def fit_line_timing(
    grid: Grid, observed: Observed, close: Period, history_start: FinancialYear
) -> LineTiming:
    """Fit the schedule, α and the current year's κ for one line."""
    padding = max(grid.index(history_start.periods()[0]), 2)
    schedule, noise, kappas, fitted = choose_schedule(grid, observed, close, padding)
    if fitted < MIN_FIT_MONTHS:
        # too few months to tell a convention: the care is taken as posted when it happens, and
        # the interval carries the doubt
        return LineTiming(schedule, 1.0, PRIOR_KAPPA_SD, 0.0, noise, fitted, 0)
    if noise > MAX_NOISE or any(not KAPPA_RANGE[0] <= k <= KAPPA_RANGE[1] for k in kappas.values()):
        # the line's placements do not explain its ledger (other spend posts there, or its care
        # is not costed): no timing is read into it
        return LineTiming(Schedule("monthly"), 1.0, PRIOR_KAPPA_SD, 0.0, NO_EVIDENCE_NOISE, 0, 0)
    predicted = postings(schedule, grid, observed.daily)
    current = close.financial_year.start_year
    alpha = _year_end_share(grid, observed, schedule, predicted, kappas, close)
    # the current year's κ: its own months (P1 corrected for the reversal), shrunk to last year's
    history = sorted(y for y in kappas if y < current)
    prior = kappas[history[-1]] if history else 1.0
    steps = np.diff([kappas[y] for y in history])
    # the prior's error is the size of a year's step, drift included: the root mean square of
    # the steps, not their spread about their mean (a steady drift is not certainty)
    tau = max(
        float(np.sqrt(np.mean(steps**2))) if len(steps) >= 2 else PRIOR_KAPPA_SD, MIN_KAPPA_SD
    )
    if not history:
        tau = PRIOR_KAPPA_SD
    precision, weighted = 1 / tau**2, prior / tau**2
    first = grid.index(close.financial_year.periods()[0])
    months = _fit_months(grid, observed.ledger, close, padding)
    # one month's error in pounds: noise is relative to the line's typical month
    sigma = max(noise, 0.01) * float(np.abs(observed.ledger[months]).mean())
    reversal = alpha * prior * _unpaid_year_end(grid, observed, schedule, current - 1)
    for m in range(first, grid.index(close) + 1):
        if m >= grid.months or math.isnan(observed.ledger[m]) or predicted[m] <= 0:
            continue
        basis = predicted[m] - (reversal / max(prior, 1e-9) if m == first else 0.0)
        if basis <= 0:
            continue
        precision += basis**2 / sigma**2
        weighted += basis * observed.ledger[m] / sigma**2
    kappa = min(max(weighted / precision, KAPPA_RANGE[0]), KAPPA_RANGE[1])
    return LineTiming(schedule, kappa, 1 / math.sqrt(precision), alpha, noise, fitted, len(history))


def _unpaid_year_end(grid: Grid, observed: Observed, schedule: Schedule, start_year: int) -> float:
    day = (date(start_year + 1, 3, 31) - grid.first).days
    if day < 0 or day >= grid.days:
        return 0.0
    return unpaid_at(schedule, grid, observed.daily, day)


def _year_end_share(  # noqa: PLR0917 - the fit's parts, each used once
    grid: Grid,
    observed: Observed,
    schedule: Schedule,
    predicted: FloatArray,
    kappas: dict[int, float],
    close: Period,
) -> float:
    """α by least squares on P12's excess over the schedule and P1's shortfall after it."""
    numerator = denominator = 0.0
    for year, kappa in kappas.items():
        unpaid = kappa * _unpaid_year_end(grid, observed, schedule, year)
        if unpaid <= 0:
            continue
        march = grid.index(Period.of(FinancialYear(year), 12))
        april = march + 1
        if (
            march < grid.months
            and march <= grid.index(close)
            and not math.isnan(observed.ledger[march])
        ):
            numerator += unpaid * (observed.ledger[march] - kappa * predicted[march])
            denominator += unpaid**2
        following = kappas.get(year + 1)
        if (
            following is not None
            and april <= grid.index(close)
            and not math.isnan(observed.ledger[april])
        ):
            numerator -= unpaid * (observed.ledger[april] - following * predicted[april])
            denominator += unpaid**2
    if denominator <= 0:
        return 0.0
    return float(min(max(numerator / denominator, 0.0), MAX_ALPHA))


@dataclass(frozen=True)
class Remaining:
    """What the ledger will post after the close, split by where it comes from."""

    unposted: float  # care to the close not yet posted, that posts by year end (incl. accrual)
    window_posted: float  # care after the close that posts (or is accrued) by year end
    window_care: float  # care after the close at κ = 1 (what committed + demand already hold)
    sd: float

    @property
    def timing(self) -> float:
        """What to add to the activity forecast of the window to get the postings."""
        return self.unposted + self.window_posted - self.window_care


def remaining_postings(  # noqa: PLR0917 - the fit, the grid and the care on it
    timing: LineTiming,
    grid: Grid,
    known: FloatArray,
    expected: FloatArray,
    close: Period,
    horizon: Period | None = None,
) -> Remaining:
    """Postings after `close` to the end of `horizon` (default: year end) from care `known` to the
    close and `expected` after it (both daily on the grid, zero outside their span); a year-end
    accrual only counts when the horizon is the year's end."""
    schedule, kappa = timing.schedule, timing.kappa
    horizon = horizon or Period.of(close.financial_year, 12)
    after = grid.index(close) + 1
    last = grid.index(horizon)
    year_end = (close.financial_year.last_day - grid.first).days
    from_known = postings(schedule, grid, known)[after : last + 1].sum()
    from_expected = postings(schedule, grid, expected)[after : last + 1].sum()
    alpha = timing.year_end_share if horizon.number == 12 else 0.0
    unpaid_known = unpaid_at(schedule, grid, known, year_end) if alpha else 0.0
    unpaid_expected = unpaid_at(schedule, grid, expected, year_end) if alpha else 0.0
    unposted = kappa * (from_known + alpha * unpaid_known)
    window_posted = kappa * (from_expected + alpha * unpaid_expected)
    total = unposted + window_posted
    months = max(last - after + 1, 1)
    sd = math.sqrt(
        (timing.kappa_sd * total / max(kappa, 1e-9)) ** 2
        + (timing.noise * total / months) ** 2 * months
    )
    return Remaining(float(unposted), float(window_posted), float(expected.sum()), sd)
