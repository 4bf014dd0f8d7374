"""`carecast report` (the committee monitoring report) and `carecast commentary`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carecast.cli.app import DatabaseUrl, app, console, parse_period, progress_bar
from carecast.cli.report_choices import DEFAULT_CASELOAD_TARGET, FORMATS, SECTION_KEYS
from carecast.errors import UsageError

PeriodOption = Annotated[
    str | None,
    typer.Option("--period", help="YYYY-MM; default: the latest period with a stored forecast."),
]


@app.command()
def report(
    *,
    period: PeriodOption = None,
    formats: Annotated[
        str,
        typer.Option("--format", help=f"Comma-separated formats from {','.join(FORMATS)}."),
    ] = ",".join(FORMATS),
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the report files into.")
    ] = Path("out"),
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Publishable version: counts of children below 6 withheld, with secondary "
            "suppression so none can be worked out from totals.",
        ),
    ] = False,
    logo: Annotated[
        Path | None, typer.Option("--logo", help="PNG or JPEG logo for the report's header.")
    ] = None,
    caseload_target: Annotated[
        int,
        typer.Option(
            "--caseload-target", help="Cases per worker the staffing section compares to."
        ),
    ] = DEFAULT_CASELOAD_TARGET,
    compare_with: Annotated[
        str | None,
        typer.Option(
            "--compare-with",
            help="YYYY-MM of the earlier forecast to explain the movement from (default: the "
            "latest earlier period of the year with a forecast).",
        ),
    ] = None,
    no_backtest: Annotated[
        bool, typer.Option("--no-backtest", help="Leave out the backtest of the previous year.")
    ] = False,
    no_benchmark: Annotated[
        bool, typer.Option("--no-benchmark", help="Leave out benchmarking against neighbours.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the committee monitoring report for a period in HTML, PDF, Word and Excel."""
    if caseload_target < 1:
        raise UsageError("--caseload-target must be at least 1")
    from carecast.config import load_settings
    from carecast.services.report import ReportOptions, make_report, parse_formats

    options = ReportOptions(
        period=parse_period(period),
        formats=parse_formats(formats),
        public=public,
        logo=logo,
        caseload_target=caseload_target,
        compare_with=parse_period(compare_with),
        backtest=not no_backtest,
        benchmark=not no_benchmark,
    )
    out_console = console()
    with progress_bar(out_console) as bar:
        task = bar.add_task("Building the report", total=None)

        def step(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total or None)

        result = make_report(load_settings(database_url), options, out, step)
    out_console.print(
        f"Report for {result.council.name}, {result.period} (snapshot {result.snapshot_id}):"
    )
    for kind, path in result.files.items():
        pages = f", {result.pages} pages" if kind == "pdf" and result.pages else ""
        out_console.print(f"  {kind.upper():5} {path} ({result.seconds[kind]:.1f} s{pages})")
    out_console.print(
        f"Built in {result.seconds['build']:.1f} s; {result.seconds['total']:.1f} s in all."
    )
    for part in result.omitted:
        out_console.print(f"Left out: {part.title}: {part.reason}.", style="yellow", markup=False)


@app.command()
def commentary(
    *,
    section: Annotated[
        str | None,
        typer.Option("--section", help=f"Section to comment on: {', '.join(SECTION_KEYS)}."),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="The commentary (an empty text clears it).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A file of '## section' headings, each followed by its text."),
    ] = None,
    template: Annotated[
        bool,
        typer.Option("--template", help="Print a commentary file of every section to edit."),
    ] = False,
    period: PeriodOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add or show the finance officer's commentary per report section, kept with the snapshot.

    With --section and --text, or --file, it stores commentary; otherwise it shows it.
    """
    from rich.table import Table

    from carecast.config import load_settings
    from carecast.reports.sections import SECTION_TITLES
    from carecast.services.commentary import (
        commentary_file_text,
        commentary_from_file,
        set_commentary,
        show_commentary,
    )

    settings = load_settings(database_url)
    chosen = parse_period(period)
    out = console()
    if file is not None or section is not None or text is not None:
        if file is not None and (section is not None or text is not None):
            raise UsageError("give either --file, or --section with --text, not both")
        if file is not None:
            snapshot_id, stored = commentary_from_file(settings, file, chosen)
        elif section is None or text is None:
            raise UsageError("--section and --text go together")
        else:
            snapshot_id, stored = set_commentary(settings, {section: text}, chosen)
        for item in stored:
            state = "cleared" if not item.text else "stored"
            out.print(f"Commentary on '{item.section}' {state} for snapshot {snapshot_id}.")
        return
    if template:
        typer.echo(commentary_file_text(settings, chosen), nl=False)
        return
    snapshot_id, found = show_commentary(settings, chosen)
    table = Table(title=f"Commentary for snapshot {snapshot_id}")
    for heading in ("Section", "Commentary", "Written for", "Written at"):
        table.add_column(heading)
    for key in SECTION_TITLES:
        if key in found and found[key].text:
            item = found[key]
            table.add_row(
                key, item.text, f"snapshot {item.snapshot_id}", f"{item.written_at:%d %b %Y %H:%M}"
            )
    out.print(table if table.row_count else f"No commentary yet for snapshot {snapshot_id}.")
