"""From a context to a `Report`: run every section, attach commentary, check disclosure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from carecast.reports.context import ReportContext
from carecast.reports.disclosure import small_counts_shown
from carecast.reports.model import Omitted, Report, SectionContent
from carecast.reports.sections import SECTIONS, Section
from carecast.reports.sections.methodology import build_methodology


class DisclosureBreach(AssertionError):
    """A public report would show a small count: a bug in a section, never shown to a reader."""


def build_report(
    context: ReportContext,
    sections: Sequence[Section] = SECTIONS,
    logo: bytes | None = None,
    logo_type: str = "image/png",
) -> Report:
    built: list[SectionContent] = []
    omitted: list[Omitted] = []
    for section in sections:
        result = section.build(context)
        if isinstance(result, Omitted):
            omitted.append(result)
        else:
            built.append(result)
    built.append(build_methodology(context, omitted))
    built = [replace(part, commentary=context.commentary.get(part.key)) for part in built]
    if context.public:
        shown = small_counts_shown(table for part in built for table in part.tables)
        if shown:
            raise DisclosureBreach("; ".join(shown))
    forecast = context.forecast
    version = "public version" if context.public else "internal version"
    return Report(
        council_name=context.council.name,
        title=f"Children's social care: budget monitoring {forecast.period.financial_year}",
        subtitle=(
            f"Forecast outturn at the end of period {forecast.period.number} "
            f"({forecast.period.first_day:%B %Y}) — {version}"
        ),
        period_label=str(forecast.period),
        public=context.public,
        sections=tuple(built),
        omitted=tuple(omitted),
        generated_on=context.generated_on,
        logo=logo,
        logo_type=logo_type,
        footer=f"{context.council.name} · snapshot {context.snapshot.snapshot_id} · {version}",
        metadata={
            "snapshot": str(context.snapshot.snapshot_id),
            "period": str(forecast.period),
            "council": context.council.name,
        },
    )
