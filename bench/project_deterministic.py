"""Benchmark: carecast's deterministic projection beside its Monte Carlo and cs-demand-model 0.5.1.

Run: `.venv/bin/python bench/project_deterministic.py [--years 5] [--paths 1000] [--repeat 5]
[--peer-repeat 1] [--skip-samples]` (needs the peer's environment: bash scripts/peer-venvs.sh).

On the demo council (built in a temporary SQLite store, as bench/project.py does) and on Social
Finance's sample council (../shared/fixtures/demand_model_samples, its four returns corrected and
imported as bench/project_backtest.py does), from the data's last month end, `years` ahead:
(a) carecast's expected course (projection/deterministic.py), monthly, the fit excluded and
included; (b) carecast's `paths`-path Monte Carlo (fit, paths, bands, as bench/project.py's
engine); (c) cs-demand-model's deterministic daily run on the very episodes the fit saw (cut
back to the start, written as SSDA903 CSV by bench/project_backtest.py), rates from the same
window (three years, never before the returns begin), timed inside its own process — its reading
and fitting (`from_model`) apart from its daily steps (`predict`) — and as a whole subprocess
(Python start-up and pandas' import included). Medians of `--repeat` (carecast) and
`--peer-repeat` (the peer) runs, in wall-clock and CPU seconds. Then the ratios; the mean of
`paths` paths with the rates known exactly beside the expected course (they should agree within
chance); and the two deterministic projections of children looked after at each 31 March with
their % difference — carecast's as fitted and with the peer's entries (the fitting window's mean
a month, no trend or season), which isolates the methods' other differences (printed at the end).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from project_backtest import HISTORY_YEARS, PEER_PYTHON, sample_steps, write_peer_input

from carecast.config import Settings
from carecast.domain.state import ActivityState
from carecast.projection.assemble import assemble, year_end_steps
from carecast.projection.backtest import as_known_on
from carecast.projection.deterministic import expected_paths
from carecast.projection.fit import fit_projection
from carecast.projection.model import ProjectionModel
from carecast.projection.simulate import simulate
from carecast.services import build_demo, import_paths, init_store
from carecast.services.benchmark import reference_files
from carecast.services.projection import england_drift, fit_and_project
from carecast.services.projection_backtest import available_starts

SEED = 20180401

# The peer's own phases, timed in its own process (its Python, its pandas): reading the CSVs and
# fitting its daily rates (`from_model`), then the daily steps (`predict`). The peer's API is
# called as bench/peer_demand_model.py calls it.
PEER_TIMED = """
import json, sys, time
from datetime import date, timedelta
began, used = time.perf_counter(), time.process_time()
from cs_demand_model import DemandModellingDataContainer, ModelPredictor, PopulationStats
from cs_demand_model.config import Config
from cs_demand_model.datastore import fs_datastore
imported, imported_cpu = time.perf_counter(), time.process_time()
folder, start, reference, days = sys.argv[1], *map(date.fromisoformat, sys.argv[2:4]), int(sys.argv[4])
config = Config()
stats = PopulationStats(DemandModellingDataContainer(fs_datastore(folder), config).enriched_view, config)
predictor = ModelPredictor.from_model(stats, reference, start)
fitted, fitted_cpu = time.perf_counter(), time.process_time()
predicted = predictor.predict(days, step_days=1)
done, done_cpu = time.perf_counter(), time.process_time()
totals = {}
for i, (_, row) in enumerate(predicted.iterrows()):
    day = start + timedelta(days=i + 1)
    totals[day.isoformat()] = float(sum(
        v for k, v in row.items() if not (isinstance(k, tuple) and k[-1] == "NOT_IN_CARE")
    ))
stock = stats.stock_at(start)
start_children = float(sum(
    v for k, v in stock.items() if not (isinstance(k, tuple) and k[-1] == "NOT_IN_CARE")
))
print(json.dumps({"start_children": start_children, "import": imported - began, "fit": fitted - imported,
                  "predict": done - fitted, "fit_cpu": fitted_cpu - imported_cpu,
                  "predict_cpu": done_cpu - fitted_cpu, "totals": totals}))
"""


DIFFERENCES = """Where the two deterministic projections differ (both move children by competing daily or
monthly rates from the same three years of episodes, with no chance in the flows):
- steps: cs-demand-model moves its stock a day at a time with daily transition chances (the
  mean, over the window's days, of each day's transitions ÷ the day before's stock); carecast a
  month at a time with the chance 1 − e^(−rate) of the month's competing rates (events ÷ days at
  risk, shrunk towards broader cells where thin). Both compound to the same survival when rates
  are constant; monthly steps let at most one change a month happen to a child.
- ages: the peer's children leave an age bracket with a constant daily chance (1 ÷ the bracket's
  days), so some reach the next bracket — or leave care at 18 — years early and others late;
  carecast ages every child a month a month and ends care on the exact 18th birthday.
- cells: the peer's rates are by age bracket × placement type only; carecast's also by time in
  the placement and in care (new placements and new periods of care end soonest), so a stock
  that is older in its placements leaves more slowly than the peer's average says.
- entries: the peer's are the window's mean daily entrants by age bracket × placement type,
  every day alike; carecast's a Poisson regression with a seasonal wave, a trend shrunk towards
  none, per 10,000 children when the population is known ('with the peer's entries' holds them
  at the window's mean a month instead, isolating the rest), entrants drawn from the last two
  years' mix, each arriving mid-month on average.
- the Monte Carlo mean is not the deterministic course: its entry rates wander on the log
  scale and its rates are drawn about their fit, and the mean of a lognormal exceeds its median,
  so the expected course sits near the P50, below the mean."""


def _median(work: Callable[[], object], repeat: int) -> dict[str, float]:
    """Median wall-clock and CPU seconds of `repeat` runs: on a shared machine the wall clock
    counts the time spent waiting for a core, the CPU time only this process's work."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}


def run_peer(state: ActivityState, start: date, reference: date, days: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        write_peer_input(as_known_on(state, start), Path(work))
        command = [
            str(PEER_PYTHON), "-c", PEER_TIMED, work, start.isoformat(), reference.isoformat(),
            str(days),
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        whole = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"the peer failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["whole"] = whole
    return result


def entries_as_the_peers(model: ProjectionModel) -> ProjectionModel:
    """`model` with the peer's entries: the fitting window's mean a month, every month (no
    trend, season or population), the entrant mix unchanged."""
    fitted = model.assumptions["entries"]
    if model.entries is None or not fitted["fitted"]:
        return model
    beta = np.zeros_like(model.entries.beta)
    beta[0] = math.log(fitted["entries_counted"] / fitted["months_fitted"])
    flat = replace(model.entries, beta=beta, offset=np.zeros_like(model.entries.offset))
    return replace(model, entries=flat)


def without_uncertainty(model: ProjectionModel) -> ProjectionModel:
    """`model` with its rates and entry rate known exactly: a billion events behind every rate
    (gamma multipliers of 1 within 3·10⁻⁵), no coefficient spread, no wander, Poisson counts."""
    certain = np.full_like(model.transitions.leave_events, 1e9)
    transitions = replace(model.transitions, leave_events=certain, move_events=certain)
    entries = model.entries
    if entries is not None:
        entries = replace(
            entries, covariance=np.zeros_like(entries.covariance), dispersion=1.0, drift_sd=0.0
        )
    return replace(model, transitions=transitions, entries=entries)


def compare(name: str, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Time both engines on the council in `settings`' store and set their projections side by
    side."""
    run = fit_and_project(settings, args.years, paths=args.paths, seed=SEED)
    state, model, population = run.state, run.model, run.population or None
    prior = england_drift(reference_files(settings))
    drift = None if prior is None else prior[0]
    start = model.start

    def fit() -> Any:
        return fit_projection(state, start, args.years, population, drift_prior=drift)

    expected = expected_paths(model)
    flat = expected_paths(entries_as_the_peers(model))
    # the Monte Carlo with nothing uncertain but chance: its mean is the expected course
    exact = simulate(without_uncertainty(model), args.paths, SEED)
    spread = np.maximum(exact.totals.std(axis=1, ddof=1), 1e-9) / np.sqrt(args.paths)
    misses = np.abs(exact.totals.mean(axis=1) - expected.totals) / spread
    timings = {
        "deterministic": _median(lambda: expected_paths(model), args.repeat),
        "deterministic_with_fit": _median(lambda: expected_paths(fit()), args.repeat),
        "fit": _median(fit, args.repeat),
        "monte_carlo_with_fit": _median(
            lambda: assemble(model, simulate(fit(), args.paths, SEED)), args.repeat
        ),
    }
    _, first = available_starts(state, start)
    earliest = start - timedelta(days=round(HISTORY_YEARS * 365.25) - 1)
    reference = earliest if first is None else max(first, earliest)
    days = (model.month_ends[-1] - start).days
    peers = [run_peer(state, start, reference, days) for _ in range(args.peer_repeat)]
    keys = ("fit", "predict", "fit_cpu", "predict_cpu", "whole")
    peer = {key: statistics.median(p[key] for p in peers) for key in keys}
    rows: list[tuple[date, float, float, float, float, float | None]] = []
    for step in year_end_steps(model):
        day = model.month_ends[step - 1]
        ours = float(expected.totals[step])
        theirs = peers[0]["totals"].get(day.isoformat())
        monte = run.projection.years[len(rows)].children
        rows.append((day, ours, float(flat.totals[step]), monte.mean, monte.p50, theirs))
    return {
        "name": name,
        "start": start,
        "children": len(model.category),
        "peer_start_children": peers[0]["start_children"],
        "episodes": len(state.episodes),
        "timings": timings,
        "peer": peer,
        "rows": rows,
        "worst_miss_in_standard_errors": float(misses[1:].max()),
        "worst_miss_percent": float(
            100
            * np.max(np.abs(exact.totals.mean(axis=1) - expected.totals)[1:] / expected.totals[1:])
        ),
    }


def report(result: dict[str, Any], years: int, paths: int) -> None:
    t, peer = result["timings"], result["peer"]
    print(
        f"\n{result['name']}: {result['children']} children looked after on {result['start']} "
        f"(the peer's stock: {result['peer_start_children']:.0f}), "
        f"{result['episodes']:,} episodes; {years} years ahead; seconds, wall clock (CPU)"
    )

    def shown(timing: dict[str, float]) -> str:
        return f"{timing['wall']:.3f} ({timing['cpu']:.3f})"

    print(f"  carecast deterministic, monthly, fit excluded: {shown(t['deterministic'])}")
    print(f"  carecast fit: {shown(t['fit'])}")
    print(f"  carecast fit + deterministic: {shown(t['deterministic_with_fit'])}")
    print(f"  carecast fit + {paths:,} paths + bands: {shown(t['monte_carlo_with_fit'])}")
    own = {"wall": peer["fit"] + peer["predict"], "cpu": peer["fit_cpu"] + peer["predict_cpu"]}
    print(
        f"  cs-demand-model, daily: read + fit {peer['fit']:.2f} ({peer['fit_cpu']:.2f}), predict "
        f"{peer['predict']:.2f} ({peer['predict_cpu']:.2f}); in its process {shown(own)}; the "
        f"whole subprocess {peer['whole']:.2f} wall"
    )
    for clock in ("wall", "cpu"):
        print(
            f"  ratios ({clock}): peer predict ÷ carecast deterministic "
            f"{peer['predict' if clock == 'wall' else 'predict_cpu'] / t['deterministic'][clock]:.0f}×"
            f"; peer read+fit+predict ÷ carecast fit+deterministic "
            f"{own[clock] / t['deterministic_with_fit'][clock]:.0f}×; peer read+fit+predict ÷ "
            f"carecast fit+{paths:,} paths {own[clock] / t['monte_carlo_with_fit'][clock]:.1f}×"
        )
    print(
        f"  {paths:,} paths with the rates known exactly: their mean children looked after is "
        f"within {result['worst_miss_in_standard_errors']:.1f} standard errors "
        f"({result['worst_miss_percent']:.2f}%) of the expected course in every month"
    )
    print(
        "  | 31 March | cs-demand-model | carecast expected | vs peer % | with the peer's "
        "entries | vs peer % | carecast MC mean | MC P50 |"
    )
    print("  |---|---:|---:|---:|---:|---:|---:|---:|")
    for day, ours, flat, mean, p50, theirs in result["rows"]:
        if theirs is None:
            print(f"  | {day} | – | {ours:,.1f} | – | {flat:,.1f} | – | {mean:,.1f} | {p50:,.0f} |")
            continue
        print(
            f"  | {day} | {theirs:,.1f} | {ours:,.1f} | {100 * (ours - theirs) / theirs:+.1f} "
            f"| {flat:,.1f} | {100 * (flat - theirs) / theirs:+.1f} | {mean:,.1f} | {p50:,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-repeat", type=int, default=1)
    parser.add_argument("--skip-samples", action="store_true")
    args = parser.parse_args()
    if not PEER_PYTHON.exists():
        raise SystemExit("the peer's environment is missing: run bash scripts/peer-venvs.sh")
    results = []
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(database_url=f"sqlite:///{Path(work) / 'demo.db'}")
        build_demo(settings, Path(work) / "demo")
        results.append(compare("Demo council", settings, args))
        if not args.skip_samples:
            settings = Settings(database_url=f"sqlite:///{Path(work) / 'samples.db'}")
            init_store(settings, "SF samples", "999")
            for files, as_of in sample_steps(Path(work) / "samples"):
                import_paths(settings, files, as_of)
            results.append(compare("Social Finance samples", settings, args))
    for result in results:
        report(result, args.years, args.paths)
    print("\n" + DIFFERENCES)


if __name__ == "__main__":
    main()
