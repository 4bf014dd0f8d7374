"""Why the forecast moved, and how the ledger and the activity reconcile."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

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
    from carecast.forecast.movements import Movements
    from carecast.forecast.reconcile import Reconciliation


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
        typer.echo(json.dumps(reconciliation_json(result), indent=2))
        return
    out = console()
    for table in reconciliation_tables(council, result):
        out.print(table)


def movements_json(result: Movements) -> dict[str, Any]:
    return {
        "from": {
            "period": result.previous.period.label,
            "forecast": float(result.previous.forecast_outturn),
        },
        "to": {
            "period": result.current.period.label,
            "forecast": float(result.current.forecast_outturn),
        },
        "change": float(result.change),
        "drivers": {driver: float(amount) for driver, amount in result.by_driver().items()},
        "movements": [
            {
                "service_line": m.service_line.value,
                "driver": m.driver,
                "amount": float(m.amount),
                "items": list(m.keys),
            }
            for m in result.movements
        ],
    }


def reconciliation_json(result: Reconciliation) -> dict[str, Any]:
    return {
        "period": result.period.label,
        "over_commitments": [
            {
                "child": o.commitment.child_id,
                "service_line": o.commitment.category.value,
                "provider": o.commitment.provider,
                "start": o.commitment.start.isoformat(),
                "weekly_cost": float(o.commitment.net_weekly_cost),
                "cost_centre": o.commitment.cost_centre,
                "cost_to_year_end": float(o.cost_to_year_end),
            }
            for o in result.over_commitments
        ],
        "under_reported": [
            {
                "child": u.placement.child_id,
                "service_line": None
                if u.placement.category is None
                else u.placement.category.value,
                "place": u.placement.place,
                "provider": u.placement.place_provider,
                "start": u.placement.start.isoformat(),
                "costed_weekly": float(u.priced_weekly),
            }
            for u in result.under_reported
        ],
        "line_mismatches": [
            {
                "child": m.placement.child_id,
                "placement_line": None
                if m.placement.category is None
                else m.placement.category.value,
                "commitment_line": None if m.commitment is None else m.commitment.category.value,
            }
            for m in result.line_mismatches
        ],
        "cost_centres": [
            {
                "cost_centre": c.cost_centre,
                "service_line": None if c.service_line is None else c.service_line.value,
                "ledger": float(c.ledger),
                "implied": float(c.implied),
                "difference": float(c.difference),
                "children": list(c.children),
            }
            for c in result.cost_centres
        ],
    }
