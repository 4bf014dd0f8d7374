"""Lines without activity data, profiled from earlier years' ledger instead of straight-lined.

If by period P of earlier years a line had spent on average a share f of its year, this year's
outturn is the spend to date ÷ f, and the months left get the shares they had (a March spike stays
in March). With no complete earlier year, or a profile that cannot be trusted (f near 0), the line
runs at this year's monthly rate so far. The spread of the earlier years' shares (or, with one
year, of its months) gives the interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear, Period
from carecast.forecast.history import FloatArray

MIN_SHARE = 0.05  # below this share to date the profile is too fragile to divide by
LEVEL_SHARE = 0.25  # from this share to date on, this year's level alone scales the profile
# A month's spend on a line with no earlier year to learn its seasonality from varies this much
# (quarterly invoices and year-end accruals make such lines lumpy).
UNKNOWN_SEASON_CV = 0.25
DEFAULT_CV = 0.1  # monthly variation of a profiled line when one year cannot measure it


@dataclass(frozen=True)
class Profiled:
    method: str  # profile | run_rate
    remaining: FloatArray  # (months left,) expected spend
    relative_sd: float  # of the remaining total


def monthly_ledger(
    ledger: Iterable[LedgerEntry], cost_centres: Iterable[CostCentre]
) -> tuple[dict[ServiceLine, dict[Period, float]], set[Period]]:
    """Spend by line and period, and every period with any posting at all."""
    line_of = {cc.code: cc.service_line for cc in cost_centres}
    out: dict[ServiceLine, dict[Period, float]] = defaultdict(lambda: defaultdict(float))
    seen: set[Period] = set()
    for entry in ledger:
        seen.add(entry.period)
        line = line_of.get(entry.cost_centre)
        if line is not None:
            out[line][entry.period] += float(entry.amount)
    return out, seen


def complete_years(seen: set[Period], year: FinancialYear, limit: int) -> list[FinancialYear]:
    """Up to `limit` earlier years with postings in all twelve periods, latest first."""
    years: list[FinancialYear] = []
    candidate = year.previous()
    while len(years) < limit and candidate.start_year >= year.start_year - 20:
        if all(p in seen for p in candidate.periods()):
            years.append(candidate)
        candidate = candidate.previous()
    return years


def profile_line(
    monthly: dict[Period, float],
    year_to_date: Decimal,
    period: Period,
    years: list[FinancialYear],
    method: str = "profile",
) -> Profiled:
    left = 12 - period.number
    spent = float(year_to_date)
    run_rate = Profiled("run_rate", np.full(left, spent / period.number), _run_rate_sd(period))
    if method != "profile" or not years or left == 0:
        return run_rate
    shares, amounts = [], []
    for y in years:
        values = np.array([monthly.get(p, 0.0) for p in y.periods()])
        total = values.sum()
        if abs(total) < 1e-6 or not np.isfinite(total):
            continue
        shares.append(values / total)
        amounts.append(values)
    if not shares:
        return run_rate
    share = np.mean(shares, axis=0)
    to_date = float(share[: period.number].sum())
    if not math.isfinite(to_date):
        return run_rate
    # This year's level against the profile: spent ÷ the share the profile expects by now. When
    # the year so far holds little of a year's postings (a quarterly or annual income, a reversed
    # accrual) that ratio is fragile, so the earlier years' own remaining months weigh in, in
    # proportion, instead.
    weight = min(max(to_date / LEVEL_SHARE, 0.0), 1.0)
    by_level = spent / to_date * share[period.number :] if to_date >= MIN_SHARE else 0.0
    as_before = np.mean(amounts, axis=0)[period.number :]
    remaining = weight * by_level + (1 - weight) * as_before
    return Profiled("profile", np.asarray(remaining, dtype=float), _profile_sd(shares, period))


def _run_rate_sd(period: Period) -> float:
    """The level is an average of P lumpy months; each month left is as lumpy again."""
    left = 12 - period.number
    return UNKNOWN_SEASON_CV * math.sqrt(1 / period.number + 1 / max(left, 1))


def _profile_sd(shares: list[FloatArray], period: Period) -> float:
    """Relative spread of the remaining total. This year may differ from the profile as much as
    one earlier year differs from another, and the profile itself is an average of only k years:
    spread × √(1 + 1/k). With one year, the spread comes from its month-to-month variation."""
    n, k = period.number, len(shares)
    if k >= 2:
        ratios = [s[n:].sum() / max(s[:n].sum(), 1e-9) for s in shares]
        spread = float(np.std(ratios, ddof=1) / max(np.mean(ratios), 1e-9))
        return max(spread, 0.02) * math.sqrt(1 + 1 / k)
    months = shares[0] * 12
    cv = float(np.std(np.diff(np.log(np.clip(months, 1e-6, None)))) / math.sqrt(2))
    cv = cv if math.isfinite(cv) and cv > 0 else DEFAULT_CV
    return min(cv, 1.0) * math.sqrt(2 * (1 / n + 1 / max(12 - n, 1)))
