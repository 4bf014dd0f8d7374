"""What the staffing ledger and the establishment's own history add to the post-by-post forecast.

Two things a post-by-post costing of today's establishment cannot see:
- the year-end accrual's reversal: where period 12 accrues the care or the agency invoices not
  yet paid and period 1 reverses it, the year so far is short of a month of the arrears — they
  post before March — so the ledger's period 1 deficit against its typical month is added back,
  when last year's period 12 shows the matching accrual;
- the establishment's drift: the cost of the filled posts now against the extract of about six
  months before, as a yearly rate — reported; carried on over the rest of the year only at the
  rate the assumptions give (a pay award the costs do not show yet), since the fills behind most
  of it are forecast post by post.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecast.domain.codes import PAID_STATUSES
from carecast.domain.finance import Post
from carecast.domain.periods import Period
from carecast.forecast.history import FloatArray

MIN_DRIFT_DAYS = 60
MAX_DRIFT = 0.2  # a year
SIGNATURE = 0.5  # last year's P12 excess must be at least this share of this year's P1 deficit


def reversal_deficit(posted: Mapping[Period, float], period: Period) -> float:
    """This year's period 1 shortfall against its typical month, when last year's period 12
    carried a matching excess (an accrual reversed); else 0."""
    year = period.financial_year
    if period.number < 3:
        return 0.0
    this = [posted.get(Period.of(year, n)) for n in range(2, period.number + 1)]
    first = posted.get(Period.of(year, 1))
    months = [v for v in this if v is not None]
    if first is None or len(months) < 2:
        return 0.0
    deficit = float(np.median(months)) - first
    last = year.previous()
    before = [posted.get(Period.of(last, n)) for n in range(2, 12)]
    march = posted.get(Period.of(last, 12))
    typical = [v for v in before if v is not None]
    if march is None or len(typical) < 6 or deficit <= 0:
        return 0.0
    excess = march - float(np.median(typical))
    return deficit if excess >= SIGNATURE * deficit else 0.0


@dataclass(frozen=True)
class Drift:
    yearly: float  # growth of the filled establishment's cost a year (damped)
    then: date | None
    cost_then: float
    cost_now: float

    def factors(self, days: int, first_day_offset: int = 1) -> FloatArray:
        """Multipliers (days,) on the cost of each day of the window from its drift."""
        t = (np.arange(days) + first_day_offset) / 365
        return (1 + self.yearly) ** t


def _filled_cost(posts: Iterable[Post]) -> float:
    return sum(float(p.annual_cost) for p in posts if p.status in PAID_STATUSES)


def establishment_drift(
    earlier: Iterable[Post], earlier_on: date | None, posts: Iterable[Post], close: date
) -> Drift:
    then, now = _filled_cost(earlier), _filled_cost(posts)
    if earlier_on is None or then <= 0 or now <= 0 or (close - earlier_on).days < MIN_DRIFT_DAYS:
        return Drift(0.0, earlier_on, then, now)
    years = (close - earlier_on).days / 365
    rate = math.exp(math.log(now / then) / years) - 1
    rate = min(max(rate, -MAX_DRIFT), MAX_DRIFT)
    return Drift(rate, earlier_on, then, now)
