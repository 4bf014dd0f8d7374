"""SSDA903 rules linking fields and tables: placement and provider, one header row per child, and
checks across the tables of one import (a child's age at an episode needs the header's DOB).

The episode-without-header check is rules_cross_file.py's (it also looks at earlier imports); the
other DfE tables' "child not in header" checks are here.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carecast.errors import Severity
from carecast.ingest.columns import ROW
from carecast.ingest.rules import FILE, Flag, RuleContext, import_rule, per_frame, row_rule
from carecast.ingest.ssda903_years import codes_in, year_index

EPISODES = "ssda903_episodes"
HEADER = "ssda903_header"
# Temporary placements and "other placement" carry no provider (DfE rules 213 and 526); "other"
# is Z1 until 2024-25 and Z11–Z14 from 2025-26.
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
OTHER = ("Z1", "Z11", "Z12", "Z13", "Z14")


def _no_provider(frame: pl.DataFrame, context: RuleContext) -> pl.Expr:
    """Whether an episode's placement takes no provider: temporary, or the year's "other" code
    (an episode that ended in an earlier year keeps that year's, as in rules_ssda903)."""
    place = pl.col("PLACE")
    if context.as_of is None:
        return place.is_in([*TEMPORARY, *OTHER])
    current = sorted(set(OTHER) & codes_in(EPISODES, "PLACE", year_index(context.as_of)))
    takes_none = place.is_in([*TEMPORARY, *current])
    if "DEC" in frame.columns:
        start = date(context.as_of.year - (context.as_of.month < 4), 4, 1)
        earlier = place.is_in(OTHER) & (pl.col("DEC") < start).fill_null(value=False)
        takes_none = takes_none | earlier
    return takes_none


# Placements a provider cannot offer (DfE rules 527–531; 550: PR0, the parents, only with P1).
NOT_OFFERED = {
    "PR1": ("P1", "R2", "R5"),
    "PR2": ("P1", "R2", "R5"),
    "PR3": ("P1", "A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"),
    "PR4": ("P1",),
    "PR5": ("P1",),
}


@row_rule(
    "provider-not-needed",
    EPISODES,
    "PLACE_PROVIDER",
    "Provider given for a temporary or other placement",
    "leave PLACE_PROVIDER empty for T0–T4 and Z1 (from 2025-26 Z11–Z14) placements",
    severity=Severity.WARNING,
    dfe_code="213",
)
def _provider_not_needed(frame: pl.DataFrame, context: RuleContext) -> Flag:
    return Flag(
        _no_provider(frame, context) & pl.col("PLACE_PROVIDER").is_not_null(),
        pl.format(
            "a {} placement takes no provider, but {} is given",
            pl.col("PLACE"),
            pl.col("PLACE_PROVIDER"),
        ),
    )


@row_rule(
    "provider-missing",
    EPISODES,
    "PLACE_PROVIDER",
    "Placement without a provider",
    "give PLACE_PROVIDER (PR0–PR5): it decides in-house or agency fostering",
    dfe_code="526",
)
def _provider_missing(frame: pl.DataFrame, context: RuleContext) -> Flag:
    return Flag(
        pl.col("PLACE").is_not_null()
        & ~_no_provider(frame, context)
        & pl.col("PLACE_PROVIDER").is_null(),
        pl.format("a {} placement needs a PLACE_PROVIDER", pl.col("PLACE")),
    )


@row_rule(
    "provider-place-mismatch",
    EPISODES,
    "PLACE_PROVIDER",
    "Provider cannot offer this placement",
    "correct PLACE or PLACE_PROVIDER (PR0 means placed with parents, P1)",
    # Only U4–U6 need the provider to find their cost line, and any code answers that: DfE rejects
    # the pair, carecast keeps the episode and reports it.
    severity=Severity.WARNING,
    dfe_code="527, 528, 529, 530, 531, 550",
)
def _provider_place(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    place, provider = pl.col("PLACE"), pl.col("PLACE_PROVIDER")
    wrong = (provider == "PR0") & (place != "P1")
    for code, places in NOT_OFFERED.items():
        wrong = wrong | ((provider == code) & place.is_in(places))
    return Flag(wrong, pl.format("provider {} cannot offer a {} placement", provider, place))


@row_rule(
    "duplicate-child",
    HEADER,
    "CHILD",
    "Child on more than one header row",
    "keep one header row per child",
    dfe_code="INT32",
)
def _duplicate_child(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    child = pl.col("CHILD")
    # DfE flags every row of a repeated child, the first included: any one of them may be wrong.
    return Flag(
        child.is_not_null() & child.is_duplicated(),
        pl.format("this child has {} header rows", pl.len().over("CHILD")),
    )


@per_frame
def _with_dob(episodes: pl.DataFrame, header: pl.DataFrame) -> pl.DataFrame:
    """Episodes with the child's 18th birthday (the earliest, if the header disagrees)."""
    births = (
        header.lazy()
        .select("CHILD", "DOB")
        .drop_nulls()
        .group_by("CHILD")
        .agg(pl.col("DOB").min())
        .with_columns(pl.col("DOB").dt.offset_by("18y").alias("__eighteen"))
    )
    # Only what the age rules read is joined: a million episodes carry a dozen other columns.
    wanted = [c for c in (FILE, ROW, "CHILD", "DECOM", "RNE") if c in episodes.columns]
    # One query on the in-memory engine, not an eager step (and a query) each: the default
    # engine, streaming, costs more to start than a monthly return's rows take. The rows come in
    # no particular order, as the eager join's did: run_import_rules puts problems in row order.
    joined = episodes.lazy().select(wanted).join(births, on="CHILD", how="inner")
    return joined.collect(engine="in-memory")


def _age_message() -> pl.Expr:
    return pl.format(
        "the episode starts {}, on or after the child's 18th birthday ({})",
        pl.col("DECOM").dt.to_string("%Y-%m-%d"),
        pl.col("__eighteen").dt.to_string("%Y-%m-%d"),
    )


@import_rule(
    "started-care-aged-18",
    EPISODES,
    "DECOM",
    "Child started to be looked after aged 18 or over",
    "check DECOM and the header's DOB: a child is looked after only before 18",
    needs=(HEADER,),
    dfe_code="352",
)
def _started_at_18(tables: dict[str, pl.DataFrame], _context: RuleContext) -> pl.DataFrame:
    joined = _with_dob(tables[EPISODES], tables[HEADER])
    condition = (pl.col("RNE") == "S") & (pl.col("DECOM") >= pl.col("__eighteen"))
    return _located(joined, condition, _age_message())


@import_rule(
    "episode-after-18",
    EPISODES,
    "DECOM",
    "Episode starts on or after the child's 18th birthday",
    "end the child's care at 18 (REC E8 or the right reason); check DECOM and the header's DOB",
    needs=(HEADER,),
)
def _episode_after_18(tables: dict[str, pl.DataFrame], _context: RuleContext) -> pl.DataFrame:
    joined = _with_dob(tables[EPISODES], tables[HEADER])
    condition = (pl.col("RNE") != "S") & (pl.col("DECOM") >= pl.col("__eighteen"))
    return _located(joined, condition, _age_message())


def _located(frame: pl.DataFrame, condition: pl.Expr, message: pl.Expr) -> pl.DataFrame:
    return (
        frame.filter(condition.fill_null(value=False))
        .rechunk()  # see rules.failing
        .select(pl.col(FILE), pl.col(ROW), message.alias("message"))
    )


# DfE's internal checks: a child in another table must be in the header, with the same DOB.
LINKED = {
    "ssda903_ad1": ("INT01", "INT11"),
    "ssda903_placed_for_adoption": ("INT02", "INT12"),
    "ssda903_missing": ("INT04", "INT13"),
    "ssda903_oc2": ("INT05", "INT14"),
    "ssda903_oc3": ("INT06", "INT15"),
    "ssda903_prev_perm": ("INT07", "INT16"),
    "ssda903_reviews": ("INT08", "INT17"),
    "ssda903_uasc": ("INT09", "INT18"),
}


def _register_linked(dataset: str, missing_code: str, dob_code: str) -> None:
    def not_in_header(tables: dict[str, pl.DataFrame], _context: RuleContext) -> pl.DataFrame:
        rows = tables[dataset].filter(pl.col("CHILD").is_not_null())
        absent = rows.join(tables[HEADER].select("CHILD").unique(), on="CHILD", how="anti")
        return _located(absent, pl.lit(value=True), pl.lit("the child is not in the header"))

    def dob_differs(tables: dict[str, pl.DataFrame], _context: RuleContext) -> pl.DataFrame:
        header = tables[HEADER].select("CHILD", pl.col("DOB").alias("__header_dob")).drop_nulls()
        joined = tables[dataset].join(header.unique(), on="CHILD", how="inner")
        differs = joined.filter(pl.col("DOB") != pl.col("__header_dob"))
        first = differs.group_by(FILE, ROW, maintain_order=True).first()
        return _located(
            first.sort(FILE, ROW),
            pl.lit(value=True),
            pl.format(
                "DOB {} differs from the header's {}",
                pl.col("DOB").dt.to_string("%Y-%m-%d"),
                pl.col("__header_dob").dt.to_string("%Y-%m-%d"),
            ),
        )

    import_rule(
        "child-not-in-header",
        dataset,
        "CHILD",
        "Child missing from the header",
        "add the child to the SSDA903 header",
        needs=(HEADER,),
        dfe_code=missing_code,
    )(not_in_header)
    import_rule(
        "dob-differs-from-header",
        dataset,
        "DOB",
        "DOB differs from the header's",
        "correct the DOB here or in the header",
        needs=(HEADER,),
        dfe_code=dob_code,
    )(dob_differs)


for _dataset, (_missing, _dob) in LINKED.items():
    _register_linked(_dataset, _missing, _dob)


@import_rule(
    "sex-differs-from-header",
    "ssda903_uasc",
    "SEX",
    "SEX differs from the header's",
    "correct SEX here or in the header",
    needs=(HEADER,),
    dfe_code="INT21",
)
def _sex_differs(tables: dict[str, pl.DataFrame], _context: RuleContext) -> pl.DataFrame:
    header = tables[HEADER].select("CHILD", pl.col("SEX").alias("__header_sex")).drop_nulls()
    joined = tables["ssda903_uasc"].join(header.unique(), on="CHILD", how="inner")
    differs = joined.filter(pl.col("SEX") != pl.col("__header_sex"))
    first = differs.group_by(FILE, ROW, maintain_order=True).first().sort(FILE, ROW)
    return _located(
        first,
        pl.lit(value=True),
        pl.format("SEX {} differs from the header's {}", pl.col("SEX"), pl.col("__header_sex")),
    )
