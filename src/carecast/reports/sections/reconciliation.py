"""Ledger ↔ activity reconciliation: do the ledger, the commitments and SSDA903 agree?"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from carecast.domain.codes import PLACEMENT_LINES
from carecast.forecast.actuals import actuals_to_date
from carecast.forecast.placements import committed_costs
from carecast.reports import activity, narrative
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Omitted, SectionContent, Table
from carecast.reports.sections.base import (
    Built,
    SectionSpec,
    children,
    pence,
    shown_count,
    text,
)

KEY = "reconciliation"
TITLE = "Ledger and activity reconciliation"
ZERO = Decimal(0)


def _sum(cells: Iterable[Cell]) -> Decimal:
    return sum((c for c in cells if isinstance(c, Decimal)), ZERO)


def reconciliation_table(context: ReportContext) -> Table:
    state, period = context.state, context.period
    day = period.last_day
    matching = activity.match_placements(context.placements, state.commitments, day)
    month = [entry for entry in state.ledger if entry.period == period]
    ledger = actuals_to_date(month, state.cost_centres, period).by_line
    dobs = {child.child_id: child.dob for child in state.children}
    committed = committed_costs(state.commitments, period.first_day, day, dobs)
    rows: list[tuple[Cell, ...]] = []
    for line in PLACEMENT_LINES:
        spent = ledger.get(line, ZERO)
        cost = committed[line].cost if line in committed else ZERO
        counts = (matching.placed, matching.paid, matching.unpaid, matching.unplaced)
        rows.append((line.heading, *(c[line] for c in counts), spent, cost, spent - cost))
    counts = (matching.placed, matching.paid, matching.unpaid, matching.unplaced)
    counted = [sum(c[line] for line in PLACEMENT_LINES) for c in counts]
    money = [_sum(row[n] for row in rows) for n in (5, 6, 7)]
    rows.append(("Total", *counted, *money))
    return Table(
        "reconciliation",
        f"Placements: SSDA903, commitments and the ledger in {narrative.month_text(period)}",
        (
            text("line", "Placement line"),
            children("placed", "Children placed (SSDA903)"),
            children("paid", "Children with a commitment"),
            children("unpaid", "Placed, no commitment"),
            children("unplaced", "Commitment, not placed"),
            pence("ledger", "Ledger spend in the month"),
            pence("committed", "Commitments' cost in the month"),
            pence("difference", "Ledger less commitments"),
        ),
        tuple(rows),
        total_row=True,
        row_identities=((("placed", 1), ("unpaid", -1), ("paid", -1), ("unplaced", 1)),),
        notes=(
            "Children on the period's last day. Commitments' cost: each commitment open in the "
            "month at its net weekly cost for the days it was open. A ledger figure far from the "
            "commitments points to late or missing payments, accruals, or commitments not yet "
            "recorded in the finance system.",
        ),
    )


COUNTS = ("placed", "paid", "unpaid", "unplaced")


def build(context: ReportContext) -> Built:
    state = context.state
    if not (state.commitments or state.episodes) or not state.ledger:
        return Omitted(KEY, TITLE, "the ledger, commitments or SSDA903 episodes are missing")
    table = reconciliation_table(context)
    if context.public:
        # The children placed per line are published in the placements table too; with them,
        # a withheld count here could be worked out, so the public version shows money only.
        table = table.without(
            *COUNTS, note="Counts of children are shown in the internal version only."
        )
    ledger = table.cell("Total", "ledger")
    committed = table.cell("Total", "committed")
    difference = table.cell("Total", "difference")
    assert isinstance(ledger, Decimal)
    assert isinstance(committed, Decimal)
    assert isinstance(difference, Decimal)
    month = narrative.month_text(context.period)
    paragraphs = [
        f"In {month} the ledger shows {narrative.money(ledger)} of placement spend against "
        f"{narrative.money(committed)} for the commitments open in the month, a difference of "
        f"{narrative.money(difference)} ({'more' if difference > 0 else 'less'} in the ledger)."
    ]
    if not context.public:
        unpaid = shown_count(table.cell("Total", "unpaid"))
        unplaced = shown_count(table.cell("Total", "unplaced"))
        paragraphs.append(
            f"{narrative.count(unpaid or 0)} children placed according to SSDA903 have no open "
            f"commitment for that kind of placement, and {narrative.count(unplaced or 0)} open "
            "commitments have no matching placement: each is a record to correct before the "
            "next forecast."
        )
    return SectionContent(KEY, TITLE, tuple(paragraphs), (table,))


SECTION = SectionSpec(KEY, TITLE, build)
