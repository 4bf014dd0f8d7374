"""Data quality and provenance: which imports the forecast rests on, and their warnings."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePath

from carecast.domain.provenance import ImportBatch
from carecast.reports import narrative
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Kind, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, count, text

KEY = "provenance"
TITLE = "Data quality and provenance"


def short_name(file_name: str) -> str:
    """The file and its folder (e.g. 2018-09/gl_actuals.csv): enough to find it, without the
    full path of the machine it was imported on."""
    return "/".join(PurePath(file_name).parts[-2:])


def imports_table(batches: list[ImportBatch]) -> Table:
    by_dataset: dict[str, list[ImportBatch]] = defaultdict(list)
    for batch in batches:
        by_dataset[batch.dataset].append(batch)
    rows: list[tuple[Cell, ...]] = []
    for dataset in sorted(by_dataset):
        chosen = sorted(by_dataset[dataset], key=lambda b: (b.as_of, b.batch_id))
        latest = chosen[-1]
        rows.append(
            (
                dataset,
                len(chosen),
                chosen[0].as_of,
                latest.as_of,
                short_name(latest.file_name),
                latest.row_count,
                sum(b.warnings for b in chosen),
            )
        )
    return Table(
        "imports",
        "Imports behind this forecast, by input",
        (
            text("input", "Input"),
            count("files", "Files"),
            Column("first", "First as-of", Kind.DATE),
            Column("latest", "Latest as-of", Kind.DATE),
            text("file", "Latest file"),
            count("rows", "Rows in latest file"),
            count("warnings", "Warnings"),
        ),
        tuple(rows),
    )


def warnings_table(context: ReportContext) -> Table:
    internal = not context.public
    columns: tuple[Column, ...] = (
        text("rule", "Rule"),
        count("count", "Warnings"),
        text("inputs", "Inputs"),
    )
    if internal:
        columns += (text("example", "First example"),)
    rows: list[tuple[Cell, ...]] = []
    for warning in context.warnings:
        row: tuple[Cell, ...] = (warning.rule, warning.count, ", ".join(warning.datasets))
        rows.append((*row, warning.example) if internal else row)
    return Table("warnings", "Validation warnings by rule", columns, tuple(rows))


def snapshot_table(context: ReportContext) -> Table:
    snapshot = context.snapshot
    rows: list[tuple[Cell, ...]] = [
        ("Snapshot", str(snapshot.snapshot_id)),
        ("Council", f"{context.council.name} ({context.council.la_code})"),
        (
            "Period",
            f"{context.period} (period {context.period.number} of {context.period.financial_year})",
        ),
        ("Data known on", narrative.day_text(snapshot.forecast.knowledge_date)),
        ("Forecast made", f"{snapshot.created_at:%d %B %Y %H:%M} UTC"),
        (
            "Compared with",
            "snapshot " + str(context.previous.snapshot_id) if context.previous else "none",
        ),
    ]
    return Table(
        "snapshot",
        "The forecast snapshot",
        (text("item", "Item"), text("value", "Value")),
        tuple(rows),
    )


def build(context: ReportContext) -> Built:
    known = [b for b in context.batches if b.as_of <= context.forecast.knowledge_date]
    tables = [snapshot_table(context), imports_table(known)]
    paragraphs = []
    if known:
        first = min(b.as_of for b in known)
        latest = max(b.as_of for b in known)
        paragraphs.append(
            f"The forecast rests on {narrative.count(len(known))} imported files with as-of dates "
            f"from {narrative.day_text(first)} to {narrative.day_text(latest)}; files imported with "
            "a later as-of date are not used."
        )
    total = sum(w.count for w in context.warnings)
    if total:
        paragraphs.append(
            f"Validation raised {narrative.count(total)} warnings under "
            f"{narrative.count(len(context.warnings))} rules; none stopped an import."
        )
        tables.append(warnings_table(context))
    else:
        paragraphs.append("Validation raised no warnings on these files.")
    notes = (
        ("Warnings are counted by rule only: their messages can name children.",)
        if context.public
        else ()
    )
    return SectionContent(KEY, TITLE, tuple(paragraphs), tuple(tables), (), notes)


SECTION = SectionSpec(KEY, TITLE, build)
