"""Staffing: establishment FTE, agency share, vacancies and caseloads against the target."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from carecast.domain.finance import Post
from carecast.reports import narrative
from carecast.reports.charts import bar_chart
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Omitted, SectionContent, Table
from carecast.reports.sections.base import (
    Built,
    SectionSpec,
    count,
    measure,
    ratio,
    share,
    text,
)

KEY = "staffing"
TITLE = "Staffing"
ZERO = Decimal(0)


def _fte(posts: Iterable[Post], *statuses: str) -> Decimal:
    return sum((p.fte for p in posts if p.status in statuses), ZERO)


def _row(label: str, posts: list[Post], target: int) -> tuple[Cell, ...]:
    establishment = sum((p.fte for p in posts), ZERO)
    permanent, agency = _fte(posts, "permanent"), _fte(posts, "agency")
    secondee, vacant = _fte(posts, "secondee"), _fte(posts, "vacant")
    filled = permanent + agency + secondee
    caseloads = [p.caseload for p in posts if p.caseload is not None]
    average = Decimal(sum(caseloads)) / len(caseloads) if caseloads else None
    return (
        label,
        establishment,
        permanent,
        agency,
        vacant,
        ratio(agency, filled),
        ratio(vacant, establishment),
        len(caseloads),
        average,
        sum(1 for c in caseloads if c > target),
    )


def staffing_table(context: ReportContext) -> Table:
    teams: dict[str, list[Post]] = defaultdict(list)
    for post in context.state.posts:
        teams[post.team].append(post)
    target = context.caseload_target
    rows = [_row(team, teams[team], target) for team in sorted(teams)]
    rows.append(_row("Total", list(context.state.posts), target))
    return Table(
        "staffing_by_team",
        f"Establishment on {narrative.day_text(context.forecast.knowledge_date)} by team",
        (
            text("team", "Team"),
            measure("establishment", "Establishment FTE"),
            measure("permanent", "Permanent FTE"),
            measure("agency", "Agency FTE"),
            measure("vacant", "Vacant FTE"),
            share("agency_pct", "Agency % of filled"),
            share("vacancy_pct", "Vacancy %"),
            count("with_caseload", "Posts holding cases"),
            measure("caseload", "Average caseload"),
            count("over_target", f"Caseloads above {target}"),
        ),
        tuple(rows),
        total_row=True,
        notes=(
            "FTE: full-time equivalent. Agency share is of filled FTE (permanent, agency and "
            f"seconded). The caseload target of {target} is the report's --caseload-target.",
        ),
    )


def build(context: ReportContext) -> Built:
    if not context.state.posts:
        return Omitted(KEY, TITLE, "no staffing establishment has been imported")
    table = staffing_table(context)
    total = table.rows[-1]
    establishment, permanent, agency, vacant, agency_pct, _, holders, average, over = total[1:]
    assert isinstance(establishment, Decimal)
    assert isinstance(agency, Decimal)
    assert isinstance(permanent, Decimal)
    assert isinstance(vacant, Decimal)
    paragraphs = [
        f"The establishment is {narrative.number(establishment)} FTE: "
        f"{narrative.number(permanent)} permanent, {narrative.number(agency)} agency and "
        f"{narrative.number(vacant)} vacant"
        + (
            f". Agency staff fill {narrative.percent(agency_pct)} of filled posts."
            if isinstance(agency_pct, Decimal)
            else "."
        )
    ]
    if isinstance(average, Decimal) and isinstance(holders, int) and isinstance(over, int):
        paragraphs.append(
            f"The {narrative.count(holders)} posts holding cases carry "
            f"{narrative.number(average)} cases on average against a target of "
            f"{context.caseload_target}; {narrative.count(over)} carry more than the target."
        )
    line = next((x for x in context.forecast.lines if x.service_line.value == "staffing"), None)
    if line is not None:
        paragraphs.append(
            f"Staffing is forecast to cost {narrative.money(line.forecast_outturn)} against a "
            f"budget of {narrative.money(line.budget)}: "
            f"{narrative.variance_phrase(line.variance, line.budget)}."
        )
    bars = [
        (str(row[0]), float(row[5]) * 100) for row in table.rows[:-1] if isinstance(row[5], Decimal)
    ]
    chart = bar_chart(
        "agency_share_by_team",
        "Agency share of filled posts by team (%)",
        "Horizontal bars of the agency share of filled FTE in each team. " + paragraphs[0],
        sorted(bars, key=lambda item: -item[1]),
        "% of filled FTE that is agency",
        label_format=".1f",
    )
    return SectionContent(KEY, TITLE, tuple(paragraphs), (table,), (chart,))


SECTION = SectionSpec(KEY, TITLE, build)
