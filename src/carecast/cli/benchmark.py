"""Benchmarking: `carecast benchmark`, and `carecast reference import|list` for the open data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.cli.app import DatabaseUrl, JsonFlag, app, console
from carecast.cli.plain import say

if TYPE_CHECKING:
    from carecast.config import Settings

reference = typer.Typer(
    help="The DfE, ONS and MHCLG open data benchmarking uses: list it, or import a newer release.",
    no_args_is_help=True,
)
app.add_typer(reference, name="reference")


@app.command()
def benchmark(
    la_code: Annotated[
        str | None,
        typer.Option(
            "--la-code",
            help="DfE code (e.g. 209) or ONS code (e.g. E09000023) of any English council in the "
            "reference data. Default: the council in the store.",
        ),
    ] = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """The council against its statistical neighbours and England, each figure with its source."""
    from carecast.config import load_settings
    from carecast.services.benchmark import benchmark_council

    result = benchmark_council(load_settings(database_url), la_code)
    if json_output:
        from carecast.documents.benchmark import benchmark_json

        typer.echo(json.dumps(benchmark_json(result), indent=2, ensure_ascii=False))
        return
    from carecast.reports.benchmark_tables import benchmark_view

    console().print(benchmark_view(result))


@reference.callback()
def reference_options(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """The DfE, ONS and MHCLG open data benchmarking uses: list it, or import a newer release."""
    # Imports live beside the store by default, so the store's URL may be given here too.
    ctx.obj = database_url


def _settings(ctx: typer.Context, database_url: str | None) -> Settings:
    from carecast.config import load_settings

    return load_settings(database_url or ctx.obj)


@reference.command("import")
def reference_import(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="Release files (CSV, ODS) or folders holding them.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Add newer releases (all of them, or none); from then on they take precedence."""
    from carecast.services.benchmark import import_reference

    settings = _settings(ctx, database_url)
    stored, unchanged = import_reference(settings, paths)
    out = console()
    for entry in stored:
        say(out, f"Imported {entry.original_name} ({entry.kind}) into {entry.path.parent}.")
    for path in unchanged:
        say(out, f"Unchanged {path}: this release is already in use.")


@reference.command("list")
def reference_list(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """The reference files in use: shipped with carecast, then imported (newest wins)."""
    from rich.table import Table

    from carecast.services.benchmark import reference_files, reference_folder

    settings = _settings(ctx, database_url)
    table = Table(title="Reference data in use", caption=f"Imports: {reference_folder(settings)}")
    for heading in ("Origin", "Kind", "File", "Imported at"):
        table.add_column(heading)
    for entry in reference_files(settings):
        imported = "" if entry.imported_at is None else f"{entry.imported_at:%Y-%m-%d %H:%M}"
        table.add_row(entry.origin, entry.kind, entry.name, imported)
    console().print(table)
