"""Benchmark of ingestion: a synthetic SSDA903 return of 100,000 children and 1,000,000 episodes.

    python bench/ingest.py [--children N] [--episodes N] [--postgres-url URL] [--work DIR]
                           [--repeat N] [--shuffle]

Generates a valid header and episodes CSV (2018-19 codes, DD/MM/YYYY dates, contiguous episode
histories that end before each child's 18th birthday), then measures, each in a fresh process so
that peak memory (ru_maxrss) belongs to one step:

  polars      bare `polars.read_csv` of both files (the floor any CSV reader starts from)
  validate    carecast's parse: read, recognise, type every column, run every rule (no store)
  stages      the same, split into reading, typing, rules within files and rules across tables
  sqlite      validate + import into a new SQLite store (cross-file rules and the write split out)
  postgresql  the same into PostgreSQL, when --postgres-url names a server carecast may create
              a database on

and prints seconds, rows per second, peak memory and the ratio of each to the bare read. The bare
read and validation alternate `--repeat` times (default 3) and keep their fastest run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from synthetic_903 import AS_OF, generate


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _timed(action: Callable[[], Any]) -> tuple[dict[str, float], Any]:
    """Wall-clock and CPU seconds of this process (a shared machine inflates the first only)."""
    started, cpu = time.perf_counter(), _cpu()
    result = action()
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu}, result


def phase_polars(folder: Path) -> dict[str, Any]:
    timing, rows = _timed(
        lambda: sum(pl.read_csv(folder / name).height for name in ("header.csv", "episodes.csv"))
    )
    return {**timing, "rows": rows}


def phase_validate(folder: Path) -> dict[str, Any]:
    from carecast.services import parse_inputs

    timing, (files, issues) = _timed(lambda: parse_inputs([folder], as_of=AS_OF))
    return {
        **timing,
        "rows": sum(f.row_count for f in files),
        "errors": sum(i.severity == "error" for i in issues),
        "warnings": sum(i.severity == "warning" for i in issues),
        "rules": sorted({i.rule for i in issues}),
    }


def phase_stages(folder: Path) -> dict[str, Any]:
    """Where validation spends its time (the ingest core's steps, called one by one)."""
    from carecast.ingest.datasets import recognise
    from carecast.ingest.loader import ParsedFile, read_tables
    from carecast.ingest.rules import RuleContext, run_import_rules, run_rules
    from carecast.ingest.typed import column_positions, type_table

    context = RuleContext(as_of=AS_OF)
    timings = {"read": 0.0, "type": 0.0, "rules": 0.0, "import rules": 0.0}
    parsed: list[ParsedFile] = []
    for name in ("header.csv", "episodes.csv"):
        clock = time.perf_counter()
        table = read_tables(folder / name)[0][0]
        timings["read"] += time.perf_counter() - clock
        positions = column_positions(table.header)
        dataset = recognise(set(positions)).dataset
        assert dataset is not None
        clock = time.perf_counter()
        typed, _issues = type_table(table, dataset)
        timings["type"] += time.perf_counter() - clock
        spelled = {n: table.header[p] for n, p in positions.items()}
        clock = time.perf_counter()
        run_rules(table.source, dataset.name, typed, spelled, context)
        timings["rules"] += time.perf_counter() - clock
        parsed.append(
            ParsedFile(table.source, table.sha256, dataset, typed.height, typed, (), spelled)
        )
    clock = time.perf_counter()
    run_import_rules(parsed, context)
    timings["import rules"] = time.perf_counter() - clock
    return {"seconds": sum(timings.values()), "cpu": float("nan"), "stages": timings}


def phase_import(folder: Path, database_url: str) -> dict[str, Any]:
    from carecast.config import Settings
    from carecast.services import import_paths, init_store

    settings = Settings(database_url=database_url)
    init_store(settings, "Bench Borough", "999")
    marks: dict[str, float] = {}

    def progress(label: str, _done: int, _total: int) -> None:
        marks.setdefault(label.split(maxsplit=1)[0], time.perf_counter())

    started, cpu = time.perf_counter(), _cpu()
    outcome, warnings = import_paths(settings, [folder], AS_OF, progress)
    ended = time.perf_counter()
    return {
        "seconds": ended - started,
        "cpu": _cpu() - cpu,  # of this process: PostgreSQL's own work is not in it
        "rows": sum(b.row_count for b in outcome.stored),
        "warnings": len(warnings),
        "stages": {
            "validate": marks["Checking"] - started,
            "cross-file rules": marks["Storing"] - marks["Checking"],
            "write and commit": ended - marks["Storing"],
        },
    }


PEER_PYTHON = (
    Path(__file__).resolve().parents[1] / ".venv-peers" / "lac-validator" / "bin" / "python"
)
PEER_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "ssda903_fake"
PEER_TABLES = (
    "ad1",
    "episodes",
    "header",
    "missing",
    "oc2",
    "oc3",
    "placed_for_adoption_errors",
    "previous_permanence",
    "reviews",
    "uasc",
    "sw_episodes",
)
# DfE's validator through its Python API, as its own `run-offline` command does (that command
# imports pytest, which its environment does not have).
PEER_SCRIPT = """
import importlib, sys
from lac_validator import lac_validator
from lac_validator.report import Report
from lac_validator.utils import process_uploaded_files
folder, ruleset, *names = sys.argv[1:]
files = process_uploaded_files({"This year": [f"{folder}/{n}.csv" for n in names]})
registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
metadata = {"collectionYear": "2023", "localAuthority": "E09000027"}
validator = lac_validator.LacValidator(metadata, files, registry, None)
report = Report(validator.ds_results, registry)
print(len(lac_validator.create_issue_df(report.report, report.error_report)))
"""


def phase_peer(folder: Path) -> dict[str, Any]:
    """csc-validator-be-903 (lac_validator 0.1.17, 2022-23 rules) on its own sample."""
    command = [str(PEER_PYTHON), "-c", PEER_SCRIPT, str(folder), "lac2022_23", *PEER_TABLES]
    timing, done = _timed(
        lambda: subprocess.run(command, check=False, capture_output=True, text=True)
    )
    if done.returncode != 0:
        raise SystemExit(f"the peer validator failed:\n{done.stderr[-2000:]}")
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": timing["seconds"],
        "cpu": used.ru_utime + used.ru_stime,
        "issues": int(done.stdout.split()[-1]),
        "peer_peak_mb": used.ru_maxrss / 1024,
    }


def phase_sample(folder: Path) -> dict[str, Any]:
    """carecast validating the peer's sample: the same tables, as of the end of 2022-23."""
    from carecast.services import parse_inputs

    paths = [folder / f"{name}.csv" for name in PEER_TABLES]
    timing, (files, issues) = _timed(lambda: parse_inputs(paths, as_of=date(2023, 3, 31)))
    return {**timing, "rows": sum(f.row_count for f in files), "issues": len(issues)}


def phase_generate(folder: Path, children: int, episodes: int, shuffle: bool) -> dict[str, Any]:
    timing, paths = _timed(lambda: generate(children, episodes, folder))
    if shuffle:  # a return in no particular order: neither by child nor by date
        for path in paths:
            rows = pl.read_csv(path, infer_schema=False)
            rows.sample(fraction=1.0, shuffle=True, seed=903).write_csv(path)
    return timing


def run_phase(
    name: str, folder: Path, database_url: str | None, extra: Sequence[str] = ()
) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and return its measurements."""
    command = [sys.executable, __file__, "--phase", name, "--work", str(folder), *extra]
    if database_url:
        command += ["--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    import sqlalchemy as sa

    name = f"carecast_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def report(results: dict[str, dict[str, Any]]) -> None:
    floor = results["polars"]["seconds"]
    print(f"{'step':<12}{'seconds':>9}{'cpu s':>8}{'rows/s':>12}{'peak MB':>9}{'× read_csv':>12}")
    for name, result in results.items():
        rate = result.get("rows", 0) / result["seconds"] if result["seconds"] else 0
        print(
            f"{name:<12}{result['seconds']:>9.2f}{result['cpu']:>8.2f}{rate:>12,.0f}"
            f"{result['peak_mb']:>9.0f}{result['seconds'] / floor:>12.1f}"
        )
        for stage, seconds in result.get("stages", {}).items():
            print(f"  {stage:<22}{seconds:>8.2f} s")
    validated = results["validate"]
    print(
        f"validation found {validated['errors']} errors and {validated['warnings']} warnings "
        f"({', '.join(validated['rules']) or 'no rules broken'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", help="admin URL of a PostgreSQL server to measure too")
    parser.add_argument("--work", type=Path, help="folder for the generated files (kept)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the bare read and of validation (fastest)"
    )
    parser.add_argument(
        "--shuffle", action="store_true", help="write the rows in random order, not by child"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phases: dict[str, Callable[[], dict[str, Any]]] = {
            "polars": lambda: phase_polars(args.work),
            "validate": lambda: phase_validate(args.work),
            "stages": lambda: phase_stages(args.work),
            "import": lambda: phase_import(args.work, args.database_url),
            "peer": lambda: phase_peer(args.work),
            "sample": lambda: phase_sample(args.work),
            "generate": lambda: phase_generate(
                args.work, args.children, args.episodes, args.shuffle
            ),
        }
        result = phases[args.phase]()
        print(json.dumps({**result, "peak_mb": _peak_mb()}))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="carecast-bench-"))
    data = work / "ssda903"
    # Generated in a process of its own: a child process inherits its parent's peak memory.
    made = run_phase(
        "generate",
        data,
        None,
        [
            f"--children={args.children}",
            f"--episodes={args.episodes}",
            *(["--shuffle"] if args.shuffle else []),
        ],
    )
    print(
        f"generated {args.children:,} children and {args.episodes:,} episodes "
        f"in {made['seconds']:.1f} s"
    )
    # The bare read and the validation alternate, each `--repeat` times, and each keeps its fastest
    # run: on a shared machine one slow run would otherwise decide the ratio.
    runs: dict[str, list[dict[str, Any]]] = {"polars": [], "validate": []}
    for _ in range(args.repeat):
        for name, found in runs.items():
            found.append(run_phase(name, data, None))
    results = {name: min(found, key=lambda r: r["seconds"]) for name, found in runs.items()}
    results["stages"] = run_phase("stages", data, None)
    results["sqlite"] = run_phase("import", data, f"sqlite:///{work / 'bench.db'}")
    (work / "bench.db").unlink()
    if args.postgres_url:
        url, drop = _postgres_database(args.postgres_url)
        try:
            results["postgresql"] = run_phase("import", data, url)
        finally:
            drop()
    report(results)
    if PEER_PYTHON.exists() and PEER_SAMPLE.is_dir():
        peer = run_phase("peer", PEER_SAMPLE, None)
        ours = run_phase("sample", PEER_SAMPLE, None)
        print(
            f"DfE's sample ({ours['rows']:,} rows in {len(PEER_TABLES)} tables): "
            f"csc-validator-be-903 {peer['seconds']:.1f} s, {peer['peer_peak_mb']:.0f} MB, "
            f"{peer['issues']:,} issues; carecast {ours['seconds']:.2f} s, "
            f"{ours['peak_mb']:.0f} MB, {ours['issues']:,} issues "
            f"({peer['seconds'] / ours['seconds']:.0f}× faster)"
        )


if __name__ == "__main__":
    main()
