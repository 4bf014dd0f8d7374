"""Summary: budget, forecast, variance, interval and movement since the last report."""

from __future__ import annotations

from decimal import Decimal

from carecast.domain.provenance import Forecast
from carecast.reports import narrative
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, SectionContent, Table
from carecast.reports.sections import movement
from carecast.reports.sections.base import Built, SectionSpec, pence, ratio, share, text

KEY = "summary"
TITLE = "Summary"


def total_interval(forecast: Forecast) -> tuple[Decimal, Decimal] | None:
    """The 80% interval of the whole outturn, when the forecast carries one.

    Line intervals do not add up to the total's (the lines are not perfectly correlated), so the
    total comes from the forecast itself or not at all.
    """
    if forecast.p10 is None or forecast.p90 is None:
        return None
    return forecast.p10, forecast.p90


def key_figures(context: ReportContext) -> Table:
    forecast = context.forecast
    rows: list[tuple[Cell, ...]] = [
        ("Budget", forecast.budget, None),
        (
            "Forecast outturn",
            forecast.forecast_outturn,
            ratio(forecast.forecast_outturn, forecast.budget),
        ),
        (
            "Variance (forecast less budget)",
            forecast.variance,
            ratio(forecast.variance, forecast.budget),
        ),
        ("Spent to date", forecast.actual_to_date, ratio(forecast.actual_to_date, forecast.budget)),
    ]
    interval = total_interval(forecast)
    if interval is not None:
        rows.append(("Low end of the 80% interval (P10)", interval[0], None))
        rows.append(("High end of the 80% interval (P90)", interval[1], None))
    if context.previous is not None:
        before = context.previous.forecast
        rows.append((f"Forecast outturn at {before.period}", before.forecast_outturn, None))
        rows.append((f"Variance at {before.period}", before.variance, None))
        rows.append(("Movement in the variance", forecast.variance - before.variance, None))
    return Table(
        "key_figures",
        f"Key figures, {forecast.period.financial_year} at {forecast.period} (£)",
        (text("measure", "Measure"), pence("amount", "Amount"), share("of_budget", "% of budget")),
        tuple(rows),
    )


def build(context: ReportContext) -> Built:
    forecast = context.forecast
    paragraphs = [
        narrative.headline(
            forecast.period,
            forecast.budget,
            forecast.forecast_outturn,
            ratio(forecast.variance, forecast.budget),
        )
    ]
    interval = total_interval(forecast)
    if interval is not None:
        paragraphs.append(narrative.interval_sentence(*interval, forecast.budget))
    if context.previous is not None:
        before = context.previous.forecast
        paragraphs.append(
            narrative.movement_sentence(
                before.period, before.variance, forecast.variance, movement.drivers(context)
            )
        )
    lines = [(line.service_line.heading.lower(), line.variance) for line in forecast.lines]
    paragraphs.append(narrative.variance_drivers_sentence(lines))
    paragraphs.append(
        f"The forecast uses the data known on {narrative.day_text(forecast.knowledge_date)} "
        f"(snapshot {context.snapshot.snapshot_id})."
    )
    return SectionContent(KEY, TITLE, tuple(paragraphs), (key_figures(context),), tables_first=True)


SECTION = SectionSpec(KEY, TITLE, build)
