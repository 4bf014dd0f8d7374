"""Benchmark: one council-period forecast with 1,000 simulated paths on the demo council.

Run: `.venv/bin/python bench/forecast.py [--paths 1000] [--repeat 5]`. Builds the demo council in a
temporary SQLite store, then times (a) the engine alone — fitting, expected values and the paths —
on the state known at the demo's close, and (b) the whole `run_forecast` use case: rebuilding the
state from the store, the engine, and writing the snapshot with its build-up. Medians are printed;
the issue's budget is 3 s for (a) on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.forecast.outturn import forecast_outturn
from carecast.services import build_demo, run_forecast
from carecast.services.forecasting import close_date
from carecast.services.setup import council_transaction
from carecast.store.state import load_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(database_url=f"sqlite:///{Path(work) / 'carecast.db'}")
        result = build_demo(settings, Path(work))
        period = Period.parse(result.snapshot.forecast.period.label)
        with council_transaction(settings) as (connection, council):
            state = load_state(connection, council, close_date(period))
        engine: list[float] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            forecast = forecast_outturn(state, period, paths=args.paths)
            engine.append(time.perf_counter() - started)
        whole: list[float] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            run_forecast(settings, period)
            whole.append(time.perf_counter() - started)
    print(
        f"demo council, period {period}: {len(state.episodes):,} episodes, "
        f"{len(state.commitments):,} commitments, {len(state.posts):,} posts, "
        f"{len(forecast.items):,} items in the snapshot"
    )
    print(
        f"engine with {args.paths:,} paths (median of {args.repeat}): "
        f"{statistics.median(engine):.3f} s (budget 3 s)"
    )
    print(
        f"run_forecast: store read + engine + snapshot write (median of {args.repeat}): "
        f"{statistics.median(whole):.3f} s"
    )
    low, high = forecast.p10 or 0, forecast.p90 or 0
    print(f"forecast £{forecast.forecast_outturn:,.0f}, 80% interval £{low:,.0f} – £{high:,.0f}")


if __name__ == "__main__":
    main()
