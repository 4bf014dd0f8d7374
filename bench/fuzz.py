"""Fuzz every importer: thousands of hostile inputs each, and what carecast did with every one.

    python bench/fuzz.py [--per-importer N] [--seed S] [--only csv,xlsx,xml,mapping]
                         [--workers W] [--timeout SECONDS] [--show K]

Each importer (a CSV file of each dataset of formats.md, a workbook, SSDA903 XML, a ContrOCC-style
export with its mapping file) gets N inputs mutated from a small valid seed (tests/fuzz_inputs.py,
tests/fuzz_documents.py), numbered from S: input k of an importer is the same on every run. Each
input is imported in-process into a scratch SQLite store, one per worker, holding the small
council's August month; the contract (tests/fuzz_contract.py) judges it:

  accepted    imported, and every stored row equals the file read without carecast
  refused     a carecast error locating every problem, the store's digest unchanged
  unverified  imported, but the independent reader (openpyxl, ElementTree) cannot read the file
  traceback   any other exception              hang       over --timeout seconds (default 60)
  changed     a refusal that changed the store  differs    stored values not what the file says
  unlocated   a problem naming no file, or a cell's problem without its row and column

Peak memory is the largest resident size of the worker processes, fresh for each importer.
`--only` takes importers (csv:gl_actuals, xlsx …) or families (csv). The exit status is 1 when
any input broke the contract; each such input is listed (up to --show per importer) with the
command that reproduces it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fuzz_contract import OUTCOMES, ScratchStore, check_case  # noqa: E402
from tests.fuzz_inputs import IMPORTERS, make_case  # noqa: E402

FAULTS = ("traceback", "hang", "changed", "differs", "unlocated")


@dataclass
class Tally:
    """What one worker (or all of them) found for one importer."""

    counts: Counter[str] = field(default_factory=Counter)
    faults: list[tuple[int, str, tuple[str, ...], str]] = field(default_factory=list)
    peak_kib: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.faults += other.faults
        self.peak_kib = max(self.peak_kib, other.peak_kib)


def run_chunk(importer: str, seeds: list[int], timeout: float, show: int) -> Tally:
    """Import the given inputs into this worker's scratch store."""
    warnings.simplefilter("ignore")  # zipfile warns of the duplicate parts it is asked to write
    tally = Tally()
    with tempfile.TemporaryDirectory() as folder:
        store = ScratchStore(Path(folder))
        try:
            for seed in seeds:
                case = make_case(importer, seed)
                verdict = check_case(store, case, timeout)
                tally.counts[verdict.outcome] += 1
                if not verdict.ok and len(tally.faults) < show:
                    tally.faults.append((seed, verdict.outcome, case.applied, verdict.detail))
        finally:
            store.close()
    tally.peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return tally


def run_importer(importer: str, arguments: argparse.Namespace) -> Tally:
    seeds = list(range(arguments.seed, arguments.seed + arguments.per_importer))
    workers = max(1, arguments.workers)
    chunks = [seeds[i::workers] for i in range(workers) if seeds[i::workers]]
    started = time.perf_counter()
    total = Tally()
    # A fresh process per worker and importer, so that peak memory belongs to this importer.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(chunks), mp_context=context) as pool:
        futures = [
            pool.submit(run_chunk, importer, chunk, arguments.timeout, arguments.show)
            for chunk in chunks
        ]
        for future in futures:
            total.add(future.result())
    total.seconds = time.perf_counter() - started
    return total


def _selected(only: str | None) -> list[str]:
    if not only:
        return list(IMPORTERS)
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    chosen = [i for i in IMPORTERS if i in wanted or i.split(":")[0] in wanted]
    unknown = [w for w in wanted if not any(i == w or i.split(":")[0] == w for i in IMPORTERS)]
    if unknown:
        raise SystemExit(f"unknown importers {unknown}; choose from {', '.join(IMPORTERS)}")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-importer", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--show", type=int, default=5)
    arguments = parser.parse_args()
    columns = ("inputs", *OUTCOMES, "peak MiB", "s")
    print(f"{'importer':<22}" + "".join(f"{c:>11}" for c in columns), flush=True)
    broken = 0
    grand = Tally()
    for importer in _selected(arguments.only):
        tally = run_importer(importer, arguments)
        grand.add(tally)
        grand.seconds += tally.seconds
        figures = [
            sum(tally.counts.values()),
            *(tally.counts[o] for o in OUTCOMES),
            f"{tally.peak_kib / 1024:.0f}",
            f"{tally.seconds:.0f}",
        ]
        print(f"{importer:<22}" + "".join(f"{f:>11}" for f in figures), flush=True)
        for seed, outcome, applied, detail in tally.faults:
            broken += 1
            print(f"    {outcome}: input {seed} {list(applied)}", flush=True)
            print(f"      python bench/fuzz.py --only {importer} --seed {seed} --per-importer 1")
            print("      " + detail.strip().replace("\n", "\n      ")[-1500:], flush=True)
    figures = [
        sum(grand.counts.values()),
        *(grand.counts[o] for o in OUTCOMES),
        f"{grand.peak_kib / 1024:.0f}",
        f"{grand.seconds:.0f}",
    ]
    print(f"{'all':<22}" + "".join(f"{f:>11}" for f in figures), flush=True)
    return 1 if any(grand.counts[f] for f in FAULTS) else 0


if __name__ == "__main__":
    sys.exit(main())
