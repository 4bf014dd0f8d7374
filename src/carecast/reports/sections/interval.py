"""How certain the forecast is: the 80% interval of the outturn, as a fan over the year."""

from __future__ import annotations

from carecast.reports import narrative
from carecast.reports.charts import outturn_fan, range_chart
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Omitted, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, pence, text
from carecast.reports.sections.summary import total_interval

KEY = "interval"
TITLE = "How certain the forecast is"


def build(context: ReportContext) -> Built:
    forecast = context.forecast
    with_interval = [
        line for line in forecast.lines if line.p10 is not None and line.p90 is not None
    ]
    if not with_interval:
        return Omitted(
            KEY,
            TITLE,
            "this snapshot carries no interval (P10/P90); it appears once the forecast engine "
            "stores intervals",
        )
    rows: list[tuple[Cell, ...]] = [
        (line.service_line.heading, line.p10, line.forecast_outturn, line.p90, line.budget)
        for line in with_interval
    ]
    interval = total_interval(forecast)
    paragraphs: list[str] = []
    if interval is not None:
        rows.append(("Total", interval[0], forecast.forecast_outturn, interval[1], forecast.budget))
        paragraphs.append(narrative.interval_sentence(*interval, forecast.budget))
    widest = max(
        with_interval, key=lambda line: ((line.p90 or 0) - (line.p10 or 0), line.service_line)
    )
    assert widest.p10 is not None
    assert widest.p90 is not None
    paragraphs.append(
        f"The widest range is for {widest.service_line.heading.lower()}: from "
        f"{narrative.money(widest.p10)} to {narrative.money(widest.p90)}."
    )
    table = Table(
        "interval_by_line",
        "80% interval of the outturn by service line (£)",
        (
            text("line", "Service line"),
            pence("p10", "Low (P10)"),
            pence("forecast", "Forecast"),
            pence("p90", "High (P90)"),
            pence("budget", "Budget"),
        ),
        tuple(rows),
        notes=(
            "P10 and P90: the outturn is expected to fall below P10 one year in ten and above "
            "P90 one year in ten. Line ranges do not add up to the total's range.",
        ),
    )
    charts = [
        range_chart(
            "interval_by_line",
            "Range of each line's variance (£m): bar P10–P90, dot forecast",
            "For each service line a bar from the low (P10) to the high (P90) variance against "
            "its budget, with a dot at the forecast variance; right of zero is an overspend. "
            + paragraphs[-1],
            [
                (
                    line.service_line.heading,
                    line.p10 - line.budget,
                    line.variance,
                    line.p90 - line.budget,
                )
                for line in with_interval
                if line.p10 is not None and line.p90 is not None
            ],
        )
    ]
    fan = outturn_fan(
        "interval_fan",
        f"Forecast outturn {forecast.period.financial_year} by period, with its 80% interval (£m)",
        "Fan chart of the forecast outturn at each period of the year with the 80% "
        "interval shaded, against the budget as a dashed line. " + " ".join(paragraphs),
        [snapshot.forecast for snapshot in context.year_snapshots],
    )
    if fan is not None:
        charts.insert(0, fan)
    return SectionContent(KEY, TITLE, tuple(paragraphs), (table,), tuple(charts))


SECTION = SectionSpec(KEY, TITLE, build)
