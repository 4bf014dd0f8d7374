"""Imports a generated council into a scratch carecast store, step by step, with the carecast
command line only, and checks that the outturn carecast reads back is the one written.

``python bench/councils/verify.py --out DIR --code C07 [--carecast PATH] [--keep DB]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _carecast() -> str:
    beside = Path(sys.executable).with_name("carecast")
    return str(beside) if beside.exists() else (shutil.which("carecast") or "carecast")


def verify(folder: Path, carecast: str, database: Path) -> tuple[list[str], list[str]]:
    """Imports every step and reads the outturn back; returns (problems, notes). A refused import
    or an outturn that differs is a problem; a backtest that fails to run leaves it unchecked."""
    council = json.loads((folder / "council.json").read_text(encoding="utf-8"))
    url = f"sqlite:///{database}"
    database.unlink(missing_ok=True)
    init = [
        carecast,
        "init",
        "--council",
        council["name"],
        "--la-code",
        council["la_code"],
        "--database-url",
        url,
    ]
    subprocess.run(init, check=True, capture_output=True)
    for step in council["steps"]:
        paths = [str(folder / p) for p in step["paths"]]
        run = [carecast, "import", *paths, "--as-of", step["as_of"], "--database-url", url]
        done = subprocess.run(run, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return [f"{step['label']} ({step['as_of']}) refused:\n{done.stdout}{done.stderr}"], []
    notes = [f"all {len(council['steps'])} steps imported"]
    run = [
        carecast,
        "backtest",
        "--financial-year",
        council["financial_year"],
        "--json",
        "--database-url",
        url,
    ]
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return [], [
            *notes,
            f"outturn not checked: backtest failed ({lines[-1] if lines else done.returncode})",
        ]
    backtest = json.loads(done.stdout)
    problems: list[str] = []
    if abs(backtest["actual_outturn"] - council["outturn"]["total"]) > 0.005:
        problems.append(
            f"total: carecast {backtest['actual_outturn']}, written {council['outturn']['total']}"
        )
    read_back = {x["service_line"]: x["actual_outturn"] for x in backtest["periods"][-1]["lines"]}
    for line, written in council["outturn"]["lines"].items():
        if abs(read_back.get(line, 0.0) - written) > 0.005:
            problems.append(f"{line}: carecast {read_back.get(line)}, written {written}")
    if not problems:
        notes.append(f"outturn {council['outturn']['total']:,.2f} read back by line")
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="the folder generate.py wrote")
    parser.add_argument("--code", action="append", required=True, help="a council code; may repeat")
    parser.add_argument("--carecast", default=_carecast())
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the stores in")
    args = parser.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for code in args.code:
            started = time.perf_counter()
            database = (args.keep or Path(scratch)) / f"{code}.db"
            problems, notes = verify(args.out / code, args.carecast, database)
            took = time.perf_counter() - started
            print(f"{code}: {'OK' if not problems else 'FAILED'} ({took:.0f}s)")
            for line in problems + notes:
                print(f"  {line}")
            failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
