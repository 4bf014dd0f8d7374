"""Children entering care each month: a Poisson regression with a season, read at its local level.

Entries are children starting a placement who were not looked after the day before. The monthly
count over the fitting window is regressed on time (the trend, per year) and one seasonal wave
(a sine and cosine of the calendar month), with log(0–17 population ÷ 10,000) as an offset when the
council's population is known, so the level is a rate per 10,000 children and a growing population
brings more entries at the same rate. The level is the entry rate's local level: a rate that
wanders from year to year is best read today from the months weighted as a Kalman filter weighs
them — recent months more, by as much as the wander outweighs the counts' chance. England's
councils' yearly changes say the wander is part a random walk (which the simulation carries on)
and part a passing year's noise (which it draws afresh each year): WALK_SHARE of the changes'
variance is the walk's, so the filter weighs the latest months less than a walk alone would (on
DfE's starters, the year-ahead median miss 13.4% → 12.9%, two years ahead 15.3% → 14.3%). The
parameters' covariance, widened by the counts' overdispersion, is what the simulation draws each
path's entry rate from.

The trend is measured (so that the season and the level are read net of it) and reported, but
carried forward only when it stands beyond three of its errors — the wander's share included —
and then shrunk by its uncertainty: a random walk's best forecast is its level, and three years of
a wandering rate show slopes that are mostly its wander. On DfE's published starters of 157
councils (2018–2025, `bench/entry_level_real.py`), carrying every shrunk three-year slope forward
made the miss of the year after larger (rms 23.7% against 20.9% for the level alone) and of the
year after that much larger (33.5% against 24.5%); carried only beyond three errors, with the
level read as above, the misses are 20.8% and 24.5% (medians 13.0% and 14.3%), and a collapse or
surge of entries (Social Finance's samples, whose entries halved in two years) is still followed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import OUT, FloatArray, History

TERMS = ("level", "trend_per_year", "season_sin", "season_cos")
MIN_MONTHS = 12  # fewer whole months cannot tell a level from a season
TREND_MONTHS = 24  # a slope or a season needs two years of months
MIN_DRIFT_YEARS = 3  # two changes between years, at least, to measure their spread
LEVEL_MONTHS_BACK = 5.5  # the trend's time 0: the middle of the last twelve months fitted
# England's median wander weighs as much as this many yearly changes of a council's own: the
# councils' own wanders spread about it as much as that (bench/entry_level_real.py, DfE's starters)
PRIOR_DRIFT_CHANGES = 2.6
# England's councils' yearly wander is part a random walk, part a passing year's noise: the
# lag-one covariance of their yearly changes puts this share of the changes' variance
# (σ_walk² + 2σ_passing²) in the walk (bench/entry_level_real.py, DfE's starters)
WALK_SHARE = 0.55
# a slope is carried on only beyond this many of its errors (bench/entry_level_real.py: on DfE's
# starters the median miss is then the level's own, where carrying every shrunk slope was worse)
TREND_ERRORS = 3.0


@dataclass(frozen=True)
class EntryFit:
    """log(expected entries in a month) = design · beta + offset (see `design`)."""

    beta: FloatArray  # (4,) TERMS
    covariance: FloatArray  # (4, 4), zero for the terms not fitted
    dispersion: float  # variance ÷ mean of the monthly counts about the fit, at least 1
    reference: Period  # the last month fitted (the trend's time 0 is 5½ months before it)
    months: int  # whole months fitted
    entries: int  # entries counted in them
    per_population: bool  # beta's level is per 10,000 children aged 0–17
    drift_sd: float = 0.0  # how far the log yearly entry rate wanders from year to year
    drift_years: int = 0  # complete years of the council's own the wander was measured on
    # "council" (its own years, moderated by England's when given), "england" (the prior alone)
    # or "none"; drift_measured_sd is the council's own years' alone
    drift_source: str = "none"
    # the slope the window shows (per year, log scale) and its standard error with the wander's
    # share; beta's trend is what is carried on of it (most often none: the module's docstring)
    trend_measured: float = 0.0
    trend_standard_error: float = 0.0
    drift_measured_sd: float = 0.0

    @property
    def walk_sd(self) -> float:
        """The random walk's part of the yearly wander (σ a year)."""
        return wander_parts(self.drift_sd)[0]

    @property
    def passing_sd(self) -> float:
        """A passing year's noise about the walk (σ)."""
        return wander_parts(self.drift_sd)[1]


def months_between(a: Period, b: Period) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def design(reference: Period, periods: list[Period]) -> FloatArray:
    """(months, 4): 1, years since the middle of the twelve months to `reference`, and the
    seasonal wave of each month. The slope's time 0 is the middle of the last year, where the
    fitted line's level moves least with its slope; the projection's level is read again under
    the slope it carries (`local_level`), most often none."""
    years = np.array([(months_between(reference, p) + LEVEL_MONTHS_BACK) / 12 for p in periods])
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
    drift_prior: float | None = None,
) -> EntryFit | None:
    """Fit on the whole months up to `last_month` (at most `years` of them); None when fewer than
    MIN_MONTHS are on record or none saw an entry. `drift_prior` is the yearly wander to assume
    when the council's own years are too few to measure it (median_drift's, England's)."""
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
    measured_sd, drift_years = yearly_drift(history, coverage, last_month, population)
    drift_sd, drift_source = yearly_wander(measured_sd, drift_years, drift_prior)
    # A level that wanders from year to year (a random walk, variance σ² a year) makes a slope
    # seen over T years uncertain by 6σ²/(5T) more (the least-squares slope of Brownian motion).
    trend = float(beta[1])
    wandered = 6 * drift_sd**2 / (5 * observed / 12) if 1 in fitted else 0.0
    trend_variance = float(covariance[1, 1]) + wandered
    covariance[1, 1] = trend_variance
    # Carried on only beyond TREND_ERRORS of its errors, then shrunk as James–Stein's positive
    # part shrinks it (a slope b of variance v keeps (b² − v) ÷ b², its spread the square root
    # of that): a smaller slope is mostly the wander, which the level and the paths' random walk
    # carry instead (see the module's docstring).
    kept = trend_kept(trend, trend_variance)
    beta[1] = trend * kept
    covariance[1, :] *= math.sqrt(kept)
    covariance[:, 1] *= math.sqrt(kept)
    # the level under the carried trend (if any) and the season, read from the months as the
    # random walk weighs them against their chance and the passing years' noise; its uncertainty
    # is at least the filter's (today's level is not known exactly). Without a fitted season
    # (under TREND_MONTHS) the months count alike: weighing the latest more would read their
    # season as the level.
    walk, passing = wander_parts(drift_sd) if observed >= TREND_MONTHS else (0.0, 0.0)
    level, level_variance = local_level(
        counts, x @ beta + offset - beta[0], mu, dispersion, walk, passing_sd=passing
    )
    beta[0] = level
    covariance[0, 0] = max(float(covariance[0, 0]), level_variance)
    return EntryFit(
        beta,
        covariance,
        dispersion,
        last_month,
        observed,
        int(counts.sum()),
        bool(population),
        drift_sd,
        drift_years,
        drift_source,
        trend,
        math.sqrt(trend_variance),
        measured_sd,
    )


def wander_parts(drift_sd: float) -> tuple[float, float]:
    """(σ_walk, σ_passing) a year of a yearly wander whose changes spread by `drift_sd`."""
    variance = drift_sd**2
    return math.sqrt(WALK_SHARE * variance), math.sqrt((1 - WALK_SHARE) / 2 * variance)


def trend_kept(slope: float, variance: float) -> float:
    """The share of a measured slope carried on: none within TREND_ERRORS of its errors, else
    (b² − v) ÷ b²."""
    if variance <= 0:
        return 1.0
    if abs(slope) <= TREND_ERRORS * math.sqrt(variance):
        return 0.0
    return 1.0 - variance / slope**2


def trend_note(
    slope: float, error: float, months: int, carried: float, *, per_population: bool = False
) -> str | None:
    """A rise or fall of entries beyond twice its error (the wander's share in it), said with
    whether the projection carries it on (`carried`, a year) and what to do if it will last;
    `per_population`: the slope is of the rate per 10,000 children, not of the count."""
    if not error or abs(slope) < 2 * error:
        return None
    change = math.exp(slope) - 1
    what = "The entry rate per 10,000 children" if per_population else "Entries"
    seen = (
        f"{what} {'rose' if change > 0 else 'fell'} {abs(change):.0%} a year over the {months} "
        f"months fitted (± {error:.0%})"
    )
    if carried:
        return (
            f"{seen}, more than {TREND_ERRORS:g} times their error: the projection carries on "
            f"{math.expm1(carried):+.0%} a year (shrunk by its uncertainty)."
        )
    return (
        f"{seen}: the projection holds today's level and lets it wander, as carrying a change "
        f"within {TREND_ERRORS:g} of its errors forward missed more often on England's councils; "
        "if the change is expected to last, model it with an entry_rate scenario."
    )


def yearly_wander(measured_sd: float, years: int, prior_sd: float | None) -> tuple[float, str]:
    """(σ, source) of the yearly wander the projection uses. A council's own years measure it
    on years − 2 degrees of freedom (years − 1 changes, their mean taken out) — one or two, for
    most — so it is moderated by England's median as a variance is in empirical Bayes: weighted
    by degrees of freedom, England's worth PRIOR_DRIFT_CHANGES. Three years that rose by the
    same step measure no wander at all, and that is chance more than steadiness."""
    if years < MIN_DRIFT_YEARS:
        return (0.0, "none") if prior_sd is None else (prior_sd, "england")
    if prior_sd is None:
        return measured_sd, "council"
    own = years - 2
    variance = (own * measured_sd**2 + PRIOR_DRIFT_CHANGES * prior_sd**2) / (
        own + PRIOR_DRIFT_CHANGES
    )
    return math.sqrt(variance), "council"


def local_level(
    counts: FloatArray,
    fixed: FloatArray,
    mu: FloatArray,
    dispersion: float,
    drift_sd: float,
    *,
    passing_sd: float = 0.0,
) -> tuple[float, float]:
    """(log level, its variance) of a rate whose log wanders as a random walk of `drift_sd` a
    year, seen through monthly counts of mean `mu` (variance `dispersion` × mean) whose log is
    level + `fixed` (trend, season, offset), and through a passing year's noise of `passing_sd`
    (taken as each month's, 12σ², so that a year's mean has σ²). A Kalman filter from a diffuse
    start gives the last month's level as a weighted sum of the months' log counts, a month's
    weight its gain times the later months' (1 − gain); the counts are read with those weights
    (each per unit of the month's information, μ ÷ φ) in Poisson's weighted likelihood, whose
    level is log(Σ w·count ÷ Σ w·e^fixed) and needs no log of an empty month. No wander: every
    month alike, the plain fit's level."""
    q = drift_sd**2 / 12  # the wander's variance a month
    # a month's log count about its mean: the counts' chance and the passing year's share
    noise = dispersion / np.maximum(mu, 1e-9) + 12 * passing_sd**2
    gains = np.empty(len(counts))
    variance = math.inf
    for t, r in enumerate(noise):
        prior = variance + q if t else math.inf
        gains[t] = 1.0 if not math.isfinite(prior) else prior / (prior + r)
        variance = r if not math.isfinite(prior) else prior * (1 - gains[t])
    later = np.append(np.cumprod((1 - gains)[::-1])[::-1][1:], 1.0)
    weights = gains * later / np.maximum(mu, 1e-9)
    level = math.log(
        max(float((weights * counts).sum()), 1e-9) / float((weights * np.exp(fixed)).sum())
    )
    return level, variance


def yearly_drift(
    history: History, coverage: date, last_month: Period, population: Mapping[int, float] | None
) -> tuple[float, int]:
    """(σ, years): the spread of the changes in the log yearly entry rate over the complete
    financial years on record, less the part Poisson chance explains; 0 below three years."""
    year = FinancialYear.containing(coverage)
    starts = history.start[entry_rows(history)]
    counts, sizes = [], []
    while year.last_day <= last_month.last_day:
        first, last = year.first_day.toordinal(), year.last_day.toordinal()
        counts.append(max(int(((starts >= first) & (starts <= last)).sum()), 1))
        sizes.append(float(np.exp(population_offset(population, year.periods())).mean()))
        year = FinancialYear(year.start_year + 1)
    if len(counts) < MIN_DRIFT_YEARS:
        return 0.0, len(counts)
    return net_spread(counts, sizes), len(counts)


def net_spread(counts: Sequence[float], sizes: Sequence[float] | None = None) -> float:
    """The spread (σ) of the year-to-year changes in log(count ÷ size), less the part Poisson
    chance in the counts explains."""
    seen = np.maximum(np.array(counts, dtype=float), 1.0)
    scale = np.ones_like(seen) if sizes is None else np.array(sizes, dtype=float)
    changes = np.diff(np.log(seen / scale))
    poisson = float(np.mean(1 / seen[1:] + 1 / seen[:-1]))
    return float(np.sqrt(max(float(np.var(changes, ddof=1)) - poisson, 0.0)))


def median_drift(counts_by_council: Mapping[str, Sequence[float]]) -> tuple[float, int] | None:
    """(σ, councils): the median yearly wander of entries over councils with MIN_DRIFT_YEARS or
    more yearly counts (DfE's starters per council); None when no council has enough."""
    spreads = [
        net_spread(counts)
        for counts in counts_by_council.values()
        if len(counts) >= MIN_DRIFT_YEARS and min(counts) > 0
    ]
    if not spreads:
        return None
    return float(np.median(spreads)), len(spreads)
