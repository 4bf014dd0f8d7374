"""The inputs carecast knows, recognised by their columns whatever the file is called.

Each dataset lists its columns with their kinds (ingest/columns.py); `table` names the store table
its typed rows go to, and `store_columns` how canonical columns map onto that table's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carecast.domain.codes import (
    ACTION_KINDS,
    ACTION_STATUSES,
    ALLOWANCE_LINES,
    KNOWN_PLACES,
    KNOWN_PROVIDERS,
    POST_STATUSES,
    ServiceLine,
)
from carecast.ingest.columns import ColumnSpec, Kind

SERVICE_LINES = frozenset(line.value for line in ServiceLine)
PLACEMENT_TYPES = frozenset(line.value for line in ServiceLine if line.is_placement)
# SEX was 1/2 until 2023-24 and M/F/U from 2024-25 (year-specific checks: ssda903 rules).
SEX_CODES = frozenset({"1", "2", "M", "F", "U"})


def _code(
    name: str, codes: frozenset[str], *, required: bool = True, lower: bool = False
) -> ColumnSpec:
    return ColumnSpec(name, Kind.CODE, required, codes, lower)


@dataclass(frozen=True)
class Dataset:
    """One kind of input file.

    `columns`: those that must be present (a value may still be optional, e.g. DEC, END_DATE).
    `optional`: read when present. `table`: the store table, or None for SSDA903 tables carecast
    recognises but does not use yet. `store_columns`: canonical name → store column when they differ
    from the lower-cased name.
    """

    name: str
    title: str
    columns: tuple[ColumnSpec, ...]
    optional: tuple[ColumnSpec, ...] = ()
    table: str | None = None
    store_columns: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def stored(self) -> bool:
        return self.table is not None

    def store_column(self, name: str) -> str:
        return self.store_columns.get(name, name.lower())


def _text(*names: str, required: bool = False) -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(n, Kind.TEXT, required) for n in names)


def _recognised(name: str, title: str, *columns: str) -> Dataset:
    return Dataset(name, title, _text(*columns))


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "ssda903_header",
        "SSDA903 header",
        (
            ColumnSpec("CHILD"),
            _code("SEX", SEX_CODES),
            ColumnSpec("DOB", Kind.DATE),
            ColumnSpec("ETHNIC", value_required=False),
        ),
        _text("UPN", "MOTHER", "MC_DOB"),
        table="children",
        store_columns={"CHILD": "child_id"},
    ),
    Dataset(
        "ssda903_episodes",
        "SSDA903 episodes",
        (
            ColumnSpec("CHILD"),
            ColumnSpec("DECOM", Kind.DATE),
            ColumnSpec("RNE"),
            ColumnSpec("LS"),
            ColumnSpec("CIN", value_required=False),
            _code("PLACE", KNOWN_PLACES),
            _code("PLACE_PROVIDER", KNOWN_PROVIDERS, required=False),
            ColumnSpec("DEC", Kind.DATE, value_required=False),
            ColumnSpec("REC", value_required=False),
        ),
        _text("REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
        table="episodes",
        store_columns={"CHILD": "child_id"},
    ),
    _recognised("ssda903_uasc", "SSDA903 UASC", "CHILD", "SEX", "DOB", "DUC"),
    _recognised("ssda903_reviews", "SSDA903 reviews", "CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    _recognised("ssda903_missing", "SSDA903 missing", "CHILD", "DOB", "MISSING", "MIS_START"),
    _recognised("ssda903_oc2", "SSDA903 OC2", "CHILD", "DOB", "CONVICTED", "HEALTH_CHECK"),
    _recognised("ssda903_oc3", "SSDA903 OC3", "CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    _recognised("ssda903_ad1", "SSDA903 AD1", "CHILD", "DOB", "DATE_INT", "DATE_MATCH"),
    _recognised(
        "ssda903_placed_for_adoption",
        "SSDA903 placed for adoption",
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
    ),
    _recognised("ssda903_prev_perm", "SSDA903 previous permanence", "CHILD", "DOB", "PREV_PERM"),
    _recognised(
        "ssda903_sw_episodes", "SSDA903 social worker episodes", "CHILD", "SW_ID", "SW_DECOM"
    ),
    _recognised("ssda903_dolo", "SSDA903 deprivation of liberty", "CHILD", "DOLO_START"),
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
