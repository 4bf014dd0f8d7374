"""`carecast project`: children looked after, by placement category, 1 to 5 years ahead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carecast.cli.app import DatabaseUrl, JsonFlag, app, console, parse_period
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

    from carecast.domain.provenance import Council
    from carecast.projection.assemble import Band, Projection
    from carecast.projection.mtfp import FinancialPlan, PlanYear

DEFAULT_PATHS = 1000
DEFAULT_SEED = 20180401


@app.command()
def project(
    *,
    years: Annotated[
        int | None, typer.Option("--years", help="How many years ahead: 1 to 5.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="YYYY-MM: start from that month's end (default: the data's last)."
        ),
    ] = None,
    paths: Annotated[
        int, typer.Option("--paths", help="Simulated paths behind the P10/P50/P90 bands.")
    ] = DEFAULT_PATHS,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same bands.")
    ] = DEFAULT_SEED,
    scenario: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenario",
            help="A scenario file (YAML or TOML); give several to compose them into one. "
            "Shows the baseline beside it and the saving each year.",
        ),
    ] = None,
    backtest: Annotated[
        bool,
        typer.Option(
            "--backtest",
            help="Replay the projection from earlier 31 Marches with what was known then and "
            "compare it with what happened at 12, 24 and 36 months.",
        ),
    ] = False,
    from_years: Annotated[
        str | None,
        typer.Option(
            "--from-years",
            help="With --backtest: the years whose 31 March to replay, e.g. 2016,2017 "
            "(default: every year with 12 months of returns before and after it).",
        ),
    ] = None,
    assumptions: Annotated[
        Path | None,
        typer.Option(
            "--assumptions",
            help="A JSON or YAML file of the plan's rises: placement_price_rise, pay_award and "
            'inflation (a fraction, or one per financial year, e.g. {"2019-20": 0.04}), and '
            "staff_follow_children.",
        ),
    ] = None,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="The expected course at the fitted rates instead of simulated paths: no bands, "
            "in a fraction of the time (the peers' kind of projection).",
        ),
    ] = False,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
    executor: ExecutorName = Executor.LOCAL,
    scheduler: SchedulerAddress = None,
    workers: Workers = None,
) -> None:
    """Project the children looked after, by placement category and age band, month by month
    for 1 to 5 years: entries (per 10,000 children where the population is known), moves and
    leaving care from the council's own history, with P10–P90 bands. Stores nothing."""
    from carecast.cli.project_backtest import parse_years, show_backtest
    from carecast.config import load_settings

    settings = load_settings(database_url)
    rises = None
    if assumptions is not None:
        from carecast.services.projection import read_cost_assumptions

        rises = read_cost_assumptions(assumptions)
    if deterministic and (backtest or scenario):
        raise UsageError(
            "--deterministic projects the baseline's expected course: leave out --backtest and "
            "--scenario (they need the simulated paths for their bands)"
        )
    if backtest:
        if scenario:
            raise UsageError("--backtest replays the baseline projection: leave out --scenario")
        if years is not None or start is not None:
            raise UsageError(
                "--backtest replays every 31 March it can up to 36 months ahead: leave out "
                "--years and --from (choose the replays with --from-years)"
            )
        from carecast.services.projection_backtest import run_projection_backtest

        chosen = parse_years(from_years)
        with open_runner(executor, scheduler, workers) as runner:
            replayed = run_projection_backtest(
                settings, chosen, paths=paths, seed=seed, runner=runner
            )
        show_backtest(replayed, json_output=json_output)
        return
    if from_years is not None:
        raise UsageError("--from-years chooses the replays of --backtest: add --backtest")
    if years is None:
        raise UsageError("--years is needed: how many years ahead, 1 to 5 (or use --backtest)")
    if scenario:
        from carecast.cli.scenarios import show_scenarios
        from carecast.cli.users import actor
        from carecast.services.scenarios import run_scenarios

        begin = parse_period(start)
        with open_runner(executor, scheduler, workers) as runner:
            compared = run_scenarios(
                settings,
                years,
                [scenario],
                begin,
                paths=paths,
                seed=seed,
                runner=runner,
                actor=actor(),
                assumptions=rises,
            )
        show_scenarios(compared, json_output=json_output)
        return
    from carecast.documents.projection import projection_json
    from carecast.services.projection import run_financial_plan

    begin = parse_period(start)
    with open_runner(executor, scheduler, workers) as runner:
        run, plan = run_financial_plan(
            settings,
            years,
            begin,
            paths=paths,
            seed=seed,
            runner=runner,
            deterministic=deterministic,
            assumptions=rises,
        )
    council, projection = run.council, run.projection
    if json_output:
        typer.echo(json.dumps(projection_json(council, projection, plan), indent=2))
        return
    out = console()
    out.print(projection_table(council, projection))
    out.print(plan_table(council, plan))
    for note in (*projection.notes, *plan.cost.notes):
        out.print(note, style="yellow", markup=False)


def _heading(name: str) -> str:
    from carecast.domain.codes import ServiceLine
    from carecast.projection.fit import NO_COST_NAME

    if name == NO_COST_NAME:
        return "With parents or for adoption"
    return ServiceLine(name).heading


def _cell(band: Band) -> str:
    return f"{band.p50:,.0f} ({band.p10:,.0f}–{band.p90:,.0f})"


def _caption(projection: Projection) -> str:
    from carecast.services.projection import DETERMINISTIC_NOTE

    if DETERMINISTIC_NOTE in projection.notes:
        return "The expected course at the fitted rates (--deterministic): no band."
    return f"P50 (P10–P90) over {projection.paths.totals.shape[1]:,} simulated paths."


def projection_table(council: Council, projection: Projection) -> Table:
    from rich.table import Table

    from carecast.projection.fit import CATEGORY_NAMES

    table = Table(
        title=f"{council.name}: children looked after at 31 March, projected from "
        f"{projection.start:%d %B %Y} ({projection.start_children:,} then)",
        caption=_caption(projection),
    )
    table.add_column("Placement category")
    for year in projection.years:
        table.add_column(f"{year.day:%d %b %Y}", justify="right")
    for i, name in enumerate(CATEGORY_NAMES):
        table.add_row(_heading(name), *(_cell(y.categories[i].children) for y in projection.years))
    table.add_row("All children looked after", *(_cell(y.children) for y in projection.years))
    table.add_row("Entering care in the year", *(_cell(y.entries) for y in projection.years))
    table.add_row("Leaving before 18", *(_cell(y.left) for y in projection.years))
    table.add_row("Leaving at 18", *(_cell(y.turned_18) for y in projection.years))
    return table


def _millions(value: float) -> str:
    return f"{value / 1e6:,.1f}"


def _money(band: Band) -> str:
    return f"{_millions(band.p50)} ({_millions(band.p10)}–{_millions(band.p90)})"


def _year_heading(year: PlanYear) -> str:
    if year.posted:
        return f"{year.financial_year} (posted + {year.months} mo)"
    return year.financial_year if year.months == 12 else f"{year.financial_year} ({year.months} mo)"


def plan_table(council: Council, plan: FinancialPlan) -> Table:
    from rich.table import Table

    table = Table(
        title=f"{council.name}: medium-term financial plan, £m",
        caption="P50 (P10–P90) of each year's spend. The first year adds the ledger's spend "
        "posted before the projection begins (`carecast forecast` is this year's fuller "
        "estimate: it adds what is incurred but not yet posted); a last part-year stands against "
        "its months' share of the budget. Budgets: the year's own, else the latest earlier "
        "year's (marked *).",
    )
    table.add_column("Service line")
    for year in plan.years:
        table.add_column(_year_heading(year), justify="right")
    for i, line in enumerate(plan.years[0].lines if plan.years else ()):
        table.add_row(line.line.heading, *(_money(y.lines[i].cost) for y in plan.years))
    table.add_row("Total", *(_money(y.cost) for y in plan.years), style="bold")
    table.add_row(
        "Budget",
        *(
            "–" if y.budget is None else _millions(float(y.budget)) + ("*" if y.budget_from else "")
            for y in plan.years
        ),
    )
    table.add_row(
        "Over (+) / under (−) budget",
        *("–" if y.variance is None else f"{y.variance / 1e6:+,.1f}" for y in plan.years),
    )
    return table
