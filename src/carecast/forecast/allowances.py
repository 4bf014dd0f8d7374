"""Allowances to year end: each open case at its weekly amount to its end date or year end."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from carecast.domain.codes import ALLOWANCE_LINES, ServiceLine
from carecast.domain.finance import Allowance
from carecast.domain.money import weekly_cost_for_days
from carecast.domain.periods import days_between


def allowance_cost(allowance: Allowance, first: date, last: date) -> Decimal:
    start = max(allowance.start, first)
    end = last if allowance.end is None else min(allowance.end, last)
    return weekly_cost_for_days(allowance.weekly_amount, days_between(start, end))


def allowance_costs(
    allowances: Iterable[Allowance], first: date, last: date
) -> dict[ServiceLine, tuple[Decimal, int]]:
    """Cost to year end and the number of cases open at the start of the window, per line."""
    costs: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    cases: dict[ServiceLine, int] = defaultdict(int)
    for allowance in allowances:
        line = ALLOWANCE_LINES[allowance.allowance_type]
        costs[line] += allowance_cost(allowance, first, last)
        if allowance.start < first and (allowance.end is None or allowance.end >= first):
            cases[line] += 1
    return {line: (costs[line], cases[line]) for line in set(costs) | set(cases)}
