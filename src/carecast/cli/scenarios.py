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
    from carecast.services.scenarios import ScenarioRun

scenarios_app = typer.Typer(
    help="Management scenarios for the multi-year projection: compare them side by side.",
    no_args_is_help=True,
)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.callback()
def scenarios(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """Management scenarios for the multi-year projection: compare them side by side."""
    ctx.obj = database_url


@scenarios_app.command("compare")
def compare(
    ctx: typer.Context,
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

    settings = load_settings(database_url or ctx.obj)
    from carecast.cli.users import actor

    outcome = run_scenarios(
        settings,
        years,
        [[first], [second]],
        parse_period(start),
        paths=paths,
        seed=seed,
        actor=actor(),
    )
    show_scenarios(outcome, json_output=json_output)


@scenarios_app.command("list")
def list_runs(ctx: typer.Context, *, database_url: DatabaseUrl = None) -> None:
    """Every scenario run stored, oldest first, with its saving each year (P50)."""
    from rich.table import Table

    from carecast.config import load_settings
    from carecast.services.scenarios import stored_runs

    runs = stored_runs(load_settings(database_url or ctx.obj))
    out = console()
    if not runs:
        out.print("No scenario run is stored yet: carecast project --years N --scenario FILE")
        return
    table = Table(title="Scenario runs", caption="Saving: the baseline's cost less the scenario's.")
    for heading in ("Run", "Name", "From", "Years", "Paths", "Stored", "Saving by year (£m, P50)"):
        table.add_column(heading)
    for run in runs:
        savings = ", ".join(
            f"{y['financial_year']} {y['central'] / 1e6:,.2f}" for y in run.result["saving"]
        )
        table.add_row(
            str(run.run_id),
            run.name,
            f"{run.projected_from:%d %b %Y}",
            str(run.years),
            f"{run.paths:,}",
            f"{run.saved_at:%d %b %Y %H:%M}",
            savings,
        )
    out.print(table)


@scenarios_app.command("show")
def show_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario's name (its latest run is shown).")],
    *,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """A stored scenario run: its levers, the saving each year and the arithmetic, as stored."""
    from carecast.config import load_settings
    from carecast.services.scenarios import stored_run

    run = stored_run(load_settings(database_url or ctx.obj), name)
    if json_output:
        typer.echo(json.dumps(run.result, indent=2))
        return
    out = console()
    out.print(
        f"Scenario run {run.run_id} '{run.name}', projected from {run.projected_from:%d %B %Y} "
        f"for {run.years} year(s) over {run.paths:,} paths (seed {run.seed}), stored "
        f"{run.saved_at:%d %B %Y %H:%M}; files: {', '.join(run.files)}",
        markup=False,
    )
    for saving in run.result["saving"]:
        out.print(
            f"  {saving['financial_year']}: saving £{saving['central']:,.0f} "
            f"(80% range £{saving['p10']:,.0f} to £{saving['p90']:,.0f})",
            markup=False,
        )
    for lever in run.result["scenario"]["levers"]:
        out.print(f"  {lever['lever']}", markup=False)
        for year in lever["years"]:
            out.print(f"    {year['arithmetic']}", markup=False)


def _millions(value: float) -> str:
    return f"{value / 1e6:,.2f}"


def _band(band: Band) -> str:
    return f"{_millions(band.p50)} ({_millions(band.p10)}–{_millions(band.p90)})"


def scenario_json(outcome: ScenarioRun) -> dict[str, Any]:
    """One object per scenario as formats.md gives it; several (`compare`) under "scenarios"."""
    from carecast.documents.projection import scenario_json as one

    run = outcome.run
    shown = [
        one(run.council, run.projection, outcome.baseline, result, outcome.rates)
        for result in outcome.results
    ]
    return shown[0] if len(shown) == 1 else {"scenarios": shown}


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
    for result, run_id in zip(outcome.results, outcome.saved, strict=False):
        out.print(
            f"Stored as scenario run {run_id} ('{result.name}'): carecast scenarios show "
            f"'{result.name}'",
            markup=False,
        )
    out.print(scenario_table(outcome))
    for result in outcome.results:
        out.print(f"How '{result.name}' saves (each lever on its own):", style="bold", markup=False)
        for effect in result.effects:
            out.print(f"  {effect.lever}", markup=False)
            for _year, _saving, words in effect.years:
                out.print(f"    {words}", markup=False)
