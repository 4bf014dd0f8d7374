"""The matrix of fictional councils: every ledger convention, sizes, growth and frictions.

Everything is drawn from the seed and the council's position in the matrix only, so that
``--only C07`` writes exactly the files the full matrix writes for C07.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

PLACEMENT_LINES = (
    "placements_in_house",
    "placements_kinship",
    "placements_ifa",
    "placements_residential",
    "placements_supported",
    "placements_secure",
    "placements_parent_child",
    "placements_other",
)
ALLOWANCE_LINES = ("special_guardianship", "adoption_allowances")
OTHER_LINES = ("specialist_support", "other_support", "other_costs")
LINES = ("staffing", *PLACEMENT_LINES, *ALLOWANCE_LINES, *OTHER_LINES, "income")

# The four ways a council's ledger can follow its placements; the fifth matrix convention mixes them
# line by line.
BASE_CONVENTIONS = ("arrears", "four_weekly", "in_month", "month_end_accrual")
CONVENTIONS = (*BASE_CONVENTIONS, "mixed_by_line")


@dataclass(frozen=True)
class Frictions:
    """How far the finance system and the SSDA903 extract drift from the care actually given."""

    keyed_late_share: float  # placements whose service agreement is keyed after the start
    keyed_late_weeks: float  # mean delay of those
    keyed_late_style: str  # "backdated": shown from the true start once keyed; "start_as_keyed"
    phantom_share: float  # ended placements whose agreement stays open
    phantom_weeks: float  # mean weeks until someone closes it
    rolled_share: float  # agreements carrying a planned end date that is rolled forward
    roll_cycle_weeks: int  # how far each roll extends the end date
    roll_lapse_days: int  # how long after the planned end the roll may be keyed
    ssda903_late_share: float  # episodes recorded on the case system weeks after they happen
    ssda903_late_weeks: float
    uplift_keyed_weeks: int  # weeks after 1 April before the new prices are keyed


@dataclass(frozen=True)
class CouncilSpec:
    code: str
    index: int
    name: str
    la_code: str
    convention: str
    conventions_by_line: dict[str, str]
    year_end_accrual: bool
    children_target: int  # children looked after on 1 April 2018 the council is sized for
    entry_growth: float  # growth of entries in 2018-19 over 2017-18
    history_growth: tuple[float, float, float]  # growth of entries in 2015-16, 2016-17, 2017-18
    residential_surge: int  # extra residential placements from October 2018 (0 = none)
    falling_year: bool  # entries fall and more children go home in 2018-19
    history_commitments: bool  # placement_costs, establishment and allowances before 2018-19
    frictions: Frictions
    new_price: dict[str, float]  # weekly price of a new placement in April 2018, by line
    price_spread: dict[str, float]  # log-normal spread of new prices
    uplift: dict[str, float]  # 1 April uplift of running placements
    market_growth: dict[str, float]  # yearly growth of new-placement prices
    inhouse_share: float  # of mainstream fostering
    kinship_share: float
    step_up: float  # chance a teenager leaving foster care moves to residential
    residential_entry: float  # teenagers placed straight into residential on entry
    uasc_share: float  # of teenage entrants who are unaccompanied asylum seekers
    contribution_share: float  # residential placements part-funded by health or education
    contribution_posting: str  # "on_invoice" or "on_receipt"
    grant_month: int  # calendar month the UASC grant arrives
    sgo_ratio: float  # SGO allowances per child looked after at the start
    allowance_open_ended: bool  # allowances keyed without their planned end
    show_end_at_18: bool  # agreements carry the 18th birthday as their end date
    agency_target: float
    agency_premium: float
    vacancy_rate: float
    other_lines_per_child: dict[str, float]  # 2018-19 spend per child looked after
    other_lines_growth: float
    march_spike: float  # one-off March spend as a share of the year
    invoices_next_month: float  # share of other-line invoices paid the month after
    extract_lag_days: int  # days after a period's end the extract is taken
    ye_close_days: int  # days after 31 March the year-end accruals are posted
    payment_day: int  # day of the month monthly runs go
    accrual_account_separate: bool  # accruals post to a balance-sheet-style account
    cost_centre_style: int

    def traits(self, children_at_start: int) -> dict[str, object]:
        return {
            "children_at_start": children_at_start,
            "children_target": self.children_target,
            "entry_growth": round(self.entry_growth, 4),
            "history_growth": [round(g, 4) for g in self.history_growth],
            "residential_surge": self.residential_surge > 0,
            "residential_surge_placements": self.residential_surge,
            "falling_year": self.falling_year,
            "history_commitments": self.history_commitments,
            "frictions": {
                k: (round(v, 3) if isinstance(v, float) else v)
                for k, v in asdict(self.frictions).items()
            },
            "agency_target": round(self.agency_target, 3),
            "agency_premium": round(self.agency_premium, 3),
            "contribution_posting": self.contribution_posting,
            "grant_month": self.grant_month,
            "extract_lag_days": self.extract_lag_days,
            "allowance_open_ended": self.allowance_open_ended,
            "show_end_at_18": self.show_end_at_18,
        }


def _frictions(r: random.Random, clean: bool) -> Frictions:
    def on(p: float) -> bool:
        return not clean and r.random() < p

    return Frictions(
        keyed_late_share=r.uniform(0.1, 0.45) if on(0.7) else 0.0,
        keyed_late_weeks=r.uniform(1.5, 7.0),
        keyed_late_style=r.choice(("backdated", "start_as_keyed")),
        phantom_share=r.uniform(0.03, 0.2) if on(0.6) else 0.0,
        phantom_weeks=r.uniform(4.0, 26.0),
        rolled_share=r.uniform(0.3, 1.0) if on(0.55) else 0.0,
        roll_cycle_weeks=r.choice((4, 8, 13, 26)),
        roll_lapse_days=r.choice((7, 14, 28, 42)),
        ssda903_late_share=r.uniform(0.1, 0.5) if on(0.6) else 0.0,
        ssda903_late_weeks=r.uniform(1.0, 5.0),
        uplift_keyed_weeks=r.choice((0, 0, 2, 4, 8)) if not clean else 0,
    )


def _conventions_by_line(convention: str, r: random.Random) -> dict[str, str]:
    by_line: dict[str, str] = {}
    if convention == "mixed_by_line":
        # A real mixture: fostering paid by the carers' payment runs, residential on invoice, ...
        for line in (*PLACEMENT_LINES, *ALLOWANCE_LINES):
            by_line[line] = r.choice(BASE_CONVENTIONS)
        if len({by_line[x] for x in PLACEMENT_LINES}) < 2:
            by_line["placements_residential"] = "month_end_accrual"
            by_line["placements_in_house"] = "four_weekly"
        by_line["staffing"] = r.choice(("arrears", "month_end_accrual"))
    else:
        for line in (*PLACEMENT_LINES, *ALLOWANCE_LINES):
            by_line[line] = convention
        by_line["staffing"] = (
            "month_end_accrual" if convention == "month_end_accrual" else "arrears"
        )
    for line in OTHER_LINES:
        by_line[line] = "in_month"
    by_line["income"] = "quarterly"
    return {line: by_line[line] for line in LINES}


def build_matrix(seed: int, councils: int) -> list[CouncilSpec]:
    """Councils cycle through the conventions; within a convention sizes and growth are
    stratified so that each convention sees small and large, falling and fast-growing councils."""
    per_group = [0] * len(CONVENTIONS)
    for i in range(councils):
        per_group[i % len(CONVENTIONS)] += 1
    # Growth order inside each group is a fixed shuffle so that size and growth are not aligned.
    growth_rank: list[list[int]] = []
    for g, n in enumerate(per_group):
        order = list(range(n))
        random.Random(seed * 1000 + g).shuffle(order)
        growth_rank.append(order)
    specs: list[CouncilSpec] = []
    for i in range(councils):
        g = i % len(CONVENTIONS)
        k = i // len(CONVENTIONS)
        n = per_group[g]
        r = random.Random(seed * 7919 + i * 104729 + 17)
        convention = CONVENTIONS[g]
        size_q = (k + r.random()) / n
        children = round(155 * (1450 / 155) ** size_q)  # log-uniform within the size range
        growth = -0.10 + 0.30 * (growth_rank[g][k] + r.random()) / n
        year_end_accrual = convention != "month_end_accrual" and (k % 2 == 0)
        clean = k % 5 == 3  # a few councils whose systems are kept tidy
        history_growth = (r.uniform(-0.05, 0.08), r.uniform(-0.05, 0.1), r.uniform(-0.04, 0.1))
        surge = max(4, round(children * r.uniform(0.01, 0.025))) if k % 4 == 1 else 0
        code = f"C{i + 1:02d}"
        specs.append(
            CouncilSpec(
                code=code,
                index=i,
                name=f"Council {code}",
                la_code=str(901 + i),
                convention=convention,
                conventions_by_line=_conventions_by_line(convention, r),
                year_end_accrual=year_end_accrual,
                children_target=children,
                entry_growth=growth,
                history_growth=history_growth,
                residential_surge=surge,
                falling_year=growth < -0.03,
                history_commitments=(k + g) % 3 != 2,
                frictions=_frictions(r, clean),
                new_price={
                    "placements_in_house": r.uniform(400, 450),
                    "placements_kinship": r.uniform(250, 350),
                    "placements_ifa": r.uniform(880, 980),
                    "placements_residential": r.uniform(3800, 5700),
                    "placements_supported": r.uniform(1050, 2000),
                    "placements_secure": r.uniform(6200, 8000),
                    "placements_parent_child": r.uniform(2100, 3400),
                    "placements_other": r.uniform(800, 1500),
                },
                price_spread={
                    "placements_in_house": 0.12,
                    "placements_kinship": 0.12,
                    "placements_ifa": 0.08,
                    "placements_residential": r.uniform(0.18, 0.3),
                    "placements_supported": r.uniform(0.2, 0.35),
                    "placements_secure": 0.08,
                    "placements_parent_child": 0.15,
                    "placements_other": 0.3,
                },
                uplift=_uplifts(r),
                market_growth={
                    "placements_ifa": r.uniform(0.02, 0.04),
                    "placements_residential": r.uniform(0.06, 0.11),
                    "placements_supported": r.uniform(0.03, 0.06),
                    "placements_secure": r.uniform(0.03, 0.05),
                    "placements_parent_child": r.uniform(0.02, 0.04),
                    "placements_other": r.uniform(0.02, 0.04),
                },
                inhouse_share=r.uniform(0.42, 0.7),
                kinship_share=r.uniform(0.1, 0.22),
                step_up=r.uniform(0.1, 0.3),
                residential_entry=r.uniform(0.08, 0.2),
                uasc_share=r.choice((0.0, 0.05, 0.1, 0.2)),
                contribution_share=r.uniform(0.1, 0.35),
                contribution_posting=r.choice(("on_invoice", "on_receipt")),
                grant_month=r.choice((10, 11, 12, 1, 2, 3)),
                sgo_ratio=r.uniform(0.3, 0.7),
                allowance_open_ended=r.random() < 0.3,
                show_end_at_18=r.random() < 0.5,
                agency_target=r.uniform(0.08, 0.35),
                agency_premium=r.uniform(0.2, 0.6),
                vacancy_rate=r.uniform(0.04, 0.12),
                other_lines_per_child={
                    "specialist_support": 2600 * r.uniform(0.6, 1.4),
                    "other_support": 6000 * r.uniform(0.5, 1.5),
                    "other_costs": 8000 * r.uniform(0.6, 1.3),
                },
                other_lines_growth=r.uniform(-0.02, 0.06),
                march_spike=r.uniform(0.03, 0.12),
                invoices_next_month=r.uniform(0.15, 0.45),
                extract_lag_days=r.randint(5, 14),
                ye_close_days=r.randint(12, 28),
                payment_day=r.randint(3, 20),
                accrual_account_separate=r.random() < 0.4,
                cost_centre_style=r.randint(0, 2),
            )
        )
    return specs


def _uplifts(r: random.Random) -> dict[str, float]:
    fostering = r.uniform(0.01, 0.025)  # the council's own carers' allowance rates
    return {
        "placements_in_house": fostering,
        "placements_kinship": fostering,
        "placements_ifa": r.uniform(0.0, 0.02),
        "placements_residential": r.uniform(0.02, 0.045),
        "placements_supported": r.uniform(0.01, 0.03),
        "placements_secure": r.uniform(0.02, 0.03),
        "placements_parent_child": r.uniform(0.01, 0.02),
        "placements_other": r.uniform(0.01, 0.02),
        "special_guardianship": fostering,
        "adoption_allowances": fostering,
    }
