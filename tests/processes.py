"""Running a snippet of Python in fresh processes, for tests of what must not depend on them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def outputs_under_hash_seeds(script: str, seeds: Iterable[int]) -> set[str]:
    """What `script` prints in a fresh Python under each PYTHONHASHSEED (each orders a set of
    text its own way): one output when nothing follows that order."""
    return {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in seeds
    }
