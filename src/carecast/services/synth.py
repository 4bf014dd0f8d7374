"""A synthetic region or nation in the files of formats.md: many councils, each simulated by the
demo council's simulator with its own size, trend, placement mix and staffing.

For volume (imports, pooled projections, the executors at scale) — not for judging accuracy:
every council shares the demo's ledger conventions, which the forecast engine was written
beside (bench/councils/ writes councils apart from the engine for that). Child identifiers are
synthetic, numbered per council.
"""

from __future__ import annotations

import json
import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from carecast.config import Settings
from carecast.demo.generator import generate_demo_files
from carecast.demo.profile import DemoProfile, StaffingProfile
from carecast.errors import UsageError
from carecast.services.imports import import_paths
from carecast.services.setup import close_store, init_councils, open_store
from carecast.store.known_rows import StoredRows

FIRST_CODE = 9001  # synthetic DfE-style codes: no real council uses 9001 upwards
MEDIAN_CHILDREN = 500  # the median council's children looked after (England: about 550)
SIZE_SPREAD = 0.6  # log-normal spread of council size: a few councils four times the median


@dataclass(frozen=True)
class SynthCouncil:
    la_code: str
    name: str
    start_children: int
    growth: float  # a year, every year
    agency_share: float
    folder: str
    # the imports a finance team would make, in order: (as-of date, files relative to `out`)
    steps: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "la_code": self.la_code,
            "name": self.name,
            "start_children": self.start_children,
            "growth_a_year": round(self.growth, 4),
            "agency_share": round(self.agency_share, 3),
            "folder": self.folder,
            "imports": [{"as_of": day, "paths": list(paths)} for day, paths in self.steps],
        }


def _profile(index: int, years: int, seed: int) -> DemoProfile:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    base = DemoProfile()
    first = int(base.current_period[:4]) - years + (1 if int(base.current_period[5:]) >= 4 else 0)
    size = int(max(80, round(MEDIAN_CHILDREN * math.exp(rng.normal(0, SIZE_SPREAD)))))
    growth = float(rng.normal(0.02, 0.05))
    mix = {k: v * float(np.exp(rng.normal(0, 0.25))) for k, v in base.placement_mix.items()}
    total = sum(mix.values())
    scale = size / base.start_children
    staffing: StaffingProfile = base.staffing
    agency = float(np.clip(rng.normal(0.18, 0.08), 0.03, 0.45))
    staffing = replace(
        staffing,
        establishment_fte_by_year={},
        default_establishment_fte=round(staffing.default_establishment_fte * scale, 1),
        agency_share=agency,
    )
    code = str(FIRST_CODE + index)
    return replace(
        base,
        seed=seed * 1000 + index,
        council_name=f"Synthetic council {code}",
        la_code=code,
        first_financial_year=f"{first}-{(first + 1) % 100:02d}",
        start_children=size,
        growth_by_year={},
        default_growth=growth,
        placement_mix={k: v / total for k, v in mix.items()},
        placement_mix_by_year={},
        staffing=staffing,
        # a council's budget and its spend without activity data grow with its size: the demo's
        # £41.6m for every council would show a small one underspending and a big one £60m over
        budget={line: amount * scale for line, amount in base.budget.items()},
        other_lines={
            line: replace(spec, annual=spec.annual * scale)
            for line, spec in base.other_lines.items()
        },
    )


def synthesise(
    out: Path,
    councils: int,
    years: int,
    seed: int = 150,
    on_council: Callable[[int], None] | None = None,
) -> list[SynthCouncil]:
    """`councils` councils, each `years` financial years of files, under `out`/<code>/."""
    if not 1 <= councils <= 400:
        raise UsageError(f"--councils {councils}: give 1 to 400; nothing was written")
    if not 2 <= years <= 10:  # a council needs a year of history before the current one
        raise UsageError(
            f"--years {years}: give 2 to 10 (a year of history and the current one); nothing "
            "was written"
        )
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(councils):
        profile = _profile(index, years, seed)
        folder = out / profile.la_code
        manifest = generate_demo_files(folder, profile)
        steps = tuple(
            (step.as_of.isoformat(), tuple(str(p.relative_to(out)) for p in step.paths))
            for step in manifest.steps
        )
        made.append(
            SynthCouncil(
                profile.la_code,
                profile.council_name,
                profile.start_children,
                profile.default_growth,
                profile.staffing.agency_share,
                profile.la_code,
                steps,
            )
        )
        if on_council is not None:
            on_council(index + 1)
    index_file = out / "councils.json"
    index_file.write_text(json.dumps([c.as_json() for c in made], indent=1), encoding="utf-8")
    return made


def import_synthesised(
    settings: Settings,
    out: Path,
    made: list[SynthCouncil],
    on_council: Callable[[int], None] | None = None,
    workers: int = 1,
    *,
    keep_known: bool = True,
) -> int:
    """Every council of the set into one store, each under its own code, its files imported as
    a finance team would have (in the order and as-of dates of councils.json). Returns the rows
    imported.

    With `workers` > 1 the councils are imported side by side, a process each: reading and
    checking files is most of an import, and each council's imports touch only its own rows, so
    they wait for each other only to write (the store's busy timeout). The councils are added to
    the store first, one after another (the schema is made once).

    `keep_known`: each council's stored rows are kept in memory from one of its imports to the
    next (store/known_rows.py) rather than read from the store for every import's checks; the
    same checks and the same store either way (False: for measuring the difference)."""
    init_councils(settings, [(council.name, council.la_code) for council in made])
    if workers <= 1 or len(made) <= 1:
        rows = 0
        for done, council in enumerate(made, start=1):
            rows += _import_council(settings, out, council, keep_known)
            if on_council is not None:
                on_council(done)
        return rows
    rows = 0
    # spawned, not forked: a fork would copy the parent's engine pool and its locks mid-use
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(made)), mp_context=spawn) as pool:
        # the largest first, so that no large council is left to import alone at the end
        largest_first = sorted(made, key=lambda c: c.start_children, reverse=True)
        running = [
            pool.submit(_import_council, settings, out, council, keep_known)
            for council in largest_first
        ]
        for done, finished in enumerate(as_completed(running), start=1):
            rows += finished.result()
            if on_council is not None:
                on_council(done)
    return rows


def _import_council(
    settings: Settings, out: Path, council: SynthCouncil, keep_known: bool = True
) -> int:
    # One pooled engine for the council's imports, not one made (and the store's readiness
    # asked) for each of their transactions.
    own = open_store(settings.model_copy(update={"council": council.la_code}))
    stored = StoredRows() if keep_known else None
    rows = 0
    try:
        for as_of, paths in council.steps:
            files = [out / p for p in paths]
            day = date.fromisoformat(as_of)
            outcome, _warnings = import_paths(own, files, day, allow_empty=True, stored=stored)
            rows += sum(batch.row_count for batch in outcome.stored)
    finally:
        close_store(own)
    return rows
