"""Accuracy of the outturn forecast on councils the engine was not written for.

The councils come from `bench/councils/`, a simulator written apart from carecast's engine (from
`../shared/DOMAIN.md` and `formats.md` only): every ledger convention of DOMAIN.md and mixtures by
line, entry growth from −10% to +20%, residential surges, 150 to 1,500 children, late, phantom
and rolled commitments, SSDA903 recorded late, history with and without commitments. Each council
is imported as a finance team would — its history, then the monthly extracts of 2018-19 in
order, each with its own as-of date — into a fresh SQLite store, and `carecast backtest` replays
the closes of 2018-19 from what was known at each. Nothing here is tuned on the demo generator.

Run: `.venv/bin/python bench/backtest_councils.py [--data DIR] [--councils 48] [--workers 2]
[--periods 3,6,9] [--only C01,C02]`. The matrix is generated into DIR (default
`bench/councils/out`, reused when present). Prints a Markdown table per council, then per ledger
convention: median |error| of the total at P3, P6 and P9 beside commitments only, the share of
forecasts below the outturn, and how often the 80% interval held — with the issue's targets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from carecast.config import Settings
from carecast.domain.periods import FinancialYear
from carecast.errors import CarecastError
from carecast.forecast.backtest import CARECAST, COMMITMENTS_ONLY, Backtest, Score
from carecast.services import import_paths, init_store
from carecast.services.backtest import run_backtest

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "councils" / "out"
YEAR = FinancialYear.parse("2018-19")
SHOWN = (3, 6, 9)


@dataclass(frozen=True)
class Outcome:
    code: str
    convention: str
    summary: str
    outturn: Decimal  # council.json's outturn: what the generator says the ledger adds up to
    backtest: Backtest
    seconds: float


def ensure_matrix(data: Path, councils: int) -> list[dict[str, str]]:
    index = data / "index.json"
    if not index.exists():
        command = [sys.executable, str(HERE / "councils" / "generate.py"), "--out", str(data)]
        subprocess.run([*command, "--councils", str(councils)], check=True)
    return json.loads(index.read_text())  # type: ignore[no-any-return]


def backtest_council(folder: Path, periods: tuple[int, ...]) -> Outcome | str:
    """The council's backtest, or why it could not be run (a refused import, say)."""
    try:
        return _backtest_council(folder, periods)
    except CarecastError as exc:  # the message travels back; the exception may not pickle
        return f"{folder.name}: {exc}"


def _backtest_council(folder: Path, periods: tuple[int, ...]) -> Outcome:
    spec = json.loads((folder / "council.json").read_text())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(database_url=f"sqlite:///{Path(work) / 'carecast.db'}")
        init_store(settings, spec["name"], spec["la_code"])
        for step in spec["steps"]:
            paths = [folder / path for path in step["paths"]]
            import_paths(settings, paths, date.fromisoformat(step["as_of"]))
        _, result = run_backtest(settings, YEAR, period_numbers=periods)
    return Outcome(
        code=folder.name,
        convention=spec["convention"] + (" +YE" if spec.get("year_end_accrual") else ""),
        summary=_summary(spec),
        outturn=Decimal(str(spec["outturn"]["total"])),
        backtest=result,
        seconds=time.perf_counter() - started,
    )


def _summary(spec: dict[str, object]) -> str:
    traits = spec.get("traits")
    if not isinstance(traits, dict):
        return ""
    shown = ("children_at_start", "entry_growth", "residential_surge", "history_commitments")
    return ", ".join(f"{k}={traits[k]}" for k in shown if k in traits)


def _error(outcome: Outcome, number: int, method: str) -> float | None:
    score = outcome.backtest.at(number)
    if score is None:
        return None
    pct = score.total.error_pct(method)
    return None if pct is None else float(pct)


def _held(outcome: Outcome, number: int) -> bool | None:
    score = outcome.backtest.at(number)
    return None if score is None else score.total.within_interval


def _worst_line(outcome: Outcome, number: int) -> str:
    score = outcome.backtest.at(number)
    if score is None:
        return "—"
    line, worst = max(score.lines.items(), key=lambda item: abs(item[1].error()))
    return f"{line.value} {float(worst.error()) / 1000:+,.0f}k"


def council_rows(outcomes: list[Outcome]) -> None:
    head = ["Council", "Convention", "Outturn"]
    head += [f"P{n} {m}" for n in SHOWN for m in ("cc", "co")] + ["held", "P6 worst line"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for o in outcomes:
        cells = [o.code, o.convention, f"£{float(o.outturn) / 1e6:.1f}m"]
        for n in SHOWN:
            for method in (CARECAST, COMMITMENTS_ONLY):
                err = _error(o, n, method)
                cells.append("—" if err is None else f"{err:+.1f}")
        held = [h for n in SHOWN if (h := _held(o, n)) is not None]
        cells.append(f"{sum(held)}/{len(held)}")
        cells.append(_worst_line(o, 6))
        print("| " + " | ".join(cells) + " |")


def _median_abs(values: list[float]) -> float:
    return statistics.median(abs(v) for v in values) if values else float("nan")


def summary_rows(outcomes: list[Outcome]) -> None:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.convention.split(" ")[0]].append(o)
    groups["all"] = outcomes
    head = ["Convention", "n"]
    for n in SHOWN:
        head += [f"P{n} cc", f"P{n} co", f"P{n} low", f"P{n} held"]
    print("\n| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, group in groups.items():
        cells = [name, str(len(group))]
        for n in SHOWN:
            ours = [e for o in group if (e := _error(o, n, CARECAST)) is not None]
            theirs = [e for o in group if (e := _error(o, n, COMMITMENTS_ONLY)) is not None]
            held = [h for o in group if (h := _held(o, n)) is not None]
            low = sum(e < 0 for e in ours)
            cells += [
                f"{_median_abs(ours):.2f}",
                f"{_median_abs(theirs):.2f}",
                f"{low}/{len(ours)}",
                f"{sum(held)}/{len(held)}",
            ]
        print("| " + " | ".join(cells) + " |")


def line_rows(outcomes: list[Outcome], number: int = 6) -> None:
    """Which lines carry the error: per line, the median error as % of the council's outturn,
    how often it is low, and its share of the total absolute error."""
    errors: dict[str, list[float]] = defaultdict(list)
    for o in outcomes:
        score = o.backtest.at(number)
        if score is None or not o.outturn:
            continue
        for line, line_score in score.lines.items():
            errors[line.value].append(float(line_score.error()) / float(o.outturn) * 100)
    total = sum(abs(e) for values in errors.values() for e in values) or 1.0
    print(f"\nBy line at P{number} (error as % of the council's total outturn):\n")
    print("| Line | median error | low | share of all |error| |")
    print("|---|---|---|---|")
    for name, values in sorted(errors.items(), key=lambda kv: -sum(abs(e) for e in kv[1])):
        low = sum(e < 0 for e in values)
        share = sum(abs(e) for e in values) / total
        print(f"| {name} | {statistics.median(values):+.2f} | {low}/{len(values)} | {share:.0%} |")


def targets(outcomes: list[Outcome]) -> None:
    print("\nTargets (issue [5]):")
    limits = {3: 2.0, 6: 1.0, 9: 0.5}
    for n, limit in limits.items():
        ours = [e for o in outcomes if (e := _error(o, n, CARECAST)) is not None]
        value = _median_abs(ours)
        print(
            f"- P{n} median |error| {value:.2f}% ≤ {limit}%: {'met' if value <= limit else 'NOT met'}"
        )
    all_errors = [e for o in outcomes for n in SHOWN if (e := _error(o, n, CARECAST)) is not None]
    low = sum(e < 0 for e in all_errors) / max(len(all_errors), 1)
    print(f"- below the outturn in {low:.0%} of council-periods (35–65%)")
    for n in SHOWN:
        held = [h for o in outcomes if (h := _held(o, n)) is not None]
        share = sum(held) / max(len(held), 1)
        print(f"- P{n}: 80% interval held in {share:.0%} (70–90%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--councils", type=int, default=48)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--periods", default="3,6,9")
    parser.add_argument("--only", default="")
    parser.add_argument("--dump", type=Path, help="write each council's scores per line as JSON")
    args = parser.parse_args()
    index = ensure_matrix(args.data, args.councils)
    wanted = set(filter(None, args.only.split(",")))
    codes = [entry["code"] for entry in index if not wanted or entry["code"] in wanted]
    periods = tuple(int(p) for p in args.periods.split(","))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(backtest_council, args.data / code, periods) for code in codes]
        results = [future.result() for future in futures]
    outcomes = [r for r in results if isinstance(r, Outcome)]
    for failure in (r for r in results if isinstance(r, str)):
        print(f"not scored: {failure[:2000]}")
    for o in outcomes:
        if abs(o.backtest.actual_outturn - o.outturn) > 1:
            print(f"warning: {o.code}: imported outturn {o.backtest.actual_outturn} ≠ {o.outturn}")
    print(f"Error of the {YEAR} total-outturn forecast, % of outturn (forecast − outturn);")
    print("cc = carecast, co = commitments only; held = 80% interval held the outturn.\n")
    council_rows(outcomes)
    summary_rows(outcomes)
    line_rows(outcomes)
    targets(outcomes)
    print(f"\n{len(outcomes)} councils in {time.perf_counter() - started:.0f} s")
    if args.dump:
        args.dump.write_text(json.dumps([_dumped(o) for o in outcomes], indent=1))


def _scored(score: Score) -> dict[str, float | None]:
    interval = {"p10": score.p10, "p90": score.p90}
    return {
        "forecast": float(score.forecast),
        "actual": float(score.actual),
        **{name: float(v) for name, v in score.baselines.items()},
        **{name: None if v is None else float(v) for name, v in interval.items()},
    }


def _dumped(outcome: Outcome) -> dict[str, object]:
    """One council's scores, per period and line, for analysis outside this script."""
    periods: dict[str, object] = {}
    for score in outcome.backtest.periods:
        lines = {line.value: _scored(s) for line, s in score.lines.items()}
        periods[str(score.period.number)] = {"total": _scored(score.total), **lines}
    return {
        "code": outcome.code,
        "convention": outcome.convention,
        "summary": outcome.summary,
        "outturn": float(outcome.outturn),
        "periods": periods,
    }


if __name__ == "__main__":
    main()
