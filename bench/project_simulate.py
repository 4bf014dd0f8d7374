"""Benchmark and equality check of the projection's simulator (projection/simulate.py) alone.

    python bench/project_simulate.py capture [--demo carecast.db] [--synthetic /tmp/syn3.db]
    python bench/project_simulate.py save --out reference.npz [--rev HEAD]
    python bench/project_simulate.py check --reference reference.npz
    python bench/project_simulate.py time [--rev HEAD] [--repeat 5] [--paths 1000]

`capture` fits the projection models of the demo council and of every council of a synthetic
store (`carecast synth --councils 3 --years 3 --import`) and pickles them (models.pkl beside
this run's outputs, --work), so later steps simulate the same models whatever others change in
the fitting meanwhile; a scenario's leaving scale and a closed population (no entries) are added
as variants. `save` writes every case's arrays (several seeds, path counts and partial blocks)
from the simulator of git revision --rev (default: the working tree); `check` asserts the working
tree's simulator gives them bit for bit. `time` runs the simulator of --rev and the working
tree's back to back on each model, several times, and prints the CPU time (time.process_time:
the machine is shared) of each, their ratio and the nanoseconds per child-month.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from carecast.projection.model import ProjectionModel

SIMULATOR = "src/carecast/projection/simulate.py"
# the simulator's own modules, loaded from a revision together (the one imports the others)
OWN = ("transitions", "simulate_month", "paths", "draws", "walk", "segments", "simulate")
ARRAYS = ("stock", "entries", "left", "turned_18", "placements_begun", "placed_since_start")
# (seed, paths): a whole block, several blocks, a partial last block, a single path
CASES = ((20180401, 100), (7, 250), (11, 1), (12345, 137))


def _capture(demo: Path, synthetic: Path, work: Path) -> None:
    from carecast.config import Settings
    from carecast.services.projection import fit_and_project

    models: dict[str, ProjectionModel] = {}
    stores = [(demo, None)] + [(synthetic, code) for code in _codes(synthetic)]
    for path, code in stores:
        settings = Settings(database_url=f"sqlite:///{path.resolve()}", council=code)
        model = fit_and_project(settings, 5, paths=1, deterministic=True).model
        models[code or "demo"] = model
    demo_model = models["demo"]
    scale = tuple(1.0 if step < 12 else 0.8 for step in range(demo_model.steps))
    models["demo-scenario"] = dataclasses.replace(demo_model, leaving_scale=scale)
    models["demo-closed"] = dataclasses.replace(demo_model, entries=None)
    (work / "models.pkl").write_bytes(pickle.dumps(models))
    for name, model in models.items():
        entrants = 0 if model.entries is None else len(model.entries.category)
        print(f"{name}: {len(model.category)} children, {entrants} recent entrants")


def _codes(store: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(store) as connection:
        return [str(row[0]) for row in connection.execute("select la_code from councils")]


def _models(work: Path) -> dict[str, ProjectionModel]:
    models: dict[str, ProjectionModel] = pickle.loads((work / "models.pkl").read_bytes())
    return models


def _simulator(rev: str | None) -> ModuleType:
    """projection/simulate.py as of `rev` (None: the working tree's, as imported)."""
    if rev is None:
        from carecast.projection import simulate

        return simulate
    folder = Path(tempfile.mkdtemp(prefix="simulate-"))
    loaded: ModuleType | None = None
    for name in OWN:
        shown = subprocess.run(
            ["git", "show", f"{rev}:src/carecast/projection/{name}.py"],
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode:
            continue  # a module the revision did not have yet
        source = shown.stdout
        for other in OWN:  # the revision's own modules import one another, not today's
            source = source.replace(f"carecast.projection.{other} ", f"_rev_{other} ")
            source = source.replace(f"carecast.projection.{other}\n", f"_rev_{other}\n")
        file = folder / f"_rev_{name}.py"
        file.write_text(source)
        spec = importlib.util.spec_from_file_location(f"_rev_{name}", file)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"_rev_{name}"] = module
        spec.loader.exec_module(module)
        loaded = module
    assert loaded is not None
    return loaded


def _arrays(simulator: ModuleType, models: dict[str, ProjectionModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, model in models.items():
        for seed, paths in CASES:
            result = simulator.simulate(model, paths, seed)
            for field in ARRAYS:
                out[f"{name}/{seed}/{paths}/{field}"] = getattr(result, field)
    return out


def _check(reference: dict[str, Any], models: dict[str, ProjectionModel]) -> None:
    now = _arrays(_simulator(None), models)
    assert set(now) == set(reference), "a different set of cases"
    wrong = [k for k in reference if not np.array_equal(reference[k], now[k])]
    wrong += [k for k in reference if reference[k].dtype != now[k].dtype]
    if wrong:
        sys.exit(f"{len(wrong)} arrays differ, e.g. {wrong[:5]}")
    print(f"all {len(reference)} arrays identical")


def _time(rev: str, models: dict[str, ProjectionModel], paths: int, repeat: int) -> None:
    before, after = _simulator(rev), _simulator(None)
    for name, model in models.items():
        months = len(model.category) * paths * model.steps
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(repeat):
            for label, simulator in (("before", before), ("after", after)):
                started = time.process_time()
                simulator.simulate(model, paths, 20180401)
                times[label].append(time.process_time() - started)
        old, new = (statistics.median(times[k]) for k in ("before", "after"))
        print(
            f"{name:14} {len(model.category):4} children: before {old:6.3f} s "
            f"({old / months * 1e9:5.1f} ns/child-month), after {new:6.3f} s "
            f"({new / months * 1e9:5.1f} ns), {old / new:4.2f}× (min {min(times['before']):.3f} "
            f"/ {min(times['after']):.3f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("step", choices=("capture", "save", "check", "time"))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "simbench")
    parser.add_argument("--demo", type=Path, default=Path("carecast.db"))
    parser.add_argument("--synthetic", type=Path, default=Path("/tmp/syn3.db"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--reference", type=Path)
    parser.add_argument("--rev")
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.step == "capture":
        _capture(args.demo, args.synthetic, args.work)
        return
    models = _models(args.work)
    if args.step == "save":
        np.savez(args.out, **_arrays(_simulator(args.rev), models))
    elif args.step == "check":
        with np.load(args.reference) as reference:
            _check(dict(reference), models)
    else:
        _time(args.rev or "HEAD", models, args.paths, args.repeat)


if __name__ == "__main__":
    main()
