"""Forecast track record: each earlier forecast against the latest one and against the outturn,
and the backtest, so the committee can judge how far to trust the forecast."""

from __future__ import annotations

from decimal import Decimal

from carecast.domain.provenance import ForecastSnapshot
from carecast.reports import narrative
from carecast.reports.charts import line_chart
from carecast.reports.context import BacktestView, ReportContext
from carecast.reports.model import Cell, Column, Omitted, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, pence, ratio, share, text

KEY = "track_record"
TITLE = "Forecast track record"


def year_table(
    snapshots: tuple[ForecastSnapshot, ...], title: str, outturn: Decimal | None
) -> Table:
    """Each period's forecast, its change from the one before, and its distance from the
    reference: the actual outturn when known, else the latest forecast."""
    reference = outturn if outturn is not None else snapshots[-1].forecast.forecast_outturn
    label = "outturn" if outturn is not None else "latest forecast"
    rows: list[tuple[Cell, ...]] = []
    before: Decimal | None = None
    for snapshot in snapshots:
        forecast = snapshot.forecast
        value = forecast.forecast_outturn
        rows.append(
            (
                f"{forecast.period} (P{forecast.period.number})",
                forecast.budget,
                value,
                forecast.variance,
                None if before is None else value - before,
                value - reference,
                ratio(value - reference, reference),
            )
        )
        before = value
    columns: tuple[Column, ...] = (
        text("period", "Period"),
        pence("budget", "Budget"),
        pence("forecast", "Forecast outturn"),
        pence("variance", "Variance"),
        pence("change", "Change from previous"),
        pence("gap", f"Forecast less {label}"),
        share("gap_pct", f"% of {label}"),
    )
    return Table(
        f"track_{snapshots[-1].forecast.period.financial_year}", title, columns, tuple(rows)
    )


def backtest_table(view: BacktestView) -> Table:
    names = sorted({name for point in view.points for name in point.baselines})
    columns: tuple[Column, ...] = (
        text("period", "Period"),
        pence("forecast", "carecast forecast"),
        pence("outturn", "Actual outturn"),
        share("error", "Error % of outturn"),
        *(pence(name, f"Baseline: {name.replace('_', ' ')}") for name in names),
    )
    rows: list[tuple[Cell, ...]] = [
        (
            str(point.period),
            point.forecast_outturn,
            view.actual_outturn,
            None if point.error_pct is None else point.error_pct / 100,
            *(point.baselines.get(name) for name in names),
        )
        for point in view.points
    ]
    return Table(
        "backtest",
        f"Backtest: {view.financial_year} replayed at each quarter end from what was known then, "
        f"against the "
        f"outturn of {narrative.pounds(view.actual_outturn)}",
        columns,
        tuple(rows),
        notes=("Error: forecast less actual outturn, as a share of the outturn.",),
    )


def build(context: ReportContext) -> Built:
    year = context.year_snapshots
    prior = context.prior_year_snapshots
    if len(year) < 2 and not prior and context.backtest is None:
        return Omitted(
            KEY,
            TITLE,
            "only one forecast of the year is stored and no backtest is available, so there is "
            "no record to show yet",
        )
    tables: list[Table] = []
    paragraphs: list[str] = []
    charts = []
    fy = context.period.financial_year
    if year:
        tables.append(year_table(year, f"Forecasts of {fy} made so far (£)", None))
        first, last = year[0].forecast, year[-1].forecast
        if len(year) > 1:
            paragraphs.append(
                f"Forecasts of {fy} have moved from {narrative.money(first.forecast_outturn)} at "
                f"{narrative.period_text(first.period)} to {narrative.money(last.forecast_outturn)} "
                f"at {narrative.period_text(last.period)}."
            )
        points = [
            (str(s.forecast.period), float(s.forecast.forecast_outturn) / 1e6, "Forecast")
            for s in year
        ]
        points += [(str(s.forecast.period), float(s.forecast.budget) / 1e6, "Budget") for s in year]
        charts.append(
            line_chart(
                "track_record",
                f"Forecast outturn of {fy} at each period against the budget (£m)",
                "Line chart of the forecast outturn at each period of the year beside the budget. "
                + (paragraphs[0] if paragraphs else ""),
                points,
                "£m",
            )
        )
    if prior:
        outturn = context.prior_year_outturn
        previous_year = prior[-1].forecast.period.financial_year
        tables.append(
            year_table(prior, f"Forecasts of {previous_year} against its outturn (£)", outturn)
        )
        if outturn is not None:
            paragraphs.append(
                f"{previous_year} ended at {narrative.money(outturn)}; the forecasts made during "
                f"that year are compared with it below."
            )
    if context.backtest is not None:
        view = context.backtest
        tables.append(backtest_table(view))
        scored = [
            f"{narrative.percent(abs(p.error_pct) / 100)} "
            f"{'above' if p.error_pct > 0 else 'below'} at {narrative.period_text(p.period)}"
            for p in view.points
            if p.error_pct is not None
        ]
        if scored:
            paragraphs.append(
                f"Replayed from what was known at the time, the forecast of {view.financial_year} "
                f"was {narrative.join(scored)}, against the outturn of "
                f"{narrative.money(view.actual_outturn)}."
            )
    notes = (
        ()
        if context.backtest is not None
        else (
            "The backtest (each past period replayed from what was known then) appears here when the "
            "backtesting capability is available.",
        )
    )
    return SectionContent(KEY, TITLE, tuple(paragraphs), tuple(tables), tuple(charts), notes)


SECTION = SectionSpec(KEY, TITLE, build)
