"""`carecast synth`: a synthetic region or nation of councils in the files of formats.md."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from carecast.cli.app import DatabaseUrl, app, console, progress_bar


@app.command()
def synth(
    *,
    councils: Annotated[int, typer.Option("--councils", help="How many councils: 1 to 400.")] = 150,
    years: Annotated[
        int, typer.Option("--years", help="Financial years of files per council: 2 to 10.")
    ] = 6,
    out: Annotated[Path, typer.Option("--out", help="The folder to write them into.")],
    seed: Annotated[int, typer.Option("--seed", help="The same seed writes the same files.")] = 150,
    import_them: Annotated[
        bool,
        typer.Option(
            "--import",
            help="Then add every council to the store (--database-url) and import its files, "
            "each under its own code (carecast --council CODE … works on one).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="With --import: councils imported side by side, a process each (default: one "
            "per core).",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write a synthetic set of councils (SSDA903 returns, commitments, ledgers, establishment,
    allowances, budgets) differing in size, trend, placement mix and agency share, each in
    OUT/<code>/ with OUT/councils.json listing them and the imports to make, in order. For
    volume; every council shares the demo council's ledger conventions."""
    from carecast.services.synth import synthesise

    shown = console()
    with progress_bar(shown) as bar:
        task = bar.add_task("Simulating councils", total=councils)
        made = synthesise(
            out, councils, years, seed, on_council=lambda done: bar.update(task, completed=done)
        )
    children = sum(c.start_children for c in made)
    shown.print(
        f"{len(made)} councils written to {out} ({children:,} children looked after at the "
        f"start between them); the imports to make are in {out / 'councils.json'}.",
        markup=False,
    )
    if not import_them:
        return
    from carecast.config import load_settings
    from carecast.services.synth import import_synthesised

    settings = load_settings(database_url)
    with progress_bar(shown) as bar:
        task = bar.add_task("Importing councils", total=len(made))
        rows = import_synthesised(
            settings,
            out,
            made,
            on_council=lambda done: bar.update(task, completed=done),
            workers=workers or os.cpu_count() or 1,
        )
    shown.print(f"{rows:,} rows imported for {len(made)} councils.", markup=False)
