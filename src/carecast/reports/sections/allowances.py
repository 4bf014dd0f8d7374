"""Special guardianship, child arrangements and adoption allowances."""

from __future__ import annotations

from decimal import Decimal

from carecast.domain.codes import ALLOWANCE_LINES, ServiceLine
from carecast.domain.periods import WEEKS_PER_YEAR
from carecast.reports import activity, narrative
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Kind, Omitted, SectionContent, Table
from carecast.reports.sections.base import (
    Built,
    SectionSpec,
    children,
    pence,
    pounds,
    shown_count,
    shown_decimal,
    text,
)

KEY = "allowances"
TITLE = "Special guardianship and allowances"
TYPES = {
    "sgo": "Special guardianship orders",
    "cao": "Child arrangements orders",
    "adoption": "Adoption allowances",
    "other": "Other allowances",
}
LINES = (ServiceLine.SPECIAL_GUARDIANSHIP, ServiceLine.ADOPTION_ALLOWANCES)


def cases_table(context: ReportContext) -> Table:
    period = context.period
    allowances = context.state.allowances
    open_now = activity.open_allowances(allowances, period.last_day)
    first, last = activity.year_to_date(period)
    started = activity.allowances_started(allowances, first, last)
    ended = activity.allowances_ended(allowances, first, last)
    rows: list[tuple[Cell, ...]] = []
    for kind, label in TYPES.items():
        cases = [a for a in open_now if a.allowance_type == kind]
        weekly = sum((a.weekly_amount for a in cases), Decimal(0))
        rows.append(
            (
                label,
                len(cases),
                weekly / len(cases) if cases else None,
                weekly * WEEKS_PER_YEAR,
                started[kind],
                ended[kind],
            )
        )
    weekly_total = sum((a.weekly_amount for a in open_now), Decimal(0))
    rows.append(
        (
            "Total",
            len(open_now),
            None,
            weekly_total * WEEKS_PER_YEAR,
            sum(started.values()),
            sum(ended.values()),
        )
    )
    return Table(
        "allowance_cases",
        f"Allowances in payment on {narrative.day_text(period.last_day)}",
        (
            text("type", "Allowance"),
            children("cases", "Children (cases) in payment"),
            Column("weekly", "Average weekly amount", Kind.PENCE, depends_on=("cases",)),
            pounds("annual", "Full-year cost at current rates", "cases"),
            children("started", f"Started {period.financial_year} to date"),
            children("ended", f"Ended {period.financial_year} to date"),
        ),
        tuple(rows),
        total_row=True,
        notes=("Full-year cost: the weekly amounts in payment now × 52.14 weeks.",),
    )


def lines_table(context: ReportContext) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (line.service_line.heading, line.budget, line.forecast_outturn, line.variance)
        for line in context.forecast.lines
        if line.service_line in LINES
    ]
    return Table(
        "allowance_lines",
        "Allowance budgets and forecasts (£)",
        (
            text("line", "Service line"),
            pence("budget", "Budget"),
            pence("forecast", "Forecast outturn"),
            pence("variance", "Variance"),
        ),
        tuple(rows),
    )


def build(context: ReportContext) -> Built:
    if not context.state.allowances:
        return Omitted(KEY, TITLE, "no allowances have been imported")
    cases = context.disclose(cases_table(context))
    paragraphs = []
    sgo = cases.rows[0]
    in_payment, weekly = shown_count(sgo[1]), shown_decimal(sgo[2])
    started, ended = shown_count(sgo[4]), shown_count(sgo[5])
    if in_payment is not None and weekly is not None:
        sentence = (
            f"{narrative.count(in_payment)} special guardianship allowances are in payment, "
            f"averaging {narrative.pounds(weekly)} a week"
        )
        if started is not None and ended is not None:
            trend = (
                "so the number is growing"
                if started > ended
                else "so the number is falling"
                if started < ended
                else "so the number is steady"
            )
            sentence += (
                f"; {narrative.count(started)} started and {narrative.count(ended)} ended in "
                f"{context.period.financial_year} to date, {trend}"
            )
        paragraphs.append(sentence + ".")
    lines = lines_table(context)
    for row in lines.rows:
        forecast, budget = shown_decimal(row[2]), shown_decimal(row[1])
        if forecast is not None and budget is not None:
            paragraphs.append(
                f"{row[0]} is forecast at {narrative.money(forecast)} against a budget of "
                f"{narrative.money(budget)}: {narrative.variance_phrase(forecast - budget, budget)}."
            )
    allowance_lines = sorted({line.heading for line in ALLOWANCE_LINES.values()})
    notes = (
        "Child arrangements allowances are paid from the special guardianship line; other "
        f"allowances from other support. Lines: {', '.join(allowance_lines)}.",
    )
    return SectionContent(KEY, TITLE, tuple(paragraphs), (cases, lines), (), notes)


SECTION = SectionSpec(KEY, TITLE, build)
