"""What each file holds on the day it is taken: SSDA903 returns and extracts, commitments,
allowances."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .chart import Chart
from .money import Money
from .population import CareHistory
from .timeline import OPEN, dmy, fy_end, fy_start, iso

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
HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
PLACEMENT_COLUMNS = (
    "CHILD",
    "PLACEMENT_TYPE",
    "PROVIDER",
    "START_DATE",
    "END_DATE",
    "WEEKLY_COST",
    "CONTRIBUTION_PCT",
    "COST_CENTRE",
)
ALLOWANCE_COLUMNS = ("CASE_ID", "ALLOWANCE_TYPE", "START_DATE", "END_DATE", "WEEKLY_AMOUNT")
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


def write_csv(path: Path, columns: tuple[str, ...], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)


def ssda903(
    care: CareHistory, fy: int, as_of: int, final: bool = False
) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, episode rows) of collection year ``fy`` as the case system shows it on
    ``as_of``: episodes open at any time in the year up to then, an episode open (no DEC) until its
    end is both past and recorded; episodes recorded late are missing. A ``final`` return is the
    one submitted to DfE after the year, with everything recorded."""
    cut = min(as_of, fy_end(fy))
    if final:
        as_of = OPEN
    first = fy_start(fy)
    header: list[list[str]] = []
    episodes: list[list[str]] = []
    for c in care.children:
        rows: list[list[str]] = []
        for e in c.episodes:
            if e.decom > cut or e.recorded_start > as_of or e.dec < first:
                continue
            ended = e.dec <= cut and e.recorded_end <= as_of
            rows.append(
                [
                    c.ident,
                    dmy(e.decom),
                    e.rne,
                    e.ls,
                    e.cin,
                    e.place,
                    e.provider,
                    dmy(e.dec) if ended else "",
                    e.rec if ended else "",
                    "",
                    "",
                    "",
                    e.urn,
                ]
            )
        if rows:
            episodes.extend(rows)
            header.append(
                [
                    c.ident,
                    str(c.sex),
                    dmy(c.dob),
                    c.ethnic,
                    c.upn,
                    "1" if c.mother else ("0" if c.sex == 2 else ""),
                    dmy(c.mc_dob) if c.mother else "",
                ]
            )
    return header, episodes


def placement_costs(
    care: CareHistory, money: Money, chart: Chart, v: int, from_day: int
) -> list[list[str]]:
    """The service agreements the finance system holds on day ``v`` that run on or after
    ``from_day`` (the start of the financial year being reported)."""
    book = money.placements
    shown, start, end = book.view(v)
    keep = np.flatnonzero(shown & book.exported & (end >= from_day))
    rows: list[tuple[str, int, list[str]]] = []
    for i in keep:
        p = care.placements[int(book.ref[i])]
        child = care.children[p.child].ident
        pct = float(book.contrib[i])
        rows.append(
            (
                child,
                int(start[i]),
                [
                    child,
                    str(book.line[i]),
                    money.provider_names[int(book.ref[i])],
                    iso(int(start[i])),
                    iso(int(end[i])) if end[i] < OPEN else "",
                    f"{book.weekly[i]:.2f}",
                    f"{pct:.2f}" if pct else "",
                    chart.codes[int(book.cc[i])],
                ],
            )
        )
    rows.sort(key=lambda x: (x[0], x[1]))
    return [x[2] for x in rows]


def allowances(money: Money, v: int, from_day: int) -> list[list[str]]:
    """One row per case as the system shows it on ``v``: its first start, its current weekly amount
    and the end date it carries."""
    book = money.allowances
    shown, start, end = book.view(v)
    cases: dict[
        int, tuple[int, int, float, int]
    ] = {}  # ref -> (first start, latest start, weekly, end)
    for i in np.flatnonzero(shown & book.exported):
        ref = int(book.ref[i])
        s, e, w = int(start[i]), int(end[i]), float(book.weekly[i])
        if ref in cases:
            first, latest, weekly, last = cases[ref]
            cases[ref] = (min(first, s), max(latest, s), w if s > latest else weekly, max(last, e))
        else:
            cases[ref] = (s, s, w, e)
    rows: list[list[str]] = []
    for ref in sorted(cases):
        first, _latest, weekly, last = cases[ref]
        if last < from_day:
            continue
        case = money.cases[ref]
        since = max(case.shown_start, first) if case.shown_start > case.start else case.start
        if since > last:  # keyed only after it had ended: the system shows its true dates
            since = case.start
        rows.append(
            [case.ident, case.kind, iso(since), iso(last) if last < OPEN else "", f"{weekly:.2f}"]
        )
    return rows
