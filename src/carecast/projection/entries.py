"""Children entering care each month: a Poisson regression with trend and seasonality.

Entries are children starting a placement who were not looked after the day before. The monthly
count over the fitting window is regressed on time (the trend, per year) and one seasonal wave
(a sine and cosine of the calendar month), with log(0–17 population ÷ 10,000) as an offset when the
council's population is known, so the level is a rate per 10,000 children and a growing population
brings more entries at the same rate. The trend is damped by its own uncertainty (a trend no
better measured than its standard error counts half), and the parameters' covariance, widened by
the counts' overdispersion, is what the simulation draws each path's entry rate from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import OUT, FloatArray, History

TERMS = ("level", "trend_per_year", "season_sin", "season_cos")
MIN_MONTHS = 12  # fewer whole months cannot tell a level from a season
TREND_MONTHS = 24  # a trend or a season needs two years of months


@dataclass(frozen=True)
class EntryFit:
    """log(expected entries in a month) = design · beta + offset (see `design`)."""

    beta: FloatArray  # (4,) TERMS
    covariance: FloatArray  # (4, 4), zero for the terms not fitted
    dispersion: float  # variance ÷ mean of the monthly counts about the fit, at least 1
    reference: Period  # the month where the trend's time is 0 (the last month fitted)
    months: int  # whole months fitted
    entries: int  # entries counted in them
    per_population: bool  # beta's level is per 10,000 children aged 0–17


def months_between(a: Period, b: Period) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def design(reference: Period, periods: list[Period]) -> FloatArray:
    """(months, 4): 1, years since `reference`, and the seasonal wave of each month."""
    years = np.array([months_between(reference, p) / 12 for p in periods])
    angle = np.array([2 * math.pi * (p.month - 1) / 12 for p in periods])
    return np.column_stack([np.ones_like(years), years, np.sin(angle), np.cos(angle)])


def population_offset(population: Mapping[int, float] | None, periods: list[Period]) -> FloatArray:
    """log(children aged 0–17 ÷ 10,000) in the middle of each month, read between mid-year
    estimates and held at the first or last estimate outside them; zeros without a population."""
    if not population:
        return np.zeros(len(periods))
    years = sorted(population)
    known = np.array([date(y, 7, 1).toordinal() for y in years], dtype=float)
    values = np.array([population[y] for y in years], dtype=float)
    middle = np.array([p.first_day.toordinal() + 14 for p in periods], dtype=float)
    offset: FloatArray = np.log(np.interp(middle, known, values) / 10_000)
    return offset


def coverage_start(history: History) -> date | None:
    """From when every entry is on record: the start of the financial year of the earliest
    ending (an SSDA903 return lists every episode open in its year, so endings reveal coverage)."""
    if not history.ended.any():
        return None
    return FinancialYear.containing(
        date.fromordinal(int(history.end[history.ended].min()))
    ).first_day


def entry_rows(history: History) -> np.ndarray:
    """Placements that begin a period of care (nothing the day before)."""
    return np.flatnonzero(history.previous == OUT)


def _poisson(
    counts: FloatArray, x: FloatArray, offset: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood coefficients of a log-linear Poisson model (Newton's method) and their
    covariance (the inverse Fisher information)."""
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(max(counts.mean(), 1e-3) / float(np.exp(offset).mean()))
    information = np.eye(x.shape[1])
    for _ in range(50):
        mu = np.exp(x @ beta + offset)
        information = x.T @ (x * mu[:, None])
        step = np.linalg.solve(information, x.T @ (counts - mu))
        beta = beta + step
        if np.abs(step).max() < 1e-10:
            break
    information = x.T @ (x * np.exp(x @ beta + offset)[:, None])
    covariance: FloatArray = np.asarray(np.linalg.inv(information), dtype=np.float64)
    return beta, covariance


def fit_entries(
    history: History,
    last_month: Period,
    years: float,
    population: Mapping[int, float] | None,
) -> EntryFit | None:
    """Fit on the whole months up to `last_month` (at most `years` of them); None when fewer than
    MIN_MONTHS are on record or none saw an entry."""
    coverage = coverage_start(history)
    if coverage is None:
        return None
    first = Period.containing(max(coverage, date(last_month.year - 10, 1, 1)))
    wanted = max(MIN_MONTHS, round(years * 12))
    while months_between(first, last_month) + 1 > wanted:
        first = first.next()
    observed = months_between(first, last_month) + 1
    periods = [first]
    while len(periods) < observed:
        periods.append(periods[-1].next())
    rows = entry_rows(history)
    starts = history.start[rows]
    inside = (starts >= first.first_day.toordinal()) & (starts <= last_month.last_day.toordinal())
    index = [
        months_between(first, Period.containing(date.fromordinal(int(d)))) for d in starts[inside]
    ]
    counts = np.bincount(np.array(index, dtype=np.int64), minlength=observed).astype(float)
    if observed < MIN_MONTHS or counts.sum() == 0:
        return None
    fitted = [0, 1, 2, 3] if observed >= TREND_MONTHS else [0]
    x = design(last_month, periods)
    offset = population_offset(population, periods)
    beta_fit, covariance_fit = _poisson(counts, x[:, fitted], offset)
    mu = np.exp(x[:, fitted] @ beta_fit + offset)
    dispersion = max(1.0, float(((counts - mu) ** 2 / mu).sum()) / max(observed - len(fitted), 1))
    beta = np.zeros(len(TERMS))
    covariance = np.zeros((len(TERMS), len(TERMS)))
    beta[fitted] = beta_fit
    covariance[np.ix_(fitted, fitted)] = covariance_fit * dispersion
    if covariance[1, 1] > 0:
        beta[1] *= beta[1] ** 2 / (beta[1] ** 2 + covariance[1, 1])
    return EntryFit(
        beta, covariance, dispersion, last_month, observed, int(counts.sum()), bool(population)
    )
