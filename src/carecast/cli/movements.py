"""Why the forecast moved, and how the ledger and the activity reconcile."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.cli.app import (
    ClosePeriod,
    DatabaseUrl,
    JsonFlag,
    KnownOn,
    app,
    console,
    parse_date,
    parse_period,
)

if TYPE_CHECKING:
    pass


@app.command()
def movements(
    period: Annotated[
        str | None,
        typer.Option("--period", help="YYYY-MM of the later snapshot; default: the latest."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="YYYY-MM of the earlier snapshot; default: the latest earlier period this year.",
        ),
    ] = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Explain the change in the forecast since the previous snapshot, driver by driver."""
    from carecast.config import load_settings
    from carecast.reports.terminal import movements_table
    from carecast.services.movements import explain

    _, _, result = explain(load_settings(database_url), parse_period(period), parse_period(since))
    if json_output:
        from carecast.documents.movements import movements_json

        typer.echo(json.dumps(movements_json(result), indent=2))
    else:
        console().print(movements_table(result))


@app.command()
def reconcile(
    period: ClosePeriod = None,
    as_of: KnownOn = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Reconcile the ledger with the activity: over-commitments, under-reporting, cost centres."""
    from carecast.config import load_settings
    from carecast.reports.terminal import reconciliation_tables
    from carecast.services.movements import reconciliation

    known_on = parse_date(as_of, "--as-of") if as_of else None
    council, result = reconciliation(load_settings(database_url), parse_period(period), known_on)
    if json_output:
        from carecast.documents.movements import reconciliation_json

        typer.echo(json.dumps(reconciliation_json(result), indent=2))
        return
    out = console()
    for table in reconciliation_tables(council, result):
        out.print(table)
