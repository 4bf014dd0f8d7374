"""Children looked after: the 31 March series, the monthly trend and the rate per 10,000."""

from __future__ import annotations

from decimal import Decimal

from carecast.reports import activity, narrative
from carecast.reports.charts import line_chart
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Omitted, SectionContent, Table
from carecast.reports.sections.base import (
    Built,
    SectionSpec,
    children,
    count,
    measure,
    shown_count,
    text,
)

KEY = "children"
TITLE = "Children looked after"
PER = Decimal(10_000)


def rate(count: int, population: int | None) -> Decimal | None:
    """Children looked after per 10,000 children aged 0–17."""
    return None if not population else Decimal(count) * PER / population


def published_rates(context: ReportContext) -> dict[str, Decimal]:
    """The council's own rate per 10,000 on each 31 March (year → rate), as the benchmarking
    capability works it out from the store with that year's ONS population."""
    view = context.benchmark
    if view is None:
        return {}
    rates: dict[str, Decimal] = {}
    for m in view.measures:
        if m.unit == "rate" and m.own is not None and "looked after" in m.measure.lower():
            rates.setdefault(m.year, m.own)
    return rates


def march_table(context: ReportContext) -> Table:
    series = activity.march_series(context.state.episodes, context.period.last_day)
    rates = published_rates(context)
    columns: tuple[Column, ...] = (text("date", "31 March"), children("children", "Looked after"))
    rows: list[tuple[Cell, ...]] = []
    for day, number in series:
        row: tuple[Cell, ...] = (narrative.day_text(day), number)
        if rates:
            row += (rates.get(str(day.year)),)
        rows.append(row)
    notes: tuple[str, ...] = ()
    if rates:
        columns += (measure("rate", "Per 10,000 children", "children"),)
        notes = (
            "Per 10,000 children aged 0–17: the council's own count over the ONS population of "
            "that year, as the benchmarking section computes it.",
        )
    return Table(
        "looked_after_31_march",
        "Children looked after on 31 March",
        columns,
        tuple(rows),
        notes=notes,
    )


def rate_now(context: ReportContext, now_count: int, population: int) -> Table:
    view = context.benchmark
    year = f" ({view.population_year})" if view is not None and view.population_year else ""
    return Table(
        "looked_after_rate_now",
        "Rate per 10,000 children now",
        (
            text("date", "Date"),
            children("children", "Looked after"),
            count("population", f"Population aged 0–17{year}"),
            measure("rate", "Per 10,000 children", "children"),
        ),
        (
            (
                narrative.day_text(context.period.last_day),
                now_count,
                population,
                rate(now_count, population),
            ),
        ),
    )


def monthly_table(context: ReportContext) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for period, number in activity.monthly_series(context.state.episodes, context.period):
        rows.append(
            (
                narrative.month_text(period),
                number,
                activity.children_starting(
                    context.state.episodes, period.first_day, period.last_day
                ),
                activity.children_ceasing(
                    context.state.episodes, period.first_day, period.last_day
                ),
            )
        )
    return Table(
        "looked_after_monthly",
        "Children looked after at each month end, with children starting and ceasing",
        (
            text("month", "Month"),
            children("looked_after", "Looked after at month end"),
            children("started", "Started to be looked after"),
            children("ceased", "Ceased to be looked after"),
        ),
        tuple(rows),
        stock_flow=("looked_after", "started", "ceased"),
    )


def build(context: ReportContext) -> Built:
    if not context.state.episodes:
        return Omitted(KEY, TITLE, "no SSDA903 episodes have been imported")
    population = context.benchmark.population_0_17 if context.benchmark else None
    march = context.disclose(march_table(context))
    monthly = context.disclose(monthly_table(context))
    series = [
        (day, n)
        for (day, _), row in zip(
            activity.march_series(context.state.episodes, context.period.last_day),
            march.rows,
            strict=True,
        )
        if (n := shown_count(row[1])) is not None
    ]
    latest = monthly.rows[-1] if monthly.rows else None
    now_count = shown_count(latest[1]) if latest is not None else None
    paragraphs = [
        narrative.trend_sentence(
            series, (context.period.last_day, now_count) if now_count is not None else None
        )
    ]
    tables = [march, monthly]
    if population and now_count is not None:
        now = rate_now(context, now_count, population)
        tables.insert(1, now)
        per = now.rows[0][3]
        if isinstance(per, Decimal):
            paragraphs.append(
                f"That is {narrative.number(per)} per 10,000 children aged 0–17 (population "
                f"{narrative.count(population)})."
            )
    if (
        latest is not None
        and (started := shown_count(latest[2])) is not None
        and (ceased := shown_count(latest[3])) is not None
    ):
        paragraphs.append(
            f"In {latest[0]}, {narrative.count(started)} children started to be looked after and "
            f"{narrative.count(ceased)} ceased."
        )
    points = [(day.strftime("%Y"), float(n), "31 March") for day, n in series]
    months = activity.monthly_series(context.state.episodes, context.period)
    monthly_points = [
        (period.first_day.strftime("%b %Y"), float(n), "Month end")
        for (period, _), row in zip(months, monthly.rows, strict=True)
        if (n := shown_count(row[1])) is not None
    ]
    charts = []
    if points:
        charts.append(
            line_chart(
                "looked_after_31_march",
                "Children looked after on 31 March",
                "Line chart of the number of children looked after on each 31 March. "
                + paragraphs[0],
                points,
                "children",
            )
        )
    if monthly_points:
        charts.append(
            line_chart(
                "looked_after_monthly",
                "Children looked after at each month end",
                "Line chart of the number of children looked after at the end of each month. "
                + paragraphs[0],
                monthly_points,
                "children",
            )
        )
    notes = (
        ()
        if population
        else (
            "The rate per 10,000 children appears when the population data of the benchmarking "
            "capability is available.",
        )
    )
    return SectionContent(
        KEY, TITLE, tuple(p for p in paragraphs if p), tuple(tables), tuple(charts), notes
    )


SECTION = SectionSpec(KEY, TITLE, build)
