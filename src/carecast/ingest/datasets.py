"""The inputs carecast knows, recognised by their columns whatever the file is called.

Each dataset lists its columns with their kinds (ingest/columns.py); `table` names the store table
its typed rows go to, and `store_columns` how canonical columns map onto that table's columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from carecast.domain.codes import (
    ACTION_KINDS,
    ACTION_STATUSES,
    ALLOWANCE_LINES,
    POST_STATUSES,
    ServiceLine,
)
from carecast.ingest.columns import ColumnSpec, Kind
from carecast.ingest.dataset_spec import Dataset, code, text
from carecast.ingest.datasets_ssda903 import SSDA903_DATASETS
from carecast.ingest.ranges import Limit

__all__ = ["BY_NAME", "DATASETS", "Dataset", "Recognition", "recognise"]

SERVICE_LINES = frozenset(line.value for line in ServiceLine)
PLACEMENT_TYPES = frozenset(line.value for line in ServiceLine if line.is_placement)


def _code(
    name: str, codes: frozenset[str], *, required: bool = True, lower: bool = False
) -> ColumnSpec:
    return code(name, codes, required=required, lower=lower)


def _text(*names: str, required: bool = False) -> tuple[ColumnSpec, ...]:
    return text(*names, required=required)


DATASETS: tuple[Dataset, ...] = (
    *SSDA903_DATASETS,
    Dataset(
        "placement_costs",
        "placement costs",
        (
            ColumnSpec("CHILD"),
            _code("PLACEMENT_TYPE", PLACEMENT_TYPES, lower=True),
            ColumnSpec("PROVIDER"),
            ColumnSpec("START_DATE", Kind.DATE),
            ColumnSpec("END_DATE", Kind.DATE, value_required=False),
            ColumnSpec("WEEKLY_COST", Kind.MONEY),
            ColumnSpec("COST_CENTRE"),
        ),
        (ColumnSpec("CONTRIBUTION_PCT", Kind.PERCENT, value_required=False, default=0.0),),
        table="commitments",
        store_columns={
            "CHILD": "child_id",
            "PLACEMENT_TYPE": "category",
            "WEEKLY_COST": "weekly_cost_pence",
        },
    ),
    Dataset(
        "gl_actuals",
        "general-ledger actuals",
        (
            ColumnSpec("PERIOD", Kind.PERIOD),
            ColumnSpec("COST_CENTRE"),
            ColumnSpec("ACCOUNT"),
            ColumnSpec("AMOUNT", Kind.MONEY),
        ),
        _text("DESCRIPTION"),
        table="ledger_entries",
        store_columns={"AMOUNT": "amount_pence"},
    ),
    Dataset(
        "cost_centres",
        "cost centres",
        (ColumnSpec("COST_CENTRE"), _code("SERVICE_LINE", SERVICE_LINES, lower=True)),
        _text("S251_LINE"),
        table="cost_centres",
        store_columns={"COST_CENTRE": "code"},
    ),
    Dataset(
        "budget",
        "budget",
        (
            ColumnSpec("FINANCIAL_YEAR", Kind.FINANCIAL_YEAR),
            _code("SERVICE_LINE", SERVICE_LINES, lower=True),
            ColumnSpec("BUDGET", Kind.MONEY),
        ),
        table="budget_lines",
        store_columns={"BUDGET": "amount_pence"},
    ),
    Dataset(
        "establishment",
        "staffing establishment",
        (
            ColumnSpec("POST_ID"),
            ColumnSpec("TEAM"),
            ColumnSpec("ROLE"),
            ColumnSpec("FTE", Kind.NUMBER),
            _code("STATUS", frozenset(POST_STATUSES), lower=True),
            ColumnSpec("ANNUAL_COST", Kind.MONEY),
        ),
        (
            ColumnSpec("START_DATE", Kind.DATE, value_required=False),
            ColumnSpec("END_DATE", Kind.DATE, value_required=False),
            ColumnSpec("CASELOAD", Kind.WHOLE, value_required=False),
        ),
        table="posts",
        store_columns={"ANNUAL_COST": "annual_cost_pence"},
        # A caseload is one worker's children: typically 15 to 25, and no one carries a thousand.
        limits={"CASELOAD": Limit(0, 1_000)},
    ),
    Dataset(
        "allowances",
        "allowances",
        (
            ColumnSpec("CASE_ID"),
            _code("ALLOWANCE_TYPE", frozenset(ALLOWANCE_LINES), lower=True),
            ColumnSpec("START_DATE", Kind.DATE),
            ColumnSpec("END_DATE", Kind.DATE, value_required=False),
            ColumnSpec("WEEKLY_AMOUNT", Kind.MONEY),
        ),
        table="allowances",
        store_columns={"WEEKLY_AMOUNT": "weekly_amount_pence"},
    ),
    Dataset(
        "actions",
        "management actions",
        (
            ColumnSpec("ACTION_ID"),
            _code("KIND", frozenset(ACTION_KINDS), lower=True),
            ColumnSpec("TITLE"),
            _code("SERVICE_LINE", SERVICE_LINES, lower=True),
            ColumnSpec("OWNER"),
            ColumnSpec("FINANCIAL_YEAR", Kind.FINANCIAL_YEAR),
            ColumnSpec("VALUE", Kind.MONEY),
            ColumnSpec("CONFIDENCE"),
            _code("STATUS", frozenset(ACTION_STATUSES), lower=True),
        ),
        (
            ColumnSpec("DUE_DATE", Kind.DATE, value_required=False),
            ColumnSpec("NOTES", value_required=False),
        ),
        table="actions",
        store_columns={"VALUE": "value_pence"},
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
