"""Benchmark: CPU seconds a council of a pooled store's close and of the region's reading of it.

Run: `.venv/bin/python bench/council_costs.py --store STORE.db [--repeat 3]` on a SQLite store of
several councils (`carecast synth --councils 10 --years 6 --out DIR --import --database-url
sqlite:///STORE.db`, or `bench/national_import.py --keep-store`). The store is copied first: a
close writes snapshots. Printed, per council (the best of the repeats, CPU time of this process,
its start-up left out):
- the store read of a close (`load_state` at the close's knowledge date) and of the region's
  view (`load_placement_history` at the latest episodes extract);
- the whole close (`close_councils` in one process: read, readiness, engine, 1,000 paths,
  snapshot), the figure the P6 forecast of 150 councils rests on (× 150 ÷ cores).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from carecast.config import Settings
from carecast.services.council_closes import close_councils
from carecast.services.forecasting import close_date
from carecast.services.setup import council_transaction, store_transaction
from carecast.store.councils import list_councils
from carecast.store.state import (
    latest_as_of,
    latest_ledger_period,
    load_placement_history,
    load_state,
)


def reads(settings: Settings, codes: list[str]) -> tuple[float, float]:
    """CPU seconds a council of the close's store read and of the region's."""
    close = region = 0.0
    for code in codes:
        with council_transaction(settings.model_copy(update={"council": code})) as (c, council):
            period = latest_ledger_period(c, council)
            latest = latest_as_of(c, council, "ssda903_episodes")
            if period is not None:
                started = time.process_time()
                load_state(c, council, close_date(period))
                close += time.process_time() - started
            if latest is not None:
                started = time.process_time()
                load_placement_history(c, council, latest)
                region += time.process_time() - started
    return close / len(codes), region / len(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "store.db"
        shutil.copyfile(args.store, copy)
        settings = Settings(database_url=f"sqlite:///{copy}")
        with store_transaction(settings) as connection:
            codes = [council.la_code for council in list_councils(connection)]
        read_close, read_region, closing = [], [], []
        for _ in range(args.repeat):
            for_close, for_region = reads(settings, codes)
            read_close.append(for_close)
            read_region.append(for_region)
            started = time.process_time()
            closes = close_councils(settings, codes, processes=1)
            closing.append((time.process_time() - started) / len(codes))
        refused = [c.la_code for c in closes if c.refused]
    print(f"{len(codes)} councils in {args.store}" + (f" ({refused} refused)" if refused else ""))
    print(f"store read of a close:        {min(read_close):.3f} CPU s a council")
    print(f"store read of a region view:  {min(read_region):.3f} CPU s a council")
    print(f"close (1,000 paths, snapshot): {min(closing):.3f} CPU s a council")


if __name__ == "__main__":
    main()
