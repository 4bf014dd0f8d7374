"""Prices, commitments and allowances: what each child's care costs and how the system holds it."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from .agreements import Book, BookBuilder, Terms
from .chart import Chart
from .children import Placement
from .codes import IFA, INHOUSE, KINSHIP, RESI, SUPPORTED
from .matrix import ALLOWANCE_LINES, PLACEMENT_LINES, CouncilSpec
from .population import CareHistory
from .timeline import HORIZON, OPEN, PRE_YEARS, SCORED_FY, SIM_START, birthday, day, fy_of

IFA_NAMES = (
    "Foster Care Associates",
    "National Fostering Agency",
    "Compass Fostering",
    "TACT",
    "Barnardo's Fostering",
    "Capstone Foster Care",
    "Orange Grove Fostering",
    "Nexus Fostering",
)
RESI_NAMES = (
    "Keys Group",
    "Priory Education",
    "Hexagon Care",
    "Cambian Childcare",
    "Witherslack Group",
    "Horizon Care",
    "Action for Children",
    "Outcomes First",
)
HOMES = ("Council home - Oak House", "Council home - Beech Lodge", "Council home - Elm View")
SUPPORTED_NAMES = (
    "YMCA",
    "Centrepoint",
    "Pathway Housing",
    "Step Forward Living",
    "Bridge House Trust",
)
SECURE_NAMES = (
    "Aycliffe Secure Centre",
    "Clayfields House",
    "Lincolnshire Secure Unit",
    "Swanwick Lodge",
)
PC_NAMES = (
    "Chaucer Parent and Child Unit",
    "Mother and Baby Assessment Centre",
    "Family Assessment Service",
)
OTHER_NAMES = ("Spot purchase", "Holiday respite provider", "Hospital placement")

FY_RANGE = range(1990, 2021)
SGO_FROM = day(2005, 12, 30)  # special guardianship orders began
AGE_FACTOR = (0.85, 0.95, 1.05, 1.2)  # fostering allowance bands 0-4, 5-10, 11-15, 16-17


@dataclass(frozen=True)
class Case:
    ident: str
    kind: str  # sgo, cao, adoption
    start: int
    last: int  # inclusive; OPEN if still paid at the horizon
    shown_start: int  # the start date the system carries


@dataclass
class Money:
    placements: Book
    provider_names: list[str]  # by placement index
    allowances: Book
    cases: list[Case]
    interagency: list[tuple[int, int, float]]  # (day placed, day invoiced, fee)
    uasc_claim: dict[int, float]  # UASC grant claim by financial year


def yearly_uplifts(spec: CouncilSpec, r: random.Random) -> dict[str, dict[int, float]]:
    """The 1 April uplift of each line in each financial year, varying a little year to year."""
    return {
        line: {fy: u * r.uniform(0.7, 1.3) for fy in FY_RANGE} for line, u in spec.uplift.items()
    }


def rate_index(uplifts: dict[int, float], fy: int) -> float:
    """A council's own rates in year ``fy`` relative to 2018-19."""
    x = 1.0
    for y in range(fy + 1, SCORED_FY + 1):
        x /= 1 + uplifts[y]
    for y in range(SCORED_FY + 1, fy + 1):
        x *= 1 + uplifts[y]
    return x


def placement_price(
    spec: CouncilSpec, p: Placement, uplifts: dict[str, dict[int, float]], r: random.Random
) -> float:
    """New placements are priced at today's market, which for residential care rises faster than the
    uplifts running placements get - so the new are dearer than the stock."""
    base = spec.new_price[p.line] * math.exp(r.gauss(0, spec.price_spread[p.line]))
    if p.line in (INHOUSE, KINSHIP):
        band = AGE_FACTOR[(p.age >= 5) + (p.age >= 11) + (p.age >= 16)]
        return round(base * band * rate_index(uplifts[p.line], fy_of(p.start)), 2)
    years = (p.start - day(SCORED_FY, 4, 1)) / 365.25
    price = base * math.pow(1 + spec.market_growth[p.line], years)
    return round(price * (1.15 if p.surge else 1.0), 2)


def _provider_name(p: Placement, r: random.Random) -> str:
    if p.line == INHOUSE:
        return f"Foster carer FC{r.randint(1000, 9999)}"
    if p.line == KINSHIP:
        return f"Connected carer KC{r.randint(1000, 9999)}"
    if p.line == RESI and p.provider_code == "PR1":
        return r.choice(HOMES)
    names = {
        IFA: IFA_NAMES,
        RESI: RESI_NAMES,
        SUPPORTED: SUPPORTED_NAMES,
        "placements_secure": SECURE_NAMES,
        "placements_parent_child": PC_NAMES,
    }.get(p.line, OTHER_NAMES)
    return r.choice(names)


def _cost_centre(chart: Chart, p: Placement, r: random.Random) -> int:
    names = {
        INHOUSE: "In-house fostering - allowances"
        if r.random() < 0.7
        else "In-house fostering - fees",
        IFA: "Independent fostering - under 12"
        if p.age < 12
        else "Independent fostering - 12 and over",
        RESI: "Residential schools"
        if p.place == "S1"
        else (
            "In-house children's homes"
            if p.provider_code == "PR1"
            else "External residential placements"
        ),
        SUPPORTED: "Supported lodgings" if r.random() < 0.2 else "Semi-independent accommodation",
    }
    if p.line in names:
        return chart.centre(p.line, names[p.line])
    return chart.centres_of(p.line)[0]


def _terms(spec: CouncilSpec, r: random.Random, planned_end: int, allowance: bool = False) -> Terms:
    f = spec.frictions
    late = r.random() < f.keyed_late_share * (0.5 if allowance else 1.0)
    key_lag = int(r.expovariate(1 / (f.keyed_late_weeks * 7))) + 7 if late else r.randint(0, 4)
    phantom = r.random() < f.phantom_share * (0.5 if allowance else 1.0)
    end_lag = int(r.expovariate(1 / (f.phantom_weeks * 7))) + 21 if phantom else r.randint(0, 10)
    rolled = not allowance and r.random() < f.rolled_share
    return Terms(
        key_lag=key_lag,
        start_as_keyed=late and f.keyed_late_style == "start_as_keyed",
        roll_weeks=f.roll_cycle_weeks if rolled else 0,
        roll_lapse=f.roll_lapse_days,
        planned_end=planned_end,
        end_lag=end_lag,
        uplift_lag=f.uplift_keyed_weeks * 7 + r.randint(0, 3),
    )


def build_money(spec: CouncilSpec, care: CareHistory, chart: Chart, seed: int) -> Money:
    r = random.Random(seed)
    uplifts = yearly_uplifts(spec, r)
    book = BookBuilder()
    names: list[str] = []
    for i, p in enumerate(care.placements):
        names.append(_provider_name(p, r) if p.line in PLACEMENT_LINES else "")
        if p.line not in PLACEMENT_LINES or p.end <= SIM_START:
            continue
        contrib, contributor = 0.0, 0
        if p.line == RESI and (p.place == "S1" or r.random() < spec.contribution_share):
            contributor = 2 if p.place == "S1" or r.random() < 0.4 else 1
            contrib = r.choice((25.0, 33.33, 50.0))
        last = p.end - 1 if p.end < OPEN else OPEN
        planned = p.adulthood - 1 if spec.show_end_at_18 else OPEN
        book.add(
            r,
            line=p.line,
            cc=_cost_centre(chart, p, r),
            ref=i,
            start=p.start,
            last=last,
            price=placement_price(spec, p, uplifts, r),
            uplifts=uplifts[p.line],
            terms=_terms(spec, r, planned),
            contrib=contrib,
            contributor=contributor,
        )
    cases, allowances = _allowances(spec, care, chart, uplifts, r)
    return Money(book.build(), names, allowances, cases, _interagency(care, r), _uasc_claims(care))


def _allowances(
    spec: CouncilSpec,
    care: CareHistory,
    chart: Chart,
    uplifts: dict[str, dict[int, float]],
    r: random.Random,
) -> tuple[list[Case], Book]:
    """SGO and CAO allowances from children leaving care (E43/E44, E41), adoption allowances from
    adoptions, and private-law orders the council also supports - so joiners outrun leavers."""
    weekly = {"sgo": r.uniform(140, 200), "cao": 0.0, "adoption": 0.0}
    weekly["cao"], weekly["adoption"] = weekly["sgo"] * 0.75, weekly["sgo"] * 0.85
    starts: list[tuple[int, str, int]] = []  # (start, kind, 18th birthday)
    for x in care.leavers:
        kind = {
            "E43": "sgo",
            "E44": "sgo",
            "E45": "sgo",
            "E46": "sgo",
            "E47": "sgo",
            "E48": "sgo",
            "E41": "cao",
            "E11": "adoption",
            "E12": "adoption",
        }.get(x.rec)
        if kind == "sgo" and x.day < SGO_FROM:
            kind = "cao"  # before special guardianship, relatives took residence orders
        chance = {"sgo": 0.85, "cao": 0.5, "adoption": 0.12}.get(kind or "", 0.0)
        if kind and r.random() < chance and x.day < x.adulthood - 30:
            starts.append((x.day, kind, x.adulthood))
    counts = np.random.default_rng(r.randint(0, 2**31))
    first = SIM_START - int(PRE_YEARS * 365.25)
    for month in range((HORIZON - first) // 30):
        day_1 = first + month * 30
        # Private-law SGOs the council also supports, taking off after the orders began in 2005.
        sgo_rate = 0.03 * spec.sgo_ratio * min(1.0, max(0.0, (day_1 - SGO_FROM) / (8 * 365)))
        for kind, per_year in (("sgo", sgo_rate), ("cao", 0.008)):
            for _ in range(int(counts.poisson(per_year * spec.children_target / 12))):
                start = day_1 + r.randint(0, 29)
                starts.append((start, kind, birthday(start - r.randint(0, 12 * 365), 18)))
    starts.sort()
    book = BookBuilder()
    cases: list[Case] = []
    line_of = {"sgo": ALLOWANCE_LINES[0], "cao": ALLOWANCE_LINES[0], "adoption": ALLOWANCE_LINES[1]}
    cc_of = {
        "sgo": chart.centre(ALLOWANCE_LINES[0], "Special guardianship allowances"),
        "cao": chart.centre(ALLOWANCE_LINES[0], "Child arrangement order allowances"),
        "adoption": chart.centre(ALLOWANCE_LINES[1], "Adoption allowances"),
    }
    for start, kind, adulthood in starts:
        stops = start + int(r.expovariate(1 / (12 * 365)))  # reviews end some allowances early
        last = min(stops, adulthood - 1)
        if last < SIM_START:
            continue
        last = last if last < HORIZON else OPEN
        line = line_of[kind]
        amount = weekly[kind] * math.exp(r.gauss(0, 0.2)) * rate_index(uplifts[line], fy_of(start))
        terms = _terms(
            spec, r, OPEN if spec.allowance_open_ended else adulthood - 1, allowance=True
        )
        shown_start = start + terms.key_lag if terms.start_as_keyed else start
        case = Case(
            f"{spec.code}-{kind.upper()}-{len(cases) + 1:05d}", kind, start, last, shown_start
        )
        book.add(
            r,
            line=line,
            cc=cc_of[kind],
            ref=len(cases),
            start=start,
            last=last,
            price=round(amount, 2),
            uplifts=uplifts[line],
            terms=terms,
        )
        cases.append(case)
    return cases, book.build()


def _interagency(care: CareHistory, r: random.Random) -> list[tuple[int, int, float]]:
    """Adopters approved by another council or a voluntary agency carry an inter-agency fee."""
    out: list[tuple[int, int, float]] = []
    for _child, placed, provider in care.adoption_placements:
        if placed >= SIM_START - 60 and provider in ("PR2", "PR5"):
            out.append(
                (placed, placed + r.randint(30, 100), round(27000 * r.uniform(0.95, 1.05), 2))
            )
    return out


def _uasc_claims(care: CareHistory) -> dict[int, float]:
    """The Home Office pays a daily rate per unaccompanied child looked after: higher under 16."""
    claims = dict.fromkeys(range(2014, 2020), 0.0)
    for c in care.children:
        if not c.uasc:
            continue
        sixteen = birthday(c.dob, 16)
        for e in c.episodes:
            for fy in claims:
                first, last = max(e.decom, day(fy, 4, 1)), min(e.dec, day(fy + 1, 4, 1)) - 1
                if last >= first:
                    young = max(0, min(last, sixteen - 1) - first + 1)
                    claims[fy] += young * 114.0 + (last - first + 1 - young) * 91.0
    return claims
