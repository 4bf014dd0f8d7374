"""The Typer application and the options every command shares.

`--help` builds every command of the tree, so the command modules import only Typer, the
standard library and light domain modules at the top; services, engines, stores and Rich's tables
are imported inside the command that uses them (issue 9: help answers in under 0.3 s).
tests/test_cli_startup.py fails when a heavy library is loaded for help.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.domain.periods import FinancialYear, Period
from carecast.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

app = typer.Typer(
    help="carecast: what this year's children's social care will really cost, and why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help layout: Rich's boxes cost about 90 ms of every --help (its markdown
    # renderer is imported to lay them out), and help must answer within 0.3 s (issue [9])
    rich_markup_mode=None,
)


@app.callback()
def choose_council(
    council: Annotated[
        str | None,
        typer.Option(
            "--council",
            metavar="CODE",
            help="The council every command works on, by its DfE code, in a store that holds "
            "several: carecast --council 209 forecast (default: $CARECAST_COUNCIL, else the "
            "store's only council).",
        ),
    ] = None,
) -> None:
    """carecast: what this year's children's social care will really cost, and why."""
    from carecast.config import CHOSEN_COUNCIL

    if council is not None:
        CHOSEN_COUNCIL.set(council.strip())


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Store URL. Default: $CARECAST_DATABASE_URL, else sqlite:///carecast.db here.",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
ClosePeriod = Annotated[
    str | None, typer.Option("--period", help="YYYY-MM; default: latest with ledger data.")
]
KnownOn = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Use only data known on this date (default: period end + 15 days)."
    ),
]


def console() -> Console:
    from rich.console import Console

    # Piped output (logs, CI) gets room for the full table instead of Rich's 80-column default.
    return Console(width=None if sys.stdout.isatty() else 160)


def parse_period(text: str | None) -> Period | None:
    if text is None:
        return None
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def parse_financial_year(text: str) -> FinancialYear:
    try:
        return FinancialYear.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date; write it as YYYY-MM-DD") from None


def progress_bar(out: Console) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}", markup=False),  # file names are not markup
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    )
