"""The report's sections, in the order they appear. Add a section by writing a module with a
`SECTION` (see `base.Section`) and listing it here; the writers need no change."""

from __future__ import annotations

from carecast.reports.sections import (
    actions,
    allowances,
    benchmark,
    children,
    interval,
    movement,
    mtfp,
    placements,
    provenance,
    reconciliation,
    staffing,
    summary,
    track_record,
    variance,
)
from carecast.reports.sections.base import Section
from carecast.reports.sections.methodology import KEY as METHODOLOGY_KEY
from carecast.reports.sections.methodology import TITLE as METHODOLOGY_TITLE

SECTIONS: tuple[Section, ...] = (
    summary.SECTION,
    variance.SECTION,
    movement.SECTION,
    interval.SECTION,
    placements.SECTION,
    children.SECTION,
    staffing.SECTION,
    allowances.SECTION,
    actions.SECTION,
    reconciliation.SECTION,
    track_record.SECTION,
    mtfp.SECTION,
    benchmark.SECTION,
    provenance.SECTION,
)

SECTION_TITLES: dict[str, str] = {
    **{section.key: section.title for section in SECTIONS},
    METHODOLOGY_KEY: METHODOLOGY_TITLE,
}

__all__ = ["SECTIONS", "SECTION_TITLES", "Section"]
