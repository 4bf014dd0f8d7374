"""generate_demo_files: simulate the demo council and write its files as a sequence of imports.

Layout under `out_dir` (the three folders are deleted and rewritten on every run):

    ssda903/<YYYY-YY>/header.csv, episodes.csv      annual returns, as known on 31 March
    finance/cost_centres.csv, budget.csv, actions.csv
                                                    reference data, one step dated 1 April of the
                                                    previous financial year
    extracts/<YYYY-MM>/header.csv, episodes.csv, placement_costs.csv, gl_actuals.csv,
                       establishment.csv, allowances.csv
                                                    monthly extracts, as known at each month end,
                                                    from April of the previous financial year
                                                    (`extract_years` back) to the current period

The simulation runs to the end of the current financial year so that the manifest can carry the
true full-year outturn; no file shows anything after its own knowledge date.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from carecast.demo.allowances import allowance_cases
from carecast.demo.dates import (
    fy_first_day,
    fy_label,
    fy_last_day,
    iso_date,
    month_last_day,
    months_between,
    parse_period,
    period_label,
)
from carecast.demo.ledger import budget_rows, build_ledger, true_outturn
from carecast.demo.profile import DemoProfile
from carecast.demo.records import AllowanceCase, LedgerRow, PostState
from carecast.demo.simulation import ChildWorld, simulate_children
from carecast.demo.staffing import simulate_staffing
from carecast.demo.views import allowances, collection_episodes, commitment_lags, commitments
from carecast.demo.writers import (
    money,
    write_actions,
    write_allowances,
    write_budget,
    write_cost_centres,
    write_episodes,
    write_establishment,
    write_gl_actuals,
    write_header,
    write_placement_costs,
)

GENERATED_FOLDERS = ("ssda903", "finance", "extracts")
_ANNUAL, _REFERENCE, _MONTHLY = 0, 1, 2  # order of steps that share a knowledge date


@dataclass(frozen=True)
class ImportStep:
    as_of: date  # knowledge date: the files describe the world as known on this date
    paths: tuple[Path, ...]
    label: str


@dataclass(frozen=True)
class DemoManifest:
    council_name: str
    la_code: str
    current_period: str
    steps: tuple[ImportStep, ...]  # in chronological order of as_of
    # financial year -> service line -> the year's true net spend (the ledger once every posting
    # has arrived); for the current year, the simulation's full-year truth
    true_outturn: dict[str, dict[str, Decimal]]


def _pounds(pence: int) -> Decimal:
    return Decimal(money(pence))


def generate_demo_files(
    out_dir: Path,
    profile: DemoProfile | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> DemoManifest:
    """Simulate the demo council described by `profile` and write its files under `out_dir`.

    The same profile (including its seed) always writes byte-identical files.
    """
    profile = profile or DemoProfile()

    def progress(message: str) -> None:
        if on_progress is not None:
            on_progress(message)

    current = profile.current_year
    period = parse_period(profile.current_period)
    horizon = fy_last_day(current)
    progress("Simulating children looked after")
    world = simulate_children(profile, horizon)
    cases = allowance_cases(profile, world)
    progress("Simulating the staffing establishment")
    snapshots = simulate_staffing(
        profile.staffing, profile.seed, profile.first_year, (horizon.year, horizon.month)
    )
    progress("Posting the ledger")
    ledger = build_ledger(profile, world, cases, snapshots)
    outturn = {
        year: {line: _pounds(pence) for line, pence in lines.items()}
        for year, lines in true_outturn(ledger).items()
    }

    out_dir = Path(out_dir)
    for generated in GENERATED_FOLDERS:
        shutil.rmtree(out_dir / generated, ignore_errors=True)
    steps: list[tuple[date, int, ImportStep]] = []
    for year in range(profile.first_year, current):
        label = fy_label(year)
        progress(f"Writing SSDA903 return {label}")
        as_of = fy_last_day(year)
        episodes, children = collection_episodes(world, year, as_of)
        folder = out_dir / "ssda903" / label
        paths: tuple[Path, ...] = (
            write_header(folder / "header.csv", children),
            write_episodes(folder / "episodes.csv", episodes),
        )
        steps.append((as_of, _ANNUAL, ImportStep(as_of, paths, f"SSDA903 return {label}")))

    progress("Writing finance reference data")
    steps.append(_reference_step(out_dir / "finance", profile))

    by_month: dict[tuple[int, int], list[LedgerRow]] = defaultdict(list)
    for row in ledger:
        by_month[row.period].append(row)
    lags = commitment_lags(profile.frictions, world, profile.seed)
    for year, month in months_between((current - profile.extract_years, 4), period):
        label = period_label(year, month)
        progress(f"Writing monthly extract {label}")
        as_of = month_last_day(year, month)
        fy = year if month >= 4 else year - 1
        folder = out_dir / "extracts" / label
        paths = _write_extract(
            folder,
            world=world,
            fy=fy,
            as_of=as_of,
            lags=lags,
            ledger=by_month[(year, month)],
            posts=snapshots[(year, month)],
            cases=cases,
        )
        steps.append((as_of, _MONTHLY, ImportStep(as_of, paths, f"Monthly extract {label}")))

    steps.sort(key=lambda item: (item[0], item[1]))
    return DemoManifest(
        council_name=profile.council_name,
        la_code=profile.la_code,
        current_period=profile.current_period,
        steps=tuple(step for _, _, step in steps),
        true_outturn=outturn,
    )


def _reference_step(folder: Path, profile: DemoProfile) -> tuple[date, int, ImportStep]:
    current = profile.current_year
    label = fy_label(current)
    actions = []
    for spec in profile.actions:
        due = ""
        if spec.due_period is not None:
            year, month = (
                (current, spec.due_period + 3)
                if spec.due_period <= 9
                else (current + 1, spec.due_period - 9)
            )
            due = iso_date(month_last_day(year, month))
        actions.append(
            (
                spec.action_id,
                spec.kind,
                spec.title,
                spec.service_line,
                spec.owner,
                label,
                money(round(spec.value * 100)),
                spec.confidence,
                spec.status,
                due,
                spec.notes,
            )
        )
    paths = (
        write_cost_centres(folder / "cost_centres.csv"),
        write_budget(folder / "budget.csv", budget_rows(profile)),
        write_actions(folder / "actions.csv", actions),
    )
    as_of = fy_first_day(current - profile.extract_years)  # before the first monthly extract
    return (
        as_of,
        _REFERENCE,
        ImportStep(as_of, paths, "Finance reference data (cost centres, budgets, actions)"),
    )


def _write_extract(
    folder: Path,
    *,
    world: ChildWorld,
    fy: int,
    as_of: date,
    lags: list[tuple[int, int]],
    ledger: list[LedgerRow],
    posts: list[PostState],
    cases: list[AllowanceCase],
) -> tuple[Path, ...]:
    episodes, children = collection_episodes(world, fy, as_of)
    return (
        write_header(folder / "header.csv", children),
        write_episodes(folder / "episodes.csv", episodes),
        write_placement_costs(folder / "placement_costs.csv", commitments(world, lags, fy, as_of)),
        write_gl_actuals(folder / "gl_actuals.csv", ledger),
        write_establishment(folder / "establishment.csv", posts),
        write_allowances(folder / "allowances.csv", allowances(cases, world.prices, fy, as_of)),
    )
