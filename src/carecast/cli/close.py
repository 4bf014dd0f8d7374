"""The monthly close: init and forecast (import and imports: cli/imports.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

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
from carecast.cli.executor_options import (
    Executor,
    ExecutorName,
    SchedulerAddress,
    Workers,
    open_runner,
)
from carecast.cli.imports import KeyFile


@app.command()
def init(
    council: Annotated[str, typer.Option("--council", help="The council's name.")],
    la_code: Annotated[str, typer.Option("--la-code", help="DfE local-authority code, e.g. 209.")],
    *,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="Council setting: every import replaces CHILD, UPN and CASE_ID with keyed "
            "pseudonyms (needs --key-file or $CARECAST_PSEUDONYMISATION_KEY_FILE).",
        ),
    ] = False,
    key_file: KeyFile = None,
    new_key: Annotated[
        bool,
        typer.Option(
            "--new-key",
            help="Create the --key-file with a new random key (mode 0600; refused inside the "
            "store's folder or over an existing file).",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create (or upgrade) the store and add the council."""
    from carecast.config import load_settings
    from carecast.services.pseudonymise import init_council

    created, written = init_council(
        load_settings(database_url, key_file),
        council,
        la_code,
        pseudonymise=pseudonymise,
        new_key=new_key,
    )
    out = console()
    out.print(f"Store ready with council {created.name} ({created.la_code}).")
    if pseudonymise:
        out.print("Child identifiers will be pseudonymised on every import.")
    if written is not None:
        out.print(
            f"New pseudonymisation key written to {written}: keep it safe and apart from the "
            "store; without it, later imports cannot match earlier pseudonyms.",
            markup=False,
        )


@app.command()
def forecast(
    period: ClosePeriod = None,
    as_of: KnownOn = None,
    assumptions: Annotated[
        Path | None,
        typer.Option(
            "--assumptions",
            help="JSON (or YAML) file overriding the forecast's assumptions; the snapshot keeps "
            "the assumptions used (see 'assumptions' in --json).",
        ),
    ] = None,
    *,
    allow_incomplete: Annotated[
        bool,
        typer.Option(
            "--allow-incomplete",
            help="Forecast even though ledger periods of the year are missing; the snapshot is "
            "flagged (in the table, 'readiness' in --json, and the report). A period beyond the "
            "data is refused all the same.",
        ),
    ] = False,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
    executor: ExecutorName = Executor.LOCAL,
    scheduler: SchedulerAddress = None,
    workers: Workers = None,
    all_councils: Annotated[
        bool,
        typer.Option(
            "--all-councils",
            help="Forecast every council in the store (a regional or national one), each as it "
            "would be alone, side by side in --workers processes (default: every core); a "
            "council that cannot be closed is listed with its reason and the rest are still "
            "closed.",
        ),
    ] = False,
) -> None:
    """Forecast the financial year's outturn at the end of a period and store the snapshot.

    The data the close stands on is checked first: missing ledger periods and a period beyond the
    data are refused (nothing stored); stale extracts, budget lines without a cost centre and
    silent months on lines that always post are flagged with the snapshot."""
    from carecast import services
    from carecast.config import load_settings
    from carecast.reports.terminal import forecast_table, readiness_lines
    from carecast.services.forecasting import read_assumptions

    known_on = parse_date(as_of, "--as-of") if as_of else None
    given = read_assumptions(assumptions) if assumptions is not None else None
    if all_councils:
        from carecast.cli.council_closes import close_all

        close_all(
            load_settings(database_url),
            parse_period(period),
            known_on,
            given,
            allow_incomplete=allow_incomplete,
            json_output=json_output,
            executor=executor,
            scheduler=scheduler,
            workers=workers,
        )
        return
    with open_runner(executor, scheduler, workers) as runner:
        snapshot = services.run_forecast(
            load_settings(database_url),
            parse_period(period),
            known_on,
            given,
            allow_incomplete=allow_incomplete,
            runner=runner,
        )
    if json_output:
        from carecast.documents.forecast import forecast_json

        typer.echo(json.dumps(forecast_json(snapshot), indent=2))
    else:
        out = console()
        out.print(forecast_table(snapshot))
        for line in readiness_lines(snapshot):
            out.print(line)
