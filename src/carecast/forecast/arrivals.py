"""Expected arrivals into costed placements by line and month: level, trend and seasonality.

Arrivals are children starting a costed placement who were not in one the day before (new to care,
back in care, or leaving a placement with parents). The monthly total over the fitting window is a
Poisson regression on time (the trend, damped by its own uncertainty unless told otherwise), times
a seasonal factor per calendar month shrunk halfway to 1; it is split between lines by the recent
mix (weights halving every 12 months). Each estimate carries its uncertainty for the simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import LINES, FloatArray, History

HALF_LIFE_MONTHS = 12.0


@dataclass(frozen=True)
class ArrivalFit:
    """Fitted monthly arrivals: total = exp(level + trend × years) × season; split by `shares`."""

    level: float
    trend: float  # per year, after damping
    covariance: FloatArray  # (2, 2) of (level, trend)
    season: FloatArray  # (12,) by calendar month, January first; mean 1
    shares: FloatArray  # (lines,) mix of arrivals
    share_weight: float  # effective number of arrivals behind the mix
    reference: Period  # the month where the trend's time is 0
    observed_months: int
    drift_sd: float = 0.0  # how much the yearly rate wanders from year to year (log scale)

    def monthly(self, periods: list[Period]) -> FloatArray:
        """Expected arrivals, (len(periods), lines)."""
        params = np.array([[self.level, self.trend]])
        return np.asarray(self.sample(periods, params, self.shares[None, :])[0])

    def sample(self, periods: list[Period], params: FloatArray, shares: FloatArray) -> FloatArray:
        """Expected arrivals for each of n parameter draws: (n, months, lines)."""
        years = np.array([_months_between(self.reference, p) / 12 for p in periods])
        season = np.array([self.season[p.month - 1] for p in periods])
        total = np.exp(params[:, :1] + params[:, 1:2] * years[None, :]) * season[None, :]
        return total[:, :, None] * shares[:, None, :]  # type: ignore[no-any-return]


def _months_between(a: Period, b: Period) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _poisson_trend(
    counts: FloatArray, years: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Weighted maximum-likelihood (level, trend) of log-linear Poisson counts and their
    covariance (recent months weigh more: the level is local, as in exponential smoothing)."""
    design = np.column_stack([np.ones_like(years), years])
    beta = np.array([math.log(max(counts.mean(), 1e-3)), 0.0])
    for _ in range(25):
        mu = np.exp(design @ beta)
        information = design.T @ (design * (weights * mu)[:, None])
        step = np.linalg.solve(information, design.T @ (weights * (counts - mu)))
        beta = beta + step
        if np.abs(step).max() < 1e-9:
            break
    mu = np.exp(design @ beta)
    information = design.T @ (design * (weights * mu)[:, None])
    # sandwich-free approximation: the weights shrink the effective sample size
    effective = weights.sum() ** 2 / (weights**2).sum() / len(weights)
    covariance = np.linalg.inv(information) / effective * weights.mean()
    return beta, covariance


def fit_arrivals(
    history: History,
    last_month: Period,
    years: float,
    *,
    trend: str = "damped",
    seasonality: bool = True,
) -> ArrivalFit | None:
    """Fit on the whole months up to `last_month`; None when there are not 12 months of history."""
    months = max(12, round(years * 12))
    first_month = last_month
    for _ in range(months - 1):
        first_month = first_month.previous()
    coverage = _coverage_start(history)
    if coverage is None:
        return None
    while first_month.first_day < coverage and first_month < last_month:
        first_month = first_month.next()
    observed = _months_between(first_month, last_month) + 1
    if observed < 12:
        return None
    arrivals = history.arrival & (history.start >= first_month.first_day.toordinal())
    arrivals &= history.start <= last_month.last_day.toordinal()
    starts = [date.fromordinal(int(d)) for d in history.start[arrivals]]
    index = np.array([_months_between(first_month, Period.containing(d)) for d in starts], int)
    lines = history.line[arrivals]
    counts = np.zeros((observed, len(LINES)))
    np.add.at(counts, (index, lines), 1.0)
    total = counts.sum(axis=1)
    age = (observed - 1) - np.arange(observed)  # months before the last month
    years_axis = -age / 12.0
    weights = 0.5 ** (age / HALF_LIFE_MONTHS)
    beta, covariance = _poisson_trend(total, years_axis, weights)
    if trend == "none" or observed < 24:
        beta, covariance = _level_only(total)
    elif trend == "damped":
        variance = covariance[1, 1]
        beta = beta.copy()
        beta[1] *= beta[1] ** 2 / (beta[1] ** 2 + variance)
    season = np.ones(12)
    if seasonality and observed >= 24:
        fitted = np.exp(beta[0] + beta[1] * years_axis)
        month_of = np.array([(first_month.month - 1 + k) % 12 for k in range(observed)])
        seen = np.bincount(month_of, weights=total, minlength=12)
        expected = np.bincount(month_of, weights=fitted, minlength=12)
        prior = expected.mean()  # shrink each month's factor halfway (or more) to 1
        season = (seen + prior) / (expected + prior)
        season /= season.mean()
    weighted = (counts * weights[:, None]).sum(axis=0)
    share_weight = float(weighted.sum())
    shares = (weighted + 1e-6) / (share_weight + 1e-6 * len(LINES))
    return ArrivalFit(
        float(beta[0]),
        float(beta[1]),
        covariance,
        season,
        shares,
        share_weight,
        last_month,
        observed,
        _drift_sd(history, coverage, last_month),
    )


def _drift_sd(history: History, coverage: date, last_month: Period) -> float:
    """The year-to-year wandering of the arrival rate that no trend foresees: the spread of the
    changes in log yearly arrivals over every complete year on record, less its Poisson part."""
    years = []
    year = FinancialYear.containing(coverage)
    while year.last_day <= last_month.last_day:
        if year.first_day >= coverage:
            first, last = year.first_day.toordinal(), year.last_day.toordinal()
            count = int(
                (history.arrival & (history.start >= first) & (history.start <= last)).sum()
            )
            years.append(max(count, 1))
        year = FinancialYear(year.start_year + 1)
    if len(years) < 3:
        return 0.0
    counts = np.array(years, dtype=float)
    changes = np.diff(np.log(counts))
    poisson = float(np.mean(1 / counts[1:] + 1 / counts[:-1]))
    return float(np.sqrt(max(float(np.var(changes, ddof=1)) - poisson, 0.0)))


def _level_only(total: FloatArray) -> tuple[FloatArray, FloatArray]:
    mean = max(float(total.mean()), 1e-3)
    covariance = np.array([[1.0 / max(total.sum(), 1.0), 0.0], [0.0, 0.0]])
    return np.array([math.log(mean), 0.0]), covariance


def _coverage_start(history: History) -> date | None:
    """From when every arrival is on record: the start of the financial year of the earliest
    ending seen (a return lists every episode open in its year, so endings reveal coverage)."""
    if not history.ended.any():
        return None
    earliest = date.fromordinal(int(history.end[history.ended].min()))
    year = earliest.year if earliest.month >= 4 else earliest.year - 1
    return date(year, 4, 1)
