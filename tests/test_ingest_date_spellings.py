"""Which spellings a date column's cells use, found in one query: the same answers as asking
each column whether any and whether all of its cells with text have a slash."""

from __future__ import annotations

import polars as pl

from carecast.ingest.typed import _date_spellings

COLUMNS = {
    "slashed": ["01/04/2024", None, "3/5/2024"],  # every cell with text: DD/MM/YYYY only
    "iso": ["2024-04-01", None, "2024-05-03"],  # none: ISO only
    "mixed": ["2024-04-01", "01/04/2024", None],  # some: both spellings tried
    "empty": [None, None, None],  # no text at all: counts as no slash, ISO only
    "odd": ["not a date", "1/2", None],  # some slashed, not all
}


def _straightforward(text: pl.DataFrame, names: list[str]) -> dict[str, tuple[str, ...]]:
    spellings: dict[str, tuple[str, ...]] = {}
    for name in names:
        slash = text.get_column(name).str.contains("/", literal=True)
        if slash.all() and slash.any():
            spellings[name] = ("%d/%m/%Y",)
        elif not slash.any():
            spellings[name] = ("%Y-%m-%d",)
    return spellings


def test_each_columns_spelling_is_read_from_its_cells_with_text() -> None:
    text = pl.DataFrame(COLUMNS, schema=dict.fromkeys(COLUMNS, pl.String))
    assert _date_spellings(text, list(COLUMNS)) == {
        "slashed": ("%d/%m/%Y",),
        "iso": ("%Y-%m-%d",),
        "empty": ("%Y-%m-%d",),
    }


def test_the_one_query_answers_as_the_two_questions_do() -> None:
    text = pl.DataFrame(COLUMNS, schema=dict.fromkeys(COLUMNS, pl.String))
    for names in (list(COLUMNS), ["mixed"], ["empty", "slashed"]):
        assert _date_spellings(text, names) == _straightforward(text, names)


def test_a_file_without_rows_or_date_columns_has_no_spellings() -> None:
    empty = pl.DataFrame(schema={"DECOM": pl.String})
    assert _date_spellings(empty, ["DECOM"]) == {}
    assert _date_spellings(pl.DataFrame({"DECOM": ["01/04/2024"]}), []) == {}
