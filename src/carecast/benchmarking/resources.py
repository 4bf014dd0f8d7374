"""The resource sections: the social work workforce and spend per child."""

from __future__ import annotations

from carecast.benchmarking.figures import Figure, Row, Section
from carecast.benchmarking.measures import (
    CLA_SPEND,
    CSC_TOTAL,
    census_30_september,
    spend_per_child,
    spend_per_child_looked_after,
)
from carecast.benchmarking.own_figures import OwnFigures
from carecast.benchmarking.published import direct
from carecast.benchmarking.sections import Context, nearest

WORKFORCE = (
    ("agency_rate_fte", "Agency social workers (% of FTE)", "%", True),
    ("vacancy_rate_fte", "Social worker vacancies (% of FTE posts)", "%", True),
    ("turnover_rate_fte", "Social worker turnover (% of FTE)", "%", False),
    ("caseload_fte", "Average caseload per case-holding social worker", "cases", False),
)


def workforce_section(ctx: Context) -> Section:
    rows: list[Row] = []
    own = ctx.own
    own_figures: dict[str, Figure | None] = {
        "agency_rate_fte": own.agency_rate if own else None,
        "vacancy_rate_fte": own.vacancy_rate if own else None,
    }
    for measure, label, unit, over_time in WORKFORCE:
        available = ctx.years(measure)
        shown = available if over_time else available[-1:]
        closest = nearest(available, own.known_on if own else None)
        figure = own_figures.get(measure)
        rows += [
            ctx.row(
                label,
                direct(measure, unit, census_30_september),
                year,
                figure if year == closest else None,
            )
            for year in shown
        ]
    notes: tuple[str, ...] = (
        "DfE's census of children and family social workers at 30 September. Agency rate: agency "
        "FTE ÷ (agency + in-post FTE); vacancy rate: vacancies (including those covered by "
        "agency workers) ÷ (vacancies + in-post FTE).",
    )
    if own is not None:
        notes += (_own_workforce_note(own),)
    return Section("workforce", "Social work workforce", tuple(rows), notes)


def _own_workforce_note(own: OwnFigures) -> str:
    """What the council's own workforce figures count, with its own agency share."""
    day = f"{own.known_on.day} {own.known_on:%B %Y}"
    counted = (
        "The council's own figures count every post in its establishment, not only social workers"
    )
    share = own.agency_rate.value if own.agency_rate is not None else None
    if share is None:
        return f"{counted}; its establishment on {day} has no post in use to count."
    return (
        f"{counted}: on {day} agency staff held {share}% of the FTE in post across all of its "
        "children's social care staff."
    )


def spend_section(ctx: Context) -> Section:
    rows: list[Row] = []
    own = ctx.own
    available = ctx.years(CSC_TOTAL)
    closest = nearest(available, own.known_on if own else None)
    for year in available:
        here = own is not None and year == closest
        rows.append(
            ctx.row(
                "Net spend on children's social care per child aged 0–17 (£ a year)",
                spend_per_child(CSC_TOTAL),
                year,
                own.spend_per_child if own and here else None,
            )
        )
        rows.append(
            ctx.row(
                "Net spend on children looked after per child looked after (£ a year)",
                spend_per_child_looked_after(CLA_SPEND),
                year,
            )
        )
        rows.append(
            ctx.row(
                "Net spend on children looked after per child looked after (£ a week)",
                spend_per_child_looked_after(CLA_SPEND, weekly=True),
                year,
                own.placement_spend_per_child_looked_after if own and here else None,
            )
        )
    notes: tuple[str, ...] = (
        "MHCLG revenue outturn (RO3), net current expenditure (C7), £ thousand × 1,000. Per "
        "child: ÷ the ONS 0–17 estimate for the June the year began; per child looked after: ÷ "
        "DfE's count on the 31 March it ended.",
    )
    if own is not None:
        notes += (
            "The council's own figures come from its latest forecast: the outturn of its budget "
            "lines per child, and its placement lines a week per child looked after now.",
        )
    return Section("spend", "Spend per child (revenue outturn)", tuple(rows), notes)
