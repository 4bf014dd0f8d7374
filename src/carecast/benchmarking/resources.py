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
from carecast.benchmarking.sections import Context, in_time, own_only_row
from carecast.benchmarking.years import at_30_september_of, point_label

WORKFORCE = (
    ("agency_rate_fte", "Agency social workers (% of FTE)", "%", True),
    ("vacancy_rate_fte", "Social worker vacancies (% of FTE posts)", "%", True),
    ("turnover_rate_fte", "Social worker turnover (% of FTE)", "%", False),
    ("caseload_fte", "Average caseload per case-holding social worker", "cases", False),
)


def workforce_section(ctx: Context) -> Section:
    """DfE's census at 30 September; the council's own establishment on its own day, in the
    census row only when that day is a 30 September."""
    rows: list[Row] = []
    own = ctx.own
    own_figures: dict[str, Figure | None] = {
        "agency_rate_fte": own.agency_rate if own else None,
        "vacancy_rate_fte": own.vacancy_rate if own else None,
    }
    mine = None if own is None else point_label(own.known_on, at_30_september_of)
    for measure, label, unit, over_time in WORKFORCE:
        available = ctx.years(measure)
        figure = own_figures.get(measure)
        shown = set(available if over_time else available[-1:])
        shown |= set(ctx.aligned("workforce", available))
        if figure is not None and mine in available:
            shown.add(mine)
        measured = [
            ctx.row(
                label,
                direct(measure, unit, census_30_september),
                year,
                figure if year == mine else None,
            )
            for year in sorted(shown)
        ]
        if figure is not None and mine is not None and mine not in shown:
            measured.append(own_only_row(label, mine, figure))
        rows += in_time(measured, at_30_september_of)
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
    """MHCLG's revenue outturn, every year published; the council's own figures in the row of
    the financial year its forecast is for (a row of its own when none was published)."""
    rows: list[Row] = []
    own = ctx.own
    mine = None if own is None else own.financial_year
    available = sorted({*ctx.years(CSC_TOTAL), *([mine] if mine else [])})
    for year in available:
        here = own is not None and year == mine
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
            f"The council's own figures come from its forecast for {own.financial_year}: the "
            "outturn of its budget lines per child, and its placement lines a week per child "
            "looked after now."
            if own.financial_year
            else "The council's own spend needs a stored forecast; there is none yet.",
        )
    return Section("spend", "Spend per child (revenue outturn)", tuple(rows), notes)
