"""The inputs carecast knows, recognised by their columns whatever the file is called."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carecast.ingest import finance, ssda903
from carecast.ingest.rows import RowReader


@dataclass(frozen=True)
class Dataset:
    """One kind of input file.

    `required`: columns that must be present (values may still be optional, e.g. DEC, END_DATE).
    `optional`: columns read when present. `build`: row → record, or None when the row is ignored.
    `stored`: False for SSDA903 tables carecast recognises but does not use yet.
    """

    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    build: Callable[[RowReader], Any] | None = None

    @property
    def stored(self) -> bool:
        return self.build is not None


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "ssda903_header",
        "SSDA903 header",
        ("CHILD", "SEX", "DOB", "ETHNIC"),
        ("UPN", "MOTHER", "MC_DOB"),
        ssda903.build_child,
    ),
    Dataset(
        "ssda903_episodes",
        "SSDA903 episodes",
        ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"),
        ("REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
        ssda903.build_episode,
    ),
    Dataset("ssda903_uasc", "SSDA903 UASC", ("CHILD", "SEX", "DOB", "DUC")),
    Dataset("ssda903_reviews", "SSDA903 reviews", ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")),
    Dataset("ssda903_missing", "SSDA903 missing", ("CHILD", "DOB", "MISSING", "MIS_START")),
    Dataset("ssda903_oc2", "SSDA903 OC2", ("CHILD", "DOB", "CONVICTED", "HEALTH_CHECK")),
    Dataset("ssda903_oc3", "SSDA903 OC3", ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM")),
    Dataset("ssda903_ad1", "SSDA903 AD1", ("CHILD", "DOB", "DATE_INT", "DATE_MATCH")),
    Dataset(
        "ssda903_placed_for_adoption",
        "SSDA903 placed for adoption",
        ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED"),
    ),
    Dataset("ssda903_prev_perm", "SSDA903 previous permanence", ("CHILD", "DOB", "PREV_PERM")),
    Dataset(
        "ssda903_sw_episodes", "SSDA903 social worker episodes", ("CHILD", "SW_ID", "SW_DECOM")
    ),
    Dataset("ssda903_dolo", "SSDA903 deprivation of liberty", ("CHILD", "DOLO_START")),
    Dataset(
        "placement_costs",
        "placement costs",
        (
            "CHILD",
            "PLACEMENT_TYPE",
            "PROVIDER",
            "START_DATE",
            "END_DATE",
            "WEEKLY_COST",
            "COST_CENTRE",
        ),
        ("CONTRIBUTION_PCT",),
        finance.build_commitment,
    ),
    Dataset(
        "gl_actuals",
        "general-ledger actuals",
        ("PERIOD", "COST_CENTRE", "ACCOUNT", "AMOUNT"),
        ("DESCRIPTION",),
        finance.build_ledger_entry,
    ),
    Dataset(
        "cost_centres",
        "cost centres",
        ("COST_CENTRE", "SERVICE_LINE"),
        ("S251_LINE",),
        finance.build_cost_centre,
    ),
    Dataset(
        "budget",
        "budget",
        ("FINANCIAL_YEAR", "SERVICE_LINE", "BUDGET"),
        (),
        finance.build_budget_line,
    ),
    Dataset(
        "establishment",
        "staffing establishment",
        ("POST_ID", "TEAM", "ROLE", "FTE", "STATUS", "ANNUAL_COST"),
        ("START_DATE", "END_DATE", "CASELOAD"),
        finance.build_post,
    ),
    Dataset(
        "allowances",
        "allowances",
        ("CASE_ID", "ALLOWANCE_TYPE", "START_DATE", "END_DATE", "WEEKLY_AMOUNT"),
        (),
        finance.build_allowance,
    ),
    Dataset(
        "actions",
        "management actions",
        (
            "ACTION_ID",
            "KIND",
            "TITLE",
            "SERVICE_LINE",
            "OWNER",
            "FINANCIAL_YEAR",
            "VALUE",
            "CONFIDENCE",
            "STATUS",
        ),
        ("DUE_DATE", "NOTES"),
        finance.build_action,
    ),
)
BY_NAME = {dataset.name: dataset for dataset in DATASETS}


@dataclass(frozen=True)
class Recognition:
    dataset: Dataset | None
    missing: tuple[str, ...] = ()


def recognise(columns: set[str]) -> Recognition:
    """The dataset whose required columns the file has; else the closest one and what it lacks.

    Several complete matches (header and UASC share CHILD, SEX, DOB) go to the most specific.
    A file sharing at least half of a dataset's required columns is taken to be that dataset
    with columns missing; anything less is not recognised at all.
    """
    complete = [d for d in DATASETS if set(d.required) <= columns]
    if complete:
        return Recognition(max(complete, key=lambda d: len(d.required)))
    scored = [(len(set(d.required) & columns) / len(d.required), d) for d in DATASETS]
    score, closest = max(scored, key=lambda pair: pair[0])
    if score >= 0.5:
        return Recognition(closest, tuple(c for c in closest.required if c not in columns))
    return Recognition(None)
