"""Small synthetic councils for the forecast engines' tests (identifiers are made up: S0001 …).

`synthetic_state` simulates a few years of placements with plain numpy draws — arrivals, moves
between lines and leavings — and writes them as SSDA903 episodes, commitments, a ledger and
cost centres, so the fitted engines have a real history to work on without the demo generator.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import BudgetLine, Commitment, CostCentre, LedgerEntry
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState

PLACES = {  # line → (PLACE, PLACE_PROVIDER, weekly price)
    ServiceLine.PLACEMENTS_IN_HOUSE: ("U4", "PR1", 450),
    ServiceLine.PLACEMENTS_IFA: ("U4", "PR4", 900),
    ServiceLine.PLACEMENTS_RESIDENTIAL: ("K2", "PR4", 4000),
}
CENTRES = {line: f"CC{i}" for i, line in enumerate(PLACES)}


def child(child_id: str, dob: date) -> Child:
    return Child(child_id, "1", dob)


def episode(
    child_id: str, start: date, place: str, provider: str, end: date | None = None
) -> Episode:
    return Episode(child_id, start, "S", "C2", "N1", place, provider, end, "E8" if end else None)


def commitment(
    child_id: str,
    line: ServiceLine,
    start: date,
    weekly: str,
    end: date | None = None,
    centre: str = "CC1",
) -> Commitment:
    return Commitment(child_id, line, "Provider", start, end, Decimal(weekly), centre)


def synthetic_state(
    seed: int = 1, children: int = 300, close: date = date(2018, 9, 30)
) -> ActivityState:
    """About `children` arrivals over four years before `close`, each with one to three
    placements; every placement has a commitment; the ledger holds this year's true spend."""
    rng = np.random.default_rng(seed)
    first = close - timedelta(days=4 * 365)
    lines = list(PLACES)
    kids: list[Child] = []
    episodes: list[Episode] = []
    commitments: list[Commitment] = []
    spend: dict[tuple[str, Period], float] = {}
    for n in range(children):
        ident = f"S{n:04d}"
        day = first + timedelta(days=int(rng.integers(0, (close - first).days)))
        dob = day - timedelta(days=int(rng.integers(365, 17 * 365)))
        kids.append(child(ident, dob))
        line = lines[int(rng.choice(3, p=[0.4, 0.45, 0.15]))]
        for _ in range(3):
            length = int(rng.exponential(300)) + 1
            end = day + timedelta(days=length)
            known_end = end if end <= close else None
            place, provider, price = PLACES[line]
            weekly = price * float(np.exp(rng.normal(0, 0.1)))
            episodes.append(episode(ident, day, place, provider, known_end))
            last_paid = None if known_end is None else known_end - timedelta(days=1)
            commitments.append(
                commitment(ident, line, day, f"{weekly:.2f}", last_paid, CENTRES[line])
            )
            _post(spend, CENTRES[line], day, min(end, close + timedelta(days=1)), weekly)
            if known_end is None or rng.random() < 0.5:
                break
            day, line = end, lines[int(rng.integers(0, 3))]
    ledger = tuple(
        LedgerEntry(period, centre, "4101", Decimal(f"{amount:.2f}"))
        for (centre, period), amount in sorted(spend.items())
    )
    return ActivityState(
        known_on=close + timedelta(days=15),
        children=tuple(kids),
        episodes=tuple(episodes),
        commitments=tuple(commitments),
        ledger=ledger,
        cost_centres=tuple(CostCentre(c, line) for line, c in CENTRES.items()),
        budget=tuple(BudgetLine("2018-19", line, Decimal(1_000_000)) for line in PLACES),
    )


def _post(
    spend: dict[tuple[str, Period], float], centre: str, start: date, stop: date, weekly: float
) -> None:
    """A placement's daily cost posted to the month it falls in (stop is the first unpaid day)."""
    day = max(start, date(2018, 4, 1))
    while day < stop:
        period = Period.containing(day)
        month_end = min(period.last_day + timedelta(days=1), stop)
        days = (month_end - day).days
        spend[(centre, period)] = spend.get((centre, period), 0.0) + weekly / 7 * days
        day = month_end
