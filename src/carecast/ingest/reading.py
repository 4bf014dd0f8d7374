"""Read a delimited text file the way councils save them: BOM or not, CRLF, Excel's Windows-1252.

The result is a `RawTable`: every cell as text, columns named as the file spells them, and a
`__row` column with the row number a spreadsheet shows (header = row 1).

The common case — a UTF-8 file with one value per heading — goes straight to polars' CSV reader,
which also checks the UTF-8; only a file it refuses is decoded in Python (Windows-1252) or split
row by row (ragged rows, to locate them).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from carecast.errors import Issue
from carecast.ingest.columns import ROW
from carecast.ingest.csv_shape import lone_cr_problem, quote_problems, rows_swallowed
from carecast.ingest.encoding import UTF8_BOM, decode, wide_encoding
from carecast.ingest.reading_limits import MAX_FILE_BYTES, mib, too_large
from carecast.ingest.table_checks import (
    cell_problems,
    duplicate_headings,
    heading_problems,
    suspects_in,
)


@dataclass(frozen=True)
class RawTable:
    """A table's text cells. `header` keeps the column names as spelt (duplicates included)."""

    source: str
    sha256: str
    header: tuple[str, ...]
    frame: pl.DataFrame  # one String column per header position (named col0, col1, …) + __row
    excel: bool = False  # read from a workbook: bare numbers in date columns are Excel serials
    original: tuple[str, ...] | None = None  # the file's own headings when a mapping renamed them
    # What the bytes tell of every cell (see `text_facts`), so typing can skip work per cell:
    trimmed: bool = False  # no cell starts or ends with a space: nothing to trim
    upper: bool = False  # no cell has a lower-case letter: codes are upper case already
    # No cell is the empty string: an empty cell is null (polars reads an unquoted empty field
    # so, and a file without a quote has no quoted "").
    empty_is_null: bool = False

    def column_name(self, position: int) -> str:
        return f"col{position}"

    def spelling(self, position: int) -> str:
        """A column's heading as the file spells it (for locating problems)."""
        return (self.original or self.header)[position]


def table_from_rows(
    source: str, sha256: str, header: list[str], rows: list[list[str]], first_row: int = 2
) -> RawTable:
    """A RawTable from already-split rows (used by the slow CSV path, XLSX and XML readers)."""
    width = len(header)
    columns = {f"col{i}": [row[i] if i < len(row) else "" for row in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    frame = frame.with_columns(
        pl.int_range(first_row, first_row + len(rows), dtype=pl.Int64).alias(ROW)
    )
    return RawTable(source, sha256, tuple(h.strip() for h in header), frame)


def _slow_parse(text: str, source: str, sha256: str) -> tuple[RawTable | None, list[Issue]]:
    """Python's csv module, row by row: used only when a file has ragged rows (to locate them)
    or quoted cells spanning lines (to tell a stray quote from a cell holding a line break)."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = records[0]
    refused = quote_problems(text.encode("utf-8"), source, header)
    if refused:
        return None, refused
    width = len(header)
    issues: list[Issue] = []
    kept: list[list[str]] = []
    numbers: list[int] = []
    for number, record in enumerate(records[1:], start=2):
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            issues.append(
                Issue(
                    source,
                    number,
                    None,
                    "row-length",
                    f"the row has {len(record)} values but the header has {width} columns; "
                    "remove the extra values or add their column headings",
                )
            )
            continue
        kept.append(record[:width])
        numbers.append(number)
    table = table_from_rows(source, sha256, header, kept)
    table = RawTable(
        table.source,
        table.sha256,
        table.header,
        table.frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64)),
    )
    return table, issues


_CELL_EDGES = np.array([ord(","), ord("\n"), ord("\r"), ord('"')], dtype=np.uint8)


@dataclass(frozen=True)
class TextFacts:
    """What one pass over a CSV file's bytes tells of all its cells."""

    sha256: str
    trimmed: bool
    upper: bool


def text_facts(data: bytes) -> TextFacts:
    """The file's digest, and whether its cells need trimming or upper-casing (after any BOM).

    Trimming or upper-casing a million cells per column costs more than reading them; an ASCII
    file usually needs neither, and numpy tells so from the bytes (releasing the GIL, so this
    runs beside polars' parse). Non-ASCII text may hold Unicode spaces or lower-case letters and
    is always cleaned.
    """
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    if not data.isascii() or wide_encoding(data) is not None:  # UTF-16/32 of ASCII is ASCII
        return TextFacts(digest, trimmed=False, upper=False)
    view = np.frombuffer(data, dtype=np.uint8)
    lower = bool(((view - np.uint8(ord("a"))) < 26).any())  # a-z (other bytes wrap past 25)
    return TextFacts(digest, trimmed=not may_need_trimming(data), upper=not lower)


def may_need_trimming(data: bytes) -> bool:
    """Whether some cell of this CSV may start or end with a space (and so need trimming).

    An ASCII file without tabs whose spaces all sit inside values (a postcode's "NW10 7") needs
    none. A file with non-ASCII text may hold a Unicode space and is always trimmed.
    """
    if not data.isascii() or any(c in data for c in (b"\t", b"\x0b", b"\x0c")):
        return True
    if b" " not in data:
        return False
    view = np.frombuffer(data, dtype=np.uint8)
    spaces = np.flatnonzero(view == ord(" "))
    if spaces[0] == 0 or spaces[-1] == view.size - 1:
        return True
    before, after = view[spaces - 1], view[spaces + 1]
    return bool(np.isin(before, _CELL_EDGES).any() or np.isin(after, _CELL_EDGES).any())


def _first_line(data: bytes) -> bytes:
    # Not split(): that would copy the rest of a large file too.
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def parse_csv_bytes(data: bytes, source: str, sha256: str) -> tuple[RawTable | None, list[Issue]]:
    """Split CSV into a header and numbered rows of text; blank rows are dropped.

    UTF-16/32 is decoded first. A file polars refuses (not UTF-8, ragged rows, quoted cells
    spanning lines) is decoded here (Windows-1252 as Excel writes it) and, if still refused, split
    row by row with Python's csv module to locate the ragged rows or a quote left open. Every
    cell is then checked for what no input may hold (table_checks.py).
    """
    notes: list[Issue] = []
    if wide_encoding(data) is not None:
        text, notes = decode(data, source)
        if text is None:
            return None, notes
        data = text.encode("utf-8")
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    if not _first_line(body).strip().strip(b","):
        return None, [*notes, Issue(source, 1, None, "empty-file", "the file has no header row")]
    refused = lone_cr_problem(body, source)
    if refused:
        return None, notes + refused
    table, issues = _parse_text(data, body, source, sha256)
    issues = notes + issues
    if table is None:
        return None, issues
    issues += heading_problems(source, table.header, 1)
    issues += duplicate_headings(source, table.header, 1, lambda p: f"column {p + 1}")
    return table, issues + cell_problems(table, suspects_in(body))


def _parse_text(
    data: bytes, body: bytes, source: str, sha256: str
) -> tuple[RawTable | None, list[Issue]]:
    table = _fast_parse(body, source, sha256)
    if table is not None:
        return table, []
    text, issues = decode(data, source)
    if text is None:
        return None, issues
    if issues:  # re-encoded from Windows-1252, the file may now suit polars
        table = _fast_parse(text.encode("utf-8"), source, sha256)
    if table is None:
        try:
            table, more = _slow_parse(text, source, sha256)
        except csv.Error as exc:
            return None, [
                *issues,
                Issue(source, None, None, "bad-csv", f"not readable as CSV: {exc}"),
            ]
        issues += more
    return table, issues


def _fast_parse(body: bytes, source: str, sha256: str) -> RawTable | None:
    """Polars' reader over the whole UTF-8 file; None when it refuses the file."""
    try:
        heading = _first_line(body).decode("utf-8").rstrip("\r")
        header = next(csv.reader([heading]))
        frame = pl.read_csv(body, infer_schema=False, has_header=True, raise_if_empty=False)
    except (UnicodeDecodeError, csv.Error, pl.exceptions.ComputeError, pl.exceptions.NoDataError):
        return None
    if len(frame.columns) != len(header) or rows_swallowed(body, frame.height):
        return None  # a quote spanning lines: Python's csv module tells a stray one apart
    # Named in place: a rename would be a query of its own.
    frame.columns = [f"col{i}" for i in range(frame.width)]
    # Polars keeps blank lines as empty rows, so a record's position gives its spreadsheet row
    # (numbered from numpy: on a small file a polars query would cost more than the numbers).
    frame = frame.insert_column(0, pl.Series(ROW, np.arange(2, frame.height + 2, dtype=np.int64)))
    text_columns = [c for c in frame.columns if c != ROW]
    # A blank line is a row of nulls (polars reads an empty field as null); with no null in the
    # first column there is none to drop.
    if text_columns and frame.get_column(text_columns[0]).null_count():
        blank = pl.all_horizontal(pl.col(c).is_null() for c in text_columns)
        frame = frame.filter(~blank)
    header_cells = tuple(h.strip() for h in header)
    return RawTable(source, sha256, header_cells, frame, empty_is_null=b'"' not in body)


# Below this size a file's facts are taken after parsing it: starting a thread costs about as
# much as a small monthly extract's digest and facts (0.16 ms for 92 kB), and saves no CPU time.
BESIDE_BYTES = 1 << 20


def read_csv_file(path: Path, source: str | None = None) -> tuple[RawTable | None, list[Issue]]:
    name = source or str(path)
    if (size := path.stat().st_size) > MAX_FILE_BYTES:
        what = f"the file is {mib(size)}, more than {mib(MAX_FILE_BYTES)}"
        return None, [too_large(name, None, None, what, "split it by year or period")]
    data = path.read_bytes()
    if len(data) < BESIDE_BYTES:
        table, issues = parse_csv_bytes(data, name, "")
        facts = text_facts(data)
    else:  # the digest and the facts taken on another thread while polars parses the file
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(text_facts, data)
            table, issues = parse_csv_bytes(data, name, "")
            facts = pending.result()
    if table is None:
        return None, issues
    # A file re-encoded from Windows-1252 is not ASCII: its facts say "clean every cell". A
    # quoted cell may hold a line break (a cell of just "\n" or "\r") that the facts do not see:
    # when a cell spans lines (fewer rows than lines) or a CR stands alone, every cell is trimmed.
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    lone_cr = b"\r" in body and re.search(rb"\r(?!\n)", body) is not None
    trimmed = facts.trimmed and not lone_cr and not rows_swallowed(body, table.frame.height)
    return replace(table, sha256=facts.sha256, trimmed=trimmed, upper=facts.upper), issues
