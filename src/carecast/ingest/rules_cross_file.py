"""Rules across the files of one import and what the store already knew on the as-of date.

Each rule compares this import's rows with the council's other data as it will stand once the
import is stored: SSDA903 episodes against the header, placement commitments against live
placements (the case study's over- and under-commitments), the ledger against the cost-centre map.
Issues are located at this import's rows; a rule whose counterpart data has never been imported is
skipped rather than flagging every row. Everything is a polars join, never a loop over rows.

Frames use canonical column names (formats.md); this import's rows also carry `__file` (which
file) and `__row` (where in it), the store's (`Known`) carry neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import TypeVar

import polars as pl

from carecast.domain.codes import (
    FOSTER_PLACES,
    KNOWN_PLACES,
    PUBLIC_PROVIDERS,
    ServiceLine,
    placement_category,
)
from carecast.errors import Issue, Severity
from carecast.ingest.columns import ROW


@dataclass(frozen=True)
class CrossFileRule:
    code: str
    title: str
    fix: str
    severity: Severity = Severity.WARNING
    tier: str = "across files"


# An error when this import brings a header that lacks the child (the return is incomplete); a
# warning when episodes come alone and their header may follow (the forecast lacks the birthday).
EPISODE_WITHOUT_HEADER = CrossFileRule(
    "episode-without-header",
    "Episode for a child missing from the header",
    "add the child to the SSDA903 header file",
    Severity.ERROR,
)
COMMITMENT_WITHOUT_PLACEMENT = CrossFileRule(
    "commitment-without-placement",
    "Commitment for a child with no live placement (over-commitment)",
    "end the commitment in the finance system if the placement has ended",
)
PLACEMENT_WITHOUT_COMMITMENT = CrossFileRule(
    "placement-without-commitment",
    "Live costed placement with no commitment (under-reporting)",
    "record the placement's cost in the finance system",
)
COST_CENTRE_UNMAPPED = CrossFileRule(
    "cost-centre-unmapped",
    "Ledger cost centre with no service line",
    "add the cost centre to cost_centres.csv; until then the forecast reports it as unmapped",
)
COST_CENTRE_MISMATCH = CrossFileRule(
    "commitment-cost-centre-mismatch",
    "Commitment posts to a cost centre of another service line",
    "check the commitment's PLACEMENT_TYPE or its COST_CENTRE",
)
CROSS_FILE_RULES = (
    EPISODE_WITHOUT_HEADER,
    COMMITMENT_WITHOUT_PLACEMENT,
    PLACEMENT_WITHOUT_COMMITMENT,
    COST_CENTRE_UNMAPPED,
    COST_CENTRE_MISMATCH,
)

FILE = "__file"  # position of a row's file in this import; null for the store's rows
TYPES: dict[str, type[pl.DataType]] = {
    **dict.fromkeys(("CHILD", "PLACE", "PLACE_PROVIDER", "PLACEMENT_TYPE"), pl.String),
    **dict.fromkeys(("COST_CENTRE", "SERVICE_LINE"), pl.String),
    **dict.fromkeys(("DECOM", "DEC", "START_DATE", "END_DATE"), pl.Date),
    "AMOUNT": pl.Int64,
}
CHILDREN = ("CHILD",)
EPISODES = ("CHILD", "DECOM", "PLACE", "PLACE_PROVIDER", "DEC")
COMMITMENTS = ("CHILD", "PLACEMENT_TYPE", "START_DATE", "END_DATE", "COST_CENTRE")
COST_CENTRES = ("COST_CENTRE", "SERVICE_LINE")


def empty(columns: Sequence[str]) -> pl.DataFrame:
    return _empty(tuple(columns))


@lru_cache(maxsize=64)
def _empty(columns: tuple[str, ...]) -> pl.DataFrame:
    # Built once for each set of columns: building a frame costs a fifth of a millisecond, and
    # an import asks for a dozen. Every frame operation returns a new frame, so one is shared.
    return pl.DataFrame(schema={c: TYPES[c] for c in columns})


@dataclass(frozen=True)
class Known:
    """What the store knew on the as-of date (before this import), as frames of those columns."""

    children: pl.DataFrame
    episodes: pl.DataFrame  # the latest version of each episode open on the as-of date
    commitments: pl.DataFrame
    cost_centres: pl.DataFrame
    imported: frozenset[str] = frozenset()  # datasets of which the store held any batch then

    @classmethod
    def nothing(cls) -> Known:
        """An empty store: the checks within this import only."""
        return cls(empty(CHILDREN), empty(EPISODES), empty(COMMITMENTS), empty(COST_CENTRES))


@dataclass(frozen=True)
class ImportedFile:
    """One file of this import: its dataset, typed frame (with `__row`) and column spellings."""

    source: str
    dataset: str
    frame: pl.DataFrame
    spelled: dict[str, str]


def _rows(files: Sequence[ImportedFile], dataset: str, columns: Sequence[str]) -> pl.DataFrame:
    """This import's rows of one dataset, typed as the store's, with `__file` and `__row`.

    Rows whose key column failed validation are already reported and left out here.
    """
    # Lazily, so that the parts, their joining and the filter are one query.
    parts = [
        f.frame.lazy().select(
            *(
                (pl.col(c) if c in f.frame.columns else pl.lit(None)).cast(TYPES[c])
                for c in columns
            ),
            pl.col(ROW).cast(pl.Int64),
            pl.lit(index, pl.Int32).alias(FILE),
        )
        for index, f in enumerate(files)
        if f.dataset == dataset and f.frame.height
    ]
    if not parts:
        return empty(columns).with_columns(pl.lit(None, pl.Int64).alias(ROW), _no_file())
    return _collect(pl.concat(parts).filter(pl.col(columns[0]).is_not_null()))


def _collect(query: pl.LazyFrame) -> pl.DataFrame:
    """A rule's query run on the in-memory engine, the one eager steps run on: polars' default,
    streaming, costs more to start than an import's few thousand rows take. Each rule is one or
    a few such queries rather than an eager step (and a query) a join or filter. Their anti
    joins keep the left side's order, as the eager ones did: lazily, unasked, they may not (and
    the problems are reported in row order)."""
    return query.collect(engine="in-memory")


def _no_file() -> pl.Expr:
    return pl.lit(None, pl.Int32).alias(FILE)


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def _stored(frame: Frame) -> Frame:
    """Store rows in the shape of this import's: no file, no row."""
    return frame.with_columns(pl.lit(None, pl.Int64).alias(ROW), _no_file())


def _category() -> pl.Expr:
    """The service line of an episode's placement (DOMAIN.md mapping); null when uncosted."""
    fixed = {
        place: (line.value if (line := placement_category(place, "")) else None)
        for place in sorted(KNOWN_PLACES - FOSTER_PLACES)
    }
    foster = (
        pl.when(pl.col("PLACE_PROVIDER").is_in(sorted(PUBLIC_PROVIDERS)))
        .then(pl.lit(ServiceLine.PLACEMENTS_IN_HOUSE.value))
        .otherwise(pl.lit(ServiceLine.PLACEMENTS_IFA.value))
    )
    return (
        pl.when(pl.col("PLACE").is_in(sorted(FOSTER_PLACES)))
        .then(foster)
        .otherwise(pl.col("PLACE").replace_strict(fixed, default=None, return_dtype=pl.String))
    )


def _issues(
    rule: CrossFileRule,
    found: pl.LazyFrame,
    message: pl.Expr,
    files: Sequence[ImportedFile],
    column: str,
) -> list[Issue]:
    """An issue for each row of `found` (located by `__file` and `__row`, null for no row)."""
    located = _collect(found.select(FILE, ROW, message.alias("message")))
    return [
        Issue(
            files[index].source,
            row,
            files[index].spelled.get(column, column),
            rule.code,
            f"{text}; {rule.fix}",
            rule.severity,
        )
        for index, row, text in located.iter_rows()
    ]


def _episodes_without_header(
    files: Sequence[ImportedFile], known: Known, episodes: pl.DataFrame
) -> list[Issue]:
    headers = _rows(files, "ssda903_header", CHILDREN)
    children = pl.concat([known.children.lazy(), headers.lazy().select(CHILDREN)]).unique()
    found = episodes.lazy().join(children, on="CHILD", how="anti", maintain_order="left")
    message = pl.format(
        "child {} has an episode but no header row in this or any earlier import", pl.col("CHILD")
    )
    rule = EPISODE_WITHOUT_HEADER
    if headers.is_empty():
        rule = replace(rule, severity=Severity.WARNING)
    return _issues(rule, found, message, files, "CHILD")


def _open_on(start: str, end: str, day: date, *, end_inclusive: bool) -> pl.Expr:
    ended = pl.col(end) >= day if end_inclusive else pl.col(end) > day
    return (pl.col(start) <= day) & (pl.col(end).is_null() | ended)


def _commitment_checks(
    files: Sequence[ImportedFile], known: Known, episodes: pl.DataFrame, as_of: date
) -> list[Issue]:
    """Over-commitments (rows of this import's placement_costs) and under-reporting."""
    # Commitments are a snapshot: this import's placement_costs replace what the store held.
    new_extract = any(f.dataset == "placement_costs" for f in files)
    fresh = _rows(files, "placement_costs", COMMITMENTS)
    commitments = fresh if new_extract else _stored(known.commitments)
    has_episodes = not episodes.is_empty() or "ssda903_episodes" in known.imported
    if not has_episodes or not (new_extract or "placement_costs" in known.imported):
        return []  # nothing to compare with: one side has never been imported
    # Episodes are keyed by (CHILD, DECOM): this import's version of an episode wins.
    kept = known.episodes.lazy().join(
        episodes.lazy(), on=["CHILD", "DECOM"], how="anti", maintain_order="left"
    )
    all_episodes = pl.concat([_stored(kept), episodes.lazy()])
    live = all_episodes.filter(_open_on("DECOM", "DEC", as_of, end_inclusive=False))
    # Each read by two of the rules below: made once.
    costed = _collect(live.with_columns(_category().alias("category")).drop_nulls("category"))
    open_commitments = _collect(
        commitments.lazy().filter(_open_on("START_DATE", "END_DATE", as_of, end_inclusive=True))
    )
    day = pl.lit(as_of.isoformat())
    issues: list[Issue] = []
    if new_extract:
        over = open_commitments.lazy().join(
            costed.lazy().select("CHILD"), on="CHILD", how="anti", maintain_order="left"
        )
        message = pl.format(
            "the commitment for child {} ({}) is open on {} but SSDA903 shows no live costed "
            "placement for the child then",
            pl.col("CHILD"),
            pl.col("PLACEMENT_TYPE"),
            day,
        )
        issues += _issues(COMMITMENT_WITHOUT_PLACEMENT, over, message, files, "CHILD")
    under = _collect(
        costed.lazy().join(
            open_commitments.lazy().select("CHILD"), on="CHILD", how="anti", maintain_order="left"
        )
    )
    message = pl.format(
        "child {} has been in a costed placement ({} {}, {}) since {} but has no commitment "
        "open on {}",
        pl.col("CHILD"),
        pl.col("PLACE"),
        pl.col("PLACE_PROVIDER").fill_null(""),
        pl.col("category"),
        pl.col("DECOM").dt.to_string("%Y-%m-%d"),
        day,
    )
    # Located at this import's episode row; else, when commitments came in, at that file.
    in_episodes = under.lazy().filter(pl.col(FILE).is_not_null())
    issues += _issues(PLACEMENT_WITHOUT_COMMITMENT, in_episodes, message, files, "PLACE")
    if new_extract:
        first = next(i for i, f in enumerate(files) if f.dataset == "placement_costs")
        stored = under.lazy().filter(pl.col(FILE).is_null()).with_columns(pl.lit(first).alias(FILE))
        issues += _issues(PLACEMENT_WITHOUT_COMMITMENT, stored, message, files, "CHILD")
    return issues


def _cost_centre_map(files: Sequence[ImportedFile], known: Known) -> pl.DataFrame:
    """Cost centre → service line as it will stand: this import's mapping of a code wins."""
    fresh = _rows(files, "cost_centres", COST_CENTRES).lazy().select(COST_CENTRES)
    fresh = fresh.unique(subset="COST_CENTRE", keep="last", maintain_order=True)
    kept = known.cost_centres.lazy().join(
        fresh, on="COST_CENTRE", how="anti", maintain_order="left"
    )
    return _collect(pl.concat([kept, fresh]))


def _ledger_unmapped(files: Sequence[ImportedFile], mapping: pl.DataFrame) -> list[Issue]:
    ledger = _rows(files, "gl_actuals", ("COST_CENTRE", "AMOUNT"))
    unmapped = ledger.lazy().join(
        mapping.lazy(), on="COST_CENTRE", how="anti", maintain_order="left"
    )
    # One issue per cost centre and file, at its first row: a ledger holds many postings each.
    found = unmapped.group_by(FILE, "COST_CENTRE", maintain_order=True).agg(
        pl.col(ROW).min(), pl.len().alias("rows"), pl.col("AMOUNT").sum().alias("pence")
    )
    message = pl.format(
        "cost centre {} has no service line ({} rows, £{} in all)",
        pl.col("COST_CENTRE"),
        pl.col("rows"),
        (pl.col("pence") / 100).round(2),
    )
    return _issues(COST_CENTRE_UNMAPPED, found, message, files, "COST_CENTRE")


def _cost_centre_mismatch(files: Sequence[ImportedFile], mapping: pl.DataFrame) -> list[Issue]:
    commitments = _rows(files, "placement_costs", ("COST_CENTRE", "PLACEMENT_TYPE"))
    joined = commitments.join(mapping, on="COST_CENTRE", how="inner")
    found = joined.lazy().filter(pl.col("SERVICE_LINE") != pl.col("PLACEMENT_TYPE"))
    message = pl.format(
        "the commitment is {} but cost centre {} belongs to {}",
        pl.col("PLACEMENT_TYPE"),
        pl.col("COST_CENTRE"),
        pl.col("SERVICE_LINE"),
    )
    return _issues(COST_CENTRE_MISMATCH, found, message, files, "COST_CENTRE")


def cross_file_issues(files: Sequence[ImportedFile], known: Known, as_of: date) -> list[Issue]:
    """Every cross-file issue of this import, rule by rule, each in file and row order."""
    episodes = _rows(files, "ssda903_episodes", EPISODES)
    mapping = _cost_centre_map(files, known)
    return [
        *_episodes_without_header(files, known, episodes),
        *_commitment_checks(files, known, episodes, as_of),
        *_ledger_unmapped(files, mapping),
        *_cost_centre_mismatch(files, mapping),
    ]
