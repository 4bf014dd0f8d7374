"""Ledger ↔ activity reconciliation: do the ledger, the commitments and SSDA903 agree?

The matching of placements to commitments is the forecast engine's own (`forecast.reconcile`),
so the counts here are those `carecast reconcile` lists and the forecast acts on.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from carecast.domain.codes import PLACEMENT_LINES
from carecast.forecast.actuals import actuals_to_date
from carecast.forecast.placements import committed_costs
from carecast.forecast.reconcile import Reconciliation, reconcile
from carecast.reports import narrative
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
COUNTS = ("placed", "unpaid", "other_line", "paid", "unplaced")


def _sum(cells: Iterable[Cell]) -> Decimal:
    return sum((c for c in cells if isinstance(c, Decimal)), ZERO)


def reconciliation_table(context: ReportContext, result: Reconciliation) -> Table:
    state, period = context.state, context.period
    counts = result.counts_by_line()
    month = [entry for entry in state.ledger if entry.period == period]
    ledger = actuals_to_date(month, state.cost_centres, period).by_line
    dobs = {child.child_id: child.dob for child in state.children}
    committed = committed_costs(state.commitments, period.first_day, period.last_day, dobs)
    rows: list[tuple[Cell, ...]] = []
    for line in PLACEMENT_LINES:
        spent = ledger.get(line, ZERO)
        cost = committed[line].cost if line in committed else ZERO
        numbers = tuple(counts[key][line] for key in COUNTS)
        rows.append((line.heading, *numbers, spent, cost, spent - cost))
    totals = [sum(counts[key][line] for line in PLACEMENT_LINES) for key in COUNTS]
    money = [_sum(row[n] for row in rows) for n in (6, 7, 8)]
    rows.append(("Total", *totals, *money))
    return Table(
        "reconciliation",
        f"Placements: SSDA903, commitments and the ledger in {narrative.month_text(period)}",
        (
            text("line", "Placement line"),
            children("placed", "Live placements (SSDA903)"),
            children("unpaid", "of which with no open commitment"),
            children("other_line", "of which paid on another line"),
            children("paid", "Open commitments"),
            children("unplaced", "of which with no live placement"),
            pence("ledger", "Ledger spend in the month"),
            pence("committed", "Commitments' cost in the month"),
            pence("difference", "Ledger less commitments"),
        ),
        tuple(rows),
        total_row=True,
        notes=(
            "Placements and commitments on the period's last day, matched child by child as the "
            "forecast matches them ('carecast reconcile' lists each one): a live placement by "
            "its line, a commitment by the line it is recorded on. Commitments' cost: each "
            "commitment open in the month at its net weekly cost for the days it was open. A "
            "ledger figure far from the commitments points to late or missing payments, "
            "accruals, or commitments not yet recorded in the finance system.",
        ),
    )


def build(context: ReportContext) -> Built:
    state = context.state
    if not (state.commitments or state.episodes) or not state.ledger:
        return Omitted(KEY, TITLE, "the ledger, commitments or SSDA903 episodes are missing")
    result = reconcile(state, context.period)
    table = reconciliation_table(context, result)
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
        unpaid = shown_count(table.cell("Total", "unpaid")) or 0
        unplaced = shown_count(table.cell("Total", "unplaced")) or 0
        other = shown_count(table.cell("Total", "other_line")) or 0
        paragraphs.append(
            f"{narrative.count(unpaid)} live placements in SSDA903 have no open commitment: the "
            "forecast costs them at their line's recent average. "
            f"{narrative.count(unplaced)} open commitments have no live placement behind them "
            "(over-commitments): the forecast leaves them out"
            + (
                f", and {narrative.count(other)} placements are paid by a commitment on another "
                "line"
                if other
                else ""
            )
            + ". Each is a record to correct in the finance system; 'carecast reconcile' lists "
            "them."
        )
    return SectionContent(KEY, TITLE, tuple(paragraphs), (table,))


SECTION = SectionSpec(KEY, TITLE, build)
