"""Placement spend incurred but not yet posted: the ledger's arrears at the close.

When a share s of each month's placement payments posts in the following period, the ledger to
date is short of the activity by s × the last month's cost — and that money will post before year
end. Finance teams accrue at year end, so April carries no March arrears: April's ledger is
(1 − s) of its activity cost while later months are whole again. Comparing April's ratio of ledger
to activity-implied cost with the later months' ratio measures s (pooled over the placement
lines, which are paid the same way); the arrears of each line are then s × its ledger-to-activity
ratio × its activity-implied cost of the last month. With only April closed, s is not measurable
and no arrears are added (unless `posting_lag_share` is given).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import timedelta

import numpy as np

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.periods import Period
from carecast.forecast.history import FloatArray
from carecast.forecast.matching import best_commitment

MAX_SHARE = 0.5
DEFAULT_SPREAD = 0.03  # month-to-month variation of ledger ÷ activity when it cannot be measured


def implied_monthly(
    placements: Iterable[Placement],
    commitments: Iterable[Commitment],
    prices: Mapping[ServiceLine, float],
    period: Period,
) -> dict[ServiceLine, FloatArray]:
    """Activity-implied cost of each placement line in periods 1 … P of the year: every costed
    placement's days in each month at its commitment's price (the line's average without one)."""
    months = [Period.of(period.financial_year, n) for n in range(1, period.number + 1)]
    first, last = months[0].first_day, period.last_day
    by_child: dict[str, list[Commitment]] = defaultdict(list)
    for c in commitments:
        by_child[c.child_id].append(c)
    out: dict[ServiceLine, FloatArray] = defaultdict(lambda: np.zeros(len(months)))
    for p in placements:
        if p.category is None or p.start > last or (p.end is not None and p.end <= first):
            continue
        stop = last if p.end is None else min(last, p.end - timedelta(days=1))
        best = best_commitment(p, by_child.get(p.child_id, []))
        weekly = prices.get(p.category, 0.0) if best is None else float(best.net_weekly_cost)
        costs = out[p.category]
        for i, month in enumerate(months):
            a, b = max(p.start, month.first_day), min(stop, month.last_day)
            if b >= a:
                costs[i] += weekly / 7 * ((b - a).days + 1)
    return dict(out)


def posting_lag_share(
    ledger: Mapping[ServiceLine, Mapping[Period, float]],
    implied: Mapping[ServiceLine, FloatArray],
    period: Period,
) -> tuple[float, float]:
    """s from April's ledger-to-activity ratio against the later months' (pooled lines), and its
    standard error from how much the later months' ratios vary."""
    if period.number < 2:
        return 0.0, 0.0
    months = [Period.of(period.financial_year, n) for n in range(1, period.number + 1)]
    posted = np.zeros(len(months))
    activity = np.zeros(len(months))
    for line, costs in implied.items():
        posted += np.array([ledger.get(line, {}).get(m, 0.0) for m in months])
        activity += costs
    if activity[0] <= 0 or activity[1:].sum() <= 0:
        return 0.0, 0.0
    april = posted[0] / activity[0]
    later = posted[1:].sum() / activity[1:].sum()
    if later <= 0:
        return 0.0, 0.0
    share = float(min(max(1 - april / later, 0.0), MAX_SHARE))
    ratios = posted[1:][activity[1:] > 0] / activity[1:][activity[1:] > 0]
    spread = float(np.std(ratios, ddof=1)) / later if len(ratios) >= 2 else DEFAULT_SPREAD
    return share, spread * float(np.sqrt(1 + 1 / max(len(ratios), 1)))


def arrears(
    ledger: Mapping[ServiceLine, Mapping[Period, float]],
    implied: Mapping[ServiceLine, FloatArray],
    period: Period,
    share: float,
) -> dict[ServiceLine, float]:
    """Per line: share × (ledger ÷ activity so far) × the last month's activity-implied cost."""
    months = [Period.of(period.financial_year, n) for n in range(1, period.number + 1)]
    out: dict[ServiceLine, float] = {}
    for line, costs in implied.items():
        if share <= 0 or costs.sum() <= 0:
            continue
        posted = sum(ledger.get(line, {}).get(m, 0.0) for m in months)
        ratio = posted / costs.sum() / (1 - share / len(months))
        out[line] = share * max(ratio, 0.0) * float(costs[-1])
    return out
