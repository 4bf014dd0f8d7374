"""What predicts a council's children starting to be looked after next year? DfE's real counts.

    python bench/entry_level_real.py

The projection's entries are read at their level (projection/entries.py). This checks the choice
on data no one here wrote: DfE's published starters of each council (the shipped releases,
2018 to 2025), predicting each year — and the year after — from the three (or four) years
before it, as a projection from the last of them would:
- the level as the projection reads it (a Kalman filter of England's median yearly wander,
  split into a random walk and a passing year's noise, over the years' Poisson chance,
  `local_level`), alone, and as it read it before (all the wander a random walk);
- the window's mean; the last year alone;
- the level with the window's slope carried on, shrunk as the projection did before
  (James–Stein's positive part, (b² − v) ÷ b², the wander's 6σ²/(5T) in v), or — the
  projection's rule now — only when it is more than three of its errors (`trend_kept`).
Errors are ln(predicted ÷ seen), over every council and year with 5 or more starters. It also
splits the councils' yearly wander into a random walk and a passing year's noise (the lag-one
covariance of the yearly changes), and measures how much England's median wander is worth
against a council's own few years (`PRIOR_DRIFT_CHANGES`: the spread of the councils' log
variances beyond what their own degrees of freedom explain, as empirical Bayes moderates
variances).
"""

from __future__ import annotations

import math
import statistics
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import brentq
from scipy.special import polygamma

from carecast.config import Settings
from carecast.projection.entries import (
    WALK_SHARE,
    local_level,
    net_spread,
    trend_kept,
    wander_parts,
)
from carecast.services.benchmark import reference_files
from carecast.services.projection import council_starters, england_drift

Predictor = Callable[[Sequence[float], float, int], float]
FEWEST = 5  # starters a year, below which a council's year is left out (log of a handful)


def level(years: Sequence[float], sigma: float, *, passing: bool = True) -> float:
    """The projection's reading: Kalman weights of a yearly random walk over Poisson counts and a
    passing year's noise (`wander_parts` of σ; without `passing`, all of σ a random walk)."""
    counts = np.array(years, dtype=float)
    walk, noise = wander_parts(sigma) if passing else (sigma, 0.0)
    # local_level steps a month, so a yearly step is twelve of its steps: the walk's σ a year
    # becomes σ√12 a step, and the passing noise, which it spreads over twelve months, σ ÷ √12
    log_level, _ = local_level(
        counts,
        np.zeros(len(counts)),
        counts,
        1.0,
        walk * math.sqrt(12),
        passing_sd=noise / math.sqrt(12),
    )
    return math.exp(log_level)


def slope(years: Sequence[float], sigma: float) -> tuple[float, float]:
    """The least-squares slope of the log counts a year and its variance: the counts' Poisson
    chance and the wander's 6σ²/(5T)."""
    t = np.arange(len(years), dtype=float)
    t -= t.mean()
    logs = np.log(np.array(years, dtype=float))
    b = float((t * logs).sum() / (t * t).sum())
    chance = float(np.mean(1 / np.array(years, dtype=float)) / (t * t).sum())
    return b, chance + 6 * sigma**2 / (5 * len(years))


def shrunk_trend(years: Sequence[float], sigma: float, ahead: int) -> float:
    b, v = slope(years, sigma)
    kept = max(0.0, 1 - v / (b * b)) if b else 0.0
    return walk_level(years, sigma, ahead) * math.exp(kept * b * ahead)


def strong_trend(years: Sequence[float], sigma: float, ahead: int) -> float:
    b, v = slope(years, sigma)
    return level(years, sigma) * math.exp(trend_kept(b, v) * b * ahead)


def held_level(years: Sequence[float], sigma: float, _ahead: int) -> float:
    return level(years, sigma)


def walk_level(years: Sequence[float], sigma: float, _ahead: int) -> float:
    return level(years, sigma, passing=False)


def window_mean(years: Sequence[float], _sigma: float, _ahead: int) -> float:
    return statistics.fmean(years)


def last_year(years: Sequence[float], _sigma: float, _ahead: int) -> float:
    return years[-1]


PREDICTORS: dict[str, Predictor] = {
    "level alone, all the wander a walk (before)": walk_level,
    "level alone, walk and passing years (the projection's)": held_level,
    "window mean": window_mean,
    "last year": last_year,
    "level + every shrunk trend (before)": shrunk_trend,
    "level + trend beyond 3 errors, shrunk (the projection's)": strong_trend,
}


def compare(starters: dict[str, list[float]], sigma: float) -> None:
    print("| ahead | window | predictor | cases | median abs % | mean abs % | rms % | bias % |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for ahead in (1, 2):
        for window in (3, 4):
            misses: dict[str, list[float]] = {name: [] for name in PREDICTORS}
            for counts in starters.values():
                for t in range(window, len(counts) - ahead + 1):
                    before, seen = counts[t - window : t], counts[t + ahead - 1]
                    if min(before) < FEWEST or seen < FEWEST:
                        continue
                    for name, predict in PREDICTORS.items():
                        misses[name].append(math.log(predict(before, sigma, ahead) / seen))
            for name, miss in misses.items():
                absolute = [abs(m) for m in miss]
                print(
                    f"| {ahead} | {window} | {name} | {len(miss)} "
                    f"| {100 * statistics.median(absolute):.1f} "
                    f"| {100 * statistics.fmean(absolute):.1f} "
                    f"| {100 * math.sqrt(statistics.fmean(m * m for m in miss)):.1f} "
                    f"| {100 * statistics.fmean(miss):+.1f} |"
                )


def measure_wander(starters: dict[str, list[float]]) -> None:
    """var(Δ) = σ_walk² + 2σ_pass² and cov(Δ_t, Δ_t−1) = −σ_pass², net of Poisson chance, each
    council's yearly changes about its own mean change, averaged over councils."""
    variances, covariances, logs, freedoms = [], [], [], []
    for years in starters.values():
        counts = np.array(years, dtype=float)
        if len(counts) < 5 or counts.min() < 10:
            continue
        changes = np.diff(np.log(counts))
        centred = changes - changes.mean()
        n = len(changes) - 1
        variances.append((centred**2).sum() / n - float(np.mean(1 / counts[1:] + 1 / counts[:-1])))
        covariances.append(
            (centred[1:] * centred[:-1]).sum() / n + float(np.mean(1 / counts[1:-1]))
        )
        spread = net_spread(years)
        if spread > 0:
            logs.append(math.log(spread**2))
            freedoms.append(len(years) - 2)
    passing = max(-statistics.fmean(covariances), 0.0)
    walk = max(statistics.fmean(variances) - 2 * passing, 0.0)
    print(
        f"\n{len(variances)} councils with 5+ years of 10+ starters: the yearly wander is a "
        f"random walk of σ {math.sqrt(walk):.3f} and a passing year's noise of σ "
        f"{math.sqrt(passing):.3f}: the walk's share of the changes' variance "
        f"{walk / (walk + 2 * passing):.2f} (WALK_SHARE {WALK_SHARE})"
    )
    own = float(np.mean(polygamma(1, np.array(freedoms) / 2)))
    beyond = float(np.var(logs, ddof=1)) - own
    if beyond > 0:
        worth = 2 * brentq(lambda x: float(polygamma(1, x)) - beyond, 1e-3, 1e4)
        print(
            f"England's median wander is worth {worth:.1f} yearly changes of a council's own "
            f"({len(logs)} councils: var ln s² {np.var(logs, ddof=1):.3f}, of which their own "
            f"degrees of freedom explain {own:.3f})"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        files = reference_files(Settings(database_url=f"sqlite:///{Path(work) / 'x.db'}"))
        starters = {
            area: [float(v) for v in years] for area, years in council_starters(files).items()
        }
        drift = england_drift(files)
    assert drift is not None, "the shipped reference data has DfE's starters"
    sigma = drift[0]
    print(f"{len(starters)} councils' starters; England's median yearly wander σ {sigma:.3f}\n")
    compare(starters, sigma)
    measure_wander(starters)


if __name__ == "__main__":
    main()
