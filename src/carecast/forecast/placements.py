"""Placement commitments to year end: each runs at its weekly cost to its end, 18th birthday or year end."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.money import weekly_cost_for_days
from carecast.domain.periods import days_between, eighteenth_birthday


@dataclass(frozen=True, slots=True)
class CommittedCost:
    """What the open commitments of one placement line will cost over a window."""

    cost: Decimal
    average_weekly_cost: Decimal | None


def commitment_last_day(commitment: Commitment, dob: date | None, window_end: date) -> date:
    """The last day a commitment is paid: its end date, the eve of the 18th birthday, or window end."""
    last = window_end if commitment.end is None else min(commitment.end, window_end)
    if dob is not None:
        # On their 18th birthday a young person leaves care and moves to the leaving-care budget.
        last = min(last, eighteenth_birthday(dob) - timedelta(days=1))
    return last


def commitment_cost(
    commitment: Commitment, first: date, last: date, dob: date | None = None
) -> Decimal:
    """Net cost of one commitment over the days from `first` to `last` inclusive."""
    start = max(commitment.start, first)
    end = commitment_last_day(commitment, dob, last)
    return weekly_cost_for_days(commitment.net_weekly_cost, days_between(start, end))


def committed_costs(
    commitments: Iterable[Commitment],
    first: date,
    last: date,
    dobs: Mapping[str, date],
) -> dict[ServiceLine, CommittedCost]:
    """Cost of every commitment over [first, last], by placement line, with its average weekly cost.

    The average is over commitments open on the eve of the window (the placements live at period end).
    """
    costs: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    weekly: dict[ServiceLine, list[Decimal]] = defaultdict(list)
    eve = first - timedelta(days=1)
    for commitment in commitments:
        dob = dobs.get(commitment.child_id)
        costs[commitment.category] += commitment_cost(commitment, first, last, dob)
        if commitment.is_open_on(eve):
            weekly[commitment.category].append(commitment.net_weekly_cost)
    lines = set(costs) | set(weekly)
    return {
        line: CommittedCost(
            cost=costs[line],
            average_weekly_cost=(sum(weekly[line], Decimal(0)) / len(weekly[line]))
            if weekly[line]
            else None,
        )
        for line in lines
    }
