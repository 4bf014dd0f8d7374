"""Benchmark: `carecast project` on the demo council — 5 years in monthly steps, 1,000 paths.

Run: `.venv/bin/python bench/project.py [--years 5] [--paths 1000] [--repeat 5]`. Builds the demo
council in a temporary SQLite store, then times (a) the engine alone — fitting the rates and the
entry model on the state known at the data's last month end, the simulated paths, and the bands
— and (b) the whole `run_projection` use case (reading the store and the shipped population
too). Medians are printed, with the projected children looked after at each 31 March.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from carecast.config import Settings
from carecast.projection.assemble import assemble
from carecast.projection.fit import fit_projection
from carecast.projection.simulate import simulate
from carecast.services import build_demo
from carecast.services.benchmark import reference_files
from carecast.services.projection import council_population, run_projection
from carecast.services.setup import council_transaction
from carecast.store.state import load_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(database_url=f"sqlite:///{Path(work) / 'carecast.db'}")
        build_demo(settings, Path(work))
        _, projection = run_projection(settings, args.years, paths=args.paths)
        with council_transaction(settings) as (connection, council):
            state = load_state(connection, council, projection.start)
        population, _ = council_population(reference_files(settings), council.la_code)
        engine: list[float] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            model = fit_projection(state, projection.start, args.years, population)
            assemble(model, simulate(model, args.paths, seed=20180401))
            engine.append(time.perf_counter() - started)
        whole: list[float] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            run_projection(settings, args.years, paths=args.paths)
            whole.append(time.perf_counter() - started)
    print(
        f"{council.name}: {projection.start_children} children looked after on "
        f"{projection.start}, {len(state.episodes):,} episodes; {args.years} years monthly "
        f"({args.years * 12} steps), {args.paths:,} paths"
    )
    for year in projection.years:
        band = year.children
        print(
            f"  31 March {year.day.year}: {band.p50:,.0f} (P10 {band.p10:,.0f}, P90 {band.p90:,.0f})"
        )
    print(
        f"engine (fit + paths + bands): median {statistics.median(engine):.2f} s of {args.repeat}"
    )
    print(f"run_projection (store + population + engine): median {statistics.median(whole):.2f} s")


if __name__ == "__main__":
    main()
