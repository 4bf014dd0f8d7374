"""The command line (formats.md §2). Commands call services; `run` alone turns errors into exits."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from carecast import services
from carecast.config import load_settings
from carecast.domain.periods import Period
from carecast.errors import CarecastError, NotAvailableYet, UsageError
from carecast.reports.terminal import forecast_table, imports_table

app = typer.Typer(
    help="carecast: what this year's children's social care will really cost, and why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Store URL. Default: $CARECAST_DATABASE_URL, else sqlite:///carecast.db here.",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]


def _console() -> Console:
    # Piped output (logs, CI) gets room for the full table instead of Rich's 80-column default.
    return Console(width=None if sys.stdout.isatty() else 160)


def _period(text: str | None) -> Period | None:
    if text is None:
        return None
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date; write it as YYYY-MM-DD") from None


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.command()
def init(
    council: Annotated[str, typer.Option("--council", help="The council's name.")],
    la_code: Annotated[str, typer.Option("--la-code", help="DfE local-authority code, e.g. 209.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Create (or upgrade) the store and add the council."""
    created = services.init_store(load_settings(database_url), council, la_code)
    _console().print(f"Store ready with council {created.name} ({created.la_code}).")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of input files.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date the data describes, YYYY-MM-DD.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Import files or folders as known on a date: all of them, or nothing."""
    console = _console()
    known_on = _date(as_of, "--as-of")
    with _progress(console) as bar:
        task = bar.add_task("Validating", total=None)

        def report(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        outcome, warnings = services.import_paths(
            load_settings(database_url), paths, known_on, report
        )
    for warning in warnings:
        console.print(
            warning.format(), style="yellow", markup=False, highlight=False, soft_wrap=True
        )
    for batch in outcome.stored:
        console.print(f"Imported {batch.file_name}: {batch.row_count} rows ({batch.dataset}).")
    for source in outcome.unchanged:
        console.print(f"Unchanged {source}: already imported with this content and as-of date.")


@app.command()
def imports(database_url: DatabaseUrl = None) -> None:
    """List import batches with their provenance."""
    council, batches = services.list_imports(load_settings(database_url))
    _console().print(imports_table(council, batches))


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
    known_on = _date(as_of, "--as-of") if as_of else None
    snapshot = services.run_forecast(load_settings(database_url), _period(period), known_on)
    if json_output:
        from carecast.reports.figures import forecast_json

        typer.echo(json.dumps(forecast_json(snapshot), indent=2))
    else:
        _console().print(forecast_table(snapshot))


@app.command()
def demo(database_url: DatabaseUrl = None) -> None:
    """Build the fictional demo council here (files in demo/, report in out/) and run the close."""
    console = _console()
    with _progress(console) as bar:
        task = bar.add_task("Generating the demo council", total=None)

        def report(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total or None)

        result = services.build_demo(load_settings(database_url), Path.cwd(), report)
    console.print(forecast_table(result.snapshot))
    console.print(
        f"{result.files_imported} files imported for {result.council.name}; "
        f"summary written to {result.summary_path}."
    )


def _later(command: str, capability: str) -> None:
    raise NotAvailableYet(command, capability)


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def backtest(database_url: DatabaseUrl = None) -> None:
    """Replay every period of a past year and score it (issue [3]; not available yet)."""
    _later("backtest", "backtesting (issue [3])")


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def project(database_url: DatabaseUrl = None) -> None:
    """Multi-year demand and cost projection with scenarios (not available yet)."""
    _later("project", "multi-year projection and scenarios")


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def report(database_url: DatabaseUrl = None) -> None:
    """The committee monitoring report in HTML, PDF, Word and Excel (issue [4]; not available yet)."""
    _later("report", "the committee report (issue [4]); 'carecast demo' writes out/summary.html")


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def benchmark(database_url: DatabaseUrl = None) -> None:
    """The council against its statistical neighbours and England (issue [4]; not available yet)."""
    _later("benchmark", "benchmarking (issue [4])")


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def serve(database_url: DatabaseUrl = None) -> None:
    """The web application (not available yet)."""
    _later("serve", "the web application")


def run(argv: list[str] | None = None) -> int:
    """Run a command and return its exit status: the one place errors become messages and codes."""
    try:
        # Typer reports its own usage errors (exit 2) and exits through SystemExit.
        app(args=argv, standalone_mode=True)
    except CarecastError as error:
        error_console = Console(stderr=True, soft_wrap=True)
        for line in error.lines():
            error_console.print(line, markup=False, highlight=False)
        return error.exit_code
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return 0


def main() -> None:
    sys.exit(run())
