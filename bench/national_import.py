"""National-scale import: synthetic councils (`carecast synth`) imported one after another and
side by side, into SQLite and (with --postgres-url) PostgreSQL, timed in one run.

    .venv/bin/python bench/national_import.py [--councils 10] [--years 6] [--data DIR]
                                               [--workers 1,2] [--known read,kept]
                                               [--postgres-url URL] [--keep-store FILE]

Writes the councils once (into DIR, reused when it holds them), then imports the whole set into a
fresh store for each (store, workers, known), and prints seconds, rows per second, peak memory of
the importing processes, and the time the same rate would take for 150 councils. With
--keep-store the (single) SQLite store is written to FILE and kept, for the runs that follow it
(`forecast --all-councils`, `region --paths`). `known`: how each
import learns what the store already holds for its checks across files — `read` from the store
for every import, `kept` in memory from one import of a council to the next (known_rows.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pg_scratch import postgres_database

from carecast.config import Settings
from carecast.services.synth import SynthCouncil, import_synthesised, synthesise

NATIONAL = 150


def councils_in(data: Path, councils: int, years: int) -> list[SynthCouncil]:
    index = data / "councils.json"
    if not index.exists():
        started = time.perf_counter()
        synthesise(data, councils, years)
        print(
            f"wrote {councils} councils in {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
    made = []
    for c in json.loads(index.read_text()):
        steps = tuple((s["as_of"], tuple(s["paths"])) for s in c["imports"])
        made.append(
            SynthCouncil(
                c["la_code"],
                c["name"],
                c["start_children"],
                c["growth_a_year"],
                c["agency_share"],
                c["folder"],
                steps,
            )
        )
    return made


def cpu_seconds() -> float:
    """User and system time of this process and of its finished workers, so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=10)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--known", default="read,kept")
    parser.add_argument("--postgres-url")
    parser.add_argument("--keep-store", type=Path)
    options = parser.parse_args()
    if options.keep_store and ("," in options.workers or "," in options.known):
        parser.error("--keep-store keeps one store: give one --workers and one --known")
    rows_out = []
    with tempfile.TemporaryDirectory() as scratch:
        data = options.data or Path(scratch) / "councils"
        made = councils_in(data, options.councils, options.years)
        stores = ["sqlite"] + (["postgresql"] if options.postgres_url else [])
        for store in stores:
            for workers in (int(w) for w in options.workers.split(",")):
                for known in options.known.split(","):
                    kept = options.keep_store if store == "sqlite" else None
                    with _store(store, Path(scratch), options.postgres_url, kept) as url:
                        settings = Settings(database_url=url)
                        started, cpu = time.perf_counter(), cpu_seconds()
                        rows = import_synthesised(
                            settings, data, made, workers=workers, keep_known=known == "kept"
                        )
                        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
                    rows_out.append((store, workers, known, rows, seconds, cpu, peak_mb()))
                    print(
                        f"{store} × {workers}, known {known}: {rows:,} rows in {seconds:.1f} s "
                        f"(CPU {cpu:.1f} s)",
                        file=sys.stderr,
                    )
    # CPU time (this process and its workers, the database server's not counted) moves less
    # than wall time when other work shares the cores.
    print(
        "| store | workers | known | councils | rows | seconds | CPU s | rows/s "
        "| 150 councils at this rate | peak MB |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for store, workers, known, rows, seconds, cpu, peak in rows_out:
        national = seconds / len(made) * NATIONAL
        print(
            f"| {store} | {workers} | {known} | {len(made)} | {rows:,} | {seconds:.1f} | {cpu:.1f} "
            f"| {rows / seconds:,.0f} | {national / 60:.1f} min | {peak:.0f} |"
        )


@contextmanager
def _store(
    store: str, scratch: Path, admin_url: str | None, kept: Path | None = None
) -> Iterator[str]:
    if kept is not None:
        kept.unlink(missing_ok=True)
        yield f"sqlite:///{kept.resolve()}"
        return
    if store == "sqlite":
        path = scratch / f"national-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    assert admin_url is not None
    with postgres_database(admin_url, "carecast_national") as url:
        yield url


if __name__ == "__main__":
    main()
