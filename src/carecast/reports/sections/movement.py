"""Movement since the last report: what changed between the earlier forecast and this one."""

from __future__ import annotations

from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.provenance import Forecast
from carecast.reports import narrative
from carecast.reports.charts import waterfall
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Omitted, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, children, pence, text

KEY = "movement"
TITLE = "Movement since the last report"
WATERFALL_STEPS = 6  # the largest movements get their own step; the rest are added together


def line_movements(previous: Forecast, current: Forecast) -> list[tuple[ServiceLine, Decimal]]:
    """Each line's change in forecast outturn, in service-line order."""
    before = {line.service_line: line.forecast_outturn for line in previous.lines}
    after = {line.service_line: line.forecast_outturn for line in current.lines}
    lines = sorted(set(before) | set(after), key=list(ServiceLine).index)
    return [(line, after.get(line, Decimal(0)) - before.get(line, Decimal(0))) for line in lines]


def drivers(context: ReportContext) -> list[narrative.Driver]:
    """What moved the variance: the movement service's drivers when available, else the lines,
    plus any change of budget (a bigger budget reduces the variance)."""
    previous = context.previous
    if previous is None:
        return []
    found: list[narrative.Driver]
    if context.movement is not None:
        found = [
            narrative.Driver(
                f"{d.count} {d.label}" if d.count and not context.public else d.label, d.amount
            )
            for d in context.movement.drivers
        ]
    else:
        found = [
            narrative.Driver(line.heading.lower(), amount)
            for line, amount in line_movements(previous.forecast, context.forecast)
        ]
    budget_change = context.forecast.budget - previous.forecast.budget
    if budget_change:
        found.append(narrative.Driver("budget changes", -budget_change))
    return found


def _line_table(context: ReportContext, previous: Forecast) -> Table:
    current = context.forecast
    counts_before = {line.service_line: line.children for line in previous.lines}
    counts_after = {line.service_line: line.children for line in current.lines}
    with_children = not context.public
    rows: list[tuple[Cell, ...]] = []
    for line, amount in line_movements(previous, current):
        before = next((x.forecast_outturn for x in previous.lines if x.service_line is line), None)
        after = next((x.forecast_outturn for x in current.lines if x.service_line is line), None)
        row: tuple[Cell, ...] = (line.heading, before, after, amount)
        if with_children:
            row += (counts_before.get(line), counts_after.get(line))
        rows.append(row)
    total: tuple[Cell, ...] = (
        "Total",
        previous.forecast_outturn,
        current.forecast_outturn,
        current.forecast_outturn - previous.forecast_outturn,
    )
    columns: tuple[Column, ...] = (
        text("line", "Service line"),
        pence("before", f"Forecast at {previous.period}"),
        pence("after", f"Forecast at {current.period}"),
        pence("movement", "Movement"),
    )
    if with_children:
        columns += (
            children("children_before", f"Children at {previous.period}"),
            children("children_after", f"Children at {current.period}"),
        )
        total += (None, None)
    rows.append(total)
    return Table(
        "movement_by_line",
        f"Movement in the forecast outturn from {previous.period} to {current.period} (£)",
        columns,
        tuple(rows),
        notes=("Children: placements live at each period end, by the line that pays for them.",)
        if with_children
        else (),
    )


def _driver_table(context: ReportContext) -> Table | None:
    if context.movement is None:
        return None
    show_counts = not context.public
    columns: tuple[Column, ...] = (text("driver", "Driver"), pence("amount", "Movement"))
    if show_counts:
        columns += (children("count", "Children or placements"),)
    rows: list[tuple[Cell, ...]] = []
    for driver in context.movement.drivers:
        row: tuple[Cell, ...] = (driver.label, driver.amount)
        rows.append((*row, driver.count) if show_counts else row)
    total = sum((driver.amount for driver in context.movement.drivers), Decimal(0))
    rows.append(("Total", total, None) if show_counts else ("Total", total))
    return Table(
        "movement_by_driver", "Movement in the forecast outturn by driver (£)", columns, tuple(rows)
    )


def build(context: ReportContext) -> Built:
    previous = context.previous
    if previous is None:
        return Omitted(
            KEY,
            TITLE,
            f"no forecast for an earlier period of {context.period.financial_year} is stored, "
            "so there is no earlier report to compare with",
        )
    found = drivers(context)
    sentence = narrative.movement_sentence(
        previous.forecast.period, previous.forecast.variance, context.forecast.variance, found
    )
    steps = sorted(found, key=lambda d: (-abs(d.amount), d.label))
    shown = [(d.label, d.amount) for d in steps[:WATERFALL_STEPS] if d.amount]
    rest = sum((d.amount for d in steps[WATERFALL_STEPS:]), Decimal(0))
    if rest:
        shown.append(("all other changes", rest))
    start = (f"Variance at {previous.forecast.period}", previous.forecast.variance)
    end = (f"Variance at {context.period}", context.forecast.variance)
    chart = waterfall(
        "movement_waterfall",
        f"From the {previous.forecast.period} variance to the {context.period} variance (£m)",
        "Waterfall chart: " + sentence,
        start=start,
        steps=shown,
        end=end,
    )
    tables = [_line_table(context, previous.forecast)]
    by_driver = _driver_table(context)
    if by_driver is not None:
        tables.insert(0, by_driver)
    tables = [context.disclose(table) for table in tables]
    notes = (
        ()
        if context.movement is not None
        else (
            "The movement is shown by service line; the explanation by driver (new children, "
            "ended placements, price and mix changes) appears when the movement analysis is "
            "available.",
        )
    )
    return SectionContent(KEY, TITLE, (sentence,), tuple(tables), (chart,), notes)


SECTION = SectionSpec(KEY, TITLE, build)
