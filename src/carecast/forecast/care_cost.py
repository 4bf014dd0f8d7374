"""The cost of care day by day, as the activity implies it: each placement at its commitment's
net weekly cost (its line's average without one), from its start to the day before it ended.

This is the activity side that the ledger is compared with (ledger_timing.py). A placement that
today's commitments extract no longer lists is priced from the extract of a past year end that
did (each import of the extract replaces it whole); where the history has no commitments at all,
placements are priced at their line's average, and the ledger-to-activity ratio fitted per year
takes up the difference in price level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.forecast.history import FloatArray
from carecast.forecast.matching import best_commitment


def daily_care_cost(
    placements: Iterable[Placement],
    commitments: Iterable[Commitment],
    prices: Mapping[ServiceLine, float],
    *,
    first: date,
    days: int,
    until: date,
    past_commitments: Iterable[Commitment] = (),
) -> dict[ServiceLine, FloatArray]:
    """{line: (days,)} cost of care from `first` for `days` days, known up to `until` inclusive;
    a placement no current commitment overlaps is priced from `past_commitments`."""
    by_child: dict[str, list[Commitment]] = defaultdict(list)
    for c in commitments:
        by_child[c.child_id].append(c)
    past_by_child: dict[str, list[Commitment]] = defaultdict(list)
    for c in past_commitments:
        past_by_child[c.child_id].append(c)
    origin = first.toordinal()
    stop = min(until.toordinal() - origin + 1, days)
    diffs: dict[ServiceLine, FloatArray] = defaultdict(lambda: np.zeros(days + 1))
    for p in placements:
        if p.category is None:
            continue
        begin = max(p.start.toordinal() - origin, 0)
        end = stop if p.end is None else min(p.end.toordinal() - origin, stop)
        if end <= begin:
            continue
        best = best_commitment(p, by_child.get(p.child_id, [])) or best_commitment(
            p, past_by_child.get(p.child_id, [])
        )
        weekly = prices.get(p.category, 0.0) if best is None else float(best.net_weekly_cost)
        diff = diffs[p.category]
        diff[begin] += weekly / 7
        diff[end] -= weekly / 7
    return {line: np.cumsum(diff[:days]) for line, diff in diffs.items()}
