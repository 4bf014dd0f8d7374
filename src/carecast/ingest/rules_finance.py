"""Consistency rules for the finance feeds (formats.md §1)."""

from __future__ import annotations

import polars as pl

from carecast.errors import Severity
from carecast.ingest.rules import Flag, RuleContext, repeated, row_rule

# A weekly price above this is almost certainly a slip (an annual figure, an extra nought).
ABSURD_WEEKLY_PENCE = 5_000_000  # £50,000 a week


def _end_before_start(frame: pl.DataFrame, _context: RuleContext) -> Flag:
    if "START_DATE" not in frame.columns:
        return Flag(pl.lit(value=False), pl.lit(""))
    return Flag(
        pl.col("END_DATE") < pl.col("START_DATE"),
        pl.format(
            "END_DATE {} is before START_DATE {}",
            pl.col("END_DATE").dt.to_string("%Y-%m-%d"),
            pl.col("START_DATE").dt.to_string("%Y-%m-%d"),
        ),
    )


for _dataset in ("placement_costs", "allowances", "establishment"):
    row_rule(
        "end-before-start",
        _dataset,
        "END_DATE",
        "End date before start date",
        "correct one of the two dates",
    )(_end_before_start)


@row_rule(
    "weekly-cost-range",
    "placement_costs",
    "WEEKLY_COST",
    "Negative or absurd weekly cost",
    "check it is a weekly figure in pounds (not annual, not negative)",
)
def _weekly_cost_range(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    cost = pl.col("WEEKLY_COST")
    return Flag(
        (cost < 0) | (cost > ABSURD_WEEKLY_PENCE),
        pl.format("£{} a week is outside £0–£50,000", (cost / 100).round(2)),
    )


@row_rule(
    "negative-allowance",
    "allowances",
    "WEEKLY_AMOUNT",
    "Negative allowance",
    "record a repayment in the ledger, not as a negative allowance",
)
def _negative_allowance(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    amount = pl.col("WEEKLY_AMOUNT")
    return Flag(amount < 0, pl.format("£{} a week is negative", (amount / 100).round(2)))


@row_rule(
    "duplicate-post",
    "establishment",
    "POST_ID",
    "Duplicate POST_ID",
    "each post appears once; give the second post its own POST_ID",
)
def _duplicate_post(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    return repeated(["POST_ID"], pl.format("POST_ID {} appears more than once", pl.col("POST_ID")))


@row_rule(
    "duplicate-action",
    "actions",
    "ACTION_ID",
    "Duplicate ACTION_ID",
    "each action, saving or risk appears once",
)
def _duplicate_action(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    return repeated(
        ["ACTION_ID"], pl.format("ACTION_ID {} appears more than once", pl.col("ACTION_ID"))
    )


@row_rule(
    "duplicate-budget-line",
    "budget",
    "SERVICE_LINE",
    "Budget line given twice",
    "give each service line one budget per financial year",
)
def _duplicate_budget(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    return repeated(
        ["FINANCIAL_YEAR", "SERVICE_LINE"],
        pl.format("{} already has a {} budget", pl.col("SERVICE_LINE"), pl.col("FINANCIAL_YEAR")),
    )


@row_rule(
    "cost-centre-conflict",
    "cost_centres",
    "COST_CENTRE",
    "Cost centre mapped twice",
    "map each cost centre to one service line",
)
def _cost_centre_conflict(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    return repeated(
        ["COST_CENTRE"],
        pl.format("cost centre {} is mapped more than once", pl.col("COST_CENTRE")),
    )


@row_rule(
    "period-after-as-of",
    "gl_actuals",
    "PERIOD",
    "Ledger period after the as-of date",
    "import the file with the --as-of date it was extracted on, or remove future periods",
)
def _period_after_as_of(_frame: pl.DataFrame, context: RuleContext) -> Flag:
    if context.as_of is None:
        return Flag(pl.lit(value=False), pl.lit(""))
    latest = f"{context.as_of:%Y-%m}"
    return Flag(
        pl.col("PERIOD") > latest,
        pl.format(
            "period {} is after the as-of date {}", pl.col("PERIOD"), pl.lit(str(context.as_of))
        ),
    )


@row_rule(
    "bad-confidence",
    "actions",
    "CONFIDENCE",
    "Confidence not recognised",
    "write high, medium, low or a percentage such as 60%",
    tier="structure",
)
def _confidence(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    text = pl.col("CONFIDENCE").str.to_lowercase()
    number = text.str.strip_suffix("%").cast(pl.Float64, strict=False)
    ok = text.is_in(["high", "medium", "low"]) | number.is_between(0, 100)
    return Flag(~ok, pl.format("'{}' is not a confidence", pl.col("CONFIDENCE")))


@row_rule(
    "zero-fte",
    "establishment",
    "FTE",
    "Post with no FTE",
    "a post's FTE is above 0 and at most 1.5",
    severity=Severity.WARNING,
)
def _fte_range(_frame: pl.DataFrame, _context: RuleContext) -> Flag:
    return Flag(
        ~pl.col("FTE").is_between(0.0001, 1.5),
        pl.format("FTE {} looks wrong", pl.col("FTE")),
    )
