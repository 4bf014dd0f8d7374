"""The placement forecast checked on the council's own history before it is trusted.

At a close of period n, the same close of each earlier complete year is replayed from the data as
it is now, cut back to what that close could have known (episodes started by then, their later
ends unknown; the ledger to that period; the commitments running then), and its placement-line
forecast is compared with that year's ledger outturn. The residuals say how far, and which way,
this council's placement forecast misses at this point of the year:
- their root-mean-square sets the least width the interval of the placement lines may have;
- their mean, shrunk toward nothing by how few there are, is reported but does not move the
  central forecast: on the independent council matrix (bench/councils) two replays were too few
  to correct it (median error at P3 rose from 1.9% to 2.8% when they did).
Staffing and the other lines are not replayed: their extracts of past years are not kept whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from carecast.domain.codes import PLACEMENT_LINES
from carecast.domain.finance import Commitment
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.state import ActivityState
from carecast.forecast.actuals import actuals_to_date

MAX_YEARS = 2
SHRINK = 2.0  # residuals count as much as this many zero residuals, toward no correction
MAX_CORRECTION = 0.15  # of the placement lines' outturn
REDATED_DAYS = 400  # beyond the price window and the two months of commitments ahead of SSDA903


@dataclass(frozen=True)
class Calibration:
    residuals: tuple[float, ...]  # (forecast − outturn) ÷ outturn of the placement lines, by year

    @property
    def bias(self) -> float:
        """The mean residual, shrunk: with one year it counts half."""
        if not self.residuals:
            return 0.0
        n = len(self.residuals)
        mean = sum(self.residuals) / n
        return max(min(mean * n / (n + SHRINK), MAX_CORRECTION), -MAX_CORRECTION)

    @property
    def spread(self) -> float:
        """Root-mean-square residual: the least relative spread of the placement lines."""
        if not self.residuals:
            return 0.0
        return math.sqrt(sum(r**2 for r in self.residuals) / len(self.residuals))

    def as_json(self) -> dict[str, object]:
        return {
            "residuals": [round(r, 5) for r in self.residuals],
            "mean_miss_shrunk": round(self.bias, 5),
            "least_spread": round(self.spread, 5),
        }


def as_known_at(state: ActivityState, period: Period) -> ActivityState:
    """`state` cut back to what the close of an earlier `period` could know of placements: the
    episodes begun by then (their later ends are reopened by the engine), the ledger to then."""
    close = period.last_day
    return replace(
        state,
        known_on=close + timedelta(days=15),
        episodes=tuple(e for e in state.episodes if e.decom <= close),
        ledger=tuple(entry for entry in state.ledger if entry.period <= period),
        # the extract nearest that close prices the placements of then (today's where none is
        # kept): a price agreed after the close is still the best known for that child, and each
        # year's ledger-to-activity ratio takes up the rest; commitments begun after the close are
        # dated long enough before it not to pass for new placements
        commitments=tuple(
            c if c.start <= close else replace(c, start=close - timedelta(days=REDATED_DAYS))
            for c in _extract_nearest(state, close)
        ),
        posts=(),
        allowances=(),
        actions=(),
        earlier_commitments=(),
        earlier_commitments_on=None,
        earlier_posts=(),
        earlier_posts_on=None,
    )


def _extract_nearest(state: ActivityState, close: date) -> tuple[Commitment, ...]:
    """The commitments of the kept extract nearest `close`, with today's for the children it
    does not list (a child placed since, whose price today's extract knows)."""
    if not state.past_extracts:
        return state.commitments
    nearest = min(state.past_extracts, key=lambda e: abs((e.as_of - close).days))
    if abs((nearest.as_of - close).days) >= abs((state.known_on - close).days):
        return state.commitments
    listed = {c.child_id for c in nearest.commitments}
    return nearest.commitments + tuple(c for c in state.commitments if c.child_id not in listed)


PlacementTotal = Callable[[ActivityState, Period], Decimal]


def calibrate(
    state: ActivityState,
    period: Period,
    years: Iterable[FinancialYear],
    placement_total: PlacementTotal,
) -> Calibration:
    """Replay the close of `period`'s number in each of `years` (complete ledger years) with
    `placement_total` — the placement lines' forecast outturn — and collect the residuals."""
    residuals = []
    for year in list(years)[:MAX_YEARS]:
        earlier = Period.of(year, period.number)
        outturn = actuals_to_date(state.ledger, state.cost_centres, Period.of(year, 12))
        actual = sum(
            (outturn.by_line.get(line, Decimal(0)) for line in PLACEMENT_LINES), Decimal(0)
        )
        if actual <= 0:
            continue
        forecast = placement_total(as_known_at(state, earlier), earlier)
        residuals.append(float((forecast - actual) / actual))
    return Calibration(tuple(residuals))
