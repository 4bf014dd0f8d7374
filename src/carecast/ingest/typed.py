"""A RawTable of text → a typed frame with canonical column names, plus every cell-level problem."""

from __future__ import annotations

import polars as pl

from carecast.errors import Issue
from carecast.ingest.columns import DATE_FORMATS, ROW, ColumnSpec, Kind, cleaned, column_check
from carecast.ingest.datasets import Dataset
from carecast.ingest.ranges import RULE as OUT_OF_RANGE
from carecast.ingest.ranges import out_of_range, suspect
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


# Kinds whose every cell with text must yield a value (TEXT always does; so does CODE without a
# list of codes, which year-aware rules check instead).
CHECKED = frozenset(Kind) - {Kind.TEXT, Kind.CODE}

# From this many rows a file is typed in a lazy query (see type_table): at 0.2 µs a row for the
# second parse of a date and about 0.3 ms to plan the query, they cost the same near 1,500 rows.
LAZY_ROWS = 2_000


def _date_spellings(text: pl.DataFrame, names: list[str]) -> dict[str, tuple[str, ...]]:
    """Per date column, the spellings its cells use: ISO only, DD/MM/YYYY only, or both."""
    if not names or text.is_empty():
        return {}
    # Each column searched once for both answers, in one query (a query costs about as much as
    # a small monthly file's search): a column's cells with a slash, against those with text
    # (empty cells are ignored). Any: some have one; all: every cell with text has one.
    counts = text.select(
        *(pl.col(n).str.contains("/", literal=True).sum().alias(f"{n} slashed") for n in names),
        *(pl.col(n).count().alias(f"{n} filled") for n in names),
    ).row(0, named=True)
    spellings: dict[str, tuple[str, ...]] = {}
    for name in names:
        slashed, filled = counts[f"{name} slashed"], counts[f"{name} filled"]
        if slashed and slashed == filled:
            spellings[name] = ("%d/%m/%Y",)
        elif not slashed:
            spellings[name] = ("%Y-%m-%d",)
    return spellings


def type_table(raw: RawTable, dataset: Dataset) -> tuple[pl.DataFrame, list[Issue]]:
    """Typed values for every known column present, and the located problems of each cell."""
    positions = column_positions(raw.header)
    specs = present_specs(dataset, positions)
    # Each cell trimmed once, empty cells null; every check below reads these cleaned columns.
    if raw.trimmed and raw.empty_is_null:  # clean already: the columns as they are, no query
        cells = (raw.frame.get_column(f"col{positions[s.name]}").alias(s.name) for s in specs)
        text = pl.DataFrame([raw.frame.get_column(ROW), *cells])
    else:
        text = raw.frame.select(
            pl.col(ROW),
            *(
                cleaned(f"col{positions[s.name]}", trim=not raw.trimmed).alias(s.name)
                for s in specs
            ),
        )
    spellings = _date_spellings(text, [s.name for s in specs if s.kind is Kind.DATE])
    checks = {
        spec.name: column_check(
            spec, spellings.get(spec.name, DATE_FORMATS), clean=True, upper=raw.upper
        )
        for spec in specs
    }
    # One pass types every column; a cell is a problem when it has text but no value (computed
    # from the typed column rather than by parsing again). A large file's values lazily: a check
    # reads its parsed value more than once, and the lazy engine computes each shared expression
    # once (eagerly every date is parsed twice). A small file's eagerly: planning that query
    # costs more than parsing its dates twice (a monthly extract: a third more).
    typing = [checks[s.name].value.alias(f"__value_{s.name}") for s in specs]
    if text.height < LAZY_ROWS:
        checked = text.with_columns(typing)
    else:
        checked = text.lazy().with_columns(typing).collect()
    bad = {
        s.name: pl.col(s.name).is_not_null() & pl.col(f"__value_{s.name}").is_null()
        for s in specs
        if s.kind in CHECKED or s.codes is not None
    }
    # Numbers beyond what the store and a council could hold (a wrapped amount among them):
    # suspects found cheaply over every row, then checked exactly.
    limits = {s.name: limit for s in specs if (limit := dataset.limit(s)) is not None}
    suspects = {
        s.name: suspect(s, pl.col(f"__value_{s.name}"), limits[s.name])
        for s in specs
        if s.name in limits
    }
    required = [s.name for s in specs if s.value_required]
    # How many cells of each column are bad or missing, as counts: flag columns for a million
    # rows would cost more than the checks. Rows are picked out only where a count says so.
    tallies = [
        *(flag.sum().alias(f"bad {name}") for name, flag in bad.items()),
        *(pl.col(name).null_count().alias(f"missing {name}") for name in required),
        *(flag.sum().alias(f"range {name}") for name, flag in suspects.items()),
    ]
    counts = checked.select(tallies).row(0, named=True) if tallies else {}
    problems = []
    dropped: dict[str, pl.Series] = {}  # per column, the rows of its out-of-range cells
    for spec in specs:
        check = checks[spec.name]
        spelled = raw.spelling(positions[spec.name])
        if counts.get(f"bad {spec.name}"):
            flagged = checked.filter(bad[spec.name]).rechunk()  # see rules.failing
            problems.append(
                flagged.select(
                    pl.col(ROW),
                    pl.lit(spelled).alias("column"),
                    pl.lit(check.rule).alias("rule"),
                    check.message.alias("message"),
                )
            )
        if counts.get(f"range {spec.name}"):
            flag, message = out_of_range(spec, pl.col(f"__value_{spec.name}"), limits[spec.name])
            beyond = checked.filter(suspects[spec.name]).filter(flag)
            dropped[spec.name] = beyond.get_column(ROW)
            problems.append(
                beyond.select(
                    pl.col(ROW),
                    pl.lit(spelled).alias("column"),
                    pl.lit(OUT_OF_RANGE).alias("rule"),
                    message.alias("message"),
                )
            )
        if counts.get(f"missing {spec.name}"):
            missing = checked.filter(pl.col(spec.name).is_null())
            problems.append(
                missing.select(
                    pl.col(ROW),
                    pl.lit(spelled).alias("column"),
                    pl.lit("missing-value").alias("rule"),
                    pl.lit(f"{spec.name} is empty; every row needs one").alias("message"),
                )
            )
    # An out-of-range value is dropped, so that no rule adds it into a total it reports.
    values = {
        s.name: pl.when(~pl.col(ROW).is_in(dropped[s.name].implode())).then(
            pl.col(f"__value_{s.name}")
        )
        if s.name in dropped and dropped[s.name].len()
        else pl.col(f"__value_{s.name}")
        for s in specs
    }
    absent = [s for s in dataset.optional if s.default is not None and s.name not in positions]
    typed = checked.select(
        pl.col(ROW),
        *(
            values[s.name].fill_null(s.default).alias(s.name)
            if s.default is not None
            else values[s.name].alias(s.name)
            for s in specs
        ),
        *(pl.lit(s.default).alias(s.name) for s in absent),
    )
    issues: list[Issue] = []
    if problems:
        found = pl.concat(problems).sort(ROW, maintain_order=True)
        issues = [
            Issue(raw.source, row, column, rule, message)
            for row, column, rule, message in found.iter_rows()
        ]
    return typed, issues
