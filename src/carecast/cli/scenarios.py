"""`carecast scenarios compare A B` and the scenario tables of `carecast project --scenario`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carecast.cli.app import DatabaseUrl, JsonFlag, app, console, parse_period

if TYPE_CHECKING:
    from rich.table import Table

    from carecast.projection.assemble import Band
    from carecast.projection.mtfp import FinancialPlan
    from carecast.projection.scenario_result import ScenarioResult
    from carecast.services.scenarios import ScenarioRun

scenarios_app = typer.Typer(
    help="Management scenarios for the multi-year projection: compare them side by side.",
    no_args_is_help=True,
)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.command("compare")
def compare(
    first: Annotated[Path, typer.Argument(help="A scenario file (YAML or TOML).")],
    second: Annotated[Path, typer.Argument(help="Another scenario file.")],
    *,
    years: Annotated[int, typer.Option("--years", help="How many years ahead: 1 to 5.")] = 5,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="YYYY-MM: start from that month's end (default: the data's last)."
        ),
    ] = None,
    paths: Annotated[
        int, typer.Option("--paths", help="Simulated paths behind the P10/P50/P90 bands.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20180401,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Two scenarios side by side against the same baseline (the same paths): each year's cost
    and saving, and the arithmetic of each lever. Stores nothing."""
    from carecast.config import load_settings
    from carecast.services.scenarios import run_scenarios

    settings = load_settings(database_url)
    outcome = run_scenarios(
        settings, years, [[first], [second]], parse_period(start), paths=paths, seed=seed
    )
    show_scenarios(outcome, json_output=json_output)


def _millions(value: float) -> str:
    return f"{value / 1e6:,.2f}"


def _band(band: Band) -> str:
    return f"{_millions(band.p50)} ({_millions(band.p10)}–{_millions(band.p90)})"


def plan_years_json(plan: FinancialPlan) -> list[dict[str, Any]]:
    return [{"financial_year": y.financial_year, **y.as_json()} for y in plan.years]


def scenario_json(outcome: ScenarioRun) -> dict[str, Any]:
    """`project --scenario --json` as formats.md gives it: the scenario's years, the baseline's
    and the saving per year; with several scenarios (`scenarios compare`) one object each."""
    from carecast.cli.project import years_json

    run = outcome.run

    def one(result: ScenarioResult) -> dict[str, Any]:
        return {
            "council": run.council.name,
            "from": run.projection.start.isoformat(),
            "scenario": {
                "name": result.name,
                "description": result.description,
                "levers": [effect.as_json() for effect in result.effects],
            },
            "years": plan_years_json(result.plan),
            "baseline": years_json(run.projection, outcome.baseline),
            "saving": result.saving_json(),
            "assumptions": {
                "costs": outcome.baseline.assumptions(),
                "rates": None
                if outcome.rates is None
                else {
                    "statistical_neighbours": outcome.rates.statistical_neighbours,
                    "england": outcome.rates.england,
                },
            },
        }

    if len(outcome.results) == 1:
        return one(outcome.results[0])
    return {"scenarios": [one(result) for result in outcome.results]}


def scenario_table(outcome: ScenarioRun) -> Table:
    from rich.table import Table

    run = outcome.run
    table = Table(
        title=f"{run.council.name}: the baseline and "
        + (" and ".join(f"'{r.name}'" for r in outcome.results))
        + f", £m, projected from {run.projection.start:%d %B %Y}",
        caption="P50 (P10–P90) over the same simulated paths; a saving is the baseline's cost "
        "less the scenario's, path by path.",
    )
    table.add_column("")
    for year in outcome.baseline.years:
        label = year.financial_year if year.months == 12 else f"{year.financial_year} (part)"
        table.add_column(label, justify="right")
    table.add_row("Baseline", *(_band(y.cost) for y in outcome.baseline.years))
    for result in outcome.results:
        table.add_row(result.name, *(_band(y.cost) for y in result.plan.years))
        table.add_row(
            f"Saving: {result.name}", *(_band(band) for _, band in result.saving), style="bold"
        )
    return table


def show_scenarios(outcome: ScenarioRun, *, json_output: bool) -> None:
    if json_output:
        typer.echo(json.dumps(scenario_json(outcome), indent=2))
        return
    out = console()
    out.print(scenario_table(outcome))
    for result in outcome.results:
        out.print(f"How '{result.name}' saves (each lever on its own):", style="bold", markup=False)
        for effect in result.effects:
            out.print(f"  {effect.lever}", markup=False)
            for _year, _saving, words in effect.years:
                out.print(f"    {words}", markup=False)
