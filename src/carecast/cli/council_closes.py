"""`carecast forecast --all-councils`: the close of every council in a pooled store."""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
from datetime import date
from typing import TYPE_CHECKING

import typer

from carecast.cli.app import console
from carecast.cli.executor_options import Executor, open_runner
from carecast.config import CHOSEN_COUNCIL, Settings
from carecast.errors import UsageError

if TYPE_CHECKING:
    from rich.table import Table

    from carecast.domain.periods import Period
    from carecast.forecast.assumptions import Assumptions
    from carecast.services.council_closes import CouncilClose


def close_all(
    settings: Settings,
    period: Period | None,
    known_on: date | None,
    assumptions: Assumptions | None,
    *,
    allow_incomplete: bool,
    json_output: bool,
    executor: Executor,
    scheduler: str | None,
    workers: int | None,
) -> None:
    from carecast.forecast.intervals import serial
    from carecast.services.council_closes import close_councils

    if CHOSEN_COUNCIL.get() is not None:
        raise UsageError("--all-councils forecasts every council: leave out --council")
    on_dask = executor is Executor.DASK
    # on Dask the councils one after another, each one's paths on the cluster; here the councils
    # side by side, each one's paths in the process that closes it
    with open_runner(executor, scheduler, workers) if on_dask else nullcontext(serial) as runner:
        closes = close_councils(
            settings,
            None,
            period,
            known_on,
            assumptions,
            allow_incomplete=allow_incomplete,
            processes=1 if on_dask else workers or os.cpu_count() or 1,
            runner=runner,
        )
    if json_output:
        from carecast.documents.forecast import forecast_json

        typer.echo(
            json.dumps(
                [
                    {
                        "la_code": c.la_code,
                        "council": c.name,
                        "refused": c.refused,
                        "forecast": None if c.snapshot is None else forecast_json(c.snapshot),
                    }
                    for c in closes
                ],
                indent=2,
            )
        )
        return
    console().print(closes_table(closes))


def closes_table(closes: list[CouncilClose]) -> Table:
    from rich.table import Table

    table = Table(title=f"The close of {len(closes)} councils")
    for heading in ("Council", "Period", "Budget", "Forecast", "Variance", "P10 – P90", "Snapshot"):
        table.add_column(heading, justify="left" if heading in ("Council", "Snapshot") else "right")
    for close in closes:
        name = f"{close.la_code} {close.name}"
        if close.snapshot is None:
            table.add_row(name, "", "", "", "", "", f"refused: {close.refused}")
            continue
        f = close.snapshot.forecast
        band = "" if f.p10 is None or f.p90 is None else f"£{f.p10:,.0f} – £{f.p90:,.0f}"
        table.add_row(
            name,
            f.period.label,
            f"£{f.budget:,.0f}",
            f"£{f.forecast_outturn:,.0f}",
            f"{f.forecast_outturn - f.budget:+,.0f}",
            band,
            str(close.snapshot.snapshot_id) + (" (flagged)" if close.snapshot.readiness else ""),
        )
    return table
