"""Money arithmetic: Decimal pounds inside, integer pence at the store boundary."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from carecast.domain.periods import DAYS_PER_WEEK

PENNY = Decimal("0.01")
ZERO = Decimal(0)


def to_pence(amount: Decimal) -> int:
    """Pounds to whole pence, rounding half away from zero as ledgers do."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_pence(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(PENNY)


def round_pounds(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def weekly_cost_for_days(weekly: Decimal, days: int) -> Decimal:
    """What a weekly price costs over `days` days (a day is a seventh of a week)."""
    return weekly * days / DAYS_PER_WEEK
