"""What a projection is run with, as the projection and scenario forms ask for it: years ahead,
paths, the month it starts from and the seed; each problem placed beside its field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carecast.domain.periods import Period

MIN_YEARS, MAX_YEARS = 1, 5
# The service takes up to 100,000 paths; in the browser a run stays within a minute or so on the
# demo council, and one run at a time keeps the pages served.
MIN_PATHS, MAX_PATHS = 100, 5000
DEFAULTS = {"years": "3", "paths": "1000", "from": "", "seed": "20180401"}


@dataclass(frozen=True)
class RunRequest:
    years: int
    paths: int
    start: Period | None
    seed: int

    def as_shown(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "paths": self.paths,
            "from": None if self.start is None else str(self.start),
            "seed": self.seed,
        }


def _whole(text: str) -> int | None:
    cleaned = text.strip().replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


def read_run(values: Mapping[str, str], problems: dict[str, list[str]]) -> RunRequest | None:
    """The run the form asks for, or None with the problems added to `problems`."""
    years = _whole(values.get("years", ""))
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        problems.setdefault("years", []).append(
            f"give a whole number of years from {MIN_YEARS} to {MAX_YEARS}"
        )
    paths = _whole(values.get("paths", ""))
    if paths is None or not MIN_PATHS <= paths <= MAX_PATHS:
        problems.setdefault("paths", []).append(
            f"give a whole number of paths from {MIN_PATHS:,} to {MAX_PATHS:,}"
        )
    seed = _whole(values.get("seed", ""))
    if seed is None or seed >= 2**63:
        problems.setdefault("seed", []).append("give a whole number, 0 or more, like 20180401")
    start = None
    month = values.get("from", "").strip()
    if month:
        try:
            start = Period.parse(month)
        except ValueError:
            start = None
        if start is None or not 1990 <= start.year <= 2100:
            start = None
            problems.setdefault("from", []).append(
                "give a month as YYYY-MM, like 2018-03, or leave it empty for the data's last "
                "month end"
            )
    if years is None or paths is None or seed is None or problems:
        return None
    return RunRequest(years, paths, start, seed)
