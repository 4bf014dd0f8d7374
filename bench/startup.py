"""How long `carecast --help` and every subcommand's `--help` take to answer (issue 9: < 0.3 s).

    python bench/startup.py [--runs N] [--python PATH] [--top N] [--profile WORDS]

Each command line runs `--runs` times (default 10), each time in a fresh process, as a person at a
terminal would start it; the wall time of the whole process is what they wait for. The command tree
is read from the application itself, so a new command is measured without editing this file. Then
`python -X importtime -m carecast [WORDS] --help` shows which imports the start-up time goes to.

Prints markdown: one row per command line with its median and worst wall time and its median CPU
time (which a busy shared machine inflates less), the load average around the runs, then the
import profile.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import typer.core
import typer.main

from carecast.cli import app

BUDGET_SECONDS = 0.3  # issue 9: help must feel instant
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Timing:
    words: tuple[str, ...]
    seconds: tuple[float, ...]  # wall time of each run
    cpu_seconds: tuple[float, ...]  # user + system time of each run's process

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def worst(self) -> float:
        return max(self.seconds)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu_seconds)


@dataclass(frozen=True)
class Import:
    module: str
    depth: int
    self_us: int
    cumulative_us: int


def command_lines(command: object, words: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and subcommand, as the words typed after `carecast`, root first."""
    yield words
    if isinstance(command, typer.core.TyperGroup):
        for name in sorted(command.commands):
            yield from command_lines(command.commands[name], (*words, name))


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def time_help(python: str, words: Sequence[str], runs: int) -> Timing:
    """Wall and CPU time of each run: on a shared machine the wall time also counts the waits for
    a core, the CPU time only the work the process did."""
    argv = [python, "-m", "carecast", *words, "--help"]
    seconds, cpu_seconds = [], []
    for _ in range(runs):
        cpu_before, started = _children_cpu(), time.perf_counter()
        done = subprocess.run(argv, capture_output=True, cwd=ROOT, check=False)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(_children_cpu() - cpu_before)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return Timing(tuple(words), tuple(seconds), tuple(cpu_seconds))


def import_profile(python: str, words: Sequence[str]) -> list[Import]:
    """The imports of `carecast WORDS --help`, parsed from `-X importtime` (microseconds)."""
    done = subprocess.run(
        [python, "-X", "importtime", "-m", "carecast", *words, "--help"],
        capture_output=True,
        cwd=ROOT,
        check=True,
        text=True,
    )
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        found.append(Import(name.strip(), depth, int(self_us), int(cumulative_us)))
    return found


def timings_table(timings: Sequence[Timing], runs: int) -> list[str]:
    lines = [
        f"| command ({runs} runs each) | median (s) | worst (s) | median CPU (s) "
        f"| worst under {BUDGET_SECONDS} s |",
        "|---|---:|---:|---:|:---:|",
    ]
    for timing in timings:
        command = " ".join(("carecast", *timing.words, "--help"))
        within = "yes" if timing.worst < BUDGET_SECONDS else "no"
        lines.append(
            f"| `{command}` | {timing.median:.3f} | {timing.worst:.3f} | "
            f"{timing.median_cpu:.3f} | {within} |"
        )
    return lines


def profile_table(imports: Sequence[Import], words: Sequence[str], top: int) -> list[str]:
    total = sum(i.cumulative_us for i in imports if i.depth == 0)
    command = " ".join(("carecast", *words, "--help"))
    lines = [
        f"Imports of `{command}`: {len(imports)} modules, {total / 1e6:.3f} s in all "
        f"(one run); the {top} with the most cumulative time:",
        "",
        "| module | depth | cumulative (s) | self (s) |",
        "|---|---:|---:|---:|",
    ]
    heaviest = sorted(imports, key=lambda i: i.cumulative_us, reverse=True)[:top]
    for found in heaviest:
        lines.append(
            f"| `{found.module}` | {found.depth} | {found.cumulative_us / 1e6:.3f} | "
            f"{found.self_us / 1e6:.3f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per command line")
    parser.add_argument("--python", default=sys.executable, help="interpreter to start")
    parser.add_argument("--top", type=int, default=10, help="imports listed in the profile")
    parser.add_argument("--profile", default="", help="subcommand to profile, e.g. 'user add'")
    args = parser.parse_args(argv)
    tree = typer.main.get_group(app)
    load_before = os.getloadavg()[0]
    timings = [time_help(args.python, words, args.runs) for words in command_lines(tree)]
    load_after = os.getloadavg()[0]
    words = args.profile.split()
    lines = [
        *timings_table(timings, args.runs),
        "",
        f"Load average (1 min) {load_before:.1f} before the runs, {load_after:.1f} after, on "
        f"{os.cpu_count()} cores.",
        "",
        *profile_table(import_profile(args.python, words), words, args.top),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
