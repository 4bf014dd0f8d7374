"""SSDA903 tables as regional pipelines pool them: several returns of a council (a YEAR column)
and often several councils (an LA column) in one file.

Several returns of one council repeat the episodes each return still covers, so read as one
return the file would overlap itself (hundreds of "earlier episode open" errors that never say
why). The latest return wins: a row is kept unless a later return holds the same episode (the
same child and start) or, for the header, the same child; what was superseded is said in one
warning. A file of several councils is refused in one message that says what it holds: a store
holds one council's activity at a time.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from carecast.errors import Issue, Severity
from carecast.ingest.datasets import Dataset
from carecast.ingest.reading import RawTable

COUNCIL_COLUMNS = ("LA", "LA_CODE", "LA_NAME")
RETURN_COLUMN = "YEAR"
# what identifies a row across returns, per table: an episode by its child and start
IDENTITY = {"ssda903_header": ("CHILD",), "ssda903_episodes": ("CHILD", "DECOM")}
SHOWN = 6  # councils or returns named in a message


def _counts(values: pl.Series) -> list[tuple[str, int]]:
    counted = values.fill_null("").str.strip_chars().value_counts(sort=True)
    return [(str(v), int(n)) for v, n in counted.iter_rows()]


def _listed(counts: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{v or '(blank)'}: {n:,} rows" for v, n in counts[:SHOWN])
    more = len(counts) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _year(text: str) -> int:
    digits = "".join(ch for ch in text if ch in "0123456789")[:4]
    return int(digits) if len(digits) == 4 else -1


def split_pooled(
    table: RawTable, dataset: Dataset, positions: dict[str, int]
) -> tuple[RawTable, list[Issue]]:
    """The table as one council's latest returns, or a refusal naming what the file holds."""
    if not dataset.name.startswith("ssda903_"):
        return table, []
    council = next((c for c in COUNCIL_COLUMNS if c in positions), None)
    if council is not None:
        councils = _counts(table.frame[table.column_name(positions[council])])
        if len(councils) > 1:
            return table, [
                Issue(
                    table.source,
                    1,
                    council,
                    "pooled-councils",
                    f"this {dataset.title} file pools {len(councils)} councils "
                    f"({_listed(councils)}): a store holds one council's activity, so split "
                    f"the file by {council} and import each council's rows into its own store",
                )
            ]
    if RETURN_COLUMN not in positions or dataset.name not in IDENTITY:
        return table, []
    year_column = table.column_name(positions[RETURN_COLUMN])
    returns = _counts(table.frame[year_column])
    if len(returns) < 2:
        return table, []
    keys = [table.column_name(positions[c]) for c in IDENTITY[dataset.name] if c in positions]
    ranked = table.frame.with_columns(
        pl.col(year_column).map_elements(_year, return_dtype=pl.Int64).alias("__return")
    )
    latest = ranked.with_columns(pl.col("__return").max().over(keys).alias("__latest"))
    kept = latest.filter(pl.col("__return") == pl.col("__latest")).drop("__return", "__latest")
    dropped = table.frame.height - kept.height
    newest = max(returns, key=lambda r: _year(r[0]))[0]
    warning = Issue(
        table.source,
        None,
        RETURN_COLUMN,
        "pooled-returns",
        f"this {dataset.title} file holds {len(returns)} returns ({_listed(returns)}): the "
        f"latest return wins, so {dropped:,} row(s) that a later return repeats were set aside "
        f"and {kept.height:,} read (the newest return is {newest})",
        Severity.WARNING,
    )
    return replace(table, frame=kept), [warning]
