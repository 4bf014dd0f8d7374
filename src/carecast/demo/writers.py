"""CSV files in the formats.md columns: UTF-8, header row, LF line ends, money in pounds to 2dp.

SSDA903 tables write dates as DD/MM/YYYY (as DfE's own CSVs do); finance files as YYYY-MM-DD.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from carecast.demo.codes import COST_CENTRES
from carecast.demo.dates import iso_date, period_label, ssda_date
from carecast.demo.records import Episode, LedgerRow, PostState
from carecast.demo.views import AllowanceRow, ChildRow, CommitmentRow
from carecast.reports.cells import csv_row

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
PLACEMENT_COST_COLUMNS = (
    "CHILD",
    "PLACEMENT_TYPE",
    "PROVIDER",
    "START_DATE",
    "END_DATE",
    "WEEKLY_COST",
    "CONTRIBUTION_PCT",
    "COST_CENTRE",
)
GL_COLUMNS = ("PERIOD", "COST_CENTRE", "ACCOUNT", "AMOUNT", "DESCRIPTION")
COST_CENTRE_COLUMNS = ("COST_CENTRE", "SERVICE_LINE", "S251_LINE")
BUDGET_COLUMNS = ("FINANCIAL_YEAR", "SERVICE_LINE", "BUDGET")
ESTABLISHMENT_COLUMNS = (
    "POST_ID",
    "TEAM",
    "ROLE",
    "FTE",
    "STATUS",
    "ANNUAL_COST",
    "START_DATE",
    "END_DATE",
    "CASELOAD",
)
ALLOWANCE_COLUMNS = ("CASE_ID", "ALLOWANCE_TYPE", "START_DATE", "END_DATE", "WEEKLY_AMOUNT")
ACTION_COLUMNS = (
    "ACTION_ID",
    "KIND",
    "TITLE",
    "SERVICE_LINE",
    "OWNER",
    "FINANCIAL_YEAR",
    "VALUE",
    "CONFIDENCE",
    "STATUS",
    "DUE_DATE",
    "NOTES",
)


def money(pence: int) -> str:
    """Pence as pounds with two decimals: 123456 -> '1234.56', -5 -> '-0.05'."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(csv_row(columns))
        writer.writerows(csv_row(row) for row in rows)
    return path


def write_header(path: Path, children: Iterable[ChildRow]) -> Path:
    return write_csv(
        path,
        HEADER_COLUMNS,
        (
            (
                row.child.child_id,
                str(row.child.sex),
                ssda_date(row.child.dob),
                row.child.ethnic,
                row.child.upn,
                row.mother,
                ssda_date(row.mc_dob),
            )
            for row in children
        ),
    )


def write_episodes(path: Path, episodes: Iterable[Episode]) -> Path:
    return write_csv(
        path,
        EPISODE_COLUMNS,
        (
            (
                e.child_id,
                ssda_date(e.decom),
                e.rne,
                e.ls,
                e.cin,
                e.place,
                e.provider_code,
                ssda_date(e.dec),
                e.rec,
                e.reason_place_change,
                e.home_post,
                e.pl_post,
                e.urn,
            )
            for e in episodes
        ),
    )


def write_placement_costs(path: Path, rows: Iterable[CommitmentRow]) -> Path:
    return write_csv(
        path,
        PLACEMENT_COST_COLUMNS,
        (
            (
                r.child_id,
                r.placement_type,
                r.provider,
                iso_date(r.start),
                iso_date(r.end),
                money(r.weekly_cost),
                str(r.contribution_pct) if r.contribution_pct else "",
                r.cost_centre,
            )
            for r in rows
        ),
    )


def write_gl_actuals(path: Path, rows: Iterable[LedgerRow]) -> Path:
    return write_csv(
        path,
        GL_COLUMNS,
        (
            (period_label(*r.period), r.cost_centre, r.account, money(r.amount), r.description)
            for r in rows
        ),
    )


def write_establishment(path: Path, posts: Iterable[PostState]) -> Path:
    return write_csv(
        path,
        ESTABLISHMENT_COLUMNS,
        (
            (
                p.post_id,
                p.team,
                p.role,
                f"{p.fte:.2f}",
                p.status,
                money(p.annual_cost),
                iso_date(p.start),
                iso_date(p.end),
                "" if p.caseload is None else str(p.caseload),
            )
            for p in posts
        ),
    )


def write_allowances(path: Path, rows: Iterable[AllowanceRow]) -> Path:
    return write_csv(
        path,
        ALLOWANCE_COLUMNS,
        (
            (
                r.case_id,
                r.allowance_type,
                iso_date(r.start),
                iso_date(r.end),
                money(r.weekly_amount),
            )
            for r in rows
        ),
    )


def write_cost_centres(path: Path) -> Path:
    return write_csv(path, COST_CENTRE_COLUMNS, COST_CENTRES)


def write_budget(path: Path, rows: Iterable[tuple[str, str, int]]) -> Path:
    return write_csv(path, BUDGET_COLUMNS, ((fy, line, money(p)) for fy, line, p in rows))


def write_actions(path: Path, rows: Iterable[Sequence[str]]) -> Path:
    return write_csv(path, ACTION_COLUMNS, rows)
