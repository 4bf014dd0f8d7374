"""A RawTable of text → a typed frame with canonical column names, plus every cell-level problem."""

from __future__ import annotations

import polars as pl

from carecast.errors import Issue
from carecast.ingest.columns import ROW, ColumnSpec, cleaned, column_check
from carecast.ingest.datasets import Dataset
from carecast.ingest.reading import RawTable


def column_positions(header: tuple[str, ...]) -> dict[str, int]:
    """Canonical (upper-case, trimmed) column name → position of its first occurrence."""
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        key = name.strip().upper()
        if key:
            positions.setdefault(key, position)
    return positions


def present_specs(dataset: Dataset, positions: dict[str, int]) -> list[ColumnSpec]:
    return [c for c in dataset.columns if c.name in positions] + [
        c for c in dataset.optional if c.name in positions
    ]


def type_table(raw: RawTable, dataset: Dataset) -> tuple[pl.DataFrame, list[Issue]]:
    """Typed values for every known column present, and the located problems of each cell."""
    positions = column_positions(raw.header)
    specs = present_specs(dataset, positions)
    text = raw.frame.select(
        pl.col(ROW), *(pl.col(f"col{positions[s.name]}").alias(s.name) for s in specs)
    )
    checks = {spec.name: column_check(spec) for spec in specs}
    # One pass types every column and flags its problems; messages are then built only for the
    # (usually few) flagged rows.
    checked = text.with_columns(
        *(checks[s.name].value.alias(f"__value_{s.name}") for s in specs),
        *(checks[s.name].bad.alias(f"__bad_{s.name}") for s in specs),
        *(
            cleaned(s.name).is_null().alias(f"__missing_{s.name}")
            for s in specs
            if s.value_required
        ),
    )
    problems = []
    for spec in specs:
        check = checks[spec.name]
        spelled = raw.header[positions[spec.name]]
        flagged = checked.filter(pl.col(f"__bad_{spec.name}"))
        if flagged.height:
            problems.append(
                flagged.select(
                    pl.col(ROW),
                    pl.lit(spelled).alias("column"),
                    pl.lit(check.rule).alias("rule"),
                    check.message.alias("message"),
                )
            )
        if spec.value_required:
            missing = checked.filter(pl.col(f"__missing_{spec.name}"))
            if missing.height:
                problems.append(
                    missing.select(
                        pl.col(ROW),
                        pl.lit(spelled).alias("column"),
                        pl.lit("missing-value").alias("rule"),
                        pl.lit(f"{spec.name} is empty; every row needs one").alias("message"),
                    )
                )
    typed = checked.select(
        pl.col(ROW),
        *(
            pl.col(f"__value_{s.name}").fill_null(s.default).alias(s.name)
            if s.default is not None
            else pl.col(f"__value_{s.name}").alias(s.name)
            for s in specs
        ),
    )
    absent = [s for s in dataset.optional if s.default is not None and s.name not in positions]
    typed = typed.with_columns(pl.lit(s.default).alias(s.name) for s in absent)
    issues: list[Issue] = []
    if problems:
        found = pl.concat(problems).sort(ROW, maintain_order=True)
        issues = [
            Issue(raw.source, row, column, rule, message)
            for row, column, rule, message in found.iter_rows()
        ]
    return typed, issues
