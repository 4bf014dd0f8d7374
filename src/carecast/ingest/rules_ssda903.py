"""SSDA903 rules within one table: codes valid for the collection year, and episode consistency.

Where DfE's own validation rules (903_20xx_rule_info.csv, csc-validator-be-903) make the same check,
the rule carries DfE's code and meaning; docs/validation-rules.md lists the correspondence.
Every check is a handful of polars expressions over the whole table (sorts, shifts, joins).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

import polars as pl

from carecast.errors import Severity
from carecast.ingest.columns import ROW
from carecast.ingest.rules import Flag, RuleContext, Screen, failing, per_frame, row_rule, rule
from carecast.ingest.ssda903_years import (
    YEARS,
    code_frame,
    code_table,
    codes_in,
    year_index,
    year_index_expr,
)

EPISODES = "ssda903_episodes"

# DfE's rule for "this column's code is not valid" where it has one.
DFE_CODE_RULES = {
    ("ssda903_header", "SEX"): "101",
    ("ssda903_header", "ETHNIC"): "103",
    (EPISODES, "RNE"): "143",
    (EPISODES, "LS"): "144",
    (EPISODES, "CIN"): "145",
    (EPISODES, "PLACE"): "146",
    (EPISODES, "REC"): "149",
    (EPISODES, "PLACE_PROVIDER"): "178",
    (EPISODES, "REASON_PLACE_CHANGE"): "1009",
    ("ssda903_ad1", "FOSTER_CARE"): "114",
    ("ssda903_ad1", "SEX_ADOPTR"): "176",
    ("ssda903_ad1", "LS_ADOPTR"): "177",
    ("ssda903_placed_for_adoption", "REASON_PLACED_CEASED"): "120",
    ("ssda903_oc3", "IN_TOUCH"): "131",
    ("ssda903_oc3", "ACTIV"): "132",
    ("ssda903_oc3", "ACCOM"): "133",
    ("ssda903_oc2", "SDQ_REASON"): "196",
    ("ssda903_reviews", "REVIEW_CODE"): "167",
    ("ssda903_missing", "MISSING"): "1006",
    ("ssda903_prev_perm", "PREV_PERM"): "631",
    ("ssda903_sw_episodes", "SW_REASON"): "SW13STG1",
}
# Codes of the tables carecast stores and forecasts from block the import when they are not valid in
# the collection year (DfE would reject the return, and a wrong code misplaces a child's cost or
# history). Codes of the DfE tables carecast does not use yet (OC2, OC3, reviews …) are warnings
# naming the year, so that finance is not stopped by a return's outcome tables.
BLOCKING = {
    (EPISODES, "PLACE"),
    (EPISODES, "PLACE_PROVIDER"),
    (EPISODES, "RNE"),
    (EPISODES, "LS"),
    (EPISODES, "CIN"),
    (EPISODES, "REC"),
    (EPISODES, "REASON_PLACE_CHANGE"),
    ("ssda903_header", "SEX"),
    ("ssda903_header", "ETHNIC"),
}
# DfE also rejects an empty ETHNIC (rule 103), though the column may be left out.
BLANK_INVALID = {("ssda903_header", "ETHNIC")}


def _valid_list(dataset: str, column: str, index: int | None) -> str:
    table = code_table()[(dataset, column)]
    valid = sorted(c for c, e in table.items() if index is None or e.valid_in(index))
    return ", ".join(valid)


def _code_screen(dataset: str, column: str) -> Screen:
    """The rows whose code is not one of the collection year's (any year's when the as-of date is
    unknown): the only rows _code_check looks at closely."""

    def screen(_frame: pl.DataFrame, context: RuleContext) -> pl.Expr:
        return _not_this_years(
            dataset, column, None if context.as_of is None else year_index(context.as_of)
        )

    return screen


@lru_cache(maxsize=256)
def _not_this_years(dataset: str, column: str, current: int | None) -> pl.Expr:
    # Built once a year and column rather than for each of a council's hundreds of files.
    value = pl.col(column)
    suspect = ~value.is_in(sorted(codes_in(dataset, column, current)))
    if (dataset, column) not in BLANK_INVALID:
        suspect = suspect & value.is_not_null()
    return suspect.fill_null(value=True)


def _code_check(dataset: str, column: str) -> Callable[[pl.DataFrame, RuleContext], pl.DataFrame]:
    """Flag codes not valid in the collection year (any year when the as-of date is unknown).

    An episode that ended before the collection year began may keep a code valid in the year it
    ended: a full history is not recoded when DfE withdraws a code (DfE's return holds only the
    year's episodes, so its validator never meets one).
    """

    def check(frame: pl.DataFrame, context: RuleContext) -> pl.DataFrame:
        current = None if context.as_of is None else year_index(context.as_of)
        value = pl.col(column)
        # Most rows hold a code of the year: only the others are looked at closely.
        rows = frame.filter(_code_screen(dataset, column)(frame, context)).select(
            ROW, value.alias("__code"), *_ended_year(frame, current)
        )
        joined = rows.join(code_frame(dataset, column), on="__code", how="left")
        known = pl.col("__first").is_not_null()
        if current is None:
            valid = known
        else:
            in_year = pl.lit(current).is_between(pl.col("__first"), pl.col("__last"))
            then = pl.col("__ended").is_between(pl.col("__first"), pl.col("__last"))
            valid = known & (in_year | then.fill_null(value=False))
        blank = pl.col("__code").is_null()
        flagged = ~valid & ~blank
        if (dataset, column) in BLANK_INVALID:
            flagged = flagged | blank
        year = "any collection year" if current is None else YEARS[current]
        listed = _valid_list(dataset, column, current)
        message = (
            pl.when(blank)
            .then(pl.lit(f"{column} is empty; valid codes in {year}: {listed}"))
            .when(~known)
            .then(
                pl.format(
                    f"'{{}}' is not a code of {column} in any collection year; "
                    f"valid codes in {year}: {listed}",
                    pl.col("__code"),
                )
            )
            .otherwise(
                pl.format(
                    f"'{{}}' is not a valid {column} in {year} ({{}}); "
                    f"valid codes in {year}: {listed}",
                    pl.col("__code"),
                    pl.col("__years"),
                )
            )
        )
        return failing(joined.sort(ROW), flagged, message)

    return check


def _ended_year(frame: pl.DataFrame, current: int | None) -> list[pl.Expr]:
    """For episodes, the year index of a DEC before the collection year; else null."""
    if current is None or "DEC" not in frame.columns:
        return [pl.lit(None, pl.Int32).alias("__ended")]
    ended = year_index_expr(pl.col("DEC"))
    return [pl.when(ended < current).then(ended).alias("__ended")]


def _register_code_rules() -> None:
    for dataset, column in sorted(code_table()):
        key = (dataset, column)
        rule(
            f"invalid-{column.lower().replace('_', '-')}",
            dataset,
            column,
            f"{column} code not valid in the collection year",
            "use a code of the collection year (DfE's SSDA903 guide for that year)",
            tier="structure",
            severity=Severity.ERROR if key in BLOCKING else Severity.WARNING,
            dfe_code=DFE_CODE_RULES.get(key),
            screen=_code_screen(dataset, column),
        )(_code_check(dataset, column))


_register_code_rules()


def _iso(name: str) -> pl.Expr:
    return pl.col(name).dt.to_string("%Y-%m-%d")


@row_rule(
    "dec-before-decom",
    EPISODES,
    "DEC",
    "Episode ends before it starts",
    "correct DEC or DECOM",
    dfe_code="356",
)
def _dec_before_decom(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    return Flag(
        pl.col("DEC") < pl.col("DECOM"),
        pl.format("DEC {} is before DECOM {}", _iso("DEC"), _iso("DECOM")),
    )


@per_frame
def _by_child(frame: pl.DataFrame) -> pl.DataFrame:
    """Episodes grouped by child, in order of start (file order for equal starts), with the
    previous episode's start and end (same child only) and whether each is the child's latest."""
    # Only the columns the episode rules read are sorted: moving every column costs twice as much.
    wanted = [c for c in (ROW, "CHILD", "DECOM", "DEC", "REC") if c in frame.columns]
    episodes = frame.select(wanted).filter(pl.col("CHILD").is_not_null())
    # A return listed by child sorts almost for free; any other order is grouped by a hash of
    # CHILD first (the identifier breaks a tie): sorting numbers is twice as fast as sorting a
    # million identifiers, and the rules need each child's episodes together, not in name order.
    by_name = episodes.get_column("CHILD").is_sorted()
    keys = [] if by_name else [pl.col("CHILD").hash()]
    ordered = episodes.sort(*keys, "CHILD", "DECOM", ROW, nulls_last=False)
    # Sorted by child, neighbours are compared directly: cheaper than a window per child.
    same = pl.col("CHILD") == pl.col("CHILD").shift(1)
    return ordered.with_columns(
        pl.when(same).then(pl.col("DEC").shift(1)).alias("__previous_dec"),
        pl.when(same).then(pl.col("DECOM").shift(1)).alias("__previous_decom"),
        (pl.col("CHILD") != pl.col("CHILD").shift(-1)).fill_null(value=True).alias("__latest"),
    )


@rule(
    "overlapping-episodes",
    EPISODES,
    "DECOM",
    "Episode starts before the child's previous episode ended",
    "an episode starts on or after the previous one's DEC; correct the dates",
    dfe_code="501",
)
def _overlapping(frame: pl.DataFrame, _context: RuleContext) -> pl.DataFrame:
    ordered = _by_child(frame)
    found = failing(
        ordered,
        pl.col("DECOM") < pl.col("__previous_dec"),
        pl.format(
            "this episode starts {} but the child's previous episode (from {}) ends {}",
            _iso("DECOM"),
            _iso("__previous_decom"),
            _iso("__previous_dec"),
        ),
    )
    return found.sort(ROW)


@rule(
    "earlier-episode-open",
    EPISODES,
    "DEC",
    "An episode that is not the child's latest has no DEC or REC",
    "give the earlier episode its DEC and REC (only a child's latest episode may be open)",
    dfe_code="142",
    reads=("REC",),
)
def _earlier_open(frame: pl.DataFrame, _context: RuleContext) -> pl.DataFrame:
    ordered = _by_child(frame).filter(pl.col("DECOM").is_not_null())
    unfinished = pl.col("DEC").is_null() | pl.col("REC").is_null()
    message = (
        pl.when(pl.col("DEC").is_null())
        .then(pl.lit("this episode is still open but the child has a later episode"))
        .otherwise(pl.lit("this episode has no REC but the child has a later episode"))
    )
    return failing(ordered, ~pl.col("__latest") & unfinished, message).sort(ROW)


@row_rule(
    "dec-rec-mismatch",
    EPISODES,
    "REC",
    "DEC and REC not both given or both empty",
    "an ended episode has DEC and REC; an open one has neither",
    severity=Severity.WARNING,
    dfe_code="148",
    reads=("DEC",),
)
def _dec_rec(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    dec, rec = pl.col("DEC").is_null(), pl.col("REC").is_null()
    message = (
        pl.when(dec)
        .then(pl.format("REC is {} but the episode has no DEC", pl.col("REC")))
        .otherwise(pl.format("the episode ended {} but has no REC", _iso("DEC")))
    )
    return Flag(dec != rec, message)


def _year_end(context: RuleContext) -> date | None:
    if context.as_of is None:
        return None
    start = context.as_of.year if context.as_of.month >= 4 else context.as_of.year - 1
    return date(start + 1, 3, 31)


def _after_year_end(column: str) -> Callable[[pl.DataFrame, RuleContext], Flag]:
    def check(_frame: pl.DataFrame, context: RuleContext) -> Flag:
        end = _year_end(context)
        if end is None:
            return Flag(pl.lit(value=False), pl.lit(""))
        return Flag(
            pl.col(column) > end,
            pl.format(
                f"{column} {{}} is after {end:%d %B %Y}, the end of the collection year",
                _iso(column),
            ),
        )

    return check


row_rule(
    "decom-after-year-end",
    EPISODES,
    "DECOM",
    "Episode starts after the collection year",
    "import it with a later --as-of date, or correct DECOM",
    dfe_code="354",
)(_after_year_end("DECOM"))
row_rule(
    "dec-after-year-end",
    EPISODES,
    "DEC",
    "Episode ends after the collection year",
    "import it with a later --as-of date, or correct DEC",
    dfe_code="385",
)(_after_year_end("DEC"))
