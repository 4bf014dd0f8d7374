"""Benchmark: the demo council's Monte Carlo in this process, on two local processes and on a Dask
cluster of two worker processes — seconds, ratios to serial, and the results checked identical.

Run: `.venv/bin/python bench/executors.py [--years 5] [--paths 1000] [--repeat 3]`. Builds the demo
council in a temporary SQLite store; fits its 5-year projection from the data's last month end and
its P6 forecast on the state known at P6's close once; then, for each executor, times the
simulated paths alone (`simulate`; `sample_paths`) and the whole engine (fitting included:
`fit_and_project` reads the store too; `forecast_outturn`). Medians of `--repeat` runs after one
warm-up run each, so the local pool and the Dask workers have started and imported the engines
(their start-up is shown apart). The local runner here always uses its pool (`worth_seconds=0`);
`carecast` itself keeps work under 3 s in one process. Prints markdown, with the load average:
on a shared machine, ratios measured while others' work holds the cores are not the executors'.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.domain.provenance import Forecast
from carecast.executors import Runner, dask_runner, local_runner, serial
from carecast.forecast.outturn import forecast_outturn
from carecast.forecast.pipeline import fit, sample_paths
from carecast.projection.simulate import Paths, simulate
from carecast.services import build_demo
from carecast.services.forecasting import close_date
from carecast.services.projection import fit_and_project
from carecast.services.setup import council_transaction
from carecast.store.state import load_state

SEED = 20180401
FIELDS = ("stock", "entries", "left", "turned_18", "placements_begun", "placed_since_start")


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(the first run's seconds, the median of `repeat` runs after it)."""
    began = time.perf_counter()
    run()
    first = time.perf_counter() - began
    seconds = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - began)
    return first, statistics.median(seconds)


def figures(forecast: Forecast) -> list[tuple[object, ...]]:
    lines = [(x.service_line, x.forecast_outturn, x.p10, x.p90) for x in forecast.lines]
    return [*lines, ("total", forecast.forecast_outturn, forecast.p10, forecast.p90)]


def same_paths(one: Paths, other: Paths) -> bool:
    return all(np.array_equal(getattr(one, f), getattr(other, f)) for f in FIELDS)


def measure(  # noqa: PLR0917 (the store, the executors and the run's size)
    settings: Settings,
    runners: dict[str, Runner],
    period: Period,
    years: int,
    paths: int,
    repeat: int,
) -> None:
    with council_transaction(settings) as (_, council):
        name = council.name
    baseline = fit_and_project(settings, years, paths=paths, seed=SEED)
    model = baseline.model
    with council_transaction(settings) as (connection, council):
        state = load_state(connection, council, close_date(period))
    models = fit(state, period, paths=paths, seed=SEED)
    expected_paths = baseline.projection.paths
    expected_figures = figures(forecast_outturn(state, period, paths=paths, seed=SEED))
    rows: list[tuple[str, dict[str, tuple[float, float]]]] = []
    identical: dict[str, bool] = {}
    for label, runner in runners.items():
        got = fit_and_project(settings, years, paths=paths, seed=SEED, runner=runner)
        outturn = forecast_outturn(state, period, paths=paths, seed=SEED, runner=runner)
        identical[label] = (
            same_paths(got.projection.paths, expected_paths)
            and figures(outturn) == expected_figures
        )
        runs: dict[str, Callable[[], object]] = {
            "projection paths": partial(simulate, model, paths, SEED, runner),
            "projection (fit + paths)": partial(
                fit_and_project, settings, years, paths=paths, seed=SEED, runner=runner
            ),
            "P6 forecast paths": partial(sample_paths, models, runner),
            "P6 forecast (fit + paths)": partial(
                forecast_outturn, state, period, paths=paths, seed=SEED, runner=runner
            ),
        }
        rows.append((label, {stage: timed(run, repeat) for stage, run in runs.items()}))
    print(
        f"## Executors: {name}, {years}-year projection and {period} (P6) forecast, "
        f"{paths:,} paths, seed {SEED}\n"
    )
    stages = list(rows[0][1])
    print("| executor | " + " | ".join(f"{s} (s)" for s in stages) + " | identical to serial |")
    print("|---|" + "---:|" * len(stages) + "---|")
    serial_seconds = {s: rows[0][1][s][1] for s in stages}
    for label, stats in rows:
        cells = [f"{stats[s][1]:.2f} (×{serial_seconds[s] / stats[s][1]:.2f})" for s in stages]
        print(f"| {label} | " + " | ".join(cells) + f" | {'yes' if identical[label] else 'NO'} |")
    print(
        "\nMedians of "
        f"{repeat} runs after a warm-up; (×n) is serial's seconds over the executor's: above 1 "
        "is faster. First runs (the local pool or the Dask workers importing the engines): "
        + "; ".join(f"{label} {stats['projection paths'][0]:.2f} s" for label, stats in rows)
        + "."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from distributed import LocalCluster

    began_load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(database_url=f"sqlite:///{Path(work) / 'carecast.db'}")
        demo = build_demo(settings, Path(work))
        period = Period.of(demo.snapshot.forecast.period.financial_year, 6)
        began = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            local_runner(2, worth_seconds=0) as local,
            dask_runner(cluster.scheduler_address) as dask,
        ):
            started = time.perf_counter() - began
            runners: dict[str, Runner] = {
                "serial": serial,
                "local, 2 processes": local,
                "Dask LocalCluster, 2 worker processes": dask,
            }
            measure(settings, runners, period, args.years, args.paths, args.repeat)
    print(f"\nThe Dask LocalCluster started in {started:.1f} s (not counted above).")
    # On a shared machine other work takes cores: ratios measured under a load above the core
    # count say more about the neighbours than about the executors.
    print(
        f"Load average at the start {began_load:.1f}, at the end {os.getloadavg()[0]:.1f}, "
        f"on {os.cpu_count()} cores."
    )


if __name__ == "__main__":
    main()
