"""The activity sections: children looked after over time, starters and leavers, placement mix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from carecast.benchmarking.published import Measure, missing, published_row, share, years
from carecast.benchmarking.years import (
    aligned_year,
    at_31_march_of,
    label_order,
    nearest_year,
    point_label,
)
from carecast.domain.periods import FinancialYear
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
    """What every section needs: the data, the council, its neighbours, its own figures and the
    financial year the benchmark is for (`focus`; None: the latest published)."""

    data: ReferenceData
    la_code: str
    neighbours: tuple[str, ...]
    own: OwnFigures | None
    focus: FinancialYear | None = None

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

    def aligned(self, section: str, published: Iterable[str]) -> list[str]:
        """Of the `published` years, the one that belongs to the benchmark's financial year, or
        the nearest to it (see years.py); none without a financial year."""
        if self.focus is None:
            return []
        found = nearest_year(aligned_year(section, self.focus), published)
        return [] if found is None else [found]


def own_only_row(measure: str, label: str, own: Figure) -> Row:
    """A row for an own figure of a day the publishers do not measure on: the published
    columns are empty rather than another day's figures."""
    absent = missing(own.unit, measure, label, "not published for this date")
    return Row(measure, label, absent, absent, absent, own)


def in_time(rows: Iterable[Row], published_day: Callable[[int], date]) -> list[Row]:
    return sorted(rows, key=lambda row: label_order(row.year, published_day))


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
        published = ctx.years(key)
        recent = published[-RECENT_YEARS:] + ctx.aligned("flows", published)
        for year in sorted(set(recent) | set(own_rates)):
            rows.append(ctx.row(label, rate(key, "year"), year, own_rates.get(year)))
    published = ctx.years("new_placements:Total new placements")
    placements = sorted({*published[-1:], *ctx.aligned("flows", published)})
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
    """Why children ceased: SFR 50's 2017 figures, the tidy release's latest year and the year of
    the benchmark; the council's own latest whole year in that year's row (its own row when
    nothing was published for it)."""
    sfr_years = [y for y in ctx.years("sfr50:CEA_Adop1") if y in ctx.years("cla_ceased")]
    tidy_years = ctx.years(CEASED)
    own = ctx.own
    own_year = own.ceased_year if own is not None else None
    shown = {*tidy_years[-1:], *ctx.aligned("flows", tidy_years)} - set(sfr_years)
    if own_year is not None and own_year not in sfr_years:
        shown.add(own_year)
    rows: list[Row] = []
    for key, label, parts, columns in CEASED_REASONS:
        own_figure = own.ceased_mix.get(key) if own else None
        tidy = share(tuple(f"ceased:{p}" for p in parts), CEASED, year_to_31_march, label)
        sfr50 = share(tuple(f"sfr50:{c}" for c in columns), "cla_ceased", year_to_31_march, label)
        chosen = [(y, sfr50) for y in sfr_years] + [(y, tidy) for y in shown]
        for year, measure in sorted(chosen, key=lambda item: item[0]):
            mine = own_figure if year == own_year else None
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
    """SFR 50's councils (2017), England's latest and the benchmark's year; the council's own
    mix on its own day, in the 31 March row only when that day is a 31 March."""
    council_years = years(ctx.data, ctx.la_code, SFR50_TOTAL)
    sfr_years = [y for y in years(ctx.data, ENGLAND, "sfr50:CLA_Fost") if y in council_years]
    published = years(ctx.data, ENGLAND, NATIONAL.format(ALL, "All children"))
    national_years = sorted({*published[-1:], *ctx.aligned("placement_mix", published)})
    mine = None if ctx.own is None else point_label(ctx.own.known_on, at_31_march_of)
    rows = [ctx.row(label, sfr50, y, own if y == mine else None) for y in sfr_years]
    rows += [ctx.row(label, national, y, own if y == mine else None) for y in national_years]
    if own is not None and mine is not None and mine not in {*sfr_years, *national_years}:
        rows.append(own_only_row(label, mine, own))
    return in_time(rows, at_31_march_of)


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
