"""The activity sections: children looked after over time, starters and leavers, placement mix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from carecast.benchmarking.figures import Figure, Row, Section
from carecast.benchmarking.measures import (
    at_31_march,
    per_10k_of_children,
    rate,
    year_to_31_march,
)
from carecast.benchmarking.own_figures import OwnFigures
from carecast.benchmarking.published import Measure, published_row, share, years
from carecast.reference.dataset import ReferenceData
from carecast.reference.tidy import ENGLAND

RECENT_YEARS = 3
SFR50_TOTAL = "cla_31_march"
NATIONAL = "placement:{}|{}"
ALL = "1. All children looked after at 31 March"

# DfE placement groups: SFR 50 (2017, councils and England) and the national table (2020 on).
MIX = (
    (
        "foster",
        "Foster placements",
        ("sfr50:CLA_Fost",),
        ("2a. Foster placements", "3a. Foster placements"),
    ),
    (
        "residential",
        "Children's homes, secure, other residential and semi-independent settings",
        ("sfr50:CLA_Secure", "sfr50:CLA_Ores", "sfr50:CLA_RSch", "sfr50:CLA_Ocom"),
        tuple(
            f"{side}{letter}. {name}"
            for side in "23"
            for letter, name in (
                ("b", "Secure homes and children's homes"),
                (
                    "c",
                    "Independent and semi-independent living arrangements/supported accommodation",
                ),
                ("d", "Other residential settings"),
                ("e", "Residential schools"),
            )
        ),
    ),
    (
        "parents",
        "Placed with parents",
        ("sfr50:CLA_Parent",),
        tuple(
            f"{s}f. Placed with parents or other person with parental responsibility" for s in "23"
        ),
    ),
    (
        "adoption",
        "Placed for adoption",
        ("sfr50:CLA_Adopt",),
        ("2g. Placed for adoption", "3g. Placed for adoption"),
    ),
    ("other", "Other placements", ("sfr50:CLA_OthPl",), ("4. Other placement",)),
)
PROVIDERS = ("Private provision", "Voluntary/third sector provision")

CEASED = "ceased:Total"
# Why children ceased: the tidy release's reasons (2020 on) and SFR 50's columns (2017).
CEASED_REASONS = (
    ("adopted", "Adopted", ("Adopted",), ("CEA_Adop1", "CEA_Adop2")),
    (
        "sgo",
        "Special guardianship order",
        ("Special guardianship orders",),
        ("CEA_SGO1", "CEA_SGO2"),
    ),
    (
        "cao",
        "Child arrangement order",
        ("Residence order or child arrangement order granted",),
        ("CEA_CAO",),
    ),
    (
        "home",
        "Returned home",
        tuple(
            "Returned home to live with parents or other person with parental responsibility "
            f"which was {part} of the care planning process"
            for part in ("part", "not part")
        ),
        ("CEA_ParPlan", "CEA_ParNPlan"),
    ),
    (
        "adulthood",
        "Aged 18, independent living or adult care",
        (
            "Aged 18 (or over) and remained with current carers",
            "Moved into independent living (with supportive accommodation)",
            "Moved into independent living (with no formalised support)",
            "Transferred to residential care funded by adult social services",
        ),
        ("CEA_IndLiv1", "CEA_IndLiv2", "CEA_Residential"),
    ),
)


@dataclass(frozen=True)
class Context:
    """What every section needs: the data, the council, its neighbours and its own figures."""

    data: ReferenceData
    la_code: str
    neighbours: tuple[str, ...]
    own: OwnFigures | None

    def row(self, label: str, measure: Measure, year: str, own: Figure | None = None) -> Row:
        return published_row(
            self.data,
            self.la_code,
            self.neighbours,
            label=label,
            measure=measure,
            year=year,
            own=own,
        )

    def years(self, measure: str) -> list[str]:
        """Years the council has the measure; England's when the council has none."""
        return years(self.data, self.la_code, measure) or years(self.data, ENGLAND, measure)


def nearest(candidates: Iterable[str], day: date | None) -> str | None:
    """The year label (e.g. '2017', '2024-25') closest to `day`, latest on a tie."""
    pool = sorted(candidates)
    if not pool:
        return None
    if day is None:
        return pool[-1]
    return min(reversed(pool), key=lambda y: abs(int(y[:4]) - day.year))


def cla_rate_section(ctx: Context) -> Section:
    own_rates = ctx.own.cla_rate if ctx.own else {}
    published = ctx.years("cla_31_march")
    rows = tuple(
        ctx.row(
            "Children looked after per 10,000 children on 31 March",
            rate("cla_31_march"),
            year,
            own_rates.get(year),
        )
        for year in sorted(set(published) | set(own_rates))
    )
    notes = (
        "Rates are the published count ÷ the published 0–17 population × 10,000, to one decimal "
        "(DfE rounds them to whole numbers); 2017 divides SFR 50's count by the ONS estimate for "
        "mid-2016. Neighbours: the plain mean of the neighbours' rates.",
    )
    return Section("cla_rate", "Children looked after per 10,000 children", rows, notes)


def flows_section(ctx: Context) -> Section:
    own = ctx.own
    rows: list[Row] = []
    flows = (
        (
            "cla_started",
            "Children starting to be looked after per 10,000",
            own and own.started_rate,
        ),
        ("cla_ceased", "Children ceasing to be looked after per 10,000", own and own.ceased_rate),
    )
    for key, label, known in flows:
        own_rates = known or {}
        recent = ctx.years(key)[-RECENT_YEARS:]
        for year in sorted(set(recent) | set(own_rates)):
            rows.append(ctx.row(label, rate(key, "year"), year, own_rates.get(year)))
    placements = ctx.years("new_placements:Total new placements")[-1:]
    for year in placements:
        rows.append(
            ctx.row(
                "New placements in the year per 10,000 children",
                per_10k_of_children("new_placements:Total new placements"),
                year,
            )
        )
        distant = share(
            ("new_placements:Placed outside LA boundary more than 20 miles from home",),
            "new_placements:Total new placements",
            year_to_31_march,
            "new placements outside the council more than 20 miles from home",
        )
        rows.append(
            ctx.row("New placements outside the council, over 20 miles away (%)", distant, year)
        )
    rows += _ceased_rows(ctx)
    notes: tuple[str, ...] = ()
    if own is not None:
        notes = (
            "Own starters count children whose episode began with RNE S; own leavers, children "
            "whose last episode in the year ended with a reason other than X1.",
        )
    return Section("flows", "Children starting and ceasing; new placements", tuple(rows), notes)


def _ceased_rows(ctx: Context) -> list[Row]:
    """Why children ceased: SFR 50's 2017 figures and the latest tidy release, the council's own
    latest whole year beside the nearer of the two."""
    sfr_years = [y for y in ctx.years("sfr50:CEA_Adop1") if y in ctx.years("cla_ceased")]
    latest = ctx.years(CEASED)[-1:]
    own = ctx.own
    closest = nearest(sfr_years + latest, own.known_on if own else None)
    rows: list[Row] = []
    for key, label, parts, columns in CEASED_REASONS:
        own_figure = own.ceased_mix.get(key) if own else None
        tidy = share(tuple(f"ceased:{p}" for p in parts), CEASED, year_to_31_march, label)
        sfr50 = share(tuple(f"sfr50:{c}" for c in columns), "cla_ceased", year_to_31_march, label)
        for year, measure in [(y, sfr50) for y in sfr_years] + [(y, tidy) for y in latest]:
            mine = own_figure if year == closest else None
            rows.append(ctx.row(f"Ceased: {label} (%)", measure, year, mine))
    return rows


def _national_share(parts: tuple[str, ...], provider: str, label: str) -> Measure:
    return share(
        tuple(NATIONAL.format(p, provider) for p in parts),
        NATIONAL.format(ALL, "All children"),
        at_31_march,
        label,
    )


def _mix_rows(
    ctx: Context, label: str, sfr50: Measure, national: Measure, own: Figure | None
) -> list[Row]:
    council_years = years(ctx.data, ctx.la_code, SFR50_TOTAL)
    sfr_years = [y for y in years(ctx.data, ENGLAND, "sfr50:CLA_Fost") if y in council_years]
    national_years = years(ctx.data, ENGLAND, NATIONAL.format(ALL, "All children"))[-1:]
    known_on = ctx.own.known_on if ctx.own else None
    closest = nearest(sfr_years + national_years, known_on)
    rows = [ctx.row(label, sfr50, y, own if y == closest else None) for y in sfr_years]
    rows += [ctx.row(label, national, y, own if y == closest else None) for y in national_years]
    return rows


def mix_section(ctx: Context) -> Section:
    own_mix = ctx.own.mix if ctx.own else {}
    rows: list[Row] = []
    for key, label, sfr_parts, national_parts in MIX:
        sfr50 = share(sfr_parts, SFR50_TOTAL, at_31_march, label)
        national = _national_share(national_parts, "All children", label)
        rows += _mix_rows(ctx, f"{label} (%)", sfr50, national, own_mix.get(key))
    providers = share(("sfr50:CLA_Priv", "sfr50:CLA_Vol"), SFR50_TOTAL, at_31_march, "providers")
    national = share(
        tuple(NATIONAL.format(ALL, p) for p in PROVIDERS),
        NATIONAL.format(ALL, "All children"),
        at_31_march,
        "private or voluntary providers",
    )
    rows += _mix_rows(
        ctx,
        "Placed with private or voluntary providers (%)",
        providers,
        national,
        own_mix.get("private_voluntary"),
    )
    notes = (
        "Councils' placement types were last published for 31 March 2017 (SFR 50); later years "
        "are England only. Groups: SFR 50's secure units, children's homes and hostels, other "
        "residential settings, residential schools and other placements in the community are "
        "shown together, as the later tables' children's homes, semi-independent and other "
        "residential settings are.",
        "A share marked 'lower bound' leaves out counts DfE suppressed (1 to 5 children).",
    )
    return Section("placement_mix", "Placement mix on 31 March", tuple(rows), notes)
