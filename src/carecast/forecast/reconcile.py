"""Ledger ↔ activity reconciliation at a close, with the items behind every figure.

- Over-commitments: commitments still open for children with no live placement to pay for (or a
  second open commitment for a child already matched) — what a commitments-based forecast counts
  to year end for nothing.
- Under-reporting: live placements with no open commitment — spend the finance system does not
  know about yet; carecast costs them at the line's recent average.
- Line mismatches: a commitment on another line than the placement it pays for.
- Cost centres: the year's ledger spend to date against what the activity implies (each costed
  placement's days this year at its commitment's price, posted to its commitment's cost centre),
  with the children behind each implied figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from carecast.domain.activity import Placement
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.domain.periods import Period
from carecast.domain.state import ActivityState
from carecast.forecast.history import known_placements
from carecast.forecast.matching import Match, best_commitment, match_placements
from carecast.forecast.placements import commitment_cost
from carecast.forecast.pricing import line_prices

ZERO = Decimal(0)
PENNY = Decimal("0.01")


def _pounds(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class OverCommitment:
    commitment: Commitment
    cost_to_year_end: Decimal  # what a commitments-only forecast still counts for it


@dataclass(frozen=True, slots=True)
class UnderReported:
    placement: Placement
    priced_weekly: Decimal  # the line's recent average, used by the forecast


@dataclass(frozen=True, slots=True)
class CostCentreCheck:
    cost_centre: str
    service_line: ServiceLine | None
    ledger: Decimal  # spend to date this year
    implied: Decimal  # what the activity implies to date
    children: tuple[str, ...]  # behind the implied figure

    @property
    def difference(self) -> Decimal:
        """Ledger − activity: positive when the ledger shows more than the activity explains."""
        return self.ledger - self.implied


@dataclass(frozen=True)
class Reconciliation:
    """`matches` holds every live costed placement with the open commitment that pays for it
    (None: under-reported); every open commitment is in exactly one match or is an
    over-commitment. The committee report's reconciliation counts these, as `carecast reconcile`
    lists them."""

    period: Period
    over_commitments: tuple[OverCommitment, ...]
    under_reported: tuple[UnderReported, ...]
    line_mismatches: tuple[Match, ...]
    cost_centres: tuple[CostCentreCheck, ...]
    matches: tuple[Match, ...] = ()

    @property
    def over_committed_to_year_end(self) -> Decimal:
        return sum((o.cost_to_year_end for o in self.over_commitments), ZERO)

    def counts_by_line(self) -> dict[str, Counter[ServiceLine]]:
        """Per line: live placements (`placed`, by the placement's line) and of them those with
        no commitment (`unpaid`) or paid on another line (`other_line`); open commitments
        (`paid`, by the commitment's line) and of them those with no live placement
        (`unplaced`, the over-commitments)."""
        counts: dict[str, Counter[ServiceLine]] = {
            key: Counter() for key in ("placed", "unpaid", "other_line", "paid", "unplaced")
        }
        for match in self.matches:
            counts["placed"][match.line] += 1
            if match.commitment is None:
                counts["unpaid"][match.line] += 1
                continue
            counts["paid"][match.commitment.category] += 1
            if match.category_differs:
                counts["other_line"][match.line] += 1
        for over in self.over_commitments:
            counts["paid"][over.commitment.category] += 1
            counts["unplaced"][over.commitment.category] += 1
        return counts


def reconcile(state: ActivityState, period: Period) -> Reconciliation:
    close = period.last_day
    year_end = period.financial_year.last_day
    placements = known_placements(state.episodes, close)
    matching = match_placements(placements, state.commitments, close)
    # the price of a new placement as the forecast sets it (re-pricings told apart, trend carried
    # to the close), so the report, reconcile and the forecast cost an unrecorded one alike
    prices = line_prices(
        state.commitments,
        close,
        365,
        {},
        placements=placements,
        earlier=state.earlier_commitments,
    )
    dobs = {c.child_id: c.dob for c in state.children}
    first = close + timedelta(days=1)
    over = tuple(
        OverCommitment(c, _pounds(commitment_cost(c, first, year_end, dobs.get(c.child_id))))
        for c in matching.over_commitments
    )
    under = tuple(
        UnderReported(p, _pounds(Decimal(repr(prices.weekly[p.category]))))
        for p in matching.unmatched
        if p.category is not None
    )
    mismatches = tuple(m for m in matching.matches if m.category_differs)
    checks = _cost_centres(state, placements, period, prices.weekly)
    return Reconciliation(period, over, under, mismatches, checks, matching.matches)


def _cost_centres(
    state: ActivityState,
    placements: list[Placement],
    period: Period,
    average: dict[ServiceLine, float],
) -> tuple[CostCentreCheck, ...]:
    year = period.financial_year
    first, last = year.first_day, period.last_day
    line_of = {cc.code: cc.service_line for cc in state.cost_centres}
    usual: dict[ServiceLine, Counter[str]] = defaultdict(Counter)
    by_child: dict[str, list[Commitment]] = defaultdict(list)
    for c in state.commitments:
        by_child[c.child_id].append(c)
        usual[c.category][c.cost_centre] += 1
    implied: dict[str, Decimal] = defaultdict(Decimal)
    children: dict[str, set[str]] = defaultdict(set)
    for p in placements:
        if p.category is None or p.start > last or (p.end is not None and p.end <= first):
            continue
        stop = last if p.end is None else min(last, p.end - timedelta(days=1))
        days = (stop - max(p.start, first)).days + 1
        commitment = best_commitment(p, by_child.get(p.child_id, []))
        if commitment is not None:
            weekly, centre = commitment.net_weekly_cost, commitment.cost_centre
        else:
            weekly = Decimal(repr(average.get(p.category, 0.0)))
            centre = usual[p.category].most_common(1)[0][0] if usual[p.category] else "?"
        implied[centre] += weekly * days / 7
        children[centre].add(p.child_id)
    ledger: dict[str, Decimal] = defaultdict(Decimal)
    for entry in state.ledger:
        if entry.period.financial_year == year and entry.period <= period:
            line = line_of.get(entry.cost_centre)
            if entry.cost_centre in implied or (line is not None and line.is_placement):
                ledger[entry.cost_centre] += entry.amount
    return tuple(
        CostCentreCheck(
            code,
            line_of.get(code),
            _pounds(ledger.get(code, ZERO)),
            _pounds(implied.get(code, ZERO)),
            tuple(sorted(children.get(code, ()))),
        )
        for code in sorted(set(implied) | set(ledger))
    )
