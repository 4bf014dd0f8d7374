"""Methodology: how the forecast is made, what the report leaves out and why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carecast.domain.codes import ServiceLine
from carecast.reports import narrative
from carecast.reports.context import ReportContext
from carecast.reports.disclosure import THRESHOLD
from carecast.reports.model import Cell, Omitted, SectionContent, Table
from carecast.reports.sections.base import text
from carecast.reports.sections.method_text import describe, ledger_timing_table

KEY = "methodology"
TITLE = "Methodology"


def build_methodology(context: ReportContext, omitted: list[Omitted]) -> SectionContent:
    forecast = context.forecast
    used = forecast.assumptions.get("used")
    used = used if isinstance(used, Mapping) else {}
    methods: dict[str, list[str]] = {}
    for line in forecast.lines:
        methods.setdefault(line.method, []).append(line.service_line.heading.lower())
    paragraphs = [
        "Every figure comes from a stored, unchangeable forecast snapshot and the data known on "
        f"{narrative.day_text(forecast.knowledge_date)}, the close of "
        f"{narrative.period_text(forecast.period)}. Each line is forecast from its own activity, "
        "as the assumptions stored with the snapshot say:"
    ]
    for method, lines in methods.items():
        paragraphs.append(f"{narrative.join(lines).capitalize()}: {describe(method, used)}.")
    paragraphs.append(
        "The narrative is written from the tables by fixed rules: money is rounded to a tenth "
        "of a million pounds (to thousands below a hundred thousand), and every figure in it "
        "appears in a table of the report. Tables show money to the nearest pound, so a total "
        "may differ by a pound or two from the sum of the rounded figures above it; the Excel "
        "workbook holds every figure to the penny."
    )
    if context.public:
        paragraphs.append(
            f"Disclosure control: this is the public version. Counts of children from 1 to "
            f"{THRESHOLD - 1} are withheld and shown as x, as are further figures wherever a "
            "withheld count could be worked out from totals or other cells, and any share or unit "
            "cost that would reveal one. No child-level rows appear."
        )
    else:
        paragraphs.append(
            "This is the internal version: counts of children are shown in full. Use --public "
            "for a version that can be published; it contains no child-level rows in either form."
        )
    for part in omitted:
        paragraphs.append(f"Left out — {part.title}: {part.reason}.")
    left_out = {part.key for part in omitted}
    for capability, reason in sorted(context.unavailable.items()):
        if capability not in left_out:
            paragraphs.append(f"Not yet available — {capability}: {reason}.")
    timing = ledger_timing_table(forecast.assumptions)
    if timing is not None:
        paragraphs.append(
            "How the ledger follows the placements differs from council to council and from "
            "line to line; what the forecast found for each line is in the first table below."
        )
    tables = tuple(t for t in (timing, assumptions_table(used) if used else None) if t)
    if used:
        paragraphs.append(
            "The assumptions the forecast used, as given or fitted to the council's history, are "
            "listed below; they are stored with the snapshot."
        )
    notes = tuple(narrative.pounds_in(note) for note in forecast.notes)
    return SectionContent(KEY, TITLE, tuple(paragraphs), tables, notes=notes)


def _words(key: str) -> str:
    try:
        return ServiceLine(key).heading.lower()
    except ValueError:
        return key.replace("_", " ")


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        if not value:
            return "none"
        return "; ".join(f"{_words(str(k))} {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) if value else "none"
    if value is None:
        return "fitted"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def assumptions_table(used: Mapping[str, Any]) -> Table:
    """The forecast's assumptions, one row per setting, grouped by engine."""
    rows: list[tuple[Cell, ...]] = []
    for group, settings in used.items():
        if isinstance(settings, Mapping):
            for key, value in settings.items():
                rows.append((f"{_words(str(group))}: {_words(str(key))}", _value(value)))
        else:
            rows.append((_words(str(group)), _value(settings)))
    return Table(
        "assumptions",
        "Forecast assumptions used",
        (text("assumption", "Assumption"), text("value", "Value")),
        tuple(rows),
    )
