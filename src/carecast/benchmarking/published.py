"""Published figures as `Figure`s: look-ups, arithmetic on them, and the neighbours' mean.

A `Measure` is a function (reference data, area, year) → Figure. The same function gives the
council's figure, each neighbour's and England's, so the three are computed alike; the neighbours'
figure is the plain mean of the neighbours that have one (DfE's statistical-neighbour average).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from carecast.benchmarking.figures import Figure, Row, Source
from carecast.reference.catalogue import BY_KEY
from carecast.reference.dataset import Observation, ReferenceData
from carecast.reference.tidy import ENGLAND

Measure = Callable[[ReferenceData, str, str], Figure]
ONE_DECIMAL = Decimal("0.1")
WHOLE = Decimal(1)


def observation(data: ReferenceData, area: str, measure: str, year: str) -> Observation | None:
    return data.index.get((area, measure), {}).get(year)


def years(data: ReferenceData, area: str, measure: str) -> list[str]:
    """The years with a figure (not just a suppression mark) for an area and measure, in order."""
    found = data.index.get((area, measure), {})
    return sorted(y for y, o in found.items() if o.value is not None)


def rounded(value: float | Decimal, places: Decimal = ONE_DECIMAL) -> Decimal:
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def source(obs: Observation, measure: str, year_text: str) -> Source:
    kind = BY_KEY[obs.kind]
    return Source(kind.publisher, kind.title, obs.file, measure, year_text)


def missing(unit: str, measure: str, year_text: str, note: str) -> Figure:
    return Figure(None, unit, Source("", "", "", measure, year_text), note)


def why_missing(obs: Observation | None) -> str:
    if obs is None:
        return "not published"
    return f"suppressed ({obs.symbol})" if obs.symbol else "not published"


def joint_note(*observations: Observation | None) -> str:
    joint = next((o.joint for o in observations if o is not None and o.joint), None)
    return f"reported jointly as {joint}" if joint else ""


def direct(measure: str, unit: str, year_text: Callable[[str], str]) -> Measure:
    """A published value as it stands (a rate or average the publisher computed)."""

    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        obs = observation(data, area, measure, year)
        if obs is None or obs.value is None:
            return missing(unit, measure, year_text(year), why_missing(obs))
        return Figure(
            rounded(obs.value),
            unit,
            source(obs, obs.selection, year_text(year)),
            joint_note(obs),
        )

    return figure


def share(
    parts: Sequence[str],
    whole: str,
    year_text: Callable[[str], str],
    label: str,
) -> Measure:
    """Σ parts ÷ whole × 100, as a percentage.

    A suppressed part is left out and the figure is marked a lower bound: DfE suppresses small
    counts, so the true share is at least what the published parts add up to.
    """

    def figure(data: ReferenceData, area: str, year: str) -> Figure:
        total = observation(data, area, whole, year)
        if total is None or not total.value:
            return missing("%", label, year_text(year), why_missing(total))
        found = [observation(data, area, part, year) for part in parts]
        if all(o is None for o in found):
            return missing("%", label, year_text(year), "not published")
        if all(o is None or o.value is None for o in found):
            marks = sorted({o.symbol or "" for o in found if o is not None})
            return missing("%", label, year_text(year), f"suppressed ({', '.join(marks)})")
        known = sum(o.value for o in found if o is not None and o.value is not None)
        hidden = [o.symbol for o in found if o is not None and o.value is None]
        absent = sum(1 for o in found if o is None)
        note = ""
        if hidden:
            note = f"lower bound: {len(hidden)} suppressed count(s) left out"
        if absent:
            note = (note + "; " if note else "") + f"{absent} part(s) not published"
        cited = " + ".join(o.selection for o in found if o is not None)
        return Figure(
            rounded(known / total.value * 100),
            "%",
            source(total, f"({cited}) ÷ {total.selection} × 100", year_text(year)),
            note,
        )

    return figure


def neighbours_mean(figures: Sequence[Figure], members: int) -> Figure:
    """The plain mean of the neighbours' figures, as DfE's statistical-neighbour average is."""
    present = [f for f in figures if f.value is not None]
    unit = figures[0].unit if figures else ""
    if not present:
        year = figures[0].source.year if figures else ""
        return missing(unit, "mean of statistical neighbours", year, "no neighbour has a figure")
    mean = sum((f.value for f in present if f.value is not None), Decimal(0)) / len(present)
    first = present[0].source
    note = "" if len(present) == members else f"mean of {len(present)} of {members} neighbours"
    lower = any(f.note.startswith("lower bound") for f in present)
    if lower:
        note = (note + "; " if note else "") + "includes lower bounds"
    places = WHOLE if unit.startswith("£") else ONE_DECIMAL
    measure = f"mean over the statistical neighbours of: {first.measure}"
    return Figure(
        rounded(mean, places),
        unit,
        Source(first.publisher, first.table, first.file, measure, first.year),
        note,
    )


def published_row(
    data: ReferenceData,
    la_code: str,
    neighbours: Sequence[str],
    *,
    label: str,
    measure: Measure,
    year: str,
    own: Figure | None = None,
) -> Row:
    """One row: the council, the mean of its neighbours and England, for one measure and year."""
    members = [measure(data, code, year) for code in neighbours]
    return Row(
        label,
        year,
        measure(data, la_code, year),
        neighbours_mean(members, len(neighbours)),
        measure(data, ENGLAND, year),
        own,
    )
