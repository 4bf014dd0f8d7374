"""`carecast backtest`: replay a finished year's closes and score them beside the baselines."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.cli.app import DatabaseUrl, JsonFlag, app, console, parse_financial_year, progress_bar
from carecast.cli.executor_options import (
    Executor,
    ExecutorName,
    SchedulerAddress,
    Workers,
    open_runner,
)

if TYPE_CHECKING:
    from rich.table import Table

    from carecast.domain.provenance import Council
    from carecast.forecast.backtest import Backtest


@app.command()
def backtest(
    financial_year: Annotated[
        str, typer.Option("--financial-year", help="The finished year to replay, e.g. 2017-18.")
    ],
    *,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
    executor: ExecutorName = Executor.LOCAL,
    scheduler: SchedulerAddress = None,
    workers: Workers = None,
) -> None:
    """Replay every period of a past year from what was known then and score it against the
    actual outturn, beside commitments-only, straight-line and budget baselines. Stores nothing."""
    from carecast.config import load_settings
    from carecast.services.backtest import run_backtest

    year = parse_financial_year(financial_year)
    settings = load_settings(database_url)
    with open_runner(executor, scheduler, workers) as runner:
        if json_output:
            council, result = run_backtest(settings, year, runner=runner)
            from carecast.documents.backtest import backtest_json

            typer.echo(json.dumps(backtest_json(council, result), indent=2))
            return
        out = console()
        with progress_bar(out) as bar:
            task = bar.add_task("Replaying", total=12)

            def report(label: str, done: int, total: int) -> None:
                bar.update(task, description=label, completed=done - 1, total=total or None)

            council, result = run_backtest(settings, year, report, runner=runner)
    out.print(backtest_table(council, result))
    for period, reason in result.skipped:
        out.print(f"Period {period} not replayed: {reason}.", style="yellow", markup=False)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def backtest_table(council: Council, result: Backtest) -> Table:
    from rich.table import Table

    from carecast.forecast.backtest import BASELINES, CARECAST
    from carecast.reports.figures import pounds

    table = Table(
        title=f"{council.name}: backtest of {result.financial_year}",
        caption=f"Actual outturn {pounds(result.actual_outturn)} against a budget of "
        f"{pounds(result.budget)}. Error = forecast − outturn, as % of the outturn; "
        "negative means the overspend was seen late.",
    )
    table.add_column("Period")
    headings = ["carecast", "Error", "80% interval", "Commitments only", "Error"]
    headings += ["Straight line", "Error", "Budget", "Error"]
    for heading in headings:
        table.add_column(heading, justify="right")
    for score in result.periods:
        total = score.total
        interval = "—"
        if total.p10 is not None and total.p90 is not None:
            mark = "✓" if total.within_interval else "✗"
            interval = f"{pounds(total.p10)}–{pounds(total.p90)} {mark}"
        cells = [f"P{score.period.number} {score.period}", pounds(total.forecast)]
        cells += [_pct(total.error_pct(CARECAST)), interval]
        for name in BASELINES:
            cells += [pounds(total.baselines[name]), _pct(total.error_pct(name))]
        table.add_row(*cells)
    return table
