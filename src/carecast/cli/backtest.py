"""`carecast backtest`: replay a finished year's closes and score them beside the baselines."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

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
    from carecast.forecast.backtest import Backtest, Score


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


def _number(value: Decimal | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def _score_json(score: Score) -> dict[str, Any]:
    from carecast.forecast.backtest import BASELINES

    return {
        "forecast_outturn": _number(score.forecast),
        "error_pct": _number(score.error_pct(), 3),
        "p10": _number(score.p10),
        "p90": _number(score.p90),
        "within_interval": score.within_interval,
        "baselines": {name: _number(score.baselines[name]) for name in BASELINES},
        "baseline_error_pct": {name: _number(score.error_pct(name), 3) for name in BASELINES},
    }


def backtest_json(council: Council, result: Backtest) -> dict[str, Any]:
    """The `backtest --json` object of formats.md, with per-line figures and intervals added."""
    from carecast.forecast.backtest import interval_coverage

    periods = []
    for score in result.periods:
        lines = [
            {"service_line": line.value, "actual_outturn": _number(s.actual), **_score_json(s)}
            for line, s in score.lines.items()
        ]
        periods.append(
            {
                "period": score.period.label,
                "period_number": score.period.number,
                "knowledge_date": score.knowledge_date.isoformat(),
                **_score_json(score.total),
                "lines": lines,
            }
        )
    held, scored = interval_coverage([result])
    return {
        "council": council.name,
        "financial_year": result.financial_year.label,
        "actual_outturn": _number(result.actual_outturn),
        "budget": _number(result.budget),
        "lines": [
            {
                "service_line": line.value,
                "budget": _number(result.budget_by_line.get(line, Decimal(0))),
                "actual_outturn": _number(amount),
            }
            for line, amount in result.actual_by_line.items()
        ],
        "periods": periods,
        "skipped": [{"period": p.label, "reason": reason} for p, reason in result.skipped],
        # Share of periods P1–P11 whose 80% interval held the outturn; null without intervals.
        "interval_coverage": held / scored if scored else None,
    }


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
