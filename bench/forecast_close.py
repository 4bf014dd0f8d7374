"""Benchmark of the monthly close on the demo council: generate, import, forecast.

Run with `make bench`. Timings are printed as seconds and as ratios to the time it takes to read the
same files with Python's csv module, so that results from a noisy machine stay comparable.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from carecast.config import Settings
from carecast.domain.periods import Period
from carecast.services import build_demo, run_forecast


def read_all_csv(folder: Path) -> int:
    rows = 0
    for path in folder.rglob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += sum(1 for _ in csv.reader(handle))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        settings = Settings(database_url=f"sqlite:///{workdir / 'carecast.db'}")
        started = time.perf_counter()
        result = build_demo(settings, workdir)
        demo_seconds = time.perf_counter() - started

        started = time.perf_counter()
        rows = read_all_csv(workdir / "demo")
        csv_seconds = time.perf_counter() - started

        period = Period.parse(result.snapshot.forecast.period.label)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            run_forecast(settings, period)
            timings.append(time.perf_counter() - started)
        forecast_seconds = sorted(timings)[len(timings) // 2]

    print(f"demo files: {rows:,} CSV rows; bare csv.reader pass: {csv_seconds:.3f} s")
    print(
        f"carecast demo end to end: {demo_seconds:.2f} s "
        f"({demo_seconds / csv_seconds:.0f}× the bare read; {rows / demo_seconds:,.0f} rows/s)"
    )
    print(
        f"one council-period forecast (median of 5, store read + engine + snapshot write): "
        f"{forecast_seconds:.3f} s"
    )


if __name__ == "__main__":
    main()
