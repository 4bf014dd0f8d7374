"""`carecast demo`."""

from __future__ import annotations

from pathlib import Path

from carecast.cli.app import DatabaseUrl, app, console, progress_bar


@app.command()
def demo(database_url: DatabaseUrl = None) -> None:
    """Build the fictional demo council here (files in demo/, report in out/) and run every close
    of its year to date."""
    from carecast import services
    from carecast.config import load_settings
    from carecast.reports.terminal import forecast_table

    out = console()
    with progress_bar(out) as bar:
        task = bar.add_task("Generating the demo council", total=None)

        def report(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total or None)

        result = services.build_demo(load_settings(database_url), Path.cwd(), report)
    out.print(forecast_table(result.snapshot))
    closes = [snapshot.forecast.period for snapshot in result.closes]
    out.print(
        f"{result.files_imported} files imported for {result.council.name}; "
        f"{len(closes)} monthly closes run ({closes[0]} to {closes[-1]}), so 'carecast "
        f"movements' has a month to explain; summary written to {result.summary_path}."
    )
    for kind, path in result.report_files.items():
        out.print(f"Committee report ({kind.upper()}): {path}")
