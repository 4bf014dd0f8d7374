"""Children looked after, simulated child by child from entry to leaving care.

Each child's period of care is a run of placements; a placement ends in a move (more often a
step-up to residential for teenagers), in leaving care (home, SGO, adoption...) or at 18. Legal
status changes split a placement into SSDA903 episodes without changing what it costs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .codes import (
    ADOPTION,
    CIN,
    DURATION,
    ETHNIC,
    FOSTER,
    FOSTERING,
    HOME,
    INHOUSE,
    KINSHIP,
    PARENT_CHILD,
    PROVIDERS,
    RESI,
    SECURE,
    UASC_ETHNIC,
    Table,
    eighteen_table,
    first_placement,
    leaving_table,
    next_placement,
    pick,
    place_code,
)  # fmt: skip
from .matrix import CouncilSpec
from .timeline import HORIZON, OPEN, SCORED_FY, birthday, fy_of


@dataclass(slots=True)
class Episode:
    decom: int
    dec: int  # OPEN while the episode runs past the horizon
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    rec: str = ""
    urn: str = ""
    placement: int = -1
    recorded_start: int = 0  # the day the case system shows the episode
    recorded_end: int = OPEN  # the day it shows DEC and REC


@dataclass(slots=True)
class Child:
    ident: str
    sex: int
    dob: int
    ethnic: str
    upn: str
    uasc: bool
    mother: bool
    mc_dob: int
    episodes: list[Episode] = field(default_factory=list)


@dataclass(slots=True)
class Placement:
    child: int
    line: str  # cost line, or HOME/ADOPTION/CUSTODY
    start: int
    end: int  # the day care there stopped (exclusive); OPEN if still running at the horizon
    place: str
    provider_code: str
    age: float  # at start
    adulthood: int  # 18th birthday
    surge: bool = False


@dataclass(slots=True)
class LeavingCare:
    child: int
    day: int
    rec: str
    adulthood: int


@dataclass(slots=True)
class _Period:
    """The state of one period of care as it unfolds."""

    kind: str
    ls: str
    ls_change: int  # when an interim care order becomes a full one
    cin: str
    adoption_at: int  # when an adoption-track child is placed for adoption
    short: bool  # an emergency stay that ends within weeks
    surge: bool
    rne: str = "S"


class Simulation:
    def __init__(self, spec: CouncilSpec, r: random.Random) -> None:
        self.spec = spec
        self.r = r
        self.children: list[Child] = []
        self.placements: list[Placement] = []
        self.leavers: list[LeavingCare] = []
        self.adoptions: list[tuple[int, int, str]] = []

    def choose(self, table: Table, age: float) -> str:
        kind = pick(self.r, table)
        if kind != FOSTER:
            return kind
        s = self.spec
        if self.r.random() < s.kinship_share * (0.6 if age >= 11 else 1.0):
            return KINSHIP
        inhouse = s.inhouse_share * (0.7 if age >= 11 else 1.0)  # few own carers take teenagers
        return INHOUSE if self.r.random() < inhouse else "placements_ifa"

    def add_child(self, entry: int, age_days: int, surge: bool = False) -> None:
        r = self.r
        age = age_days / 365.25
        uasc = not surge and 14 <= age < 17.5 and r.random() < self.spec.uasc_share
        sex = 1 if r.random() < (0.9 if uasc else 0.55) else 2
        mother = sex == 2 and age >= 14 and r.random() < 0.03
        child = Child(
            ident="",
            sex=sex,
            dob=entry - age_days,
            ethnic=r.choice(UASC_ETHNIC) if uasc else pick(r, ETHNIC),
            upn="",
            uasc=uasc,
            mother=mother,
            mc_dob=entry - r.randint(10, 300) if mother else 0,
        )
        index = len(self.children)
        self.children.append(child)
        adulthood = birthday(child.dob, 18)
        t = entry
        while t < adulthood - 30 and t < HORIZON:
            t = self.period_of_care(index, child, t, adulthood, surge)
            surge = False

    def period_of_care(self, index: int, child: Child, t: int, adulthood: int, surge: bool) -> int:
        """Simulates one period of care from day ``t``; returns the day of a re-entry, or OPEN."""
        r = self.r
        age = (t - child.dob) / 365.25
        ls = "V2" if child.uasc or (age >= 16 and r.random() < 0.75) or r.random() < 0.4 else "C1"
        young = age < 4 and r.random() < 0.3
        first = first_placement(age, child.uasc, ls, self.spec.residential_entry)
        period = _Period(
            kind=RESI if surge else self.choose(first, age),
            ls=ls,
            ls_change=t + int(r.lognormvariate(math.log(180), 0.5)) if ls == "C1" else OPEN,
            cin="N8" if child.uasc else pick(r, CIN),
            adoption_at=t + int(r.lognormvariate(math.log(420), 0.35)) if young else OPEN,
            short=not surge and r.random() < (0.08 if age < 1 else 0.2 if age < 11 else 0.3),
            surge=surge,
        )
        while True:
            end, outcome = self.place(index, child, period, t, adulthood)
            if end >= HORIZON:
                return OPEN
            t = end
            after = self.after_placement(index, child, period, end, outcome)
            if after is not None:
                return after

    def place(
        self, index: int, child: Child, p: _Period, t: int, adulthood: int
    ) -> tuple[int, str]:
        """One placement and its episodes; returns its end and why it ended early, if it did."""
        r = self.r
        age = (t - child.dob) / 365.25
        if p.ls_change <= t:  # the care order arrived between placements
            p.ls, p.ls_change, p.rne = "C2", OPEN, ("T" if p.rne == "P" else p.rne)
        median, spread = DURATION[p.kind]
        if p.surge:
            median *= 1.5
        if age < 5 and p.kind in FOSTERING:
            median *= 0.7  # young children's plans (home, SGO, adoption) resolve sooner
        if p.short:
            median, spread = 21, 0.9
        end = t + max(1, int(r.lognormvariate(math.log(median), spread)))
        outcome = ""
        if p.adoption_at < OPEN and p.kind != ADOPTION and end >= p.adoption_at:
            end, outcome = max(t + 1, p.adoption_at), "adoption"
        if end >= adulthood:
            end, outcome = adulthood, "eighteen"
        provider = pick(r, PROVIDERS[p.kind])
        if p.kind == ADOPTION:
            self.adoptions.append((index, t, provider))
        place = place_code(r, p.kind, age)
        pl = len(self.placements)
        self.placements.append(
            Placement(
                index,
                p.kind,
                t,
                end if end < HORIZON else OPEN,
                place,
                provider,
                age,
                adulthood,
                p.surge,
            )
        )
        urn = f"SC{r.randint(100000, 999999)}" if place in ("K1", "K2", "R1", "S1") else ""
        if t < p.ls_change < end - 1:  # a legal status change splits the placement's episodes
            child.episodes.append(
                Episode(t, p.ls_change, p.rne, p.ls, p.cin, place, provider, "X1", urn, pl)
            )
            t, p.rne, p.ls, p.ls_change = p.ls_change, "L", "C2", OPEN
        child.episodes.append(
            Episode(
                t, end if end < HORIZON else OPEN, p.rne, p.ls, p.cin, place, provider, "", urn, pl
            )
        )
        return end, outcome

    def after_placement(
        self, index: int, child: Child, p: _Period, end: int, outcome: str
    ) -> int | None:
        """Ends the last episode: a move (None: care goes on), or leaving care (OPEN, or the day
        the child comes back into care)."""
        rec = self.leaving_code(child, p, end, outcome)
        last = child.episodes[-1]
        if not rec:
            last.rec = "X1"
            return None
        last.rec = rec
        self.leavers.append(LeavingCare(index, end, rec, birthday(child.dob, 18)))
        age = (end - child.dob) / 365.25
        if rec in ("E4A", "E13", "E8") and not outcome and age < 16.5 and self.r.random() < 0.12:
            return end + 30 + int(self.r.lognormvariate(math.log(240), 0.7))  # back into care
        return OPEN

    def leaving_code(self, child: Child, p: _Period, end: int, outcome: str) -> str:
        """REC for a child leaving care, or "" for a move (``p`` then holds the next placement)."""
        r = self.r
        age = (end - child.dob) / 365.25
        if outcome == "eighteen":
            return pick(r, eighteen_table(p.kind))
        if outcome == "adoption":
            p.kind, p.rne, p.ls, p.ls_change = ADOPTION, "T", "E1", OPEN
            return ""
        if p.kind == ADOPTION:
            if r.random() < 0.93:
                return "E11" if r.random() < 0.7 else "E12"
            p.kind, p.rne, p.ls, p.adoption_at = INHOUSE, "T", "C2", OPEN  # the adoption disrupted
            return ""
        leaves = p.adoption_at == OPEN and r.random() < (
            0.85 if p.short else self.exit_chance(p.kind, age, end)
        )
        # Placed at home on a care order is a placement, not leaving care.
        home = (
            p.ls == "C2"
            and age < 16
            and p.kind != HOME
            and p.adoption_at == OPEN
            and r.random() < 0.1
        )
        if home or not leaves:
            kind = (
                HOME if home else self.choose(next_placement(p.kind, age, self.spec.step_up), age)
            )
            if kind == HOME and p.ls not in ("C1", "C2"):
                kind = self.choose(((FOSTER, 1.0),), age)
            p.kind, p.rne, p.short = kind, "P", False
            return ""
        rec = pick(r, leaving_table(p.kind, age, p.short))
        if rec in ("E43", "E44") and fy_of(end) >= 2018:  # SGO codes split by carer from 2018-19
            relative = p.kind == KINSHIP or r.random() < 0.4
            rec = ("E45" if relative else "E46") if rec == "E43" else ("E47" if relative else "E48")
        return rec

    def exit_chance(self, kind: str, age: float, end: int) -> float:
        base = {
            PARENT_CHILD: 0.55,
            HOME: 0.7,
            SECURE: 0.2,
            "placements_other": 0.35,
            "custody": 0.3,
        }.get(kind)
        p = (
            base
            if base is not None
            else (0.5, 0.33, 0.22, 0.25)[(age >= 5) + (age >= 11) + (age >= 16)]
        )
        if self.spec.falling_year and fy_of(end) == SCORED_FY:
            p = min(0.9, p * 1.3)  # a reunification drive in the falling year
        return p
