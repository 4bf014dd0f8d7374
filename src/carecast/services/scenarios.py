"""Scenarios: read and check the files, project the baseline once, then apply each scenario
(composed from one or more files) and price it beside the baseline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from carecast.config import Settings
from carecast.documents.projection import scenario_json
from carecast.domain.periods import Period
from carecast.errors import Issue, NotFound
from carecast.projection.cost_fit import CostAssumptions, fit_costs
from carecast.projection.mtfp import FinancialPlan, activity_of, financial_plan
from carecast.projection.scenario_file import (
    Caseload,
    ClaRate,
    InvalidScenario,
    Lever,
    Scenario,
    check_within,
    load_scenario,
)
from carecast.projection.scenario_result import (
    ScenarioResult,
    lever_effects,
    model_effect,
    savings,
    scenario_plan,
)
from carecast.projection.scenarios import Rates, change_model, model_levers
from carecast.projection.simulate import BlockRunner, serial, simulate
from carecast.services.benchmark import benchmark_council
from carecast.services.projection import ProjectionRun, fit_and_project
from carecast.services.setup import council_transaction
from carecast.store.accounts import append_audit
from carecast.store.scenario_runs import (
    NewScenarioRun,
    ScenarioRunRecord,
    add_scenario_run,
    latest_scenario_run,
    list_scenario_runs,
)


@dataclass(frozen=True)
class ScenarioRun:
    run: ProjectionRun
    baseline: FinancialPlan
    results: tuple[ScenarioResult, ...]
    rates: Rates | None
    saved: tuple[int, ...] = ()  # the stored runs' ids, in the results' order


Sourced = tuple[str, Scenario]  # a scenario and where it came from (a file's name, a web form)


def read_scenarios(files: Sequence[Path]) -> list[Sourced]:
    """Every file read, every problem of every file reported together."""
    issues: list[Issue] = []
    read = []
    for path in files:
        try:
            read.append((path.name, load_scenario(path)))
        except InvalidScenario as refusal:
            issues += refusal.issues
    if issues:
        raise InvalidScenario(issues)
    return read


def compose(read: Sequence[Sourced]) -> Scenario:
    """One scenario of several files' levers; two files acting on the same thing are refused."""
    if len(read) == 1:
        return read[0][1]
    seen: dict[tuple[str, str], str] = {}
    issues = []
    for source, scenario in read:
        for index, lever in enumerate(scenario.levers):
            key = (lever.kind, str(getattr(lever, "service_line", getattr(lever, "to", ""))))
            if key in seen:
                issues.append(
                    Issue(
                        source,
                        scenario.lines.get(f"levers[{index}].kind"),
                        f"levers[{index}].kind",
                        "duplicate-lever",
                        f"{seen[key]} already has a {lever.kind} lever acting on the same "
                        "children: composed, the result would depend on the order; keep one",
                    )
                )
            seen.setdefault(key, source)
    if issues:
        raise InvalidScenario(issues)
    levers: tuple[Lever, ...] = tuple(lever for _, s in read for lever in s.levers)
    return Scenario(
        name=" + ".join(s.name for _, s in read)[:60],
        description="; ".join(s.description or s.name for _, s in read)[:500],
        levers=levers,
    )


def _check_horizon(read: Sequence[Sourced], month_ends: tuple[date, ...]) -> None:
    first, last = Period.containing(month_ends[0]), Period.containing(month_ends[-1])
    issues = [i for source, s in read for i in check_within(s, first, last, source)]
    if issues:
        raise InvalidScenario(issues)


def _rates(settings: Settings, run: ProjectionRun, levers: Sequence[Lever]) -> Rates | None:
    wanted = [lever for lever in levers if isinstance(lever, ClaRate)]
    if not wanted:
        return None
    named = [lever.target for lever in wanted if isinstance(lever.target, str)]
    neighbours = england = None
    if named:
        section = next(
            (s for s in benchmark_council(settings).sections if s.key == "cla_rate"), None
        )
        rows = [] if section is None else list(section.rows)
        start = run.model.start
        usable = [r for r in rows if r.year.isdigit() and date(int(r.year), 3, 31) <= start]
        row = usable[-1] if usable else (rows[0] if rows else None)
        if row is not None:
            neighbours = None if row.neighbours.value is None else float(row.neighbours.value)
            england = None if row.england.value is None else float(row.england.value)
        for target in named:
            value = neighbours if target == "statistical_neighbours" else england
            if value is None:
                raise NotFound(
                    f"a cla_rate lever aims at the {target.replace('_', ' ')} rate, and the "
                    "shipped DfE data has none for this council: give the target as a number "
                    "per 10,000; nothing was projected"
                )
    if not run.population:
        raise NotFound(
            "a cla_rate lever needs the council's 0–17 population, and no ONS estimate is "
            "shipped for its code; nothing was projected"
        )
    return Rates(neighbours, england, run.population)


def _check_caseload(run_levers: Sequence[Lever], baseline: FinancialPlan) -> None:
    if any(isinstance(x, Caseload) for x in run_levers) and baseline.cost.caseload() is None:
        raise NotFound(
            "a caseload lever needs today's caseloads, and the establishment gives none (its "
            "CASELOAD column is empty): import an establishment with caseloads; nothing was "
            "projected"
        )


def run_scenarios(
    settings: Settings,
    years: int,
    scenarios: Sequence[Sequence[Path]],
    start: Period | None = None,
    *,
    paths: int = 1000,
    seed: int = 20180401,
    runner: BlockRunner = serial,
    assumptions: CostAssumptions | None = None,
    save: bool = True,
    actor: tuple[str, str] = ("unknown", "unknown"),
) -> ScenarioRun:
    """The baseline and each scenario (one composed from each group of files) beside it, each
    stored with its result (unless `save` is false) once everything has been computed, and the
    run written to the audit log as `actor` (who, from where) made it."""
    groups = [read_scenarios(files) for files in scenarios]
    return run_scenario_groups(
        settings,
        years,
        groups,
        start,
        paths=paths,
        seed=seed,
        runner=runner,
        assumptions=assumptions,
        save=save,
        actor=actor,
    )


def run_scenario_groups(
    settings: Settings,
    years: int,
    groups: Sequence[Sequence[Sourced]],
    start: Period | None = None,
    *,
    paths: int = 1000,
    seed: int = 20180401,
    runner: BlockRunner = serial,
    assumptions: CostAssumptions | None = None,
    save: bool = True,
    actor: tuple[str, str] = ("unknown", "unknown"),
) -> ScenarioRun:
    """As `run_scenarios`, for scenarios already read (from files, or built in a web form)."""
    composed = [compose(group) for group in groups]
    run = fit_and_project(settings, years, start, paths=paths, seed=seed, runner=runner)
    month_ends = run.model.month_ends
    for group in groups:
        _check_horizon(group, month_ends)
    cost = fit_costs(run.state, run.model.start, len(run.model.category), assumptions)
    activity = activity_of(run.projection.paths)
    baseline = financial_plan(cost, month_ends, activity)
    rates = _rates(settings, run, [x for s in composed for x in s.levers])
    results = []
    for scenario in composed:
        _check_caseload(scenario.levers, baseline)
        changers = model_levers(scenario.levers)
        own = activity
        effects = []
        if changers:
            model = change_model(run.model, changers)
            own = activity_of(simulate(model, paths, seed, runner))
            for lever in changers:
                alone = activity_of(simulate(change_model(run.model, [lever]), paths, seed, runner))
                effects.append(model_effect(lever, cost, month_ends, activity, alone))
        effects += lever_effects(scenario.levers, cost, month_ends, activity, rates)
        plan = scenario_plan(cost, month_ends, own, scenario.levers, rates)
        results.append(
            ScenarioResult(
                scenario.name, scenario.description, plan, savings(baseline, plan), tuple(effects)
            )
        )
    outcome = ScenarioRun(run, baseline, tuple(results), rates)
    if not save:
        return outcome
    saved = _save(settings, outcome, composed, groups, (years, paths, seed), actor)
    return replace(outcome, saved=saved)


def _save(  # noqa: PLR0917 (a run, how it was made and by whom)
    settings: Settings,
    outcome: ScenarioRun,
    composed: Sequence[Scenario],
    groups: Sequence[Sequence[Sourced]],
    options: tuple[int, int, int],
    actor: tuple[str, str],
) -> tuple[int, ...]:
    """Each result stored, and each run written to the audit log, in one transaction."""
    years, paths, seed = options
    who, where = actor
    run = outcome.run
    saved = []
    with council_transaction(settings) as (connection, council):
        for scenario, group, result in zip(composed, groups, outcome.results, strict=True):
            shown = scenario_json(
                run.council, run.projection, outcome.baseline, result, outcome.rates
            )
            record = NewScenarioRun(
                scenario.name,
                scenario.description,
                [lever.model_dump(mode="json") for lever in scenario.levers],
                [source for source, _ in group],
                run.model.start,
                years,
                paths,
                seed,
                shown,
            )
            run_id = add_scenario_run(connection, council, record)
            saved.append(run_id)
            append_audit(
                connection,
                at=datetime.now(UTC),
                actor=who,
                source=where,
                action="scenario_run",
                subject=scenario.name,
                after={
                    "run_id": run_id,
                    "levers": record.levers,
                    "from": run.model.start.isoformat(),
                    "years": years,
                    "paths": paths,
                    "seed": seed,
                },
            )
    return tuple(saved)


def stored_runs(settings: Settings) -> list[ScenarioRunRecord]:
    with council_transaction(settings) as (connection, council):
        return list_scenario_runs(connection, council)


def stored_run(settings: Settings, name: str) -> ScenarioRunRecord:
    with council_transaction(settings) as (connection, council):
        found = latest_scenario_run(connection, council, name)
        names = sorted({r.name for r in list_scenario_runs(connection, council)})
    if found is None:
        known = ", ".join(names) if names else "none yet"
        raise NotFound(
            f"no scenario run is stored under the name '{name}' (stored: {known}); run it with "
            "carecast project --years N --scenario FILE"
        )
    return found
