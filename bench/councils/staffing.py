"""The establishment: posts that are filled permanently, by agency workers, by secondees, or vacant.

Each post lives through spells: a permanent worker leaves, the post stands vacant, an agency worker
covers it on 13-week assignments that are extended - often only after the end date has passed - and
in time someone is recruited. Payroll posts in the month; agency invoices a month in arrears.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

import numpy as np

from .chart import Chart
from .ledger import MONTHS, Ledger, post_year_end
from .matrix import CouncilSpec
from .timeline import (
    HORIZON,
    OPEN,
    SCORED_FY,
    SIM_START,
    add_months,
    fy_end,
    fy_label,
    fy_of,
    iso,
    month_end,
    month_name,
    month_start,
)

# team: (share of posts, [(role, share in team)])
TEAMS = {
    "Assessment and Intervention": (
        0.2,
        (
            ("Social Worker", 0.6),
            ("Senior Social Worker", 0.15),
            ("Team Manager", 0.08),
            ("Family Support Worker", 0.17),
        ),
    ),
    "Child Protection and Court": (
        0.18,
        (
            ("Social Worker", 0.65),
            ("Senior Social Worker", 0.15),
            ("Team Manager", 0.1),
            ("Family Support Worker", 0.1),
        ),
    ),
    "Looked After Children": (
        0.17,
        (
            ("Social Worker", 0.65),
            ("Senior Social Worker", 0.15),
            ("Team Manager", 0.1),
            ("Family Support Worker", 0.1),
        ),
    ),
    "Leaving Care": (
        0.08,
        (("Personal Adviser", 0.75), ("Social Worker", 0.1), ("Team Manager", 0.15)),
    ),
    "Fostering Service": (
        0.08,
        (("Social Worker", 0.7), ("Team Manager", 0.15), ("Family Support Worker", 0.15)),
    ),
    "Adoption Service": (0.04, (("Social Worker", 0.75), ("Team Manager", 0.25))),
    "Management and Quality Assurance": (
        0.08,
        (
            ("Service Manager", 0.35),
            ("Independent Reviewing Officer", 0.5),
            ("Head of Service", 0.15),
        ),
    ),
    "Business Support": (0.17, (("Business Support Officer", 1.0),)),
}
COST_2018 = {
    "Social Worker": 46000,
    "Senior Social Worker": 52000,
    "Team Manager": 63000,
    "Family Support Worker": 33000,
    "Personal Adviser": 35000,
    "Service Manager": 78000,
    "Independent Reviewing Officer": 56000,
    "Head of Service": 95000,
    "Business Support Officer": 27000,
}
SOCIAL_WORK = {
    "Social Worker",
    "Senior Social Worker",
    "Team Manager",
    "Independent Reviewing Officer",
}
AGENCIES = (
    "Hays Social Care",
    "Sanctuary Personnel",
    "Liquid Personnel",
    "Reed Social Care",
    "Pertemps",
    "Service Care Solutions",
    "Nonstop Recruitment",
)
PAY_AWARD = {2014: 0.01, 2015: 0.01, 2016: 0.01, 2017: 0.01, 2018: 0.02, 2019: 0.02}


def pay_index(fy: int) -> float:
    x = 1.0
    for y in range(fy + 1, SCORED_FY + 1):
        x /= 1 + PAY_AWARD[y]
    for y in range(SCORED_FY + 1, fy + 1):
        x *= 1 + PAY_AWARD[y]
    return x


def agency_index(fy: int) -> float:
    return 1.03 ** (fy - SCORED_FY)


@dataclass
class Post:
    ident: str
    team: str
    role: str
    fte: float
    cc: int
    cost: float  # permanent full-year cost in 2018-19, FTE applied
    created: int
    caseload: int
    # spells: (status, first day, day after last, agency premium, agency index, ends shown)
    spells: list[tuple[str, int, int, float, int, list[tuple[int, int]]]] = field(
        default_factory=list
    )


def _flows(a: float, v: float, tenure: float) -> tuple[float, float, float]:
    """Vacancy length, chance a vacancy goes to agency, agency spell length that hold the shares."""
    agency_days, q, vacant_days = 300.0, 1.0, 60.0
    for _ in range(20):
        vacant_days = v / ((1 - a - v) / tenure + 0.2 * a / agency_days)
        q = 0.6 * a / agency_days / (v / vacant_days)
        if q > 1:
            agency_days *= q
            q = 1.0
    return vacant_days, q, agency_days


def build_posts(spec: CouncilSpec, chart: Chart, seed: int) -> tuple[list[Post], list[str]]:
    """The posts and the agencies the council buys cover from."""
    r = random.Random(seed)
    suppliers = r.sample(AGENCIES, r.randint(2, 4))
    n = round(25 + 0.6 * spec.children_target)
    posts: list[Post] = []
    for team, (share, roles) in TEAMS.items():
        cc = chart.centre("staffing", team)
        for _ in range(max(1, round(n * share))):
            role = roles[0][0]
            x = r.random() * sum(s for _, s in roles)
            for role_name, s in roles:
                x -= s
                if x <= 0:
                    role = role_name
                    break
            fte = 1.0 if r.random() < 0.85 else r.choice((0.5, 0.6, 0.8))
            growth_post = spec.entry_growth > 0.05 and r.random() < 0.04  # funded for rising demand
            created = (
                SIM_START - 400
                if not growth_post
                else r.randint(SIM_START + 4 * 365 + 60, SIM_START + 4 * 365 + 240)
            )
            post = Post(
                f"{spec.code}-P{len(posts) + 1:04d}",
                team,
                role,
                fte,
                cc,
                round(COST_2018[role] * r.uniform(0.95, 1.05) * fte, 2),
                created,
                r.randint(12, 24) if role in SOCIAL_WORK else 0,
            )
            _live(post, spec, r, len(suppliers), vacant_first=growth_post)
            posts.append(post)
    return posts, suppliers


def _live(
    post: Post, spec: CouncilSpec, r: random.Random, n_suppliers: int, vacant_first: bool
) -> None:
    social = post.role in SOCIAL_WORK
    a = spec.agency_target * (1.0 if social else 0.3)
    tenure = (4.0 if social else 6.0) * 365
    vacant_days, q, agency_days = _flows(a, spec.vacancy_rate, tenure)
    if r.random() < 0.015 and not vacant_first:
        post.spells.append(("secondee", post.created, OPEN, 0.0, 0, []))
        return
    x = r.random()
    status = (
        "vacant"
        if vacant_first or x < spec.vacancy_rate
        else ("agency" if x < spec.vacancy_rate + a else "permanent")
    )
    t = post.created
    while t < HORIZON:
        mean = {"permanent": tenure, "vacant": vacant_days, "agency": agency_days}[status]
        end = t + 1 + int(r.expovariate(1 / mean))
        ends: list[tuple[int, int]] = []
        if status == "agency":  # 13-week assignments, extended around (often after) their end date
            planned = t + 91
            ends.append((t, planned))
            while planned < min(end, HORIZON):
                rolled = max(planned + r.randint(-14, 21), ends[-1][0] + 1)
                if rolled >= end:
                    break
                planned += 91
                ends.append((rolled, planned))
        premium = spec.agency_premium * r.uniform(0.8, 1.2) if status == "agency" else 0.0
        post.spells.append(
            (status, t, end if end < HORIZON else OPEN, premium, r.randrange(n_suppliers), ends)
        )
        x = r.random()
        if status == "permanent":
            status = "vacant"
        elif status == "vacant":
            status = "agency" if x < q else "permanent"
        else:
            status = "permanent" if x < 0.4 else ("vacant" if x < 0.6 else "agency")
        t = end


def annual_cost(post: Post, status: str, premium: float, fy: int) -> float:
    if status == "vacant":
        return 0.0
    if status == "agency":
        return post.cost * (1 + premium) * agency_index(fy)
    return post.cost * pay_index(fy)


def establishment_rows(posts: list[Post], v: int) -> list[list[str]]:
    """The establishment as HR and finance hold it on day ``v``."""
    rows: list[list[str]] = []
    for p in posts:
        if p.created > v:
            continue
        for status, first, after, premium, _sup, ends in p.spells:
            if first <= v < after:
                end = ""
                if status == "agency":
                    end = iso(ends[bisect.bisect_right([t for t, _ in ends], v) - 1][1])
                elif status == "permanent" and after < OPEN and after - 45 <= v:
                    end = iso(after - 1)  # the leaver has handed in notice
                cost = annual_cost(p, status, premium, fy_of(v))
                rows.append(
                    [
                        p.ident,
                        p.team,
                        p.role,
                        f"{p.fte:.1f}",
                        status,
                        f"{cost:.2f}",
                        iso(first),
                        end,
                        str(p.caseload) if p.caseload and status != "vacant" else "",
                    ]
                )
                break
    return rows


def post_staffing(
    ledger: Ledger, posts: list[Post], spec: CouncilSpec, suppliers: list[str]
) -> dict[int, float]:
    """Payroll in the month, agency a month in arrears, secondments recharged quarterly; returns the
    true cost by financial year."""
    acc = ledger.chart.accounts
    true: dict[int, float] = {}
    spells = [(p, *s) for p in posts for s in p.spells]
    status = np.array([s[1] for s in spells])
    first = np.array([s[2] for s in spells], dtype=np.int64)
    after = np.array([s[3] for s in spells], dtype=np.int64)
    cc = np.array([s[0].cc for s in spells], dtype=np.int64)
    supplier = np.array([s[5] for s in spells], dtype=np.int64)
    n_cc = len(ledger.chart.codes)
    secondee_quarter = np.zeros(n_cc)
    for y, m in MONTHS:
        fy = fy_of(month_start(y, m))
        rate = np.array([annual_cost(s[0], s[1], s[4], fy) for s in spells])
        days = np.clip(
            np.minimum(after, month_end(y, m) + 1) - np.maximum(first, month_start(y, m)), 0, None
        )
        cost = rate * days / 365
        true[fy] = true.get(fy, 0.0) + float(cost.sum())
        perm = np.bincount(
            cc[status == "permanent"], weights=cost[status == "permanent"], minlength=n_cc
        )
        for c in np.flatnonzero(perm):
            ledger.post(
                (y, m),
                int(c),
                acc["salaries"],
                f"Payroll {month_name(y, m)}",
                float(perm[c]) * 0.78,
            )
            ledger.post(
                (y, m),
                int(c),
                acc["oncosts"],
                f"Employer on-costs {month_name(y, m)}",
                float(perm[c]) * 0.22,
            )
        for k, name in enumerate(suppliers):
            sel = (status == "agency") & (supplier == k)
            inv = np.bincount(cc[sel], weights=cost[sel], minlength=n_cc)
            for c in np.flatnonzero(inv):
                ledger.post(
                    add_months(y, m, 1),
                    int(c),
                    acc["agency"],
                    f"Agency invoice - {name} {month_name(y, m)}",
                    float(inv[c]),
                )
        secondee_quarter += np.bincount(
            cc[status == "secondee"], weights=cost[status == "secondee"], minlength=n_cc
        )
        if m in (3, 6, 9, 12):
            q = {6: 1, 9: 2, 12: 3, 3: 4}[m]
            for c in np.flatnonzero(secondee_quarter):
                ledger.post(
                    add_months(y, m, 1),
                    int(c),
                    acc["secondment"],
                    f"Secondment recharge Q{q} {fy_label(fy)}",
                    float(secondee_quarter[c]),
                )
            secondee_quarter = np.zeros(n_cc)

    def agency_estimate(v: int, y: int, m: int) -> np.ndarray:
        """Agency cost of the month estimated from the posts shown as agency at the close."""
        fy = fy_of(month_start(y, m))
        live = np.array([s[1] == "agency" and s[2] <= v < s[3] for s in spells])
        full = (
            np.array([annual_cost(s[0], s[1], s[4], fy) for s in spells])
            * (month_end(y, m) - month_start(y, m) + 1)
            / 365
        )
        return (
            np.bincount(cc[live], weights=full[live], minlength=n_cc)
            if live.any()
            else np.zeros(n_cc)
        )

    agency_account = {c: acc.get("accrual", acc["agency"]) for c in range(n_cc)}
    if spec.conventions_by_line["staffing"] == "month_end_accrual":
        for y, m in MONTHS:
            est = agency_estimate(month_end(y, m) + 4, y, m)
            ledger.post_by_centre(
                (y, m), est, agency_account, f"Accrual - agency staff {month_name(y, m)}"
            )
            ledger.post_by_centre(
                add_months(y, m, 1),
                -est,
                agency_account,
                f"Reversal of accrual - agency staff {month_name(y, m)}",
            )
    elif spec.year_end_accrual:
        post_year_end(
            ledger,
            lambda fy: agency_estimate(fy_end(fy) + spec.ye_close_days, fy + 1, 3),
            agency_account,
            "agency staff",
        )
    return true
