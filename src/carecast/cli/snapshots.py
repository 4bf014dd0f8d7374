"""`carecast snapshots`: the stored forecasts, and withdrawing one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.cli.app import DatabaseUrl, JsonFlag, app, console

if TYPE_CHECKING:
    from rich.table import Table

    from carecast.domain.provenance import Council, SnapshotSummary

snapshots_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="List the stored forecast snapshots; 'withdraw' takes one out of use.",
)
app.add_typer(snapshots_app, name="snapshots")


@snapshots_app.callback()
def snapshots(
    ctx: typer.Context, json_output: JsonFlag = False, database_url: DatabaseUrl = None
) -> None:
    """List the stored forecast snapshots: period, knowledge date, totals, flags, withdrawals."""
    ctx.obj = database_url
    if ctx.invoked_subcommand is not None:
        return
    from carecast.config import load_settings
    from carecast.services.forecasting import list_forecasts

    council, found = list_forecasts(load_settings(database_url))
    if json_output:
        from carecast.documents.forecast import snapshot_list

        typer.echo(json.dumps(snapshot_list(council, found).model_dump(mode="json"), indent=2))
    elif not found:
        console().print(
            f"No forecast has been stored for {council.name} yet; 'carecast forecast' makes one.",
            markup=False,
            highlight=False,
        )
    else:
        console().print(snapshots_table(council, found))


@snapshots_app.command("withdraw")
def snapshots_withdraw(
    ctx: typer.Context,
    snapshot_id: Annotated[
        int, typer.Argument(help="The snapshot number shown by 'carecast snapshots'.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is withdrawn; kept with the snapshot.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Withdraw a snapshot: it is kept and listed, but never again the default of any command."""
    from carecast.config import load_settings
    from carecast.services.forecasting import withdraw_forecast

    withdrawn = withdraw_forecast(load_settings(database_url or ctx.obj), snapshot_id, reason)
    console().print(
        f"Withdrew snapshot {withdrawn.snapshot_id} ({withdrawn.forecast.period}, made "
        f"{withdrawn.created_at:%Y-%m-%d %H:%M}): {reason.strip()}. It is kept, and no command "
        "will pick it by default again.",
        markup=False,
        highlight=False,
    )


def snapshots_table(council: Council, found: list[SnapshotSummary]) -> Table:
    from rich.table import Table
    from rich.text import Text

    from carecast.reports.figures import pounds

    table = Table(
        title=f"Forecast snapshots for {council.name} ({council.la_code})",
        caption="A withdrawn snapshot is kept but never a command's default; "
        "'carecast snapshots withdraw ID --reason TEXT' withdraws one.",
    )
    for heading in ("Snapshot", "Period", "Known on", "Made", "Method"):
        table.add_column(heading)
    for heading in ("Budget", "Forecast", "Flags"):
        table.add_column(heading, justify="right")
    table.add_column("Withdrawn")
    for s in found:
        withdrawal = s.withdrawal
        table.add_row(
            str(s.snapshot_id),
            s.period.label,
            s.knowledge_date.isoformat(),
            f"{s.created_at:%Y-%m-%d %H:%M}",
            s.method,
            pounds(s.budget),
            pounds(s.forecast_outturn),
            str(s.flags) if s.flags else "",
            Text(
                ""
                if withdrawal is None
                else f"{withdrawal.withdrawn_at:%Y-%m-%d}: {withdrawal.reason}"
            ),
            style="dim" if withdrawal is not None else None,
        )
    return table
