"""An empty cell is empty however the CSV writes it: typing skips its cleaning pass only for a file
whose empty cells polars already reads as null (no quote anywhere, nothing to trim)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.ingest.columns import ROW
from carecast.ingest.loader import parse_file
from carecast.ingest.reading import read_csv_file

HEADING = "COST_CENTRE,SERVICE_LINE\n"


@pytest.mark.parametrize(
    ("body", "clean_already"),
    [
        ("CS1,\nCS2,other_costs\n", True),  # unquoted: read as null
        ('CS1,""\nCS2,other_costs\n', False),  # quoted: read as "", so cleaned
        ("CS1, \nCS2,other_costs\n", False),  # a space: trimmed to nothing
    ],
)
def test_an_empty_service_line_is_missing_however_it_is_written(
    tmp_path: Path, body: str, clean_already: bool
) -> None:
    path = tmp_path / "cost_centres.csv"
    path.write_text(HEADING + body)
    raw, _ = read_csv_file(path)
    assert raw is not None
    assert (raw.trimmed and raw.empty_is_null) is clean_already
    parsed, issues = parse_file(path)
    assert [(i.row, i.column, i.rule) for i in issues] == [(2, "SERVICE_LINE", "missing-value")]
    assert parsed is not None
    assert parsed.frame.get_column("SERVICE_LINE").to_list() == [None, "other_costs"]


CELL = st.text(alphabet=st.sampled_from(list('ab1 ,"\t')), max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, min_size=2, max_size=2), min_size=1, max_size=8))
def test_a_table_said_to_read_empty_cells_as_null_holds_no_empty_string(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["A", "B"], *rows])
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    path.write_text(out.getvalue())
    raw, _ = read_csv_file(path)
    if raw is not None and raw.empty_is_null:
        cells = raw.frame.drop(ROW).to_dict(as_series=False).values()
        assert all(cell != "" for column in cells for cell in column)
