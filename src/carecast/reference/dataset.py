"""All reference files in use, read into three frames and an index for quick look-ups.

Where two releases give the same figure (the same area, year and measure) the newer release wins:
the one whose latest year is later, then an imported file over a shipped one, then the later
import. So the 2025 release's revised 2021 and 2022 rates replace the 2022 release's, and a 2026
release imported with `carecast reference import` replaces both, figure by figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import polars as pl

from carecast.reference.catalogue import BY_KEY
from carecast.reference.library import ReferenceFile
from carecast.reference.outturn import load_outturn
from carecast.reference.tidy import ENGLAND, LOADERS, Loaded
from carecast.reference.wide import load_neighbours, load_sfr50, neighbour_names

NEIGHBOUR_KINDS = ("neighbours_2021", "neighbours_2025")  # later = preferred
ONS_CODE = re.compile(r"E\d{8}")
DFE_CODE = re.compile(r"\d{3}")


@dataclass(frozen=True, slots=True)
class Observation:
    """One published figure and where it came from."""

    value: float | None
    symbol: str | None  # DfE's mark when there is no figure (c, x, z, [x] …)
    file: str
    kind: str
    selection: str
    joint: str | None = None  # e.g. '314 / 318' when two councils report together


def load_file(entry: ReferenceFile) -> Loaded:
    """One file's observations and area names (neighbour files give names only)."""
    if entry.kind in LOADERS:
        return LOADERS[entry.kind](entry.path)
    if entry.kind.startswith("sfr50_"):
        return load_sfr50(entry.path)
    if entry.kind == "revenue_outturn":
        return load_outturn(entry.path)
    if entry.kind in NEIGHBOUR_KINDS:
        load_neighbours(entry.path, entry.kind)  # read through, so a broken file fails here
        empty = pl.DataFrame(schema=_OBSERVATION_SCHEMA)
        return empty, neighbour_names(entry.path, entry.kind)
    raise KeyError(f"no loader for reference kind {entry.kind}")


_OBSERVATION_SCHEMA = {
    "area": pl.String,
    "year": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
    "symbol": pl.String,
    "selection": pl.String,
    "joint": pl.String,
}


def year_end(year: str) -> int:
    """The calendar year a release's year label ends in: '2025' → 2025, '2024-25' → 2025."""
    if match := re.fullmatch(r"(\d{4})-(\d{2})", year):
        return int(match.group(1)) + 1
    return int(year[:4])


@dataclass(frozen=True)
class ReferenceData:
    """Observations, statistical neighbours and area names from every reference file in use."""

    observations: pl.DataFrame  # _OBSERVATION_SCHEMA + file, kind
    neighbours: pl.DataFrame  # la_code, rank, neighbour, closeness, file, kind
    areas: pl.DataFrame  # la_code, new_la_code, la_name
    files: tuple[ReferenceFile, ...] = field(default=())

    @cached_property
    def index(self) -> dict[tuple[str, str], dict[str, Observation]]:
        """(area, measure) → year → observation."""
        table: dict[tuple[str, str], dict[str, Observation]] = {}
        frame = self.observations
        rows = zip(
            frame["area"],
            frame["measure"],
            frame["year"],
            frame["value"],
            frame["symbol"],
            frame["file"],
            frame["kind"],
            frame["selection"],
            frame["joint"],
            strict=True,
        )
        for area, measure, year, value, symbol, file, kind, selection, joint in rows:
            observation = Observation(value, symbol, file, kind, selection, joint)
            table.setdefault((area, measure), {})[year] = observation
        return table

    @cached_property
    def names(self) -> dict[str, str]:
        """DfE code → the council's name as the newest release spells it."""
        named = self.areas.filter(pl.col("la_name").is_not_null())
        return dict(reversed(list(named.select("la_code", "la_name").iter_rows())))

    @cached_property
    def ons_codes(self) -> dict[str, str]:
        """DfE code → the council's newest ONS (E…) code."""
        coded = self.areas.filter(pl.col("new_la_code").is_not_null())
        return dict(reversed(list(coded.select("la_code", "new_la_code").iter_rows())))

    @cached_property
    def new_codes(self) -> dict[str, str]:
        """ONS (E…) code → DfE code, for every E-code any release gives a council."""
        pairs = self.areas.filter(pl.col("new_la_code").is_not_null())
        return dict(pairs.select("new_la_code", "la_code").iter_rows())

    def council_codes(self) -> list[str]:
        """Every DfE council code with at least one published figure or a neighbour group."""
        with_figures = set(self.observations["area"].unique()) - {ENGLAND}
        grouped = set(self.neighbours["la_code"].unique())
        return sorted(c for c in with_figures | grouped if DFE_CODE.fullmatch(c))


def _rank(entry: ReferenceFile, frame: pl.DataFrame) -> tuple[int, int, int]:
    years = [year_end(y) for y in frame["year"].unique().to_list() if y]
    return (max(years, default=0), 0 if entry.origin == "shipped" else 1, entry.sequence)


def _combine_areas(named: list[tuple[tuple[int, int, int], pl.DataFrame]]) -> pl.DataFrame:
    """Every (code, E-code, name) a release gives a council, the newest release's first."""
    newest_first = [frame for _rank_key, frame in sorted(named, key=lambda p: p[0], reverse=True)]
    stacked = pl.concat(newest_first).filter(pl.col("la_code").str.contains(r"^\d{3}$"))
    return stacked.unique(maintain_order=True)


def _map_ons_codes(frame: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """Revenue outturn rows name councils by ONS code: give them their DfE codes."""
    lookup = areas.filter(pl.col("new_la_code").is_not_null()).unique("new_la_code")
    mapping = dict(lookup.select("new_la_code", "la_code").iter_rows())
    mapped = frame.with_columns(pl.col("area").replace(mapping).alias("area"))
    return mapped.filter(~pl.col("area").str.contains(r"^E\d{8}$"))


def read_reference(files: tuple[ReferenceFile, ...]) -> ReferenceData:
    """Read every file (newest release wins figure by figure; see the module docstring)."""
    Rank = tuple[int, int, int]
    ranked: list[tuple[Rank, pl.DataFrame]] = []
    named: list[tuple[Rank, pl.DataFrame]] = []
    neighbours: list[pl.DataFrame] = []
    for entry in files:
        observations, names = load_file(entry)
        names = names.select("la_code", "new_la_code", "la_name")
        if entry.kind in NEIGHBOUR_KINDS:
            named.append(((0, 0, 0), names))  # names of last resort
            # The newer model first, then an imported file over a shipped one, then the later.
            preference = (
                NEIGHBOUR_KINDS.index(entry.kind) * 1_000_000
                + int(entry.origin != "shipped") * 100_000
                + entry.sequence
            )
            neighbours.append(
                load_neighbours(entry.path, entry.kind).with_columns(
                    pl.lit(entry.name).alias("file"),
                    pl.lit(entry.kind).alias("kind"),
                    pl.lit(preference, pl.Int64).alias("preference"),
                )
            )
            continue
        tagged = observations.with_columns(
            pl.lit(entry.name).alias("file"), pl.lit(entry.kind).alias("kind")
        )
        rank = _rank(entry, tagged)
        ranked.append((rank, tagged))
        named.append((rank, names))
    areas = _combine_areas(named)
    ordered = [frame for _rank_key, frame in sorted(ranked, key=lambda pair: pair[0])]
    stacked = _map_ons_codes(pl.concat(ordered), areas)
    observations_frame = stacked.unique(
        subset=["area", "year", "measure"], keep="last", maintain_order=True
    )
    groups_frame = pl.concat(neighbours) if neighbours else _empty_neighbours()
    best = groups_frame.group_by("la_code").agg(pl.col("preference").max().alias("best"))
    groups_frame = (
        groups_frame.join(best, on="la_code")
        .filter(pl.col("preference") == pl.col("best"))
        .drop("preference", "best")
        .sort("la_code", "rank")
    )
    return ReferenceData(observations_frame, groups_frame, areas, files)


def _empty_neighbours() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "la_code": pl.String,
            "rank": pl.Int32,
            "neighbour": pl.String,
            "closeness": pl.String,
            "file": pl.String,
            "kind": pl.String,
            "preference": pl.Int64,
        }
    )


@lru_cache(maxsize=4)
def _cached(
    files: tuple[ReferenceFile, ...], _stamps: tuple[tuple[int, int], ...]
) -> ReferenceData:
    return read_reference(files)


def load_reference(files: list[ReferenceFile]) -> ReferenceData:
    """The reference data for these files, read once per process while the files are unchanged."""
    entries = tuple(files)
    stamps = tuple(_stamp(entry.path) for entry in entries)
    return _cached(entries, stamps)


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


__all__ = ["BY_KEY", "Observation", "ReferenceData", "load_file", "load_reference", "year_end"]
