"""The councils of a store side by side, and the placements the region will need.

For each council: the children looked after at its data's last month end by placement
category, the mix, and the mean weekly cost of the placements open then; then its deterministic
projection (the expected course at its own fitted rates) at each 31 March ahead. The region's
figures are the councils' added together, and sufficiency is the placements the region will
need in each category against those in use today.
"""

from __future__ import annotations

import gc
import multiprocessing
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from carecast.config import Settings
from carecast.errors import CarecastError
from carecast.projection.assemble import Band, year_end_steps
from carecast.projection.cost_fit import placement_prices
from carecast.projection.fit import CATEGORY_NAMES
from carecast.projection.simulate import BlockRunner, serial
from carecast.services.collector import loaded_objects_left_out
from carecast.services.projection import fit_and_project
from carecast.services.setup import store_transaction
from carecast.store.councils import named_councils

SEED = 20180401  # the projection's default seed, each council's offset from it by its code


@dataclass(frozen=True)
class CouncilView:
    la_code: str
    name: str
    start: str  # the month end its figures are on
    children: dict[str, float]  # looked after on `start`, by category
    weekly_cost: dict[str, float]  # mean weekly cost of the placements open then, by category
    ahead: dict[str, dict[str, float]]  # 31 March → category → expected children
    # 31 March → (paths, categories) children on each simulated path (with paths asked for)
    paths_ahead: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.children.values())

    def as_json(self) -> dict[str, Any]:
        total = self.total
        return {
            "la_code": self.la_code,
            "name": self.name,
            "from": self.start,
            "children_looked_after": round(total, 1),
            "children": {k: round(v, 1) for k, v in self.children.items()},
            "mix": {k: round(v / total, 4) if total else None for k, v in self.children.items()},
            "weekly_cost": {k: round(v, 2) for k, v in self.weekly_cost.items()},
            "projected": {
                day: {k: round(v, 1) for k, v in row.items()} for day, row in self.ahead.items()
            },
        }


@dataclass(frozen=True)
class RegionView:
    councils: tuple[CouncilView, ...]
    left_out: tuple[tuple[str, str], ...] = field(default=())  # (code, why)

    def children(self) -> dict[str, float]:
        return {c: sum(v.children.get(c, 0.0) for v in self.councils) for c in CATEGORY_NAMES}

    def sufficiency(self) -> dict[str, dict[str, float]]:
        """31 March → category → placements the region will need (its councils' added)."""
        days = sorted({d for v in self.councils for d in v.ahead})
        return {
            day: {
                c: sum(v.ahead.get(day, {}).get(c, 0.0) for v in self.councils)
                for c in CATEGORY_NAMES
            }
            for day in days
        }

    def bands(self) -> dict[str, dict[str, Band]]:
        """31 March → category → the region's children across the paths: each path adds up
        its councils' (each council's paths drawn on its own seed, so independent of the
        others'); empty without paths."""
        days = sorted({d for v in self.councils for d in v.paths_ahead})
        out = {}
        for day in days:
            pooled = np.sum([v.paths_ahead[day] for v in self.councils if day in v.paths_ahead], 0)
            out[day] = {c: Band.of(pooled[:, i]) for i, c in enumerate(CATEGORY_NAMES)}
        return out

    def as_json(self) -> dict[str, Any]:
        now = self.children()
        bands = self.bands()
        return {
            "councils": [v.as_json() for v in self.councils],
            "left_out": [{"la_code": code, "why": why} for code, why in self.left_out],
            "region": {
                "children_looked_after": round(sum(now.values()), 1),
                "children": {k: round(v, 1) for k, v in now.items()},
                "sufficiency": {
                    day: {
                        c: {
                            "needed": round(n, 1),
                            "in_use_now": round(now[c], 1),
                            **({"band": bands[day][c].as_json()} if day in bands else {}),
                        }
                        for c, n in row.items()
                    }
                    for day, row in self.sufficiency().items()
                },
            },
        }


def council_seed(code: str) -> int:
    """A council's own seed for the region's paths: fixed by its code, apart from others'."""
    return (SEED + zlib.crc32(code.encode())) % 2**32


def _council_view(
    settings: Settings,
    code: str,
    name: str,
    years: int,
    *,
    paths: int | None = None,
    runner: BlockRunner = serial,
) -> CouncilView:
    chosen = settings.model_copy(update={"council": code})
    # the view prices placements alone: the ledger, establishment and allowances go unread
    if paths is None:
        run = fit_and_project(chosen, years, paths=1, deterministic=True, placements_only=True)
    else:
        run = fit_and_project(
            chosen, years, paths=paths, seed=council_seed(code), runner=runner, placements_only=True
        )
    paths_ahead = {}
    if paths is not None:
        for step in year_end_steps(run.model):
            day = run.model.month_ends[step - 1].isoformat()
            paths_ahead[day] = run.projection.paths.stock[step].sum(axis=2)
    stock = run.projection.paths.stock[:, 0].sum(axis=2)  # (months + 1, categories)
    children = {c: float(stock[0, i]) for i, c in enumerate(CATEGORY_NAMES)}
    prices = placement_prices(run.state, run.model.start)
    weekly = {p.line.value: p.running_weekly for p in prices if p.running_count}
    ahead = {
        year.day.isoformat(): {c.category: c.children.mean for c in year.categories}
        for year in run.projection.years
    }
    return CouncilView(
        code, name, run.model.start.isoformat(), children, weekly, ahead, paths_ahead
    )


Outcome = CouncilView | tuple[str, str]  # a council's view, or (its code, why it has none)
# runs work(i) for each i, wherever it likes (a Dask cluster: executors.DaskRunner)
CouncilRunner = Callable[[Callable[[int], Outcome], Sequence[int]], list[Outcome]]


def region_view(
    settings: Settings,
    codes: Sequence[str] | None,
    years: int,
    paths: int | None = None,
    runner: BlockRunner = serial,
    *,
    processes: int = 1,
    councils_on: CouncilRunner | None = None,
) -> RegionView:
    """The councils named (default: every council in the store), `years` ahead: each council's
    expected course, or with `paths` its simulated paths (run by `runner`), pooled into the
    region's bands.

    With `processes` > 1 the councils are shared among that many processes, each reading,
    fitting and simulating its councils whole (`runner` is then unused): one after another, the
    reading and fitting of each council waited in this process while the pool had only its
    paths. With `councils_on` (a Dask cluster's runner) each council is one task there, read,
    fitted and simulated whole by a worker, which must reach the store. Each council's paths
    come from its own seed, so the figures are the same every way."""
    with store_transaction(settings) as connection:
        wanted = named_councils(connection, list(codes) if codes else None, "nothing was compared")
    if councils_on is not None and len(wanted) > 1:
        items = tuple(wanted.items())
        each = partial(_council_numbered, _store_anywhere(settings), years, paths, items)
        outcomes = councils_on(each, range(len(items)))
        return _region_of(outcomes)
    look = partial(_council_outcome, settings, years, paths)
    if processes > 1 and len(wanted) > 1:
        # spawned, not forked: a fork would copy the parent's engine pool and its locks mid-use
        spawn = multiprocessing.get_context("spawn")
        workers = min(processes, len(wanted))
        with ProcessPoolExecutor(workers, mp_context=spawn, initializer=gc.freeze) as pool:
            # one council at a time to each process as it comes free: councils differ in size
            outcomes = list(pool.map(look, wanted.items(), chunksize=1))
    else:
        with loaded_objects_left_out():
            outcomes = [look(council, runner=runner) for council in wanted.items()]
    return _region_of(outcomes)


def _region_of(outcomes: Sequence[Outcome]) -> RegionView:
    views = tuple(o for o in outcomes if isinstance(o, CouncilView))
    left_out = tuple(o for o in outcomes if not isinstance(o, CouncilView))
    return RegionView(views, left_out)


def _store_anywhere(settings: Settings) -> Settings:
    """`settings` with a SQLite store's file named from the root: a worker started elsewhere
    reads the same file, not one of the same name in its own folder."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return settings
    whole = url.set(database=str(Path(url.database).resolve()))
    return settings.model_copy(update={"database_url": whole.render_as_string(False)})


def _council_numbered(
    settings: Settings,
    years: int,
    paths: int | None,
    councils: tuple[tuple[str, str], ...],
    index: int,
) -> Outcome:
    return _council_outcome(settings, years, paths, councils[index])


def _council_outcome(
    settings: Settings,
    years: int,
    paths: int | None,
    council: tuple[str, str],
    runner: BlockRunner = serial,
) -> CouncilView | tuple[str, str]:
    """A council's view, or (its code, why its data cannot answer): the rest still can."""
    code, name = council
    try:
        return _council_view(settings, code, name, years, paths=paths, runner=runner)
    except CarecastError as refusal:
        return code, refusal.message
