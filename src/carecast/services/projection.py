"""Projecting children looked after: read the store and the shipped population, then fit,
simulate and assemble with no transaction open (a long projection never holds the store)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Council
from carecast.domain.state import ActivityState
from carecast.errors import InvalidInput, Issue, NotFound, UsageError, one_line
from carecast.projection.assemble import Projection, assemble
from carecast.projection.cost_fit import CostAssumptions, fit_costs
from carecast.projection.deterministic import expected_paths
from carecast.projection.entries import (
    MIN_DRIFT_YEARS,
    MIN_MONTHS,
    median_drift,
    months_between,
    trend_note,
)
from carecast.projection.fit import fit_projection
from carecast.projection.model import ProjectionModel
from carecast.projection.mtfp import FinancialPlan, activity_of, financial_plan
from carecast.projection.population import DAMPING, carried_on, yearly_growth
from carecast.projection.simulate import BlockRunner, serial, simulate
from carecast.reference.dataset import load_file
from carecast.reference.library import ReferenceFile
from carecast.services.benchmark import reference_files
from carecast.services.setup import council_transaction
from carecast.store.state import latest_as_of, load_placement_history, load_state

MIN_YEARS, MAX_YEARS = 1, 5
MAX_PATHS = 100_000
EPISODES = "ssda903_episodes"


def _check(years: int, paths: int) -> None:
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise UsageError(
            f"--years {years}: a projection runs {MIN_YEARS} to {MAX_YEARS} years ahead; "
            "nothing was projected"
        )
    if not 1 <= paths <= MAX_PATHS:
        raise UsageError(f"--paths {paths}: give 1 to {MAX_PATHS:,} paths; nothing was projected")


def load_history(
    settings: Settings, *, placements_only: bool = False
) -> tuple[Council, ActivityState, date]:
    """The council, its activity as the latest SSDA903 extract tells it, and that extract's date.
    One extract with years of history serves any start: the fit cuts it at its start day (later
    starts dropped, later endings reopened), and an episode recorded late counts where it
    happened. `placements_only`: the children, episodes and commitments alone (what the
    projection and its placement prices read; the plan's other costs cannot be priced then)."""
    with council_transaction(settings) as (connection, council):
        last = latest_as_of(connection, council, EPISODES)
        if last is None:
            raise NotFound(
                "no SSDA903 episodes have been imported, so there is no one to project: import "
                "the episodes table first; nothing was projected"
            )
        load = load_placement_history if placements_only else load_state
        return council, load(connection, council, last), last


def last_month_end(day: date) -> date:
    """`day` if it ends a month, else the last day of the month before."""
    period = Period.containing(day)
    return day if day == period.last_day else period.previous().last_day


def council_population(
    files: list[ReferenceFile], la_code: str
) -> tuple[dict[int, float], str | None]:
    """Mid-year 0–17 population estimates of the council (year → children) and their file; a
    later (imported) release replaces an earlier one year by year."""
    population, source = _populations(tuple(files)).get(la_code, ({}, None))
    return dict(population), source


def england_drift(files: list[ReferenceFile]) -> tuple[float, int] | None:
    """The median council's yearly wander of entries, from DfE's published starters (once a
    process for each set of files: the same for every council of a region)."""
    return _england_drift(tuple(files))


@lru_cache(maxsize=4)
def _england_drift(files: tuple[ReferenceFile, ...]) -> tuple[float, int] | None:
    return median_drift(_starters(files))


def council_starters(files: list[ReferenceFile]) -> dict[str, list[float]]:
    """Children starting to be looked after each year by council (DfE's published counts, a
    later release replacing an earlier one year by year), oldest year first."""
    return {area: list(years) for area, years in _starters(tuple(files)).items()}


# The reference files are read once a process for each set in use, not once a council: a
# region's councils share them (an imported release is another file, so another set).
@lru_cache(maxsize=4)
def _populations(
    files: tuple[ReferenceFile, ...],
) -> dict[str, tuple[dict[int, float], str | None]]:
    by_area: dict[str, tuple[dict[int, float], str | None]] = {}
    for entry in files:
        if entry.kind != "population":
            continue
        observations, _names = load_file(entry)
        for area, measure, year, value in observations.select(
            "area", "measure", "year", "value"
        ).iter_rows():
            if measure == "population_0_17" and value:
                population = by_area.get(area, ({}, None))[0]
                population[int(str(year)[:4])] = float(value)
                by_area[area] = (population, entry.name)
    return by_area


@lru_cache(maxsize=4)
def _starters(files: tuple[ReferenceFile, ...]) -> dict[str, list[float]]:
    by_council: dict[str, dict[str, float]] = {}
    for entry in files:
        if entry.kind != "cla_rates":
            continue
        observations, _names = load_file(entry)
        for area, measure, year, value in observations.select(
            "area", "measure", "year", "value"
        ).iter_rows():
            if measure == "cla_started" and value and area != "england":
                by_council.setdefault(area, {})[str(year)] = float(value)
    return {area: [v for _, v in sorted(years.items())] for area, years in by_council.items()}


@dataclass(frozen=True)
class ProjectionRun:
    """A projection with what it was fitted from: the plan and scenarios price and change it."""

    council: Council
    state: ActivityState
    model: ProjectionModel
    projection: Projection
    population: dict[int, float]
    seed: int


def fit_and_project(
    settings: Settings,
    years: int,
    start: Period | None = None,
    *,
    paths: int = 1000,
    seed: int = 20180401,
    runner: BlockRunner = serial,
    deterministic: bool = False,
    placements_only: bool = False,
) -> ProjectionRun:
    """Children looked after `years` ahead of `start`'s last day (default: the data's last month
    end). `placements_only`: the run's state holds the children, episodes and commitments
    alone (load_history), enough to price placements but not the plan's other costs."""
    _check(years, paths)
    council, state, last = load_history(settings, placements_only=placements_only)
    latest = last_month_end(last)
    if start is not None and start.last_day > latest:
        raise UsageError(
            f"--from {start}: the data ends on {last:%d %B %Y}, so a projection can start "
            f"no later than {Period.containing(latest)}; nothing was projected"
        )
    day = latest if start is None else start.last_day
    if not any(e.decom <= day for e in state.episodes):
        raise NotFound(
            f"no SSDA903 episode had begun by {day:%d %B %Y}: project from a later month "
            "(--from); nothing was projected"
        )
    files = reference_files(settings)
    population, source = council_population(files, council.la_code)
    prior = england_drift(files)
    model = fit_projection(
        state,
        day,
        years,
        carried_on(population, day.year + years + 1) or None,
        population_source=_source(population, source),
        drift_prior=None if prior is None else prior[0],
    )
    _refuse_short_history(model)
    notes = _notes(model, population)
    if deterministic:
        # the expected course at the fitted rates, as one path: no band, in fractions of children
        course = expected_paths(model).as_paths()
        notes = (*notes, DETERMINISTIC_NOTE)
        return ProjectionRun(
            council, state, model, assemble(model, course, notes), population, seed
        )
    projection = assemble(model, simulate(model, paths, seed, runner), notes)
    return ProjectionRun(council, state, model, projection, population, seed)


DETERMINISTIC_NOTE = (
    "Deterministic: the expected course at the fitted rates (no chance, no uncertainty of the "
    "rates), so P10 = P50 = P90; the simulated paths' median can differ from it."
)


def run_projection(
    settings: Settings,
    years: int,
    start: Period | None = None,
    *,
    paths: int = 1000,
    seed: int = 20180401,
    runner: BlockRunner = serial,
) -> tuple[Council, Projection]:
    """Children looked after only (no costs)."""
    run = fit_and_project(settings, years, start, paths=paths, seed=seed, runner=runner)
    return run.council, run.projection


def run_financial_plan(
    settings: Settings,
    years: int,
    start: Period | None = None,
    *,
    paths: int = 1000,
    seed: int = 20180401,
    runner: BlockRunner = serial,
    assumptions: CostAssumptions | None = None,
    deterministic: bool = False,
) -> tuple[ProjectionRun, FinancialPlan]:
    """The projection and the medium-term financial plan that prices it."""
    run = fit_and_project(
        settings, years, start, paths=paths, seed=seed, runner=runner, deterministic=deterministic
    )
    return run, price_projection(run, assumptions)


def read_cost_assumptions(path: Path) -> CostAssumptions:
    """The plan's rises (`placement_price_rise`, `pay_award`, `inflation`: a fraction, or one per
    financial year) and `staff_follow_children`, from JSON or YAML; problems located by field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = (
            yaml.safe_load(text) if path.suffix.lower() in {".yaml", ".yml"} else json.loads(text)
        )
    except OSError as exc:
        issue = Issue(path.name, None, None, "assumptions-unreadable", exc.strerror or str(exc))
        raise InvalidInput([issue]) from None
    except (ValueError, yaml.YAMLError) as exc:
        issue = Issue(path.name, None, None, "assumptions-syntax", one_line(str(exc)))
        raise InvalidInput([issue]) from None
    try:
        return CostAssumptions.model_validate(data if data is not None else {})
    except ValidationError as exc:
        # one problem a field: a rate is a fraction or a dict of them, and pydantic reports the
        # field once for each form; the first (the plain fraction's) says what is wrong
        found: dict[str, str] = {}
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"] if _is_field(p))
            found.setdefault(where, one_line(error["msg"]))
        # a year's rate refused says more than "not a number" of the same field's other form
        deeper = {w for w in found if any(o.startswith(f"{w}.") for o in found)}
        raise InvalidAssumptions(
            [
                Issue(path.name, None, where or None, "assumptions-invalid", message)
                for where, message in found.items()
                if where not in deeper
            ]
        ) from None


def _is_field(part: object) -> bool:
    """A field or a year of the assumptions' location, not pydantic's name of a type it tried."""
    text = str(part)
    return (text.replace("_", "").isalpha() and text.islower()) or text[:4].isdigit()


class InvalidAssumptions(InvalidInput):
    """An assumptions file broke one or more rules; nothing was projected."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        self.message = f"{len(issues)} problem(s) found in the assumptions; nothing was projected."
        self.args = (self.message,)


def price_projection(
    run: ProjectionRun, assumptions: CostAssumptions | None = None
) -> FinancialPlan:
    cost = fit_costs(run.state, run.model.start, len(run.model.category), assumptions)
    activity = activity_of(run.projection.paths)
    return financial_plan(cost, run.model.month_ends, activity)


def _refuse_short_history(model: ProjectionModel) -> None:
    """Entries and leaving rates need a year of returns before the start: with less, a projection
    would follow today's children out of care and bring nobody in."""
    covered = model.assumptions["returns_cover_from"]
    first = None if covered is None else Period.containing(date.fromisoformat(covered))
    start = Period.containing(model.start)
    if first is not None and months_between(first, start) + 1 >= MIN_MONTHS:
        return
    where = (
        "no child is seen leaving a placement before it"
        if first is None
        else f"the returns begin in {first}, {months_between(first, start) + 1} month(s) before it"
    )
    earliest = "a later month"
    if first is not None:
        enough = first
        for _ in range(MIN_MONTHS - 1):
            enough = enough.next()
        earliest = str(enough)
    raise NotFound(
        f"a projection from {model.start:%d %B %Y} needs {MIN_MONTHS} whole months of SSDA903 "
        f"history before it, and {where}: start from {earliest} or later (--from); nothing was "
        "projected"
    )


def _growth(population: Mapping[int, float]) -> str:
    growth = yearly_growth(population)
    return "held flat: too few estimates" if growth is None else f"{math.expm1(growth):+.2%}"


def _source(population: Mapping[int, float], source: str | None) -> str | None:
    if not population:
        return None
    first, last = min(population), max(population)
    return (
        f"ONS mid-year estimates of children aged 0-17, mid-{first} to mid-{last} ({source}); "
        f"after mid-{last} carried on by their last five years' trend ({_growth(population)} a "
        f"year), damped by {DAMPING} a year (no ONS population projection is shipped)"
    )


def _trend_note(model: ProjectionModel) -> list[str]:
    entries = model.assumptions["entries"]
    if model.entries is None or not entries["fitted"]:
        return []
    note = trend_note(
        entries["trend_measured_per_year"],
        entries["trend_standard_error"],
        entries["months_fitted"],
        float(model.entries.beta[1]),
        per_population=entries["per"] != "month",
    )
    return [] if note is None else [note]


def _notes(model: ProjectionModel, population: Mapping[int, float]) -> tuple[str, ...]:
    notes = []
    if model.entries is None:
        notes.append(
            "No entries: fewer than 12 whole months of history, or no child entered care in "
            "them; the projection follows today's children only."
        )
    elif model.assumptions["entries"]["drift_from"] == "england":
        sigma = model.assumptions["entries"]["yearly_drift_sd"]
        notes.append(
            f"Fewer than {MIN_DRIFT_YEARS} complete years of entries are on record: how much the "
            f"entry rate wanders from year to year is taken as the median of England's councils "
            f"(σ = {sigma:.3f} a year, from DfE's yearly starters), not measured here."
        )
    elif model.assumptions["entries"]["drift_from"] == "none":
        notes.append(
            "How much the entry rate wanders from year to year could not be measured (too few "
            "complete years, and no published starters to borrow from): the bands leave it out "
            "and are narrower than they should be."
        )
    notes.extend(_trend_note(model))
    missing = model.assumptions["looked_after_without_header"]
    if missing:
        notes.append(
            f"{missing} child(ren) looked after on {model.start:%d %B %Y} have no SSDA903 header "
            "row (no date of birth) and are left out: import the header to count them."
        )
    if model.entries is not None and not population:
        notes.append(
            "No ONS population estimate is shipped for this council's code: entries follow the "
            "council's own monthly count, not a rate per 10,000 children, so a growing "
            "population of children does not raise them."
        )
    return tuple(notes)
