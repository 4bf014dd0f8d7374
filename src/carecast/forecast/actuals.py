"""Ledger actuals to date, mapped onto service lines through cost centres."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import CostCentre, LedgerEntry
from carecast.domain.periods import Period


@dataclass(frozen=True)
class ActualsToDate:
    by_line: dict[ServiceLine, Decimal]
    unmapped: dict[str, Decimal] = field(default_factory=dict)


def actuals_to_date(
    ledger: Iterable[LedgerEntry], cost_centres: Iterable[CostCentre], period: Period
) -> ActualsToDate:
    """Sum the year's postings up to and including `period` by service line.

    Postings to a cost centre with no service line are kept apart (reported, never guessed).
    """
    line_of = {cc.code: cc.service_line for cc in cost_centres}
    year = period.financial_year
    by_line: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    unmapped: dict[str, Decimal] = defaultdict(Decimal)
    for entry in ledger:
        if entry.period.financial_year != year or entry.period > period:
            continue
        line = line_of.get(entry.cost_centre)
        if line is None:
            unmapped[entry.cost_centre] += entry.amount
        else:
            by_line[line] += entry.amount
    return ActualsToDate(dict(by_line), dict(unmapped))
