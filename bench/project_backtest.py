"""The projection backtest beside Social Finance's cs-demand-model 0.5.1, on the same episodes.

    python bench/project_backtest.py [--data DIR] [--councils 12] [--only C01,C02]
                                     [--workers 2] [--paths 500] [--peer-step 7] [--dump FILE]
                                     [--skip-samples] [--skip-councils] [--skip-peer]

Two sources of history neither engine was written on:
- Social Finance's own samples (../shared/fixtures/demand_model_samples, returns 2017-18 to
  2020-21). They break DfE's rules in ways carecast refuses at import (2018-19 codes in
  2017-18, overlapping episodes, an earlier episode left open, a DEC after the year end), so each
  year is corrected first as a data team would — and as the peer's own reader does to overlaps:
  an earlier episode ends when the next begins (REC X1 when it had none; left out when that
  is before the year, as the return would not list it), a DEC after the year's
  end is left open, 2018-19 codes in 2017-18 become E8 / OTHER — and imported as of its 31 March.
- The independent council matrix (bench/councils, 48 councils, returns 2015-16 to 2018-19): the
  SSDA903 header and episodes of every step, imported as bench/backtest_councils.py does.

Each council's replays (every 31 March with 12 months of returns before it and 12 months of
outcomes after it) run through `run_projection_backtest`; the peer is given the very episodes
each carecast replay was fitted on (cut back to its 31 March, written as SSDA903 CSV), fits its
rates on the same window (the last three years, never before the returns begin) and runs in its
own virtual environment by subprocess (bench/peer_demand_model.py). Not in CI: it needs the
peer's environment (bash scripts/peer-venvs.sh) and takes minutes.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from carecast.config import Settings
from carecast.demo.writers import EPISODE_COLUMNS, HEADER_COLUMNS
from carecast.domain.state import ActivityState
from carecast.errors import CarecastError
from carecast.projection.backtest import HORIZONS, Replay, as_known_on
from carecast.services import import_paths, init_store
from carecast.services.projection import load_history
from carecast.services.projection_backtest import available_starts, run_projection_backtest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLES = ROOT.parent / "shared" / "fixtures" / "demand_model_samples"
PEER_PYTHON = ROOT / ".venv-peers" / "demand-model" / "bin" / "python"
HISTORY_YEARS = 3  # both engines fit on the last three years before each start
# the SSDA903 columns the demo writes, in formats.md's order
HEADER, EPISODE = HEADER_COLUMNS, EPISODE_COLUMNS
NEW_IN_2018 = {
    "REC": ({"E45", "E46", "E47", "E48"}, "E8"),
    "REASON_PLACE_CHANGE": ({"CUSTOD"}, "OTHER"),
}


def _day(text: str) -> date | None:
    if not text:
        return None
    d, m, y = text.split("/")
    return date(int(y), int(m), int(d))


def _text(day: date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def corrected_year(source: Path, year: int, out: Path) -> Path:
    """The sample return of `year` (April `year` to March `year`+1) corrected, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "header.csv").write_bytes((source / f"{year}-header.csv").read_bytes())
    with (source / f"{year}-episodes.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    year_end = date(year + 1, 3, 31)
    for row in rows:
        if year < 2018:
            for column, (new, old) in NEW_IN_2018.items():
                if row[column] in new:
                    row[column] = old
        dec = _day(row["DEC"])
        if dec is not None and dec > year_end:
            row["DEC"] = row["REC"] = ""
    rows.sort(key=lambda r: (r["CHILD"], _day(r["DECOM"]) or date.min))
    kept: list[dict[str, str]] = []
    for row in rows:
        if kept and kept[-1]["CHILD"] == row["CHILD"]:
            earlier = kept[-1]
            if earlier["DECOM"] == row["DECOM"]:
                kept[-1] = row
                continue
            dec = _day(earlier["DEC"])
            begins = _day(row["DECOM"])
            if dec is None or (begins is not None and dec > begins):
                earlier["DEC"] = row["DECOM"]
                earlier["REC"] = earlier["REC"] or "X1"
                if begins is not None and begins < date(year, 4, 1):
                    kept.pop()  # it ended before the year: a return would not list it
        kept.append(row)
    with (out / "episodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, EPISODE)
        writer.writeheader()
        writer.writerows(kept)
    return out


def sample_steps(work: Path) -> list[tuple[list[Path], date]]:
    return [
        ([corrected_year(SAMPLES, year, work / f"sample-{year}")], date(year + 1, 3, 31))
        for year in (2017, 2018, 2019, 2020)
    ]


def council_steps(folder: Path) -> list[tuple[list[Path], date]]:
    spec = json.loads((folder / "council.json").read_text())
    steps = []
    for step in spec["steps"]:
        # every file, as the council imported it: the costs are priced from the commitments,
        # establishment and ledger known on each replay's 31 March
        paths = [folder / p for p in step["paths"]]
        if paths:
            steps.append((paths, date.fromisoformat(step["as_of"])))
    return steps


def write_peer_input(state: ActivityState, folder: Path) -> None:
    """The episodes and children of a cut-back state as SSDA903 CSV, one year folder."""
    year = folder / "2000"
    year.mkdir(parents=True)
    with (year / "header.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for child in state.children:
            writer.writerow(
                [child.child_id, child.sex, _text(child.dob), child.ethnic or "", "", "", ""]
            )
    with (year / "episodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EPISODE)
        for e in sorted(state.episodes, key=lambda e: (e.child_id, e.decom)):
            writer.writerow(
                [
                    e.child_id, _text(e.decom), e.rne, e.ls, e.cin, e.place,
                    e.place_provider or "", _text(e.dec), e.rec or "",
                    e.reason_place_change or "", "", "", "",
                ]
            )  # fmt: skip


def run_peer(state: ActivityState, replay: Replay, first: date, step: int) -> dict[str, Any]:
    reference = max(first, replay.start - timedelta(days=round(HISTORY_YEARS * 365.25) - 1))
    with tempfile.TemporaryDirectory() as work:
        write_peer_input(as_known_on(state, replay.start), Path(work))
        command = [
            str(PEER_PYTHON),
            str(HERE / "peer_demand_model.py"),
            work,
            replay.start.isoformat(),
            reference.isoformat(),
            str(len(replay.month_ends)),
            str(step),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def backtest_source(
    name: str, steps: list[tuple[list[Path], date]], paths: int, step: int
) -> dict[str, Any]:
    """One council's replays, carecast's and the peer's (`step` 0: not run), as plain numbers."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(database_url=f"sqlite:///{Path(work) / 'carecast.db'}")
        init_store(settings, name, "999")
        try:
            for files, as_of in steps:
                import_paths(settings, files, as_of)
            result = run_projection_backtest(settings, paths=paths)
        except CarecastError as exc:
            return {"name": name, "error": str(exc)}
        _, state, last = load_history(settings)
    _, first = available_starts(state, last)
    assert first is not None
    replays = []
    for replay, wide in zip(result.replays, result.calibrated, strict=True):
        peer = run_peer(state, replay, first, step) if step else {}
        row: dict[str, Any] = {"from": replay.start.isoformat(), "horizons": {}}
        for months in HORIZONS:
            if months > len(replay.month_ends):
                continue
            day = replay.month_ends[months - 1].isoformat()
            seen = float(replay.observed_total[months - 1])
            peer_total = peer.get("totals", {}).get(day)
            row["horizons"][str(months)] = {
                "observed": seen,
                "carecast_p50": float(replay.p50[months - 1, -1]),
                "carecast_error": replay.error(months),
                "held": replay.held(months),
                "held_calibrated": wide.held(months),
                "calibrated_factor": wide.factor,
                "peer": peer_total,
                "peer_error": None
                if peer_total is None or not seen
                else (peer_total - seen) / seen,
            }
        row["carecast_start"] = replay.start_children
        row["peer_start"] = peer.get("start_children")
        row["peer_seconds"] = peer.get("seconds")
        row["peer_error_message"] = peer.get("error")
        replays.append(row)
    costs = [
        {"from": c.start.isoformat(), "months": y.months_ahead, "error": y.error, "held": y.held}
        for c in result.costs
        for y in c.years
    ]
    return {
        "name": name,
        "replays": replays,
        "costs": costs,
        "calibration": result.calibration.as_json(),
        "seconds": time.perf_counter() - started,
    }


def _median_abs(values: Iterable[float | None]) -> str:
    kept = [abs(v) for v in values if v is not None]
    return f"{100 * statistics.median(kept):.1f}" if kept else "–"


def summary(title: str, outcomes: list[dict[str, Any]]) -> None:
    cells = [
        h
        for o in outcomes
        for r in o.get("replays", [])
        for m, h in r["horizons"].items()
        if h is not None and (h.update(months=int(m)) or True)
    ]
    print(f"\n{title}: {len(outcomes)} council(s)")
    print(
        "| horizon | replays | carecast P50 median abs error % | cs-demand-model % "
        "| carecast closer | 80% band held (as fitted) | held (calibrated) |"
    )
    print("|---|---:|---:|---:|---:|---|---|")
    for months in HORIZONS:
        at = [h for h in cells if h["months"] == months]
        if not at:
            continue
        both = [h for h in at if h["peer_error"] is not None and h["carecast_error"] is not None]
        closer = sum(abs(h["carecast_error"]) < abs(h["peer_error"]) for h in both)
        held = sum(bool(h["held"]) for h in at)
        wide = sum(bool(h["held_calibrated"]) for h in at)
        print(
            f"| {months} months | {len(at)} | {_median_abs(h['carecast_error'] for h in at)} "
            f"| {_median_abs(h['peer_error'] for h in at)} | {closer} of {len(both)} "
            f"| {held} of {len(at)} ({held / len(at):.0%}) "
            f"| {wide} of {len(at)} ({wide / len(at):.0%}) |"
        )


def cost_summary(outcomes: list[dict[str, Any]]) -> None:
    """Placements' cost projected against the ledger (carecast only: the peer projects no cost)."""
    cells = [c for o in outcomes for c in o.get("costs", [])]
    if not cells:
        return
    print(
        "\n| year after the start | replays | placements' cost, median abs error % | 80% band held |"
    )
    print("|---|---:|---:|---|")
    for months in HORIZONS:
        at = [c for c in cells if c["months"] == months]
        if at:
            held = sum(bool(c["held"]) for c in at)
            print(
                f"| {months} months | {len(at)} | {_median_abs(c['error'] for c in at)} "
                f"| {held} of {len(at)} ({held / len(at):.0%}) |"
            )


def _council(folder: Path, paths: int, step: int) -> dict[str, Any]:
    return backtest_source(folder.name, council_steps(folder), paths, step)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=HERE / "councils" / "out")
    parser.add_argument("--councils", type=int, default=12)
    parser.add_argument("--only", default="")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--paths", type=int, default=500)
    parser.add_argument("--peer-step", type=int, default=7, help="the peer's step on the matrix")
    parser.add_argument("--skip-samples", action="store_true")
    parser.add_argument("--skip-councils", action="store_true")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--skip-peer", action="store_true", help="carecast alone: faster")
    args = parser.parse_args()
    if args.skip_peer:
        args.peer_step = 0
    elif not PEER_PYTHON.exists():
        sys.exit("the peer's environment is missing: run bash scripts/peer-venvs.sh")
    dump: dict[str, Any] = {}
    if not args.skip_samples:
        with tempfile.TemporaryDirectory() as work:
            step = 0 if args.skip_peer else 1
            sample = backtest_source("SF samples", sample_steps(Path(work)), args.paths, step)
        dump["samples"] = [sample]
        print(json.dumps(sample, indent=1, default=str))
        summary("Social Finance samples (peer daily)", [sample])
        cost_summary([sample])
    if not args.skip_councils:
        if not (args.data / "index.json").exists():
            generate = [sys.executable, str(HERE / "councils" / "generate.py")]
            subprocess.run(
                [*generate, "--out", str(args.data), "--councils", str(args.councils)], check=True
            )
        only = {c for c in args.only.split(",") if c}
        folders = sorted(
            p for p in args.data.iterdir() if p.is_dir() and (not only or p.name in only)
        )
        # spawned, not forked: the samples' run has started numpy's threads in this process
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
            outcomes = list(
                pool.map(
                    _council, folders, [args.paths] * len(folders), [args.peer_step] * len(folders)
                )
            )
        for o in outcomes:
            if "error" in o:
                print(f"{o['name']}: {o['error']}")
        dump["councils"] = outcomes
        summary(f"Council matrix (peer step {args.peer_step} days)", outcomes)
        cost_summary(outcomes)
    if args.dump:
        args.dump.write_text(json.dumps(dump, indent=1, default=str))


if __name__ == "__main__":
    main()
