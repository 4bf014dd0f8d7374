"""The monthly close: init, import, imports, forecast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from carecast import services
from carecast.cli.app import (
    DatabaseUrl,
    JsonFlag,
    app,
    console,
    parse_date,
    parse_period,
    progress_bar,
)
from carecast.config import load_settings
from carecast.reports.terminal import forecast_table, imports_table


@app.command()
def init(
    council: Annotated[str, typer.Option("--council", help="The council's name.")],
    la_code: Annotated[str, typer.Option("--la-code", help="DfE local-authority code, e.g. 209.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Create (or upgrade) the store and add the council."""
    created = services.init_store(load_settings(database_url), council, la_code)
    console().print(f"Store ready with council {created.name} ({created.la_code}).")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of input files.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date the data describes, YYYY-MM-DD.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Import files or folders as known on a date: all of them, or nothing."""
    out = console()
    known_on = parse_date(as_of, "--as-of")
    with progress_bar(out) as bar:
        task = bar.add_task("Validating", total=None)

        def report(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total or None)

        outcome, warnings = services.import_paths(
            load_settings(database_url), paths, known_on, report
        )
    for warning in warnings:
        out.print(warning.format(), style="yellow", markup=False, highlight=False, soft_wrap=True)
    for batch in outcome.stored:
        out.print(f"Imported {batch.file_name}: {batch.row_count} rows ({batch.dataset}).")
    for source in outcome.unchanged:
        out.print(f"Unchanged {source}: already imported with this content and as-of date.")


@app.command()
def imports(database_url: DatabaseUrl = None) -> None:
    """List import batches with their provenance."""
    council, batches = services.list_imports(load_settings(database_url))
    console().print(imports_table(council, batches))


@app.command()
def forecast(
    period: Annotated[
        str | None, typer.Option("--period", help="YYYY-MM; default: latest with ledger data.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Use only data known on this date (default: period end + 15 days)."
        ),
    ] = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Forecast the financial year's outturn at the end of a period and store the snapshot."""
    known_on = parse_date(as_of, "--as-of") if as_of else None
    snapshot = services.run_forecast(load_settings(database_url), parse_period(period), known_on)
    if json_output:
        from carecast.reports.figures import forecast_json

        typer.echo(json.dumps(forecast_json(snapshot), indent=2))
    else:
        console().print(forecast_table(snapshot))
