"""One child's story: who they are, why and for how long they are looked after, legal statuses.

`new_child` draws everything decided when a child starts to be looked after (the planned exit,
legal-status path and any planned last placement); the simulation then plays out placements.
`build_episodes` turns a child's placements and legal statuses into SSDA903 episodes.
"""

from __future__ import annotations

from datetime import date, timedelta

from carecast.demo.codes import (
    AGE_OUT_REC,
    CIN_CODES,
    ETHNIC_CODES,
    FOSTER_CATEGORIES,
    ROUTE_REC,
    UASC_ETHNIC_CODES,
)
from carecast.demo.dates import birthday
from carecast.demo.profile import AGE_BANDS, DemoProfile, age_band
from carecast.demo.records import Child, Episode
from carecast.demo.sampling import Sampler

_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_UASC_ROUTES = (("age_out", 0.85), ("other", 0.15))


def postcode(sampler: Sampler, area: str) -> str:
    """A postcode-shaped string in a fictional area ('DB' for the demo borough)."""
    letters = _POSTCODE_LETTERS
    return (
        f"{area}{sampler.integer(1, 19)} {sampler.integer(1, 9)}"
        f"{letters[sampler.integer(0, len(letters) - 1)]}"
        f"{letters[sampler.integer(0, len(letters) - 1)]}"
    )


def child_id(index: int, offset: int) -> str:
    """Unique synthetic six-digit identifiers in a seed-dependent order."""
    return f"DB{100000 + (index * 611953 + offset) % 900000:06d}"


def age_on(dob: date, day: date) -> int:
    years = day.year - dob.year
    return years - 1 if (day.month, day.day) < (dob.month, dob.day) else years


def eighteenth_birthday(dob: date) -> date:
    return birthday(dob, 18)


def _days(sampler: Sampler, low: int, high: int) -> timedelta:
    return timedelta(days=sampler.integer(low, high))


def new_child(sampler: Sampler, profile: DemoProfile, index: int, ident: str, entry: date) -> Child:
    weights = profile.entry_age_weights
    age = sampler.choice([(a, w) for a, w in enumerate(weights)])
    dob = entry - timedelta(days=int(age * 365.25) + sampler.integer(0, 364))
    turns_18 = eighteenth_birthday(dob)
    if turns_18 <= entry + timedelta(days=1):
        dob += timedelta(days=7)
        turns_18 = eighteenth_birthday(dob)
    age = age_on(dob, entry)
    band = age_band(age)
    uasc = sampler.chance(profile.uasc_share_by_age[min(age, 17)])
    sex = 1 if sampler.chance(profile.uasc_male_share if uasc else profile.male_share) else 2
    ethnic = sampler.choice(UASC_ETHNIC_CODES if uasc else ETHNIC_CODES)
    cin = "N8" if uasc else sampler.choice(CIN_CODES)
    routes = _UASC_ROUTES if uasc else tuple(profile.exit_routes[AGE_BANDS[band]].items())
    route = sampler.choice(routes)
    exit_day, route = _plan_exit(sampler, profile, route, entry, turns_18)
    child = Child(
        index=index,
        child_id=ident,
        sex=sex,
        dob=dob,
        ethnic=ethnic,
        upn=_UPN_LETTERS[sampler.integer(0, len(_UPN_LETTERS) - 1)]
        + f"{sampler.integer(0, 999_999):06d}{sampler.integer(0, 999_999):06d}",
        cin=cin,
        uasc=uasc,
        home_post=postcode(sampler, "DB"),
        entry=entry,
        exit=exit_day,
        route=route,
        ls_changes=[],
    )
    _plan_terminal(sampler, profile, child)
    _plan_legal_status(sampler, profile, child, band)
    sixteen = birthday(dob, 16)
    limit = child.terminal[0] if child.terminal else exit_day
    if entry < sixteen < limit and sampler.chance(profile.move_at_16_share):
        review = sixteen + _days(sampler, 0, 120)
        child.move_at_16 = review if review < limit else None
    return child


def _plan_exit(
    sampler: Sampler, profile: DemoProfile, route: str, entry: date, turns_18: date
) -> tuple[date, str]:
    if route == "sgo" and entry < date.fromisoformat(profile.allowances.sgo_available_from):
        route = "cao"  # before special guardianship existed, a residence order
    if route == "age_out":
        return turns_18, route
    if route == "independent":
        seventeen = max(entry + timedelta(days=30), turns_18 - timedelta(days=365))
        span = (turns_18 - seventeen).days - 1
        if span < 1:
            return turns_18, "age_out"
        return seventeen + timedelta(days=sampler.integer(0, span)), route
    median, sigma = profile.route_duration_days[route]
    days = max(1, round(sampler.lognormal_median(median, sigma)))
    if route == "adoption" and days < 240:
        route = "home"
    exit_day = entry + timedelta(days=days)
    if exit_day >= turns_18:
        return turns_18, "age_out"
    return exit_day, route


def _plan_terminal(sampler: Sampler, profile: DemoProfile, child: Child) -> None:
    duration = (child.exit - child.entry).days
    if child.route == "adoption":
        start = child.exit - _days(sampler, 150, min(365, duration - 60))
        child.terminal = (start, "adoption")
    elif (
        child.route == "home"
        and duration > 150
        and sampler.chance(profile.parents_before_home_share)
    ):
        child.terminal = (child.exit - _days(sampler, 30, min(120, duration - 30)), "parents")


def _plan_legal_status(sampler: Sampler, profile: DemoProfile, child: Child, band: int) -> None:
    start = child.entry
    changes: list[tuple[date, str]] = []
    if not child.uasc and sampler.chance(profile.emergency_start_share):
        changes.append((start, sampler.choice((("L1", 0.4), ("L2", 0.6)))))
        start = start + _days(sampler, 1, 8)
    care_order = child.route == "adoption" or (
        not child.uasc and sampler.chance(profile.care_order_share[band])
    )
    if care_order:
        changes.append((start, "C1"))
        full = start + _days(sampler, 150, 330)
        changes.append((full, "C2"))
        if child.terminal and child.terminal[1] == "adoption":
            order = child.terminal[0] - _days(sampler, 14, 90)
            if order > full:
                changes.append((order, "E1"))
    else:
        changes.append((start, "V2"))
    child.ls_changes = [(day, code) for day, code in changes if day < child.exit]


SGO_CODES_CHANGE = date(2018, 4, 1)  # REC E45/E46 replace E43/E44 in the 2018-19 collection


def final_rec(sampler: Sampler, child: Child, last_category: str) -> str:
    if child.route == "sgo" and child.exit >= SGO_CODES_CHANGE:
        return sampler.choice(ROUTE_REC["sgo_from_2018"])
    if child.route != "age_out":
        return sampler.choice(ROUTE_REC[child.route])
    if last_category in FOSTER_CATEGORIES:
        return sampler.choice(AGE_OUT_REC["foster"])
    if last_category == "supported":
        return sampler.choice(AGE_OUT_REC["supported"])
    return sampler.choice(AGE_OUT_REC["default"])


def build_episodes(child: Child, horizon: date) -> list[Episode]:
    """SSDA903 episodes: a new one at every placement change (P), legal-status change (L) or both
    (B); the first is S. Episodes open at the horizon have no DEC."""
    ls_on = {day: code for day, code in child.ls_changes if day <= horizon}
    starts = {p.start: p for p in child.placements if p.start <= horizon}
    bounds = sorted(set(ls_on) | set(starts))
    exit_day = child.exit if child.exit <= horizon else None
    episodes: list[Episode] = []
    placement = starts[bounds[0]]
    legal = ls_on[bounds[0]]
    for i, day in enumerate(bounds):
        if i == 0:
            rne = "S"
        elif day in starts and day in ls_on:
            rne = "B"
        else:
            rne = "P" if day in starts else "L"
        placement = starts.get(day, placement)
        legal = ls_on.get(day, legal)
        last = i == len(bounds) - 1
        dec = exit_day if last else bounds[i + 1]
        moves_next = not last and bounds[i + 1] in starts
        episodes.append(
            Episode(
                child_id=child.child_id,
                decom=day,
                rne=rne,
                ls=legal,
                cin=child.cin,
                place=placement.place,
                provider_code=placement.provider_code,
                dec=dec,
                rec=("X1" if not last else child.rec) if dec is not None else "",
                reason_place_change=placement.end_reason if moves_next else "",
                home_post=child.home_post,
                pl_post=placement.pl_post,
                urn=placement.urn,
            )
        )
    return episodes
