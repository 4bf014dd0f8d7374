"""Variance by service line: the snapshot's table of record, to the penny."""

from __future__ import annotations

from decimal import Decimal

from carecast.domain.provenance import Forecast
from carecast.reports import narrative
from carecast.reports.charts import bar_chart
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, pence, ratio, share, text

KEY = "variance"


def variance_table(forecast: Forecast) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            line.service_line.heading,
            line.budget,
            line.actual_to_date,
            line.committed,
            line.demand_allowance,
            line.forecast_outturn,
            line.variance,
            ratio(line.variance, abs(line.budget)),
        )
        for line in forecast.lines
    ]
    rows.append(
        (
            "Total",
            forecast.budget,
            forecast.actual_to_date,
            sum((line.committed for line in forecast.lines), Decimal(0)),
            sum((line.demand_allowance for line in forecast.lines), Decimal(0)),
            forecast.forecast_outturn,
            forecast.variance,
            ratio(forecast.variance, abs(forecast.budget)),
        )
    )
    return Table(
        key="variance_by_line",
        title="Forecast outturn by service line (£)",
        columns=(
            text("line", "Service line"),
            pence("budget", "Budget"),
            pence("actual", "Actual to date"),
            pence("committed", "Committed to year end"),
            pence("demand", "Demand allowance"),
            pence("forecast", "Forecast outturn"),
            pence("variance", "Variance"),
            share("variance_pct", "Variance % of budget"),
        ),
        rows=tuple(rows),
        total_row=True,
        notes=(
            "Variance is forecast outturn less budget: positive is an overspend. Income is "
            "negative, so income below budget shows as a positive variance.",
        ),
    )


def build(context: ReportContext) -> Built:
    forecast = context.forecast
    table = variance_table(forecast)
    lines = [(line.service_line.heading.lower(), line.variance) for line in forecast.lines]
    chart = bar_chart(
        "variance_by_line",
        "Forecast variance by service line (£m)",
        "Horizontal bars of each service line's forecast variance in £m; "
        + narrative.variance_drivers_sentence(lines),
        [
            (line.service_line.heading, round(float(line.variance) / 1_000_000, 2))
            for line in sorted(forecast.lines, key=lambda line: -line.variance)
        ],
        "£m (positive = overspend)",
        signed=True,
        label_format=",.2f",
    )
    committed = sum((line.committed for line in forecast.lines), Decimal(0))
    demand = sum((line.demand_allowance for line in forecast.lines), Decimal(0))
    spending = (
        f"By the end of {narrative.period_text(context.period)} "
        f"{narrative.money(forecast.actual_to_date)} had been spent; a further "
        f"{narrative.money(committed)} is committed to the year end in placements, posts, "
        "allowances and the run rate of other lines"
    )
    if demand:
        spending += (
            f", and the demand allowance for children not yet placed adds {narrative.money(demand)}"
        )
    paragraphs = [narrative.variance_drivers_sentence(lines), spending + "."]
    return SectionContent(KEY, "Forecast by service line", tuple(paragraphs), (table,), (chart,))


SECTION = SectionSpec(KEY, "Forecast by service line", build)
