"""Placements: children by category, mix, weekly unit costs, placements starting and ending."""

from __future__ import annotations

from carecast.domain.codes import PLACEMENT_LINES
from carecast.reports import activity, narrative
from carecast.reports.charts import bar_chart
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Kind, SectionContent, Table
from carecast.reports.sections.base import (
    Built,
    SectionSpec,
    children,
    ratio,
    share,
    shown_count,
    shown_decimal,
    text,
)

KEY = "placements"
TITLE = "Placements"
NO_COST = "No placement cost (with parents, placed for adoption)"


def placements_table(context: ReportContext) -> Table:
    forecast, period = context.forecast, context.period
    placements = context.placements
    first, last = activity.year_to_date(period)
    started = activity.placements_started(placements, first, last)
    ended = activity.placements_ended(placements, first, last)
    live = activity.live_by_category(placements, period.last_day)
    by_line = {line.service_line: line for line in forecast.lines}
    counts = {
        line: (by_line[line].children if line in by_line else None) or 0 for line in PLACEMENT_LINES
    }
    total = sum(counts.values()) + live[None]
    rows: list[tuple[Cell, ...]] = []
    for line in PLACEMENT_LINES:
        weekly = by_line[line].average_weekly_cost if line in by_line else None
        rows.append(
            (
                line.heading,
                counts[line],
                ratio(counts[line], total),
                weekly,
                started[line],
                ended[line],
            )
        )
    rows.append((NO_COST, live[None], ratio(live[None], total), None, started[None], ended[None]))
    rows.append(
        ("Total", total, ratio(total, total), None, sum(started.values()), sum(ended.values()))
    )
    return Table(
        "placements_by_category",
        f"Children looked after on {narrative.day_text(period.last_day)} by placement",
        (
            text("category", "Placement"),
            children("children", "Children"),
            share("mix", "Mix", "children"),
            Column("weekly", "Average weekly cost", Kind.PENCE, depends_on=("children",)),
            children("started", f"Placements started {period.financial_year} to date"),
            children("ended", f"Placements ended {period.financial_year} to date"),
        ),
        tuple(rows),
        total_row=True,
        notes=(
            "Children from the SSDA903 episodes open at the period end; average weekly cost from "
            "the placement commitments open then (net of health and education contributions). "
            "A change of placement ends one placement and starts another.",
        ),
    )


def build(context: ReportContext) -> Built:
    table = context.disclose(placements_table(context))
    rows = [row for row in table.rows if row[0] not in ("Total", NO_COST)]
    total = shown_count(table.rows[-1][1])
    paragraphs: list[str] = []
    ranked = sorted(
        ((row[0], shown_count(row[1]), shown_decimal(row[2])) for row in rows),
        key=lambda item: -(item[1] or 0),
    )
    top = [
        f"{n} ({narrative.percent(mix)}) in {str(label).lower()}"
        for label, n, mix in ranked[:3]
        if n and mix is not None
    ]
    if total is not None and top:
        paragraphs.append(
            f"On {narrative.day_text(context.period.last_day)}, {narrative.count(total)} children "
            f"were looked after: {narrative.join(top)}."
        )
    started, ended = shown_count(table.rows[-1][4]), shown_count(table.rows[-1][5])
    if started is not None and ended is not None:
        paragraphs.append(
            f"In {context.period.financial_year} to date {narrative.count(started)} placements "
            f"started and {narrative.count(ended)} ended."
        )
    costs = sorted(
        (
            (cost, str(row[0]).lower())
            for row in rows
            if (cost := shown_decimal(row[3])) is not None and shown_count(row[1])
        ),
        reverse=True,
    )
    if costs:
        paragraphs.append(
            "Average weekly costs run from "
            + narrative.join([f"{narrative.pounds(cost)} in {label}" for cost, label in costs[:4]])
            + "."
        )
    bars = [
        (str(row[0]), float(mix) * 100)
        for row in rows
        if (mix := shown_decimal(row[2])) is not None and shown_count(row[1])
    ]
    chart = bar_chart(
        "placement_mix",
        "Placement mix: share of children looked after (%)",
        "Horizontal bars of the share of children looked after in each kind of placement. "
        + " ".join(paragraphs[:1]),
        sorted(bars, key=lambda item: -item[1]),
        "% of children looked after",
        label_format=".1f",
    )
    notes = (
        ("Kinds of placement whose counts are withheld are not drawn.",) if context.public else ()
    )
    return SectionContent(KEY, TITLE, tuple(paragraphs), (table,), (chart,), notes)


SECTION = SectionSpec(KEY, TITLE, build)
