"""A synthetic SSDA903 return: valid header and episodes CSV files of any size (bench/ingest.py).

Children born 2001-18 each have one unbroken stay in care made of contiguous episodes (a new
placement at each 'P' episode, the same placement when only the legal status changes at an 'L'),
ending by the 18th birthday and the as-of date; a third are still looked after then. Codes are
2018-19's; dates are DD/MM/YYYY as DfE's files write them. Vectorised with numpy throughout.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

AS_OF = date(2019, 3, 31)
PLACES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "K2", "R1"])
PLACE_WEIGHTS = np.array([0.05, 0.04, 0.03, 0.3, 0.25, 0.15, 0.13, 0.05])
REASONS = np.array(
    ["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "OTHER"]
)
ETHNIC = np.array(["WBRI", "WOTH", "MWBC", "MOTH", "AIND", "APKN", "BAFR", "BCRB", "OOTH", "REFU"])
FINAL_REC = np.array(["E13", "E8", "E4A", "E41"])
POSTCODE_AREAS = np.array(["E1", "N7", "SE15", "SW2", "W3", "EC1", "NW10", "E17"])


def _dates(days: np.ndarray[Any, Any]) -> pl.Series:
    return pl.Series(days.astype("datetime64[D]")).cast(pl.Date)


Days = np.ndarray[Any, Any]  # integer days since 1970-01-01, or other per-row arrays


def _counts(rng: np.random.Generator, children: int, episodes: int) -> Days:
    """Episodes per child: at least one each, `episodes` in all."""
    counts = 1 + rng.poisson(max(episodes / children - 1, 0), children)
    while (excess := int(counts.sum()) - episodes) != 0:
        pick = rng.integers(0, children, abs(excess))
        np.add.at(counts, pick, -1 if excess > 0 else 1)
        counts = np.maximum(counts, 1)
    return counts


def _timeline(
    rng: np.random.Generator, counts: Days, dob: Days, last_day: Days
) -> tuple[Days, Days, Days]:
    """Each episode's child, DECOM and DEC: one unbroken stay per child, ending by `last_day`."""
    child = np.repeat(np.arange(counts.size), counts)
    window = last_day - dob  # days a history may span
    length = 1 + rng.exponential(90, child.size).astype(np.int64)
    span = np.bincount(child, weights=length).astype(np.int64)
    scale = np.minimum(1.0, 0.95 * window / np.maximum(span, 1))
    length = np.maximum(1, (length * scale[child]).astype(np.int64))
    span = np.bincount(child, weights=length).astype(np.int64)
    start = dob + (rng.random(counts.size) * np.maximum(window - span, 0)).astype(np.int64)
    ends = np.cumsum(length)
    offsets = np.concatenate(([0], ends[np.cumsum(counts)[:-1] - 1]))
    decom = start[child] + ends - length - offsets[child]
    return child, decom, decom + length


def _placements(rng: np.random.Generator, first: Days, legal_change: Days) -> tuple[Days, Days]:
    """PLACE and PLACE_PROVIDER: a new placement at each 'P' episode, the same one at an 'L'."""
    size = first.size
    index = rng.choice(PLACES.size, size, p=PLACE_WEIGHTS)
    for _ in range(3):  # carry the placement through (up to three) legal-status changes
        index = np.where(legal_change, np.roll(index, 1), index)
    moved = ~first & ~legal_change & (index == np.roll(index, 1))
    place = PLACES[np.where(moved, (index + 1) % PLACES.size, index)]
    public = rng.random(size) < 0.55
    provider = np.where(np.isin(place, ["U1", "U2", "U3"]) | public, "PR1", "PR4")
    return place, np.where(legal_change, np.roll(provider, 1), provider)


def generate(children: int, episodes: int, folder: Path, seed: int = 903) -> tuple[Path, Path]:
    """Write header.csv and episodes.csv; vectorised throughout (a few seconds a million rows)."""
    rng = np.random.default_rng(seed)
    counts = _counts(rng, children, episodes)
    epoch = np.datetime64("1970-01-01", "D")
    first_dob, last_dob = (np.datetime64(d) - epoch for d in ("2001-04-01", "2018-01-31"))
    dob = rng.integers(first_dob.astype(int), last_dob.astype(int), children)
    birthdays = pl.DataFrame({"DOB": _dates(dob)}).with_columns(
        pl.col("DOB").dt.offset_by("18y").alias("EIGHTEEN")
    )
    eighteen = (birthdays["EIGHTEEN"].to_numpy().astype("datetime64[D]") - epoch).astype(int)
    as_of = (np.datetime64(AS_OF.isoformat()) - epoch).astype(int)
    child, decom, dec = _timeline(rng, counts, dob, np.minimum(eighteen, as_of))
    first = np.zeros(child.size, dtype=bool)
    first[np.concatenate(([0], np.cumsum(counts)[:-1]))] = True
    last = np.zeros(child.size, dtype=bool)
    last[np.cumsum(counts) - 1] = True
    # A third of the children still looked after on the as-of date (if not yet 18 then).
    open_episode = last & ((rng.random(children) < 0.35) & (eighteen > as_of))[child]
    legal_change = ~first & (rng.random(child.size) < 0.15)
    place, provider = _placements(rng, first, legal_change)
    ls_child = rng.choice(np.array(["C2", "V2"]), children, p=[0.7, 0.3])[child]
    rne = np.where(first, "S", np.where(legal_change, "L", "P"))
    ids = pl.Series([f"C{n:07d}" for n in range(children)])
    frame = pl.DataFrame(
        {
            "CHILD": ids[child],
            "DECOM": _dates(decom),
            "RNE": rne,
            "LS": np.where(legal_change, np.where(ls_child == "C2", "V2", "C2"), ls_child),
            "CIN": rng.choice(np.array([f"N{n}" for n in range(1, 9)]), children)[child],
            "PLACE": place,
            "PLACE_PROVIDER": provider,
            "DEC": _dates(dec),
            "REC": np.where(last, rng.choice(FINAL_REC, child.size), "X1"),
            "REASON_PLACE_CHANGE": np.where(rne == "P", rng.choice(REASONS, child.size), ""),
            "HOME_POST": rng.choice(POSTCODE_AREAS, children)[child],
            "PL_POST": rng.choice(POSTCODE_AREAS, child.size),
            "URN": np.where(
                np.isin(place, ["K2", "R1"]),
                np.char.add("SC", rng.integers(100000, 999999, child.size).astype(str)),
                "",
            ),
            "__open": open_episode,
        }
    ).with_columns(
        pl.when(pl.col("__open")).then(None).otherwise(pl.col("DEC")).alias("DEC"),
        pl.when(pl.col("__open")).then(pl.lit("")).otherwise(pl.col("REC")).alias("REC"),
    )
    folder.mkdir(parents=True, exist_ok=True)
    episodes_path, header_path = folder / "episodes.csv", folder / "header.csv"
    frame.drop("__open").with_columns(pl.col("DECOM", "DEC").dt.to_string("%d/%m/%Y")).write_csv(
        episodes_path
    )
    pl.DataFrame(
        {
            "CHILD": ids,
            "SEX": rng.choice(np.array(["1", "2"]), children),
            "DOB": birthdays["DOB"].dt.to_string("%d/%m/%Y"),
            "ETHNIC": rng.choice(ETHNIC, children),
            "UPN": np.char.add("A", rng.integers(10**11, 10**12, children).astype(str)),
            "MOTHER": "",
            "MC_DOB": "",
        }
    ).write_csv(header_path)
    return header_path, episodes_path
