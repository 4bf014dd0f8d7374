"""MHCLG's revenue outturn workbooks (RO3): children's social care spend by authority, £ thousand.

The workbooks change layout from year to year (2023-24 spreads its header over six rows, 2024-25
uses one row and hides the variable codes at the bottom), so columns are found by MHCLG's variable
codes (`RO3-csctot-net-cur-exp` …), which do not change, and rows by their ONS codes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from carecast.reference.catalogue import RO3_MARKER
from carecast.reference.tidy import ENGLAND, Loaded

ENGLAND_ONS = "E92000001"
ONS_CODE = re.compile(r"E\d{8}")
YEAR = re.compile(r"(20\d{2})-(\d{2})")
CHILDREN = "RO3-csc"  # the variable codes of children's social care lines
FOOTNOTE = re.compile(r"\)\s*\d+$")
NOTE = re.compile(r"\s*\[note \d+\]")


def _sheets(path: Path) -> list[str]:
    import fastexcel

    return list(fastexcel.read_excel(path).sheet_names)


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    frame = pl.read_excel(
        path,
        sheet_name=sheet,
        engine="calamine",
        has_header=False,
        infer_schema_length=0,
        raise_if_empty=False,  # an empty sheet is simply not the table
    )
    return frame.rows()


def _data_sheet(path: Path) -> tuple[str, list[tuple[Any, ...]]] | None:
    """The sheet holding the by-authority table: the one whose cells carry RO3's variable codes."""
    for sheet in _sheets(path):
        if not sheet.upper().startswith("RO3"):
            continue
        rows = _rows(path, sheet)
        if any(RO3_MARKER in row for row in rows):
            return sheet, rows
    return None


def is_revenue_outturn(path: Path) -> bool:
    """Whether `path` is an RO3 workbook; a file the spreadsheet reader cannot open or read (not a
    workbook at all, a damaged archive, an unreadable cell) is not one. Other errors are raised."""
    import fastexcel

    try:
        return _data_sheet(path) is not None
    except (fastexcel.CalamineError, fastexcel.CalamineCellError):
        return False


def _year(rows: list[tuple[Any, ...]], sheet: str) -> str:
    for row in rows[:12]:
        for cell in row:
            if isinstance(cell, str) and "outturn" in cell.lower() and (m := YEAR.search(cell)):
                return f"{m.group(1)}-{m.group(2)}"
    if m := re.search(r"(20\d{2})-?(\d{2})$", sheet):
        return f"{m.group(1)}-{m.group(2)}"
    raise ValueError(f"sheet {sheet} does not say which financial year it covers")


def _label(rows: list[tuple[Any, ...]], header: int, column: int) -> str:
    """A column's heading as printed, with the service line it belongs to and no footnote marks."""
    text = " ".join(str(rows[header][column] or "").split())
    above = rows[header - 1] if header > 0 else ()
    if any(isinstance(cell, str) and cell.strip() for cell in above[column:]):
        # Older layouts name the service line once, above its first column.
        line = next((above[c] for c in range(column, -1, -1) if above[c]), None)
        if line:
            text = f"{' '.join(str(line).split())} - {text}"
    return NOTE.sub("", FOOTNOTE.sub(")", text))


def load_outturn(path: Path) -> Loaded:
    """Every children's social care cell of an RO3 workbook, one observation per authority and code.

    Areas are ONS codes here (`E09000023`, `england` for England); the reference dataset maps them
    onto DfE codes. `[x]` (not available) becomes a null value with its symbol kept.
    """
    found = _data_sheet(path)
    if found is None:
        raise ValueError(f"no sheet carries the RO3 variable code {RO3_MARKER}")
    sheet, rows = found
    codes_row = next(row for row in rows if RO3_MARKER in row)
    header = next(i for i, row in enumerate(rows) if str(row[0]).strip().lower() == "e-code")
    ons_column = next(
        i for i, cell in enumerate(rows[header]) if str(cell).strip().lower() == "ons code"
    )
    columns = [
        (i, str(code))
        for i, code in enumerate(codes_row)
        if isinstance(code, str) and code.startswith(CHILDREN)
    ]
    year = _year(rows, sheet)
    cited = {index: f"{code}: {_label(rows, header, index)}" for index, code in columns}
    records = []
    for row in rows[header + 1 :]:
        ons = str(row[ons_column] or "").strip()
        if not ONS_CODE.fullmatch(ons) or row is codes_row:
            continue
        area = ENGLAND if ons == ENGLAND_ONS else ons
        for index, code in columns:
            cell = row[index]
            text = "" if cell is None else str(cell).strip()
            try:
                value: float | None = float(text.replace(",", ""))
            except ValueError:
                value = None
            records.append(
                {
                    "area": area,
                    "year": year,
                    "measure": code,
                    "value": value,
                    "symbol": None if value is not None else text,
                    "selection": cited[index],
                    "joint": None,
                }
            )
    schema = {
        "area": pl.String,
        "year": pl.String,
        "measure": pl.String,
        "value": pl.Float64,
        "symbol": pl.String,
        "selection": pl.String,
        "joint": pl.String,
    }
    names = pl.DataFrame(
        schema={"la_code": pl.String, "new_la_code": pl.String, "la_name": pl.String}
    )
    return pl.DataFrame(records, schema=schema), names
