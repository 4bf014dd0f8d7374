"""Special guardianship, child arrangements and adoption allowance cases.

Most cases start when a looked-after child leaves care through a special guardianship order (E43,
E44), a child arrangements/residence order (E41) or adoption (E11, E12); a few SGO allowances are
for children who were never looked after. An allowance runs to the eve of the 18th birthday unless
it stops earlier (means test, the child leaving education), which nobody knows in advance.
"""

from __future__ import annotations

from datetime import date, timedelta

from carecast.demo.children import eighteenth_birthday
from carecast.demo.dates import month_last_day, months_between
from carecast.demo.profile import DemoProfile
from carecast.demo.records import AllowanceCase
from carecast.demo.sampling import PriceIndex, Sampler
from carecast.demo.simulation import ChildWorld

_TYPES = {"sgo": "sgo", "cao": "cao", "adoption": "adoption"}  # exit route -> allowance type
_PREFIX = {"sgo": "SGO", "cao": "CAO", "adoption": "ADA"}


def allowance_cases(profile: DemoProfile, world: ChildWorld) -> list[AllowanceCase]:
    spec = profile.allowances
    sampler = Sampler(profile.seed, 4)
    shares = {"sgo": spec.sgo_share, "cao": spec.cao_share, "adoption": spec.adoption_share}
    drafts: list[tuple[date, int, str, date]] = []  # start, order, type, eve of 18th birthday
    for child in world.children:
        kind = _TYPES.get(child.route)
        if kind is None or child.exit > world.horizon or not sampler.chance(shares[kind]):
            continue
        drafts.append((child.exit, child.index, kind, eighteenth_birthday(child.dob)))
    sgo_from = date.fromisoformat(spec.sgo_available_from)
    order = len(world.children)
    for year, month in months_between(
        (sgo_from.year, sgo_from.month), (world.horizon.year, world.horizon.month)
    ):
        last = min(month_last_day(year, month), world.horizon)
        for _ in range(sampler.poisson(spec.external_sgo_per_year / 12)):
            start = date(year, month, 1) + timedelta(days=sampler.integer(0, last.day - 1))
            dob = start - timedelta(days=sampler.integer(200, 14 * 365))
            drafts.append((start, order, "sgo", eighteenth_birthday(dob)))
            order += 1
    drafts.sort()
    return _cases(sampler, profile, world.prices, drafts)


def _cases(
    sampler: Sampler,
    profile: DemoProfile,
    prices: PriceIndex,
    drafts: list[tuple[date, int, str, date]],
) -> list[AllowanceCase]:
    spec = profile.allowances
    numbers = dict.fromkeys(_PREFIX, 0)
    cases: list[AllowanceCase] = []
    for start, _, kind, turns_18 in drafts:
        planned_end = turns_18 - timedelta(days=1)
        if planned_end <= start:
            continue
        stop = start + timedelta(days=round(sampler.exponential(365.0 / spec.early_end_rate)))
        mean, sigma = spec.weekly[kind]
        epoch = prices.epoch(start)
        rate = round(sampler.lognormal_mean(mean * prices.level(epoch), sigma) * 100)
        numbers[kind] += 1
        cases.append(
            AllowanceCase(
                case_id=f"{_PREFIX[kind]}{numbers[kind]:05d}",
                allowance_type=kind,
                start=start,
                end=min(planned_end, stop),
                planned_end=planned_end,
                base_rate=rate,
                start_epoch=epoch,
            )
        )
    return cases
