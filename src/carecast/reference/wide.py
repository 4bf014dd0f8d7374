"""DfE's wide files: the SFR 50 underlying data (one row per area, one column per measure) and the
statistical-neighbour groupings (one row per council, its ten neighbours across the columns)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from carecast.reference.tidy import ENGLAND, Loaded, observations, read_text

# SFR 50 columns that carry the same measures as the tidy releases, under their tidy keys.
SFR50_HEADLINES = (
    (re.compile(r"cla_mar(\d{4})"), "cla_31_march"),
    (re.compile(r"cla_started(\d{4})"), "cla_started"),
    (re.compile(r"cla_cease(\d{4})"), "cla_ceased"),
)
SFR50_IDENTIFIERS = frozenset({"la_order", "new_geog_code", "geog_l", "geog_c", "geog_n"})
NEIGHBOUR_COLUMNS = ("la_code", "rank", "neighbour", "closeness")


def _sfr50_year(columns: list[str]) -> str:
    for column in columns:
        for pattern, _key in SFR50_HEADLINES:
            if match := pattern.fullmatch(column):
                return match.group(1)
    raise ValueError("no CLA_Mar/CLA_started/CLA_cease column names the year")


def load_sfr50(path: Path) -> Loaded:
    """An SFR 50 underlying-data file: national and local-authority rows, every numeric column.

    `x` (one to five, or a secondary suppression) and `..` (not available) become nulls whose
    symbol is kept. The Isles of Scilly row has no geography level; it is a local authority.
    """
    frame = read_text(path)
    year = _sfr50_year(frame.columns)
    level = pl.col("geog_l").fill_null("LA")
    frame = frame.filter(level.is_in(["NATIONAL", "LA"])).with_columns(
        pl.when(level == "NATIONAL")
        .then(pl.lit(ENGLAND))
        .otherwise(pl.col("geog_c").str.strip_chars())
        .alias("area"),
        pl.lit(year).alias("time_period"),
        pl.lit(None, pl.String).alias("joint"),
    )
    # Cite columns as the file spells them (CLA_Fost rather than cla_fost).
    header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    spelled = {c.strip().lstrip("\ufeff").lower(): c.strip().lstrip("\ufeff") for c in header}
    parts = []
    for column in frame.columns:
        if column in SFR50_IDENTIFIERS or column in {"area", "time_period", "joint"}:
            continue
        original = spelled.get(column, column)
        key = next((k for p, k in SFR50_HEADLINES if p.fullmatch(column)), f"sfr50:{original}")
        parts.append(observations(frame, pl.lit(key), column, pl.lit(original)))
    names = frame.filter(pl.col("area") != ENGLAND).select(
        pl.col("area").alias("la_code"),
        pl.col("new_geog_code").str.strip_chars().alias("new_la_code"),
        pl.col("geog_n").str.strip_chars().alias("la_name"),
    )
    return pl.concat(parts), names


def load_neighbours(path: Path, kind: str) -> pl.DataFrame:
    """A council's ten statistical neighbours in order, with DfE's closeness wording."""
    frame = read_text(path)
    if kind == "neighbours_2025":
        council, pairs = "old_la_code", [(f"sn_{n}", f"sn_{n}p") for n in range(1, 11)]
    else:
        # The April 2021 file repeats the column name SNP; polars numbers the repeats.
        council = "la num"
        closeness = ["snp"] + [f"snp_duplicated_{n}" for n in range(9)]
        pairs = [(f"sn{n}", closeness[n - 1]) for n in range(1, 11)]
    rows = []
    for rank, (code, closeness_column) in enumerate(pairs, start=1):
        rows.append(
            frame.select(
                pl.col(council).str.strip_chars().alias("la_code"),
                pl.lit(rank).alias("rank"),
                pl.col(code).str.strip_chars().alias("neighbour"),
                pl.col(closeness_column).str.strip_chars().str.to_lowercase().alias("closeness"),
            )
        )
    stacked = pl.concat(rows)
    return stacked.filter(
        pl.col("la_code").is_not_null()
        & (pl.col("la_code") != "")
        & pl.col("neighbour").is_not_null()
        & (pl.col("neighbour") != "")
    ).sort("la_code", "rank")


def neighbour_names(path: Path, kind: str) -> pl.DataFrame:
    frame = read_text(path)
    code, name = ("old_la_code", "la_name") if kind == "neighbours_2025" else ("la num", "la name")
    return frame.select(
        pl.col(code).str.strip_chars().alias("la_code"),
        pl.lit(None, pl.String).alias("new_la_code"),
        pl.col(name).str.strip_chars().alias("la_name"),
    ).filter(pl.col("la_code").is_not_null() & (pl.col("la_code") != ""))
