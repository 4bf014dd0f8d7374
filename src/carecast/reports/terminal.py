"""Rich tables for the terminal."""

from __future__ import annotations

from rich.table import Table

from carecast.domain.provenance import Council, ForecastSnapshot, ImportBatch
from carecast.reports.figures import pounds


def forecast_table(snapshot: ForecastSnapshot) -> Table:
    forecast = snapshot.forecast
    table = Table(
        title=f"{snapshot.council.name}: forecast outturn {forecast.period.financial_year} "
        f"at period {forecast.period.number} ({forecast.period})",
        caption=f"Snapshot {snapshot.snapshot_id}; data known on {forecast.knowledge_date}",
    )
    table.add_column("Service line")
    for heading in ("Budget", "Actual to date", "Forecast", "Variance"):
        table.add_column(heading, justify="right")
    for line in forecast.lines:
        style = "red" if line.variance > 0 else "green"
        table.add_row(
            line.service_line.heading,
            pounds(line.budget),
            pounds(line.actual_to_date),
            pounds(line.forecast_outturn),
            f"[{style}]{pounds(line.variance, signed=True)}[/]",
        )
    table.add_section()
    table.add_row(
        "Total",
        pounds(forecast.budget),
        pounds(forecast.actual_to_date),
        pounds(forecast.forecast_outturn),
        pounds(forecast.variance, signed=True),
        style="bold",
    )
    return table


def imports_table(council: Council, batches: list[ImportBatch]) -> Table:
    table = Table(title=f"Imports for {council.name} ({council.la_code})")
    for heading in (
        "Batch",
        "As of",
        "Input",
        "File",
        "Rows",
        "Warnings",
        "Imported at",
        "SHA-256",
    ):
        table.add_column(heading)
    for b in batches:
        table.add_row(
            str(b.batch_id),
            b.as_of.isoformat(),
            b.dataset,
            b.file_name,
            str(b.row_count),
            str(b.warnings),
            f"{b.imported_at:%Y-%m-%d %H:%M}",
            b.sha256[:12],
        )
    return table
