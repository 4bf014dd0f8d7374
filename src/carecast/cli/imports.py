"""`carecast import` and the `carecast imports` group (list, warnings, undo)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from carecast.cli.app import DatabaseUrl, app, console, parse_date, progress_bar
from carecast.cli.plain import say
from carecast.errors import InvalidInput, Issue, Severity

SHOWN_LINES = 200  # problems printed on the terminal; --errors-out holds every one

KeyFile = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="The council's pseudonymisation key file (default: "
        "$CARECAST_PSEUDONYMISATION_KEY_FILE). Keep it outside the store.",
        show_default=False,
    ),
]


def _more(hidden: int, errors_out: Path | None, kind: str) -> str:
    where = (
        f"all of them are in {errors_out}"
        if errors_out
        else "--errors-out FILE.xlsx (or .csv) writes the full list"
    )
    return f"… and {hidden} more {kind}; {where}"


class ShownInvalidInput(InvalidInput):
    """InvalidInput whose terminal lines stop at SHOWN_LINES and say where the rest are."""

    def __init__(self, issues: list[Issue], errors_out: Path | None) -> None:
        super().__init__(issues)
        self.errors_out = errors_out

    def lines(self) -> list[str]:
        errors = [i.format() for i in self.issues if i.severity is Severity.ERROR]
        shown = errors[:SHOWN_LINES]
        if len(errors) > SHOWN_LINES:
            shown.append(_more(len(errors) - SHOWN_LINES, self.errors_out, "problem(s)"))
        return [*shown, self.message]


def _print_warnings(warnings: Sequence[Issue], errors_out: Path | None) -> None:
    out = console()
    for warning in warnings[:SHOWN_LINES]:
        say(out, warning.format(), "yellow")
    if len(warnings) > SHOWN_LINES:
        say(out, _more(len(warnings) - SHOWN_LINES, errors_out, "warning(s)"), "yellow")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of input files.")],
    *,
    as_of: Annotated[str, typer.Option("--as-of", help="Date the data describes, YYYY-MM-DD.")],
    errors_out: Annotated[
        Path | None,
        typer.Option(
            "--errors-out",
            help="Write every problem found (errors and warnings) to this .xlsx or .csv file, "
            "whether or not the import succeeds.",
            show_default=False,
        ),
    ] = None,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="Replace CHILD, UPN and CASE_ID with keyed pseudonyms before storing "
            "(always on when the council was created with --pseudonymise).",
        ),
    ] = False,
    key_file: KeyFile = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A column-mapping file for the council's own export: its headings and local "
            "values translated to formats.md's.",
            show_default=False,
        ),
    ] = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Import a commitments, establishment or allowances file with a header and no "
            "rows (or an SSDA903 XML with no episodes) although it empties what is known; "
            "without it such a file is not imported and a warning says what it would remove.",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import files or folders as known on a date: all of them, or nothing."""
    from carecast import services
    from carecast.config import load_settings
    from carecast.reports.import_issues import check_errors_out, write_issues

    out = console()
    known_on = parse_date(as_of, "--as-of")
    if errors_out is not None:
        check_errors_out(errors_out)
    settings = load_settings(database_url, key_file)
    with progress_bar(out) as bar:
        task = bar.add_task("Validating", total=None)

        def report(label: str, done: int, total: int) -> None:
            if label.startswith("Storing"):
                # A plain line (also in logs): from here on the import is one transaction.
                say(bar.console, f"{label}…")
            bar.update(task, description=label, completed=done, total=total or None)

        try:
            outcome, warnings = services.import_paths(
                settings,
                paths,
                known_on,
                report,
                pseudonymise=pseudonymise,
                mapping=mapping,
                allow_empty=allow_empty,
            )
        except InvalidInput as failure:
            if errors_out is not None:
                write_issues(errors_out, failure.issues)
            raise ShownInvalidInput(failure.issues, errors_out) from None
    if errors_out is not None:
        write_issues(errors_out, warnings)
    _print_warnings(warnings, errors_out)
    for batch in outcome.stored:
        say(out, f"Imported {batch.file_name}: {batch.row_count} rows ({batch.dataset}).")
    for source in outcome.unchanged:
        say(out, f"Unchanged {source}: already imported with this content and as-of date.")
    for source in outcome.withheld:
        say(out, f"Not imported {source}: it has no rows (--allow-empty imports it).")


imports_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="List import batches with their provenance; 'warnings' and 'undo' act on batches.",
)
app.add_typer(imports_app, name="imports")


@imports_app.callback()
def imports(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """List import batches with their provenance; 'warnings' and 'undo' act on batches."""
    ctx.obj = database_url
    if ctx.invoked_subcommand is None:
        from carecast import services
        from carecast.config import load_settings
        from carecast.reports.terminal import imports_table

        council, batches = services.list_imports(load_settings(database_url))
        console().print(imports_table(council, batches))


@imports_app.command("warnings")
def imports_warnings(
    ctx: typer.Context,
    batch: Annotated[
        int | None, typer.Argument(help="A batch number from 'carecast imports' (default: all).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Show the warnings stored with one import batch, or with every batch."""
    from carecast import services
    from carecast.config import load_settings

    settings = load_settings(database_url or ctx.obj)
    _council, found = services.import_warnings(settings, batch)
    out = console()
    for _batch, issue in found:
        say(out, issue.format())
    batches = len({b.batch_id for b, _ in found})
    scope = f"batch {batch}" if batch is not None else f"{batches} batch(es)"
    out.print(f"{len(found)} warning(s) in {scope}.")


@imports_app.command("undo")
def imports_undo(
    ctx: typer.Context,
    batch: Annotated[int, typer.Argument(help="The batch number shown by 'carecast imports'.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Remove one import batch: its rows and warnings, as if it had never been imported."""
    from carecast import services
    from carecast.config import load_settings

    removed = services.undo_import(load_settings(database_url or ctx.obj), batch)
    say(
        console(),
        f"Removed batch {removed.batch_id}: {removed.file_name} ({removed.dataset}, "
        f"{removed.row_count} rows, as of {removed.as_of.isoformat()}).",
    )
