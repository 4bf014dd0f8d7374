"""The cost of care day by day, as the placements and their commitments imply it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.forecast.care_cost import daily_care_cost

RES = ServiceLine.PLACEMENTS_RESIDENTIAL
FIRST = date(2017, 4, 1)


def test_a_past_placement_todays_extract_no_longer_lists_is_priced_from_a_past_extract() -> None:
    """A's placement ran 1 April – 1 July 2017 (91 days) and B's runs on. Today's extract lists
    only B (£3,500 a week); last year end's still listed A at £4,200. Without it A would be
    priced at the line's average (£3,000) and the ledger-to-activity ratio would take the gap."""
    placements = [
        Placement("A", "K2", "PR4", RES, date(2017, 4, 1), date(2017, 7, 1)),
        Placement("B", "K2", "PR4", RES, date(2017, 4, 1), None),
    ]
    today = [Commitment("B", RES, "Home", date(2017, 4, 1), None, Decimal(3500), "R")]
    past = [Commitment("A", RES, "Home", date(2017, 4, 1), date(2017, 7, 1), Decimal(4200), "R")]
    care = daily_care_cost(
        placements,
        today,
        {RES: 3000.0},
        first=FIRST,
        days=365,
        until=date(2018, 3, 31),
        past_commitments=past,
    )[RES]
    assert care[0] == pytest.approx((4200 + 3500) / 7)
    assert care[:91].sum() == pytest.approx(91 * (4200 + 3500) / 7)
    assert care[91] == pytest.approx(3500 / 7)  # A left on 1 July
    without = daily_care_cost(
        placements, today, {RES: 3000.0}, first=FIRST, days=365, until=date(2018, 3, 31)
    )[RES]
    assert without[0] == pytest.approx((3000 + 3500) / 7)
