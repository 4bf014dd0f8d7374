"""Writes the matrix of fictional councils: ``python bench/councils/generate.py --out DIR``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

if not __package__:  # run as a script: make the package importable by its place in the repository
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "bench.councils"

from .council import build_council
from .matrix import build_matrix


def summary(council: dict[str, object]) -> str:
    traits = council["traits"]
    assert isinstance(traits, dict)
    frictions = [
        k.removesuffix("_share")
        for k, v in traits["frictions"].items()
        if k.endswith("_share") and v
    ]
    parts = [
        str(council["convention"]) + (" + year-end accrual" if council["year_end_accrual"] else ""),
        f"{traits['children_at_start']} children",
        f"entries {traits['entry_growth']:+.0%}",
        "residential surge" if traits["residential_surge"] else "",
        "falling year" if traits["falling_year"] else "",
        "history commitments" if traits["history_commitments"] else "no history commitments",
        "frictions: " + (", ".join(frictions) if frictions else "none"),
    ]
    return "; ".join(p for p in parts if p)


def generate(
    out: Path, seed: int = 2018, councils: int = 48, only: str | None = None
) -> list[dict[str, str]]:
    """Writes every council (or only one) under ``out`` and returns the index."""
    out.mkdir(parents=True, exist_ok=True)
    index: list[dict[str, str]] = []
    for spec in build_matrix(seed, councils):
        if only is not None and spec.code != only:
            continue
        folder = out / spec.code
        if folder.exists():
            shutil.rmtree(folder)
        council = build_council(spec, seed, folder)
        index.append(
            {"code": spec.code, "convention": spec.convention, "summary": summary(council)}
        )
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--councils", type=int, default=48)
    parser.add_argument("--only", default=None, help="write only this council, e.g. C07")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    index = generate(args.out, args.seed, args.councils, args.only)
    print(f"{len(index)} council(s) in {args.out} ({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
