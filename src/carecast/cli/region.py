"""`carecast region`: the store's councils side by side, and the placements the region will need."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.cli.app import DatabaseUrl, JsonFlag, app, console
from carecast.cli.executor_options import (
    Executor,
    ExecutorName,
    SchedulerAddress,
    Workers,
    open_runner,
)
from carecast.errors import UsageError

if TYPE_CHECKING:
    from rich.table import Table

    from carecast.services.region import RegionView


@app.command()
def region(
    *,
    councils: Annotated[
        str | None,
        typer.Option(
            "--councils", help="DfE codes, e.g. 801,802 (default: every council in the store)."
        ),
    ] = None,
    years: Annotated[
        int, typer.Option("--years", help="How many 31 Marches ahead to size placements: 1 to 5.")
    ] = 3,
    paths: Annotated[
        int | None,
        typer.Option(
            "--paths",
            min=1,
            max=10_000,
            help="Simulate each council's paths (each on its own seed) and add them up into the "
            "region's P10–P90 of the placements needed; default: the expected course alone.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
    executor: ExecutorName = Executor.LOCAL,
    scheduler: SchedulerAddress = None,
    workers: Workers = None,
) -> None:
    """Children looked after, placement mix and weekly costs across the councils of the store,
    and sufficiency: the placements the region will need in each category at each 31 March
    (each council's expected course at its own rates, added up) against those in use today."""
    from carecast.config import load_settings
    from carecast.services.region import region_view

    if not 1 <= years <= 5:
        raise UsageError(f"--years {years}: size placements 1 to 5 years ahead")
    codes = [c.strip() for c in councils.split(",") if c.strip()] if councils else None
    on_dask = executor is Executor.DASK
    # each council read, fitted and simulated whole where it went: a task on the Dask cluster,
    # or one of several processes here (a region of one spreads its paths over the runner's
    # workers instead)
    with open_runner(executor, scheduler, workers) as runner:
        view = region_view(
            load_settings(database_url),
            codes,
            years,
            paths,
            runner,
            processes=1 if on_dask else workers or os.cpu_count() or 1,
            councils_on=runner if on_dask else None,
        )
    if json_output:
        typer.echo(json.dumps(view.as_json(), indent=2))
        return
    out = console()
    out.print(councils_table(view))
    out.print(sufficiency_table(view))
    for code, why in view.left_out:
        out.print(f"{code} left out: {why}", style="yellow", markup=False)


def _heading(category: str) -> str:
    from carecast.domain.codes import ServiceLine
    from carecast.projection.fit import NO_COST_NAME

    return (
        "With parents or for adoption"
        if category == NO_COST_NAME
        else ServiceLine(category).heading
    )


def councils_table(view: RegionView) -> Table:
    from rich.table import Table

    from carecast.projection.fit import CATEGORY_NAMES

    table = Table(
        title="Children looked after by placement category (mix) and the mean weekly cost of "
        "the placements open, council by council",
        caption="Each council on its data's last month end.",
    )
    table.add_column("Category")
    for council in view.councils:
        table.add_column(f"{council.name} ({council.la_code})", justify="right")
    now = view.children()
    table.add_column("Region", justify="right")
    for category in CATEGORY_NAMES:
        cells = []
        for council in view.councils:
            n = council.children.get(category, 0.0)
            share = n / council.total if council.total else 0.0
            cost = council.weekly_cost.get(category)
            price = "" if cost is None else f", £{cost:,.0f}/wk"
            cells.append(f"{n:,.0f} ({share:.0%}{price})")
        table.add_row(_heading(category), *cells, f"{now[category]:,.0f}")
    table.add_row(
        "All",
        *(f"{c.total:,.0f}" for c in view.councils),
        f"{sum(now.values()):,.0f}",
        style="bold",
    )
    return table


def sufficiency_table(view: RegionView) -> Table:
    from rich.table import Table

    from carecast.projection.fit import CATEGORY_NAMES

    ahead = view.sufficiency()
    now = view.children()
    bands = view.bands()
    table = Table(
        title="Sufficiency: placements the region will need at each 31 March against those in "
        "use today",
        caption="Each council's simulated paths at its own fitted rates, added path by path: "
        "the mean (change), P10–P90."
        if bands
        else "Each council's expected course at its own fitted rates (deterministic), added.",
    )
    table.add_column("Category")
    table.add_column("In use today", justify="right")
    for day in ahead:
        table.add_column(day, justify="right")
    for category in CATEGORY_NAMES:
        table.add_row(
            _heading(category),
            f"{now[category]:,.0f}",
            *(
                f"{row[category]:,.0f} ({row[category] - now[category]:+,.0f})"
                + (
                    f" {bands[day][category].p10:,.0f}–{bands[day][category].p90:,.0f}"
                    if day in bands
                    else ""
                )
                for day, row in ahead.items()
            ),
        )
    return table
